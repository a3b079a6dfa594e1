"""4-4: the derivatives of Swish and GELU, asserted on the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from app.exercises import ex4_4_swish_gelu as ex
from app.nn.activations import ACTIVATION_NAMES, get_activation


def run(fn, **kw):
    model = {"derivative": ex.DerivativeParams}.get(fn.__name__, ex.RangeParams)
    return fn(model(**kw))


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


def test_the_phi_for_Phi_mistake_is_caught_by_the_check():
    """GELU′ written with φ where Φ belongs is far from the finite difference: the check can fail."""
    x = np.linspace(-4, 4, 401)
    gelu = get_activation("gelu")
    pdf = np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)
    wrong = pdf + x * (-x * pdf)
    numeric = (gelu.fn(x + ex.FD_STEP) - gelu.fn(x - ex.FD_STEP)) / (2 * ex.FD_STEP)
    assert np.abs(wrong - numeric).max() > 0.5


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
    # Swish′(x; β) = g(βx): the same minimum ≈ −0.0998 for every β > 0.
    mins = [v for k, v in r.metrics["min_derivative"].items() if k != "0"]
    assert max(mins) - min(mins) < 1e-6 and mins[0] == pytest.approx(-0.0998, abs=2e-4)


def test_x_max_must_exceed_x_min():
    with pytest.raises(ValueError, match="x_max"):
        ex.RangeParams(x_min=2, x_max=1)


def test_figures_are_named_as_the_issue_says():
    assert set(run(ex.derivative).figures) == {"function", "error"}
    assert set(run(ex.swish_family).figures) == {"swish", "swish_derivative"}
    assert set(run(ex.gelu_approximations).figures) == {"gelu", "gelu_derivative", "errors"}
