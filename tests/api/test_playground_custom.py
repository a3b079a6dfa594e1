"""The playground's own data over HTTP: points in the query, pasted CSV in a POST body, the formula curve;
every refusal a 422 naming the field (and the point, row or column) in both languages."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.compute import clear_cache
from app.exercises.playground.custom import encode_points
from tests.conftest import strict_json
from tests.exercises.test_playground_custom import rows, xor_points

PATH = "/api/playground/train"


def _refused(r, field: str, words: str) -> None:
    assert r.status_code == 422, r.text[:300]
    detail = r.json()["detail"]
    assert [d["loc"][-1] for d in detail] == [field], detail
    assert words in detail[0]["message"], detail[0]["message"]
    assert len(r.content) < 5000  # a long refused value is not sent back whole


def test_points_in_the_query_give_the_same_bytes_each_time(client):
    X, y = xor_points(40)
    q = {"dataset": "custom", "points": encode_points(X, y), "epochs": 60, "layers": "8"}
    clear_cache()
    first = client.get(PATH, params=q)
    body = strict_json(first.text)
    assert body["params"]["points"] == q["points"] and len(body["data"]["x_train"]) == 28
    clear_cache()
    assert client.get(PATH, params=q).content == first.content


def test_post_takes_the_same_settings_as_json_and_answers_as_get(client):
    X, y = xor_points(40)
    q = {"dataset": "custom", "points": encode_points(X, y), "epochs": 60, "layers": "8"}
    assert client.post(PATH, json=q).content == client.get(PATH, params=q).content
    assert client.post(PATH, json={**q, "epochs": "60", "lang": "zh"}).content == \
        client.get(PATH, params={**q, "lang": "zh"}).content


def test_a_pasted_set_of_a_thousand_rows_trains_by_post_and_streams(client):
    X, y = xor_points(1000, seed=5)
    q = {"dataset": "custom", "csv": "x1,x2,label\n" + rows(X, y), "epochs": 30, "layers": "8"}
    r = client.post(PATH, json=q)
    body = strict_json(r.text)
    assert len(body["data"]["x_train"]) + len(body["data"]["x_test"]) == 1000
    text = client.post(PATH + "/stream", json=q).text
    last = text.strip().split("\n\n")[-1]
    assert last.startswith("event: result") and last.split("data: ", 1)[1] == r.text


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"dataset": "custom", "csv": "1,2,0\n3,4,1\n5,x,0\n"}, "csv", "row 3"),
    ({"dataset": "custom", "csv": "1,2,0\n3,4,1\n5,inf,0\n"}, "csv", "finite"),
    ({"dataset": "custom", "csv": "1,2,1\n" * 10}, "csv", "class 0"),
    ({"dataset": "custom", "csv": "1,2,1\n" * 1001}, "csv", "row 1001"),
    ({"dataset": "custom_curve", "csv": "1,2\n3,4\n5,6,7\n"}, "csv", "row 3 has 3 fields"),
    ({"dataset": "custom", "points": "AAAAAA*A"}, "points", "point 2"),
    ({"dataset": "custom", "points": "AAAA" * 201}, "points", "at most 200"),
    ({"dataset": "custom", "points": "AAAA" * 6}, "points", "class 0"),
    ({"dataset": "formula", "formula": "x +* 2"}, "formula", "at column 4"),
    ({"dataset": "formula", "formula": "sqrt(x)"}, "formula", "not finite"),
])
def test_bad_data_is_refused_naming_the_field_and_where(client, body, field, words):
    _refused(client.post(PATH, json=body), field, words)
    zh = client.post(PATH + "?lang=zh", json=body).json()["detail"][0]["message"]
    assert re.search(r"[\u4e00-\u9fff]", zh)
    if field != "csv":  # what the link holds is refused the same way by GET
        _refused(client.get(PATH, params=body), field, words)


def test_a_post_with_an_unknown_key_or_a_bad_type_is_refused(client):
    _refused(client.post(PATH, json={"epochs": 50, "zz": 1}), "zz", "no such setting")
    _refused(client.post(PATH, json={"epochs": "many"}), "epochs", "whole number")


def test_a_formula_curve_and_a_drawn_curve_draw_without_nan(client):
    r = client.get(PATH, params={"dataset": "formula", "formula": "1/(x+1.1)", "epochs": 50})
    body = strict_json(r.text)
    assert body["metrics"]["diverged"] is False and body["params"]["formula"] == "1/(x+1.1)"
    x = np.linspace(-1, 1, 20)
    r = client.get(PATH, params={"dataset": "custom_curve", "epochs": 50,
                                 "points": encode_points(np.column_stack([x, np.abs(x)]))})
    body = strict_json(r.text)
    names = [t.get("name") for t in body["figures"]["surface"]["data"]]
    assert "target without noise" not in names and body["figures"]["surface"]["layout"]["dragmode"] is False
