"""Activation functions, each travelling with its analytic derivative and its LaTeX.

Every function is elementwise on arrays of any shape and stable for large |z| (no overflow warnings
for |z| up to 1e4). The error function is implemented here in NumPy (W. J. Cody's rational Chebyshev
approximations, as in SPECFUN's CALERF), so GELU needs neither scipy nor a Python loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SQRT_2PI = math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_TANH_C = 0.044715
GELU_SIGMOID_C = 1.702


@dataclass(frozen=True)
class Activation:
    """An elementwise activation f with its derivative f' and their LaTeX (variable x)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    der: Callable[[np.ndarray], np.ndarray]
    latex: str
    der_latex: str
    # f' written in the output a = f(z), where that gives the same numbers as `der` (sigmoid, tanh, ReLU:
    # the very same arithmetic; softplus: to rounding, 1e-14 relative, tested): backpropagation then
    # reuses the forward pass's outputs instead of computing f(z) again.
    der_out: Callable[[np.ndarray], np.ndarray] | None = None

    def der_at(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Return f'(z), given also a = f(z) as the forward pass computed it (the same numbers as der(z))."""
        return self.der(z) if self.der_out is None else self.der_out(a)


# ---------------------------------------------------------------------------- error function

# Cody (1969), "Rational Chebyshev approximations for the error function", Math. Comp. 23:631-637;
# coefficients of SPECFUN's CALERF. Interval 1: |x| <= 0.46875, erf(x) = x P(x^2)/Q(x^2).
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
# Interval 2: 0.46875 < |x| <= 4, erfc(x) = exp(-x^2) P(x)/Q(x).
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
# Interval 3: |x| > 4, erfc(x) = exp(-x^2)/x (1/sqrt(pi) + x^-2 P(x^-2)/Q(x^-2)).
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_ERF_THRESH = 0.46875
_ERFC_XBIG = 26.543  # erfc(x) underflows to 0 beyond this
_RSQRT_PI = 5.6418958354775628695e-1


def _erf_small(x: np.ndarray) -> np.ndarray:
    ysq = x * x
    xnum = _ERF_A[4] * ysq
    xden = ysq
    for i in range(3):
        xnum = (xnum + _ERF_A[i]) * ysq
        xden = (xden + _ERF_B[i]) * ysq
    return x * (xnum + _ERF_A[3]) / (xden + _ERF_B[3])


def _erfc_large(y: np.ndarray) -> np.ndarray:
    """Return erfc(y) for y > 0.46875 (0 elsewhere is not meaningful)."""
    xnum = _ERF_C[8] * y
    xden = y
    for i in range(7):
        xnum = (xnum + _ERF_C[i]) * y
        xden = (xden + _ERF_D[i]) * y
    mid = (xnum + _ERF_C[7]) / (xden + _ERF_D[7])

    ysq = 1.0 / (y * y)
    xnum = _ERF_P[5] * ysq
    xden = ysq
    for i in range(4):
        xnum = (xnum + _ERF_P[i]) * ysq
        xden = (xden + _ERF_Q[i]) * ysq
    tail = (_RSQRT_PI - ysq * (xnum + _ERF_P[4]) / (xden + _ERF_Q[4])) / y

    scaled = np.where(y <= 4.0, mid, tail)
    # exp(-y^2) split as exp(-r^2) exp(-(y-r)(y+r)) with r = y rounded down to 1/16, for accuracy
    r = np.trunc(y * 16.0) / 16.0
    out = np.exp(-r * r) * np.exp(-(y - r) * (y + r)) * scaled
    return np.where(y >= _ERFC_XBIG, 0.0, out)


def erf(x: np.ndarray) -> np.ndarray:
    """Return the error function, elementwise (relative error ~1e-16)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        y = np.abs(x)
        big = np.copysign((0.5 - _erfc_large(y)) + 0.5, x)
        return np.where(y <= _ERF_THRESH, _erf_small(x), big)


def erfc(x: np.ndarray) -> np.ndarray:
    """Return the complementary error function 1 - erf(x), elementwise, accurate in the tails."""
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        y = np.abs(x)
        big = _erfc_large(y)
        big = np.where(x < 0.0, 2.0 - big, big)
        return np.where(y <= _ERF_THRESH, 1.0 - _erf_small(x), big)


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Return Phi(z), the standard normal CDF: Phi(z) = erfc(-z/sqrt 2)/2."""
    return 0.5 * erfc(-np.asarray(z, dtype=float) / math.sqrt(2.0))


def normal_pdf(z: np.ndarray) -> np.ndarray:
    """Return phi(z), the standard normal density."""
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):
        return np.exp(-0.5 * z * z) / SQRT_2PI


# ---------------------------------------------------------------------------- building blocks
#
# The piecewise functions below choose their piece without np.where: on activations of mixed signs a
# per-element choice mispredicts about half its branches (~4 ns an element), where a minimum, a maximum
# or a product by a comparison run as vector instructions, several times faster. Each form gives the
# very numbers of the choice it replaces: the other piece enters as an exact 0 (x + 0 = x, x · 0 = 0)
# for finite slopes α.


def sigmoid(z: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """Return the logistic sigmoid 1/(1+e^{-z}), stable for any z; `t` is e^{-|z|} if the caller has it
    (the cross-entropy's value needs it too)."""
    z = np.asarray(z, dtype=float)
    # 1 / (1 + e^{-z}) for z ≥ 0 and e^{z} / (1 + e^{z}) for z < 0, so no exponential overflows: the
    # numerator e^{min(z, 0)} is 1, or the very e^{-|z|} of the denominator. The same operations in place,
    # two arrays allocated instead of seven (the training loops call it on small mini-batches).
    if z.ndim == 0:
        return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))
    if t is None:
        den = np.abs(z)
        np.negative(den, out=den)
        np.exp(den, out=den)
        den += 1.0
    else:
        den = t + 1.0
    num = np.minimum(z, 0.0)
    np.exp(num, out=num)
    num /= den
    return num


def softplus(z: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """Return ln(1 + e^z), stable for any z: max(z, 0) + ln(1 + e^{−|z|}), the same numbers as
    np.logaddexp(0, z) to the last bit or two, and about twice as fast as its general case; `t` is
    e^{−|z|} if the caller has it."""
    s = np.log1p(np.exp(-np.abs(z)) if t is None else t)
    s += np.maximum(z, 0.0)
    return s


def prelu(z: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    """Return PReLU: z for z > 0, alpha z otherwise; alpha broadcasts (e.g. (S, 1, n))."""
    return np.maximum(z, 0.0) + alpha * np.minimum(z, 0.0)


def prelu_der(z: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    """Return dPReLU/dz: 1 for z > 0, alpha otherwise."""
    up = np.greater(z, 0.0)
    return up + ~up * alpha


def prelu_dalpha(z: np.ndarray) -> np.ndarray:
    """Return dPReLU/dalpha = min(z, 0)."""
    return np.minimum(z, 0.0)


def _swish_der(z: np.ndarray, beta: float) -> np.ndarray:
    s = sigmoid(beta * z)
    return s + beta * z * s * (1.0 - s)


def _gelu_tanh_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):
        return z, np.tanh(SQRT_2_OVER_PI * (z + GELU_TANH_C * z**3))


def _gelu_tanh(z: np.ndarray) -> np.ndarray:
    z, t = _gelu_tanh_parts(z)
    return 0.5 * z * (1.0 + t)


def _gelu_tanh_der(z: np.ndarray) -> np.ndarray:
    z, t = _gelu_tanh_parts(z)
    with np.errstate(all="ignore"):
        inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_C * z * z)
        # (1 - t^2) vanishes faster than z^3 grows; 0 * inf cannot occur below |z| ~ 1e102
        return np.nan_to_num(0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * inner, nan=0.0)


def _gelu_der(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return normal_cdf(z) + z * normal_pdf(z)


def _elu(z: np.ndarray, alpha: float) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + alpha * np.expm1(np.minimum(z, 0.0))


def _elu_der(z: np.ndarray, alpha: float) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    up = np.greater(z, 0.0)
    return up + ~up * (alpha * np.exp(np.minimum(z, 0.0)))


def _step(z: np.ndarray, lo: float, hi: float, slope: float) -> np.ndarray:
    """Return slope on the open interval (lo, hi), 0 outside (derivative of a clip)."""
    z = np.asarray(z, dtype=float)
    return ((z > lo) & (z < hi)) * slope


_RELU_DER = r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"
_LEAKY = r"\begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}"
_LEAKY_DER = r"\begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}"


def _linear(alpha: float, beta: float) -> Activation:
    return Activation("linear", lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z, dtype=float),
                      "x", "1")


# f' from the output a = f(z) with one array allocated, not two (backpropagation calls these on whole layers).
def _sigmoid_der_out(s: np.ndarray) -> np.ndarray:
    d = np.subtract(1.0, s)
    d *= s  # s (1 − s): the same product as (1 − s) s
    return d


def _tanh_der_out(t: np.ndarray) -> np.ndarray:
    d = np.multiply(t, t)
    return np.subtract(1.0, d, out=d) if isinstance(d, np.ndarray) else 1.0 - d


def _sigmoid(alpha: float, beta: float) -> Activation:
    return Activation("sigmoid", sigmoid, lambda z: _sigmoid_der_out(sigmoid(z)), r"\sigma(x) = \frac{1}{1+e^{-x}}",
                      r"\sigma(x)\,(1-\sigma(x))", _sigmoid_der_out)


def _tanh(alpha: float, beta: float) -> Activation:
    return Activation("tanh", np.tanh, lambda z: _tanh_der_out(np.tanh(z)), r"\tanh(x)", r"1-\tanh^{2}(x)",
                      _tanh_der_out)


def _relu(alpha: float, beta: float) -> Activation:
    # max(z, 0) > 0 exactly where z > 0 (NaN in neither): f' from the output is the same step.
    return Activation("relu", lambda z: np.maximum(z, 0.0), lambda z: (np.asarray(z) > 0).astype(float),
                      r"\max(0, x)", _RELU_DER, lambda a: (a > 0).astype(float))


def _leaky_relu(alpha: float, beta: float) -> Activation:
    return Activation("leaky_relu", lambda z: prelu(z, alpha), lambda z: prelu_der(z, alpha),
                      _LEAKY, _LEAKY_DER)


def _prelu(alpha: float, beta: float) -> Activation:
    # alpha here is the initial slope; a Network learns one slope per hidden unit (network.py)
    return Activation("prelu", lambda z: prelu(z, alpha), lambda z: prelu_der(z, alpha),
                      _LEAKY, _LEAKY_DER)


def _elu_act(alpha: float, beta: float) -> Activation:
    return Activation("elu", lambda z: _elu(z, alpha), lambda z: _elu_der(z, alpha),
                      r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x}-1) & x \le 0 \end{cases}",
                      r"\begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}")


def _softplus(alpha: float, beta: float) -> Activation:
    # σ(z) = 1 − e^{−a} for a = ln(1 + e^z): from the output, one expm1 instead of sigmoid's exp and
    # divisions, and as accurate (−expm1(−a) keeps its relative precision for a → 0 and a → ∞).
    return Activation("softplus", softplus, sigmoid, r"\ln(1+e^{x})", r"\sigma(x)",
                      lambda a: -np.expm1(-a))


def _swish(alpha: float, beta: float) -> Activation:
    return Activation("swish", lambda z: z * sigmoid(beta * z), lambda z: _swish_der(z, beta),
                      r"x\,\sigma(\beta x)",
                      r"\sigma(\beta x) + \beta x\,\sigma(\beta x)\,(1-\sigma(\beta x))")


def _gelu(alpha: float, beta: float) -> Activation:
    return Activation("gelu", lambda z: z * normal_cdf(z), _gelu_der, r"x\,\Phi(x)", r"\Phi(x) + x\,\phi(x)")


def _gelu_tanh_act(alpha: float, beta: float) -> Activation:
    t = r"t = \tanh\left(\sqrt{2/\pi}\,(x+0.044715x^{3})\right)"
    return Activation("gelu_tanh", _gelu_tanh, _gelu_tanh_der,
                      r"\frac{x}{2}\left(1+\tanh\left(\sqrt{2/\pi}\,(x+0.044715x^{3})\right)\right)",
                      r"\frac{1+t}{2} + \frac{x}{2}\,(1-t^{2})\sqrt{2/\pi}\,(1+0.134145x^{2}),\quad " + t)


def _gelu_sigmoid(alpha: float, beta: float) -> Activation:
    return Activation("gelu_sigmoid", lambda z: z * sigmoid(GELU_SIGMOID_C * z),
                      lambda z: _swish_der(z, GELU_SIGMOID_C), r"x\,\sigma(1.702x)",
                      r"\sigma(1.702x) + 1.702x\,\sigma(1.702x)\,(1-\sigma(1.702x))")


def _hard_sigmoid(alpha: float, beta: float) -> Activation:
    # Keras convention clip(0.2x + 0.5, 0, 1) (PyTorch's Hardsigmoid uses slope 1/6 instead)
    return Activation("hard_sigmoid", lambda z: np.clip(0.2 * np.asarray(z, dtype=float) + 0.5, 0.0, 1.0),
                      lambda z: _step(z, -2.5, 2.5, 0.2), r"\max(0, \min(1, 0.2x+0.5))",
                      r"\begin{cases} 0.2 & |x| < 2.5 \\ 0 & |x| \ge 2.5 \end{cases}")


def _hard_tanh(alpha: float, beta: float) -> Activation:
    return Activation("hard_tanh", lambda z: np.clip(np.asarray(z, dtype=float), -1.0, 1.0),
                      lambda z: _step(z, -1.0, 1.0, 1.0), r"\max(-1, \min(1, x))",
                      r"\begin{cases} 1 & |x| < 1 \\ 0 & |x| \ge 1 \end{cases}")


_FACTORIES: dict[str, Callable[[float, float], Activation]] = {
    "linear": _linear,
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "prelu": _prelu,
    "elu": _elu_act,
    "softplus": _softplus,
    "swish": _swish,
    "gelu": _gelu,
    "gelu_tanh": _gelu_tanh_act,
    "gelu_sigmoid": _gelu_sigmoid,
    "hard_sigmoid": _hard_sigmoid,
    "hard_tanh": _hard_tanh,
}

ACTIVATION_NAMES: tuple[str, ...] = tuple(_FACTORIES)


_DEFAULT_ALPHA = {"elu": 1.0, "prelu": 0.25}


def get_activation(name: str, *, alpha: float | None = None, beta: float = 1.0) -> Activation:
    """Return the activation called `name`.

    alpha: negative-side slope of leaky_relu (default 0.01), initial slope of prelu (default 0.25),
    scale of elu (default 1.0).
    beta: sharpness of swish (beta -> inf tends to ReLU, beta = 0 gives x/2).
    Derivatives at kinks: relu'(0) = 0, leaky/prelu'(0) = alpha, hard_* take the flat side.
    """
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose from {ACTIVATION_NAMES}") from None
    if alpha is None:
        alpha = _DEFAULT_ALPHA.get(name, 0.01)
    return factory(float(alpha), float(beta))
