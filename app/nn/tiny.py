"""One tiny network trained full batch by plain SGD, its step written out on Python floats.

The case is 4-2's: a d-H-1 network on the four XOR points, 5000 epochs. A step of app.nn.stacked is
some twenty NumPy calls on arrays of a few numbers each: ~17 µs of call overhead for about a hundred
multiply-adds. Written out on floats the step is those multiply-adds, for networks small enough
(N·H·(d + 1) ≤ FLOAT_MAX_WORK) that the loops cost less than the calls.

The mathematics is app.nn.stacked's, for one hidden layer and one linear output unit:

    z¹ₙ = xₙW¹ + b¹,  aₙ = f(z¹ₙ),  ŷₙ = aₙW² + b²,
    L = (1/N) Σₙ ½(ŷₙ − yₙ)²   (mse)   or   (1/N) Σₙ ln(1 + e^ŷₙ) − yₙŷₙ   (bce on the logit ŷₙ),
    δ²ₙ = dL/dŷₙ,  δ¹ₙⱼ = δ²ₙ W²ⱼ f′(z¹ₙⱼ),  dW = Σₙ (input)ᵀ δ,  db = Σₙ δ,  θ ← θ − η dθ,

with the sums taken over the samples in order, as NumPy takes them on arrays this small; libm's exp
and tanh may differ from NumPy's in the last bit, so the two paths agree to rounding (checked by
tests/nn/test_tiny.py over activations, losses and seeds). The parameters live here as floats during
training and are written back into the network before a snapshot, an evaluation, or the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from app.nn.losses import LOSSES, Loss
from app.nn.network import Network
from app.nn.neuron import DELTAS, sigmoid_scalar
from app.nn.optimizers import SGD, Adam
from app.nn.stacked import Stacked

# N·H·(d + 1) multiply-adds per layer pass up to which the float loops beat the NumPy calls (2-2-1 on
# 4 points: 24; the playground's 2-4-4-1 on 200 points is far over, and has two hidden layers anyway).
FLOAT_MAX_WORK = 64


# f, and f′ written in z and a = f(z) as the NumPy activations compute it (der_out where they have one).
HIDDEN: dict[str, tuple[Callable[[float], float], Callable[[float, float], float]]] = {
    "relu": (lambda z: max(z, 0.0), lambda z, a: 1.0 if a > 0.0 else 0.0),  # max keeps a NaN, as np.maximum
    "tanh": (math.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (sigmoid_scalar, lambda z, a: a * (1.0 - a)),
    "linear": (lambda z: z, lambda z, a: 1.0),
}


def _logaddexp0(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))  # ln(1 + e^z) for any z


def applies(net: Network, X: np.ndarray, loss: Loss, opt: SGD | Adam, regularised: bool) -> bool:
    """Return whether a network that app.nn.stacked trains is tiny enough for floats: one hidden layer of an
    activation in HIDDEN, one linear output unit, a loss with a float δ (app.nn.neuron.DELTAS: mse, bce),
    plain SGD, no L2 penalty."""
    if net.n_layers != 2 or net.sizes[2] != 1:
        return False
    (N, d), H = X.shape, net.sizes[1]
    return (net.hidden.name in HIDDEN and net.output.name == "linear" and loss in DELTAS
            and isinstance(opt, SGD) and opt.momentum == 0.0 and not regularised
            and N * H * (d + 1) <= FLOAT_MAX_WORK)


class Tiny:
    """Stacked's interface (params, stepper, objective, value, norm, snapshot) for a tiny network: its
    objective takes the whole step, so the optimiser's step is a no-op, it returns no gradients, and `norm`
    reads the layers' weight-gradient norms of that step."""

    def __init__(self, one: Stacked, X: np.ndarray, Y: np.ndarray, eta: float, norms: bool = True):
        self.one, self.net, self.eta = one, one.net, float(eta)
        self.norms = norms  # whether train records the gradient norms (else they are not computed)
        self.last_norms = [0.0, 0.0]
        self.params: list[np.ndarray] = []
        self.rows, self.targets = X.tolist(), Y[:, 0].tolist()
        self.W1 = one.W[0].tolist()  # (d, H)
        self.b1 = one.b[0][0].tolist()  # (H,)
        self.W2 = one.W[1][:, 0].tolist()  # (H,)
        self.b2 = float(one.b[1][0, 0])
        self.f, self.f_der = HIDDEN[self.net.hidden.name]
        self.bce = one.loss is LOSSES["bce"]
        self.delta = DELTAS[one.loss].scalar

    @staticmethod
    def stepper(opt: SGD | Adam) -> Callable[[list[np.ndarray], list[float]], list[np.ndarray]]:
        return lambda params, grads: params  # the objective has taken the step

    def objective(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float, list[np.ndarray]]:
        """Return the loss before this step, the penalty (0) and no gradients; take the step (and keep
        ‖dW¹‖, ‖dW²‖ for `norm` when train records them)."""
        W1, b1, W2, b2, f, f_der, delta = self.W1, self.b1, self.W2, self.b2, self.f, self.f_der, self.delta
        N, H = len(self.rows), len(b1)
        cols = range(H)
        total = 0.0
        gW1 = [[0.0] * H for _ in W1]
        gb1, gW2 = [0.0] * H, [0.0] * H
        gb2 = 0.0
        for x, y in zip(self.rows, self.targets, strict=True):
            z = [0.0] * H  # (x W¹) + b¹ and (a W²) + b², in NumPy's order
            for xi, w in zip(x, W1, strict=True):
                for j in cols:
                    z[j] += xi * w[j]
            for j in cols:
                z[j] += b1[j]
            a = [f(zj) for zj in z]
            out = 0.0
            for j in cols:
                out += a[j] * W2[j]
            out += b2
            d = delta(out, y)  # dℓ/dŷ of this sample: ŷ − y (mse), σ(ŷ) − y (bce)
            total += _logaddexp0(out) - y * out if self.bce else d * d
            d2 = d / N
            gb2 += d2
            for j in cols:
                gW2[j] += a[j] * d2
                d1 = d2 * W2[j] * f_der(z[j], a[j])
                gb1[j] += d1
                for xi, g in zip(x, gW1, strict=True):
                    g[j] += xi * d1
        value = total / N if self.bce else 0.5 * total / N
        eta = self.eta
        for w, g in zip(W1, gW1, strict=True):
            for j in cols:
                w[j] -= eta * g[j]
        for j in cols:
            b1[j] -= eta * gb1[j]
            W2[j] -= eta * gW2[j]
        self.b2 = b2 - eta * gb2
        if self.norms:
            self.last_norms = [math.sqrt(sum(g * g for row in gW1 for g in row)), math.sqrt(sum(g * g for g in gW2))]
        return value, 0.0, []

    def norm(self, layer: int, _grads: list[np.ndarray] | None = None) -> float:
        """Return ‖dW‖ of `layer` at the last step."""
        return self.last_norms[layer]

    def write_back(self) -> None:
        """Put the float parameters into the network's arrays (what snapshots and evaluations read)."""
        self.one.W[0][...] = self.W1
        self.one.b[0][0] = self.b1
        self.one.W[1][:, 0] = self.W2
        self.one.b[1][0, 0] = self.b2

    def value(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.write_back()
        return self.one.value(X, Y)

    def snapshot(self) -> Network:
        self.write_back()
        return self.net.copy()
