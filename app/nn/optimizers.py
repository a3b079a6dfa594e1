"""Gradient-descent optimisers that update lists of parameter arrays in place.

State (velocity, moments) is kept per position in the list, elementwise, so it works unchanged on
ensemble arrays (S, ...): every member has its own state. `step` returns the updates it applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SGD:
    """Gradient descent with optional heavy-ball momentum.

    v <- momentum * v - eta * g;  theta <- theta + v  (momentum = 0: plain SGD, Delta = -eta g).
    """

    eta: float
    momentum: float = 0.0
    _velocity: list[np.ndarray] | None = field(default=None, init=False, repr=False)

    def step_consuming(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """`step` for gradients made fresh for this step alone: plain SGD turns them into the updates in
        place (no new arrays); return the updates."""
        if self.momentum != 0.0:
            return self.step(params, grads)
        for p, g in zip(params, grads, strict=True):
            g *= -self.eta
            p += g
        return grads

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """Update params in place; return the applied updates Delta (fresh arrays)."""
        if self.momentum == 0.0:
            deltas = [-self.eta * g for g in grads]
        else:
            if self._velocity is None:
                self._velocity = [np.zeros_like(p) for p in params]
            for v, g in zip(self._velocity, grads, strict=True):
                v *= self.momentum
                v -= self.eta * g
            deltas = [v.copy() for v in self._velocity]
        for p, d in zip(params, deltas, strict=True):
            p += d
        return deltas


@dataclass
class Adam:
    """Adam (Kingma & Ba, 2015) with bias-corrected moments.

    m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  Delta = -eta mhat / (sqrt(vhat) + eps), where
    mhat = m / (1-b1^t), vhat = v / (1-b2^t). The first step has |Delta| ~= eta in every coordinate.
    """

    eta: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    _m: np.ndarray | None = field(default=None, init=False, repr=False)  # flat: every parameter, in order
    _v: np.ndarray | None = field(default=None, init=False, repr=False)
    _t: int = field(default=0, init=False, repr=False)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """Update params in place; return the applied updates Delta (fresh arrays, views of one buffer).

        The moments of all parameters live in one flat buffer each, so a step is a dozen elementwise
        operations on the whole ensemble instead of a dozen per parameter array; every element gets
        the very same arithmetic.
        """
        g = grads[0].ravel() if len(grads) == 1 else np.concatenate([x.ravel() for x in grads])
        if self._m is None or self._v is None:
            self._m, self._v = np.zeros_like(g), np.zeros_like(g)
        m, v = self._m, self._v
        self._t += 1
        c1 = 1.0 - self.beta1**self._t
        c2 = 1.0 - self.beta2**self._t
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * (g * g)
        d = (-self.eta / c1) * m / (np.sqrt(v / c2) + self.eps)
        deltas, at = [], 0
        for p in params:
            part = d[at:at + p.size].reshape(p.shape)
            p += part
            deltas.append(part)
            at += p.size
        return deltas


OPTIMIZERS: dict[str, type[SGD] | type[Adam]] = {"sgd": SGD, "adam": Adam}
OPTIMIZER_NAMES: tuple[str, ...] = tuple(OPTIMIZERS)


def get_optimizer(name: str, eta: float, **kw: float) -> SGD | Adam:
    """Return a fresh optimiser: "sgd" (kw: momentum) or "adam" (kw: beta1, beta2, eps)."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose from {OPTIMIZER_NAMES}") from None
    return cls(float(eta), **kw)
