"""The answer checker (app/exercises/answers.py) and the four questions' catalogues: right forms pass, every
catalogued mistake is named, anything else fails, and each truth is the page's."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.exercises import answers
from app.exercises.ex4_4_check import GELU, SWISH, gelu_prime, swish_prime
from app.exercises.ex4_5_check import PARAMETERS
from app.exercises.ex4_7_check import BIAS, optimal_bias
from app.exercises.formula import evaluate, parse
from app.nn.activations import get_activation

QUESTIONS = {"swish": SWISH, "gelu": GELU, "parameters": PARAMETERS, "bias": BIAS}
PAGE = {"swish": "4-4", "gelu": "4-4", "parameters": "4-5", "bias": "4-7"}
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "exercises"

RIGHT = {
    "swish": ["sigmoid(beta*x) + beta*x*sigmoid(beta*x)*(1 - sigmoid(beta*x))",
              "(1 + exp(-beta*x)*(1 + beta*x))/(1 + exp(-beta*x))^2",
              "σ(β*x)·(1 + β*x*σ(−β*x))",
              "1/(1 + exp(-beta*x)) + beta*x*exp(-beta*x)/(1 + exp(-beta*x))^2",
              "(1 + tanh(beta*x/2))/2 + beta*x*(1 - tanh(beta*x/2)^2)/4"],
    "gelu": ["Phi(x) + x*phi(x)",
             "0.5*(1 + erf(x/sqrt(2))) + x*exp(-x^2/2)/sqrt(2*pi)",
             "GELU′(x) = Φ(x) + x·φ(x)",
             "1 - Phi(-x) + x*phi(-x)"],
    "parameters": ["M0*N/L + (L-1)*(N/L)^2 + N/L + N + 1",
                   "N*(M0 + N + 1)/L - N^2/L^2 + N + 1",
                   "(N/L)*(M0 + (L-1)*N/L + 1) + N + 1",
                   "P = M₀·N/L + (L−1)·(N/L)² + N/L + N + 1"],
    "bias": ["(ybar - w*xbar)/(1 + lam)",
             "(ȳ − w·x̄)/(1 + λ)",
             "ybar/(1 + lam) - w*xbar/(1 + lam)",
             "b = (y_bar - w*x_bar)/(1 + lambda)"],
}

# Each catalogued mistake also in a form of its own, not the catalogue's (recognised numerically).
OTHER_FORMS = {
    "swish": {"swish-chain-beta": "sigmoid(beta*x)*(1 + x*(1 - sigmoid(beta*x)))",
              "swish-sign": "sigmoid(beta*x)*(1 - beta*x*sigmoid(-beta*x))",
              "swish-sigma-prime-plus": "sigmoid(beta*x)*(1 + beta*x + beta*x*sigmoid(beta*x))"},
    "gelu": {"phi-for-Phi": "(1 + x)*exp(-x^2/2)/sqrt(2*pi)",
             "one-minus-Phi": "Phi(-x) - x*phi(x)",
             "stray-mu-sigma": "Phi((x - mu)/sigma) + x*phi((x - mu)/sigma)/sigma",
             "density-constant": "Phi(x) + x*exp(-x*x/2)"},
    "parameters": {"m0-output": "N/L*(N - N/L) + M0*N/L + N + M0",
                   "biases-forgotten": "N/L*(M0 + (L - 1)*N/L + 1)"},
    "bias": {"factor-dropped": "ȳ − w·x̄", "two-lambda": "(ybar - w*xbar)/(1 + lam + lam)"},
}


def run(name: str, answer: str):
    return answers.check(QUESTIONS[name], answer).metrics


@pytest.mark.parametrize(("name", "answer"), [(n, a) for n, forms in RIGHT.items() for a in forms])
def test_equivalent_correct_forms_pass(name, answer):
    m = run(name, answer)
    assert m["correct"] is True and m["mistake"] is None, m["verdict"]["en"]
    assert m["max_rel_error"] <= answers.RTOL and m["not_finite_points"] == 0
    assert m["verdict"]["en"].startswith("Right") and m["verdict"]["zh"].startswith("正确")


CATALOGUE = [(n, m.id, f) for n, q in QUESTIONS.items() for m in q.mistakes for f in m.formulas]
CATALOGUE += [(n, mid, f) for n, forms in OTHER_FORMS.items() for mid, f in forms.items()]


@pytest.mark.parametrize(("name", "mistake", "answer"), CATALOGUE)
def test_every_catalogued_mistake_is_named(name, mistake, answer):
    m = run(name, answer)
    assert m["correct"] is False and m["mistake"] == mistake, (answer, m["mistake"])
    found = next(x for x in QUESTIONS[name].mistakes if x.id == mistake)
    assert m["mistake_explanation"] == dict(found.explanation) and m["mistake_title"] == dict(found.title)
    assert m["mistake_anchor"] == found.anchor
    assert found.title["en"] in m["verdict"]["en"] and found.title["zh"] in m["verdict"]["zh"]


@pytest.mark.parametrize("name", QUESTIONS)
def test_every_mistake_has_a_formula_or_a_stray_name_and_is_not_the_truth(name):
    q = QUESTIONS[name]
    pts = q.sample()
    truth = q.truth(pts)
    assert len({m.id for m in q.mistakes}) == len(q.mistakes)
    for mistake in q.mistakes:
        assert mistake.formulas or mistake.uses
        for f in mistake.formulas:
            values = evaluate(parse(f, q.language), pts)
            assert np.isfinite(values).all(), f
            assert answers._scaled_error(values, truth).max() > 1e-2, f  # far from the truth, not a rounding away


@pytest.mark.parametrize("name", QUESTIONS)
def test_the_mistakes_of_one_question_are_told_apart(name):
    q = QUESTIONS[name]
    pts = q.sample()
    forms = [(m.id, evaluate(parse(f, q.language), pts)) for m in q.mistakes for f in m.formulas]
    for i, (a, va) in enumerate(forms):
        for b, vb in forms[i + 1:]:
            if a != b:
                assert answers._scaled_error(va, vb).max() > 100 * answers.MISTAKE_RTOL, (a, b)


@pytest.mark.parametrize("name", QUESTIONS)
def test_the_anchor_of_every_mistake_is_on_its_page_in_both_languages(name):
    q = QUESTIONS[name]
    for lang in ("en", "zh"):
        html = (TEMPLATES / f"{PAGE[name]}.{lang}.html").read_text(encoding="utf-8")
        ids = set(re.findall(r'id="([^"]+)"', html))
        for anchor in {m.anchor for m in q.mistakes} | {q.anchor}:
            assert anchor in ids, (name, lang, anchor)


@pytest.mark.parametrize("name", QUESTIONS)
def test_a_rounding_away_passes_and_anything_more_fails(name):
    right = RIGHT[name][0]
    assert run(name, f"({right})*(1 + 1e-13)")["correct"] is True
    for off in (f"({right})*(1 + 1e-7)", f"({right}) + 1e-6", f"({right})*(1 + 1e-2)"):
        m = run(name, off)
        assert m["correct"] is False, off
    # close but not exact: named as such, pointing to the question's own explanation
    m = run(name, f"({right})*(1 + 1e-5)")
    assert m["mistake"] == "close" and m["mistake_anchor"] == QUESTIONS[name].anchor


# Random formulas in a question's variables: none of them is the truth.
def _formulas(names: list[str]):
    leaves = st.one_of(st.sampled_from(names), st.integers(0, 9).map(str), st.sampled_from(["pi", "e", "0.5"]))

    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from(["sigmoid", "tanh", "exp", "Phi", "phi", "relu", "abs", "erf"]), children)
            .map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children)
            .map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
            st.tuples(children, st.integers(-3, 3)).map(lambda t: f"({t[0]})^{t[1]}"),
        )

    return st.recursive(leaves, extend, max_leaves=10)


@settings(deadline=timedelta(seconds=2), max_examples=40)
@given(st.data())
def test_random_wrong_answers_fail(data):
    name = data.draw(st.sampled_from(sorted(QUESTIONS)))
    q = QUESTIONS[name]
    source = data.draw(_formulas([v.name for v in q.variables]))
    if len(source) > 300:
        return
    m = answers.check(q, source).metrics
    assert m["answered"] is True and m["correct"] is False, source


def test_the_truths_are_the_pages():
    # 4-4: the core's activations and the page's reference values (50-digit arithmetic).
    x = np.linspace(-6, 6, 241)
    for beta in (0.05, 0.5, 1.0, 1.7, 5.0):
        np.testing.assert_allclose(swish_prime({"x": x, "beta": np.full_like(x, beta)}),
                                   get_activation("swish", beta=beta).der(x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gelu_prime({"x": x}), get_activation("gelu").der(x), rtol=1e-12, atol=1e-15)
    assert swish_prime({"x": np.array([1.3]), "beta": np.array([1.7])})[0] == pytest.approx(1.0980185722642861,
                                                                                            abs=1e-15)
    assert gelu_prime({"x": np.array([-0.7])})[0] == pytest.approx(0.023385898866340155, abs=1e-16)
    # 4-5: the page's numbers, N = 120, M0 = 10, L = 1 … 6, and the arrays of the networks the core builds.
    from app.exercises.ex4_5_depth_params import count_built, formula, sizes_for

    L = np.arange(1.0, 7.0)
    P = PARAMETERS.truth({"N": np.full(6, 120.0), "M0": np.full(6, 10.0), "L": L})
    assert P.tolist() == [1441, 4381, 3761, 3151, 2689, 2341]
    pts = PARAMETERS.sample()
    np.testing.assert_allclose(PARAMETERS.truth(pts), formula(pts["N"], pts["M0"], pts["L"]), rtol=1e-15, atol=0)
    for i in range(0, len(pts["N"]), 97):
        n, m0, layers = (int(pts[k][i]) for k in ("N", "M0", "L"))
        assert n % layers == 0
        if n * m0 <= 20000:
            assert count_built(sizes_for(m0, n, layers))["total"] == PARAMETERS.truth(
                {"N": np.array([n]), "M0": np.array([m0]), "L": np.array([layers])})[0]


@pytest.mark.parametrize("seed", range(5))
def test_the_optimal_bias_is_the_penalised_neurons(seed):
    """4-7: b = (ȳ − w x̄)/(1 + λ) at the minimiser of the page's objective (ex4_7_fits.closed_form)."""
    from app.exercises.ex4_7_fits import closed_form

    rng = np.random.default_rng(seed)
    x = rng.uniform(-np.pi, np.pi, 30) + rng.normal()
    y = 0.7 * x + 5 + rng.normal(size=30)
    lam_w, lam_b = rng.uniform(0, 2), rng.uniform(0, 5)
    w, b = closed_form(x, y[None], lam_w, lam_b)[0]
    expected = optimal_bias({"ybar": np.mean(y), "xbar": np.mean(x), "w": w, "lam": lam_b})
    assert b == pytest.approx(float(expected), rel=1e-10, abs=1e-12)
    assert run("bias", "(ybar - w*xbar)/(1+lam)")["correct"] is True


def test_the_points_are_the_natural_domain_and_the_same_every_time():
    for q in QUESTIONS.values():
        pts = q.sample()
        again = answers.Question(q.name, q.what, q.variables, q.truth, q.mistakes, q.anchor, q.slice_var, q.slice_at,
                                 q.example, q.stray, q.points, q.slice_values, q.table).sample()
        for v in (*q.variables, *q.stray):
            assert pts[v.name].min() >= v.lo and pts[v.name].max() <= v.hi
            np.testing.assert_array_equal(pts[v.name], again[v.name])
            if v.integer:
                assert (pts[v.name] == np.round(pts[v.name])).all()
        assert len(next(iter(pts.values()))) > 500
    beta = SWISH.sample()["beta"]
    assert beta.min() == 0.05 and beta.max() == 5.0


def test_not_finite_answers_are_reported_not_raised():
    m = run("swish", "1/x")
    assert m["correct"] is False and m["not_finite_points"] > 0 and m["max_abs_error"] is None
    assert m["worst_point"]["x"] == 0 and m["mistake"] is None
    assert "not finite" in m["verdict"]["en"] and "有限值" in m["verdict"]["zh"]


def test_an_empty_answer_is_neutral():
    for name in QUESTIONS:
        for empty in ("", "   "):
            m = run(name, empty)
            assert m["answered"] is False and m["correct"] is None and m["mistake"] is None
            assert m["verdict"]["en"].startswith("Type your answer") and m["verdict"]["zh"].startswith("请在框中输入")
