"""4-4: the derivatives of Swish and GELU, asserted on the numbers."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from app.exercises import ex4_4_swish_gelu as ex
from app.nn.activations import ACTIVATION_NAMES, get_activation


def run(fn, **kw):
    model = {"derivative": ex.DerivativeParams}.get(fn.__name__, ex.RangeParams)
    return fn(model(**kw))


def experiment(fn):
    return next(e for e in ex.EXERCISE.experiments if e.run is fn)


def drawn(fn, lang="en", **kw):
    """The result of `fn`'s experiment with its figures drawn in `lang` (as the API sends it)."""
    exp = experiment(fn)
    return exp.drawn(exp.params(**kw), lang)


def test_reference_values_of_the_brief():
    swish = run(ex.derivative, function="swish", beta=1.7, x_probe=1.3).metrics
    gelu = run(ex.derivative, function="gelu", x_probe=-0.7).metrics
    assert swish["df_at_probe"] == pytest.approx(1.0980185722642861, abs=1e-14)
    assert gelu["df_at_probe"] == pytest.approx(0.023385898866340155, abs=1e-15)


@pytest.mark.parametrize("name", [n for n in ACTIVATION_NAMES if n in ex.FunctionName.__args__])
def test_every_formula_agrees_with_finite_differences(name):
    m = run(ex.derivative, function=name, beta=1.3, alpha=0.2).metrics
    assert m["max_abs_error"] < 1e-8


def test_kinks_are_counted_not_hidden():
    m = run(ex.derivative, function="relu", x_min=-1, x_max=1, points=201).metrics
    assert m["points_at_kinks"] == 1


def _pdf(x):
    return np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)


def test_the_mistakes_students_write_are_caught_by_the_check():
    """φ in place of Φ in the first term, and the gate written as P(X > x): both far from the finite difference."""
    x = np.linspace(-4, 4, 401)
    gelu = get_activation("gelu")
    numeric = (gelu.fn(x + ex.FD_STEP) - gelu.fn(x - ex.FD_STEP)) / (2 * ex.FD_STEP)
    Phi = 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))
    pdf_first = _pdf(x) + x * _pdf(x)  # φ(x) + xφ(x)
    wrong_way = 1 - Phi - x * _pdf(x)  # from x·P(X > x) = x(1 − Φ(x))
    assert np.abs(pdf_first - numeric).max() > 0.5 and np.abs(wrong_way - numeric).max() > 0.5
    np.testing.assert_allclose(wrong_way, 1 - gelu.der(x), atol=1e-12)  # exactly 1 − GELU′(x)
    # The numbers the page gives for them.
    assert _pdf(np.array(0.0)) + 0 == pytest.approx(0.399, abs=5e-4)
    assert float(1 - gelu.der(np.array([2.0]))[0]) == pytest.approx(-0.085, abs=5e-4)
    assert float(gelu.der(np.array([2.0]))[0]) == pytest.approx(1.085, abs=5e-4)


def test_swish_without_the_inner_beta_is_wrong_where_the_page_says():
    swish = get_activation("swish", beta=2.0)
    x = np.array([1.3])
    s = 1 / (1 + np.exp(-2 * x))
    forgot_beta = s + x * s * (1 - s)
    assert float(forgot_beta[0]) == pytest.approx(1.015, abs=5e-4)
    assert abs(float(swish.der(x)[0]) - float(forgot_beta[0])) > 0.05
    assert float(get_activation("swish", beta=1.0).der(x)[0]) == pytest.approx(
        float((1 / (1 + np.exp(-x)) * (1 + x * (1 - 1 / (1 + np.exp(-x)))))[0]), rel=1e-12)


def test_gelu_at_minus_0_7_is_a_near_cancellation():
    x = -0.7
    Phi = 0.5 * (1 + math.erf(x / math.sqrt(2)))
    assert Phi == pytest.approx(0.242, abs=5e-4) and x * float(_pdf(np.array(x))) == pytest.approx(-0.219, abs=5e-4)


def test_the_page_quotes_the_independent_reference_values():
    """The typed references on the page are the module's (computed apart from this code), and the
    experiment's values agree with them to about double precision."""
    root = Path(__file__).resolve().parents[2] / "templates" / "exercises"
    for lang in ("en", "zh"):
        page = (root / f"4-4.{lang}.html").read_text(encoding="utf-8")
        for value in ex.REFERENCE.values():
            assert repr(value) in page
    swish = run(ex.derivative, function="swish", beta=1.7, x_probe=1.3).metrics["df_at_probe"]
    gelu = run(ex.derivative, function="gelu", x_probe=-0.7).metrics["df_at_probe"]
    assert swish == pytest.approx(ex.REFERENCE["swish_prime_1_3_beta_1_7"], rel=1e-14)
    assert gelu == pytest.approx(ex.REFERENCE["gelu_prime_minus_0_7"], rel=1e-14)


def test_gelu_approximation_errors_match_the_literature():
    m = run(ex.gelu_approximations, x_min=-8, x_max=8, points=2001).metrics
    assert m["max_error_tanh"] == pytest.approx(4.7e-4, rel=0.03)
    assert m["max_error_sigmoid"] == pytest.approx(2.0e-2, rel=0.05)


def test_swish_family_runs_from_half_x_to_relu():
    r = run(ex.swish_family)
    gaps = r.metrics["max_gap_to_relu"]
    assert gaps["0"] == pytest.approx(3.0)  # x/2 against ReLU at x = ±6
    assert gaps["10"] < gaps["5"] < gaps["2"] < gaps["1"] < gaps["0.5"]
    assert gaps["1"] == pytest.approx(0.2785, abs=1e-3)  # max_t t·σ(−t)
    # Swish′(x; β) = g(βx): the same minimum ≈ −0.0998 for every β > 0, at x = t*/β with t* ≈ −2.40.
    mins = [v for k, v in r.metrics["min_derivative"].items() if k != "0"]
    assert max(mins) - min(mins) < 1e-6 and mins[0] == pytest.approx(-0.0998, abs=2e-4)
    for k, x in r.metrics["dip_x"].items():
        assert (x is None) if k == "0" else x * float(k) == pytest.approx(-2.40, abs=0.03 * float(k))


# t* = argmin g, g(t) = σ(t)(1 + t(1 − σ(t))), found on a fine grid; the minimum g(t*) ≈ −0.09984.
_T = np.linspace(-4, 0, 400_001)
_SIG = 1 / (1 + np.exp(-_T))
T_STAR = float(_T[np.argmin(_SIG * (1 + _T * (1 - _SIG)))])
G_MIN = float((_SIG * (1 + _T * (1 - _SIG))).min())


@pytest.mark.parametrize("x_min", [-6.0, -5.0, -3.0, -2.0, -1.0, -0.5])
def test_the_dip_is_the_same_for_every_beta_only_while_the_interval_contains_it(x_min):
    """Try this #4: min Swish′ = g(t*) for β > 0 iff the interval reaches t*/β; otherwise it is higher."""
    m = run(ex.swish_family, x_min=x_min, points=2001).metrics
    for key, low in m["min_derivative"].items():
        beta = float(key)
        if beta == 0:
            assert low == 0.5
        elif x_min <= T_STAR / beta - 0.01:
            assert low == pytest.approx(G_MIN, abs=5e-5)  # the grid's step shifts a sharp dip (β = 10) a little
        elif x_min >= T_STAR / beta + 0.05:
            assert low > G_MIN + 1e-4 and m["dip_x"][key] == x_min  # the lowest value moves to the interval's end
    assert T_STAR == pytest.approx(-2.40, abs=0.005) and G_MIN == pytest.approx(-0.0998, abs=5e-5)


def test_cutting_the_interval_at_minus_2_lifts_beta_1_but_not_beta_2():
    m = run(ex.swish_family, x_min=-2).metrics
    assert m["min_derivative"]["1"] == pytest.approx(-0.0908, abs=5e-5) and m["dip_x"]["1"] == -2.0
    assert m["min_derivative"]["2"] == pytest.approx(G_MIN, abs=1e-5)


@pytest.mark.parametrize("fn", [ex.derivative, ex.swish_family, ex.gelu_approximations])
def test_every_figure_has_a_summary_in_each_language(fn):
    for lang in ("en", "zh"):
        for key, fig in drawn(fn, lang).figures.items():
            summary = fig["layout"]["meta"]["summary"]
            assert summary and (re.search(r"[\u4e00-\u9fff]", summary) is not None) == (lang == "zh"), (key, summary)
            assert "nan" not in summary.lower() and ("_" not in key or key not in summary)


def test_summaries_carry_the_numbers():
    r = drawn(ex.gelu_approximations)
    errors = r.figures["errors"]["layout"]["meta"]["summary"]
    ratio = r.metrics["max_error_sigmoid"] / r.metrics["max_error_tanh"]
    assert f"is {ratio:.2g} times smaller" in errors
    assert "0.000473" in r.figures["gelu"]["layout"]["meta"]["summary"]
    relu = drawn(ex.derivative, function="relu", x_min=-1, x_max=1, points=201).figures["error"]
    assert "kink aside" in relu["layout"]["meta"]["summary"]


def test_x_max_must_exceed_x_min():
    with pytest.raises(ValueError, match="x_max"):
        ex.RangeParams(x_min=2, x_max=1)


def test_figures_are_named_as_the_issue_says():
    assert set(drawn(ex.derivative).figures) == {"function", "error"}
    assert set(drawn(ex.swish_family).figures) == {"swish", "swish_derivative"}
    assert set(drawn(ex.gelu_approximations).figures) == {"gelu", "gelu_derivative", "errors"}
