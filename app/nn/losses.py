"""Loss functions for an ensemble of networks, each with the gradient the backward pass starts from.

Shapes: predictions Yhat are (S, N, k) (S ensemble members, N samples, k outputs); targets Y are
(N, k) or (S, N, k). A loss is summed over the k outputs and averaged over the N samples, giving one
value per member, (S,); its gradient dL/dYhat has the shape of Yhat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn.activations import sigmoid, softplus


@dataclass(frozen=True)
class Loss:
    """A loss L(Yhat, Y) -> (S,) with its gradient dL/dYhat -> (S, N, k)."""

    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    # (value, grad) from one pass, where they share their work (mse: the error); None: call both
    value_and_grad: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None

    def both(self, Yhat: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (value, grad): the same numbers as value() and grad()."""
        if self.value_and_grad is not None:
            return self.value_and_grad(Yhat, Y)
        return self.value(Yhat, Y), self.grad(Yhat, Y)


def _mse(Yhat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # L = (1/N) sum_n (1/2) ||yhat_n - y_n||^2: half the mean squared error, so dL/dyhat_n = e_n / N
    e = Yhat - Y
    return 0.5 * np.einsum("...nk,...nk->...", e, e) / Yhat.shape[-2]


def _mse_grad(Yhat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return (Yhat - Y) / Yhat.shape[-2]


def _mse_both(Yhat: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = Yhat - Y
    n = Yhat.shape[-2]
    value = 0.5 * np.einsum("...nk,...nk->...", e, e) / n
    e /= n  # the same division as _mse_grad's
    return value, e


def _bce_value(Yhat: np.ndarray, Y: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    # Yhat are logits z, p = σ(z): −y ln p − (1−y) ln(1−p) = ln(1 + e^z) − y z, exact for any z
    s = softplus(Yhat, t)
    s -= Y * Yhat
    return np.einsum("...nk->...", s) / Yhat.shape[-2]


def _bce(Yhat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return _bce_value(Yhat, Y)


def _bce_grad(Yhat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return (sigmoid(Yhat) - Y) / Yhat.shape[-2]


def _bce_both(Yhat: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.exp(-np.abs(Yhat))  # e^{−|z|}: softplus's and σ's, computed once
    return _bce_value(Yhat, Y, t), (sigmoid(Yhat, t) - Y) / Yhat.shape[-2]


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse, _mse_grad, _mse_both),
    "bce": Loss("bce", _bce, _bce_grad, _bce_both),
}
"""mse: half mean squared error. bce: binary cross-entropy on logits (use a linear output layer)."""


def get_loss(name: str) -> Loss:
    """Return the loss called `name` ("mse" or "bce")."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; choose from {tuple(LOSSES)}") from None


def per_member_rates(loss: str | Loss, factors: np.ndarray) -> Loss:
    """Return `loss` with member s's gradient multiplied by factors[s], its value unchanged.

    Backpropagation is linear in dL/dYhat, so every parameter gradient of member s carries the same
    factor: with plain SGD at rate eta, member s trains as if alone at rate eta * factors[s], to rounding.
    This is how one ensemble sweeps learning rates. The values (hence the recorded losses and the
    divergence test) are those of the plain loss.
    """
    base = get_loss(loss) if isinstance(loss, str) else loss
    f = np.asarray(factors, dtype=float)[:, None, None]
    return Loss(f"{base.name}_per_member_rate", base.value, lambda Yhat, Y: base.grad(Yhat, Y) * f)
