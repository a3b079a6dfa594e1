"""Refusals in the reader's language: the control's label, what is allowed, once per field."""

from __future__ import annotations

import pytest

from app.exercises.base import TooCostly
from app.exercises.registry import EXERCISES
from app.messages import explain, localize, too_costly_errors

TRAIN = EXERCISES["4-2"].experiment("train")
SCHEMA = TRAIN.params.model_json_schema()


@pytest.mark.parametrize(("query", "lang", "expected"), [
    ("epochs=abc", "en", "Epochs: enter a whole number"),
    ("epochs=abc", "zh", "训练轮数：请输入整数"),
    ("lr=0,1", "en", "write decimals with a point: 0.1"),
    ("lr=0,1", "zh", "小数请用小数点：0.1"),
    ("lr=-1", "zh", "不能小于 0.001"),
    ("bogus=1", "zh", "bogus：这个实验没有这个参数"),
    ("lang=fr", "en", "choose one of en or zh"),
])
def test_api_refusals_speak_the_readers_language(client, query, lang, expected):
    r = client.get(f"/api/exercises/4-2/train?{query}&lang={lang}" if "lang=" not in query else
                   f"/api/exercises/4-2/train?{query}")
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail[0]["loc"][0] == "query" and "msg" in detail[0] and "type" in detail[0]  # FastAPI's shape kept
    assert expected in detail[0]["message"], detail[0]["message"]


def test_a_whole_number_may_be_written_1e3(client):
    r = client.get("/api/exercises/4-2/train?epochs=1e3&hidden_units=2.0")
    assert r.status_code == 200 and r.json()["params"]["epochs"] == 1000


def test_order_names_both_controls_by_label(client):
    r = client.get("/api/exercises/4-4/derivative?x_min=2&x_max=1&lang=zh")
    assert r.status_code == 422
    message = r.json()["detail"][0]["message"]
    assert message.startswith("x 最大值：") and "x 最小值" in message and "x_min" not in message


def test_too_costly_says_how_far_each_setting_may_go(client):
    exp = EXERCISES["4-8"].experiment("compare")
    params = exp.params(epochs=2000)
    with pytest.raises(TooCostly) as caught:
        exp.check_budget(params)
    errors = localize(too_costly_errors(caught.value), exp.params.model_json_schema(), "zh")
    messages = {e["loc"][-1]: e["message"] for e in errors}
    limits = caught.value.limits
    assert limits["epochs"]["bound"] == "max" and f"最多约 {limits['epochs']['limit']}" in messages["epochs"]
    assert limits["batch_size"]["bound"] == "min"  # larger batches are cheaper: the limit is a minimum
    # the stated limits hold: at the limit the budget is met, just beyond it is not
    exp.check_budget(params.model_copy(update={"epochs": limits["epochs"]["limit"]}))
    with pytest.raises(TooCostly):
        exp.check_budget(params.model_copy(update={"epochs": int(limits["epochs"]["limit"] * 1.1) + 1}))
    assert len(set(messages.values())) == len(messages)  # each field's sentence once, none repeated


def test_unknown_error_types_still_read_as_a_sentence():
    e = {"type": "something_new", "loc": ("query", "epochs"), "msg": "odd"}
    assert explain(e, SCHEMA, "zh") == "训练轮数：无效：odd"



def test_a_refused_formula_speaks_the_pages_language(client):
    r = client.get("/api/exercises/4-6/construct?target=expression&expression=foo(x)&lang=zh")
    assert r.status_code == 422
    message = r.json()["detail"][0]["message"]
    assert "未知的函数" in message and "Value error" not in message
