"""The playground over HTTP: its JSON route and stream, its 422s naming the control, its page and index card."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from app.compute import clear_cache
from app.exercises.playground.experiment import TRAIN
from tests.conftest import strict_json

PATH = "/api/playground/train"
ROOT = Path(__file__).resolve().parents[2]


def test_the_route_answers_a_deterministic_strict_json_result(client):
    clear_cache()
    first = client.get(PATH, params={"epochs": 50})
    assert first.status_code == 200, first.text[:500]
    body = strict_json(first.text)
    assert set(body) == {"exercise", "experiment", "params", "metrics", "data", "figures"}
    assert (body["exercise"], body["experiment"]) == ("playground", "train")
    assert body["params"]["layers"] == "4,4" and body["params"]["epochs"] == 50
    assert body["metrics"]["diverged"] is False and "etag" in first.headers
    clear_cache()
    assert client.get(PATH, params={"epochs": 50}).content == first.content
    zh = strict_json(client.get(PATH, params={"epochs": 50, "lang": "zh"}).text)
    assert zh["metrics"] == body["metrics"] and zh["figures"]["loss"]["layout"]["title"]["text"] != \
        body["figures"]["loss"]["layout"]["title"]["text"]


def test_the_stream_ends_with_the_same_bytes(client):
    clear_cache()
    text = client.get(PATH + "/stream", params={"epochs": 40, "n_seeds": 3}).text
    blocks = [dict(line.split(": ", 1) for line in b.splitlines()) for b in text.strip().split("\n\n")]
    assert blocks[-1]["event"] == "result"
    assert blocks[-1]["data"] == client.get(PATH, params={"epochs": 40, "n_seeds": 3}).text


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"layers": "4,x"}, "layers", "layer 2"),
    ({"layers": "4,4,4,4,4,4,4"}, "layers", "at most 6"),
    ({"features": "x3"}, "features", "unknown feature"),
    ({"dataset": "sine", "loss": "bce"}, "loss", "mse"),
    ({"n_seeds": 101}, "n_seeds", "at most 100"),
    ({"lr": "0,1"}, "lr", "0.1"),
    ({"activation": "cosine"}, "activation", "choose one of"),
    ({"zz": "1"}, "zz", "no such setting"),
])
def test_bad_input_gets_422_naming_the_field(client, query, field, words):
    r = client.get(PATH, params=query)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [d["loc"][-1] for d in detail] == [field]
    assert words in detail[0]["message"]
    zh = client.get(PATH, params={**query, "lang": "zh"}).json()["detail"][0]["message"]
    assert re.search(r"[\u4e00-\u9fff]", zh) and zh != detail[0]["message"]


def test_a_repeated_parameter_and_a_too_costly_run_are_refused(client):
    r = client.get(PATH + "?epochs=10&epochs=20")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "epochs"]
    r = client.get(PATH, params={"epochs": 5000, "n_seeds": 100, "layers": "32,32,32", "n_points": 1000})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert {d["type"] for d in detail} == {"too_costly"}
    assert {"epochs", "n_seeds"} <= {d["loc"][-1] for d in detail}
    assert any(d["message"].startswith("Epochs:") for d in detail)


def test_a_diverging_run_has_no_nan_in_its_json(client):
    r = client.get(PATH, params={"dataset": "cubic", "optimizer": "sgd", "lr": 10, "activation": "relu",
                                 "init": "he", "layers": "16,16", "epochs": 300, "n_seeds": 3})
    body = strict_json(r.text)  # refuses NaN and Infinity
    assert body["metrics"]["diverged"] is True and body["metrics"]["train_loss"] is None


def test_openapi_lists_the_playground_route(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"][PATH]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"layers", "features", "n_seeds", "lang"}
    assert PATH + "/stream" not in spec["paths"]


def _page_data(text: str) -> dict:
    return json.loads(re.search(r'id="page-data">(.*?)</script>', text, re.S).group(1))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_embeds_its_first_result_and_its_own_paths(client, lang):
    r = client.get("/playground", params={"lang": lang, "train.dataset": "xor", "train.layers": "8"})
    assert r.status_code == 200
    page = _page_data(r.text)
    info = page["experiments"][0]["info"]
    assert (info["path"], info["stream_path"]) == (PATH, PATH + "/stream")
    assert page["exercise"] == "playground" and page["lang"] == lang
    result = strict_json(re.search(r'class="result-json">(.*?)</script>', r.text, re.S).group(1))
    assert result["params"]["dataset"] == "xor" and result["params"]["layers"] == "8"
    assert info["params"]["properties"]["layers"]["x-group"] == "network"
    assert ("游乐场" in r.text) == (lang == "zh")
    assert "fflab-playground.js" in r.text


def test_a_bad_value_in_the_page_url_is_shown_not_crashed(client):
    r = client.get("/playground", params={"train.layers": "abc", "lang": "zh"})
    assert r.status_code == 200
    errors = _page_data(r.text)["experiments"][0]["errors"]
    assert errors[0]["loc"][-1] == "layers" and errors[0]["message"].startswith("隐藏层：")


def test_the_index_lists_the_playground_beside_the_nine(client):
    text = client.get("/").text
    assert text.count('class="card"') == 9 and 'href="/playground"' in text


def _links(lang: str) -> list[str]:
    source = (ROOT / "templates" / f"playground.{lang}.html").read_text(encoding="utf-8")
    return re.findall(r'href="\?([^"#]*)(?:#[^"]*)?"', source)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_try_this_link_sets_valid_settings_within_budget(lang):
    links = _links(lang)
    assert len(links) >= 5 and links == _links("en")  # the same experiments in both languages
    for href in links:
        values = {}
        for key, value in parse_qsl(html.unescape(href), keep_blank_values=True):
            assert key.startswith("train."), href
            values[key[len("train."):]] = value
        TRAIN.check_budget(TRAIN.params.model_validate(values))
