"""The four answer checks as experiments (check-swish, check-gelu, check-parameters, check-bias): params, defaults,
refusals naming `answer`, metrics with labels, and figures with summaries in both languages."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.exercises import answers
from app.exercises.base import Experiment, finite_or_none
from app.exercises.ex4_4_check import CHECK_GELU, CHECK_SWISH
from app.exercises.ex4_5_check import CHECK_PARAMETERS
from app.exercises.ex4_7_check import CHECK_BIAS
from tests.exercises.test_formula import HOSTILE

CHECKS = {"check-swish": CHECK_SWISH, "check-gelu": CHECK_GELU, "check-parameters": CHECK_PARAMETERS,
          "check-bias": CHECK_BIAS}
# (right, a catalogued mistake and its id, wrong, syntax error) per check
CASES = {
    "check-swish": ("σ(βx)·(1 + βx·(1 − σ(βx)))".replace("βx", "β*x"), "sigmoid(beta*x)", "swish-second-term-missing",
                    "x*sigmoid(beta*x)", "sigmoid(beta*x"),
    "check-gelu": ("Phi(x) + x*phi(x)", "phi(x) + x*phi(x)", "phi-for-Phi", "x*Phi(x)", "Phi(x) + xphi(x)"),
    "check-parameters": ("M0*N/L + (L-1)*(N/L)^2 + N/L + N + 1", "M0*N/L + (L-1)*(N/L)^2 + N/L + N",
                         "output-bias-forgotten", "N*(M0 + 1)", "M0 N/L"),
    "check-bias": ("(ybar - w*xbar)/(1 + lam)", "ybar - w*xbar", "factor-dropped", "ybar - w",
                   "(ybar - w*xbar)/(1 + lam"),
}


def dumps(value) -> str:
    return json.dumps(finite_or_none(value), allow_nan=False, ensure_ascii=False, sort_keys=True)


def drawn(exp: Experiment, answer: str, lang: str):
    return exp.drawn(exp.params(answer=answer), lang)


@pytest.mark.parametrize("name", CHECKS)
def test_the_registry_name_and_one_bounded_answer(name):
    exp = CHECKS[name]
    assert exp.name == name and exp.draw is not None
    schema = exp.params.model_json_schema()["properties"]
    assert set(schema) - {"lang"} == {"answer"}
    a = schema["answer"]
    assert a["type"] == "string" and a["maxLength"] == 300 and a["default"] == ""
    for key in ("x-label", "x-help"):
        assert a[key]["en"] and a[key]["zh"]
    with pytest.raises(ValidationError):
        exp.params(answer="", zz=1)
    assert exp.params(answer="1").state() == {"answer": "1"}  # the URL state: ?check-….answer=1


@pytest.mark.parametrize("name", CHECKS)
def test_the_defaults_give_a_neutral_result_with_figures_in_both_languages(name):
    exp = CHECKS[name]
    for lang in ("en", "zh"):
        r = exp.drawn(exp.params(), lang)
        m = r.metrics
        assert m["answered"] is False and m["correct"] is None and m["mistake"] is None
        assert m["verdict"]["en"].startswith("Type your answer") and m["verdict"]["zh"]
        assert set(r.figures) == ({"table", "answer"} if name == "check-parameters" else {"answer", "difference"})
        for fig in r.figures.values():
            assert fig["layout"]["meta"]["summary"]
        dumps({"m": m, "d": r.data, "f": r.figures})


@pytest.mark.parametrize("name", CHECKS)
def test_every_metric_is_labelled_in_both_languages(name):
    exp = CHECKS[name]
    for answer in ("", CASES[name][0], CASES[name][1]):
        assert set(exp.run(exp.params(answer=answer)).metrics) == set(exp.metrics)
    for metric in exp.metrics.values():
        for t in (metric.label, metric.meaning):
            assert t["en"] and t["zh"]


@pytest.mark.parametrize("name", CHECKS)
def test_right_mistaken_and_wrong_answers_in_both_languages(name):
    exp = CHECKS[name]
    right, mistaken, mistake_id, wrong, _ = CASES[name]
    summaries = {}
    for lang in ("en", "zh"):
        r = drawn(exp, right, lang).metrics
        assert r["correct"] is True and r["understood"] and r["understood_mathml"].startswith("<math")
        m = drawn(exp, mistaken, lang)
        assert m.metrics["correct"] is False and m.metrics["mistake"] == mistake_id
        assert m.metrics["mistake_anchor"] and m.metrics["mistake_explanation"]["zh"]
        w = drawn(exp, wrong, lang)
        assert w.metrics["correct"] is False and w.metrics["mistake"] is None
        assert w.metrics["max_abs_error"] > 0 and w.metrics["worst_point"]
        summaries[lang] = [f["layout"]["meta"]["summary"] for f in w.figures.values()]
        dumps({"m": w.metrics, "d": w.data, "f": w.figures})
    assert summaries["en"] != summaries["zh"]


@pytest.mark.parametrize("name", CHECKS)
def test_the_worst_point_is_marked_on_the_curves(name):
    exp = CHECKS[name]
    fig = drawn(exp, CASES[name][3], "en").figures
    if name == "check-parameters":
        heat = fig["table"]["data"][0]
        assert heat["type"] == "heatmap" and "1,441" in heat["text"][0]
        return
    for key in ("answer", "difference"):
        assert any(t["name"] == "worst point" for t in fig[key]["data"]), key


@pytest.mark.parametrize("name", CHECKS)
def test_a_syntax_error_is_refused_naming_answer_with_column_and_both_languages(name):
    exp = CHECKS[name]
    with pytest.raises(ValidationError) as e:
        exp.params(answer=CASES[name][4])
    err = e.value.errors()[0]
    assert err["loc"] == ("answer",) and err["type"] == "answer_syntax"
    ctx = err["ctx"]
    assert ctx["column"] >= 1 and ctx["en"].startswith(f"at column {ctx['column']}:") and ctx["zh"].startswith("第 ")
    assert err["msg"] == ctx["en"]
    with pytest.raises(ValidationError) as e:
        exp.params(answer="x" * 301)
    assert e.value.errors()[0]["loc"] == ("answer",) and e.value.errors()[0]["type"] == "string_too_long"


@pytest.mark.parametrize("source", HOSTILE)
def test_the_hostile_corpus_is_refused_by_every_check_and_never_checked(source, monkeypatch):
    def never(*a, **k):
        raise AssertionError("a refused answer was evaluated")

    monkeypatch.setattr(answers, "evaluate", never)
    for exp in CHECKS.values():
        with pytest.raises(ValidationError) as e:
            exp.params(answer=source)
        assert e.value.errors()[0]["loc"] == ("answer",)


def test_a_query_model_refuses_with_a_422_naming_answer():
    """Through FastAPI's query-parameter models, as the API declares them."""
    app = FastAPI()

    @app.get("/check")
    def endpoint(p: Annotated[CHECK_GELU.params, Query()]) -> dict:
        return {"correct": CHECK_GELU.run(p).metrics["correct"]}

    client = TestClient(app)
    assert client.get("/check", params={"answer": "Phi(x)+x*phi(x)"}).json() == {"correct": True}
    assert client.get("/check").json() == {"correct": None}
    r = client.get("/check", params={"answer": "__import__('os')"})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["query", "answer"] and detail["type"] == "answer_syntax" and detail["ctx"]["zh"]


@pytest.mark.parametrize("name", CHECKS)
def test_the_same_answer_gives_the_same_bytes(name):
    exp = CHECKS[name]
    a, b = drawn(exp, CASES[name][3], "zh"), drawn(exp, CASES[name][3], "zh")
    assert dumps({"m": a.metrics, "d": a.data, "f": a.figures}) == dumps({"m": b.metrics, "d": b.data, "f": b.figures})
