"""Activations: analytic derivatives against finite differences, reference values, stability."""

import math

import numpy as np
import pytest

from app.nn.activations import (
    ACTIVATION_NAMES,
    erf,
    erfc,
    get_activation,
    normal_cdf,
    prelu,
    prelu_dalpha,
    sigmoid,
    softplus,
)

KINKS = np.array([0.0, -1.0, 1.0, -2.5, 2.5])
VARIANTS = [(name, {}) for name in ACTIVATION_NAMES] + [
    ("leaky_relu", {"alpha": 0.2}),
    ("prelu", {"alpha": 0.3}),
    ("elu", {"alpha": 0.5}),
    ("swish", {"beta": 1.7}),
    ("swish", {"beta": 0.0}),
    ("swish", {"beta": 10.0}),
]


def _points(seed: int = 0, n: int = 400, scale: float = 4.0) -> np.ndarray:
    z = np.random.default_rng(seed).uniform(-scale, scale, size=n)
    return z[np.min(np.abs(z[:, None] - KINKS[None, :]), axis=1) > 1e-3]


def _rel_err(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)


@pytest.mark.parametrize(("name", "kw"), VARIANTS)
def test_derivative_matches_centred_differences(name, kw):
    act = get_activation(name, **kw)
    z, h = _points(), 1e-5
    fd = (act.fn(z + h) - act.fn(z - h)) / (2 * h)
    assert _rel_err(act.der(z), fd).max() < 1e-6


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_shapes_and_stability_for_huge_inputs(name):
    act = get_activation(name)
    z = np.linspace(-1e4, 1e4, 2001).reshape(3, 667, 1)
    y, d = act.fn(z), act.der(z)
    assert y.shape == z.shape and d.shape == z.shape
    assert np.isfinite(y).all() and np.isfinite(d).all()


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_derivative_from_the_output_is_the_derivative(name):
    """The backward pass takes f' from the forward's outputs where it can (der_at): the same numbers."""
    act = get_activation(name)
    z = np.concatenate([_points(1)[:390], [0.0, -0.0, 1e-300, -1e-300, 30.0, -30.0, 700.0, -700.0, 1e4, -1e4]])
    z = z.reshape(2, -1, 1)
    assert act.der_at(z, act.fn(z)).shape == z.shape
    np.testing.assert_allclose(act.der_at(z, act.fn(z)), act.der(z), rtol=1e-14, atol=1e-300)
    assert (act.der_out is not None) == (name in ("sigmoid", "tanh", "relu", "softplus"))


def test_sigmoid_limits():
    assert sigmoid(np.array([1e4]))[0] == 1.0
    assert sigmoid(np.array([-1e4]))[0] == 0.0
    assert sigmoid(np.array([0.0]))[0] == 0.5


def test_relu_derivative_at_zero_is_zero():
    assert get_activation("relu").der(np.array([0.0]))[0] == 0.0


def test_reference_values():
    swish = get_activation("swish", beta=1.7)
    assert abs(float(swish.der(np.array(1.3))) - 1.0980185722642861) < 1e-12
    gelu = get_activation("gelu")
    assert abs(float(gelu.der(np.array(-0.7))) - 0.023385898866340155) < 1e-12


def test_gelu_approximation_errors():
    z = np.linspace(-10, 10, 200_001)
    exact = get_activation("gelu").fn(z)
    err_tanh = np.abs(get_activation("gelu_tanh").fn(z) - exact).max()
    err_sigmoid = np.abs(get_activation("gelu_sigmoid").fn(z) - exact).max()
    assert err_tanh == pytest.approx(4.7e-4, abs=1e-5)
    assert err_sigmoid == pytest.approx(2.0e-2, abs=5e-4)


def test_swish_limits():
    z = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(get_activation("swish", beta=0.0).fn(z), z / 2)
    np.testing.assert_allclose(get_activation("swish", beta=200.0).fn(z), np.maximum(z, 0), atol=1e-3)


def test_erf_matches_math_erf():
    x = np.linspace(-10, 10, 20_001)
    ref = np.array([math.erf(v) for v in x])
    rel = np.abs(erf(x) - ref) / np.maximum(np.abs(ref), 1e-300)
    assert rel[ref != 0].max() < 1e-14
    assert erf(np.array([0.0]))[0] == 0.0


def test_erfc_matches_math_erfc_in_the_tails():
    x = np.linspace(-10, 26, 36_001)
    ref = np.array([math.erfc(v) for v in x])
    assert (np.abs(erfc(x) - ref) / ref).max() < 1e-13
    assert normal_cdf(np.array([-40.0]))[0] == 0.0 and normal_cdf(np.array([40.0]))[0] == 1.0


def test_prelu_dalpha_matches_differences():
    z, h, alpha = _points(1), 1e-6, 0.3
    fd = (prelu(z, alpha + h) - prelu(z, alpha - h)) / (2 * h)
    np.testing.assert_allclose(prelu_dalpha(z), fd, atol=1e-9)


def test_hard_sigmoid_convention():
    hs = get_activation("hard_sigmoid")
    np.testing.assert_allclose(hs.fn(np.array([-3.0, -2.5, 0.0, 1.0, 2.5, 3.0])), [0, 0, 0.5, 0.7, 1, 1])


def test_default_alphas():
    z = np.array([-1.0])
    assert get_activation("leaky_relu").fn(z)[0] == pytest.approx(-0.01)
    assert get_activation("prelu").fn(z)[0] == pytest.approx(-0.25)
    assert get_activation("elu").fn(z)[0] == pytest.approx(math.expm1(-1.0))


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_latex_converts_to_mathml(name):
    converter = pytest.importorskip("latex2mathml.converter")
    act = get_activation(name)
    assert act.name == name
    for tex in (act.latex, act.der_latex):
        assert "<math" in converter.convert(tex)


def test_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation"):
        get_activation("nope")


def test_softplus_is_logaddexp_to_the_last_bits_for_any_input():
    z = np.concatenate([np.random.default_rng(3).normal(0, 30, 20_000),
                        [0.0, -0.0, 1e-300, -1e-300, 700.0, -700.0, 1e300, -1e300, np.inf, -np.inf]])
    np.testing.assert_allclose(softplus(z), np.logaddexp(0.0, z), rtol=4e-16, atol=0)
    assert softplus(np.array([np.nan])).item() != softplus(np.array([np.nan])).item()  # NaN stays NaN
