"""Helpers shared by the training experiments: grids, divergence, the cost model."""

from __future__ import annotations

import numpy as np

from app.nn.activations import prelu_der, sigmoid
from app.nn.network import Network, predict
from app.nn.train import loss_diverged, loss_stalled

# Seconds per (member × sample × parameter) multiply-add of one training step, and per step of Python
# overhead, measured on the 2-core CI kind (see bench/RESULTS.md); used only to refuse costly requests.
SECONDS_PER_FLOP = 2.5e-9
SECONDS_PER_STEP = 6e-5


def train_cost(members: int, samples: int, n_params: int, epochs: int, steps_per_epoch: int = 1,
               layers: int = 2) -> float:
    """Estimate the seconds a training run takes: arithmetic plus per-step overhead."""
    steps = epochs * steps_per_epoch
    return 3 * members * samples * n_params * epochs * SECONDS_PER_FLOP + steps * layers * SECONDS_PER_STEP


def grid_2d(lo: tuple[float, float], hi: tuple[float, float], n: int = 61) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return gx (n,), gy (n,) and the grid points (n*n, 2), row-major in y then x."""
    gx = np.linspace(lo[0], hi[0], n)
    gy = np.linspace(lo[1], hi[1], n)
    xx, yy = np.meshgrid(gx, gy)
    return gx, gy, np.column_stack([xx.ravel(), yy.ravel()])


def surface(net: Network, points: np.ndarray, n: int, member: int = 0, *, probability: bool = False) -> np.ndarray:
    """Evaluate one member on grid points; return (n, n). With `probability`, apply σ to the logit."""
    out = predict(net, points)[member, :, 0]
    if probability:
        out = sigmoid(out)
    return out.reshape(n, n)


def dead_in_layer(net: Network, layer: int, Z: np.ndarray) -> np.ndarray:
    """Return (S, n) booleans: hidden units of `layer` whose f′(z) is exactly 0 on every input.

    Z (S, N, n) are that layer's pre-activations on the training inputs. Such a unit's incoming
    weights and bias receive exactly zero gradient from every input, so it can never recover (for
    ReLU: z ≤ 0 everywhere, ReLU′(0) = 0). A unit with a non-finite z (a blown-up run) is broken,
    not dead, and is not counted.
    """
    with np.errstate(all="ignore"):
        der = prelu_der(Z, net.alpha[layer]) if net.alpha is not None else net.hidden.der(Z)
        return ((der == 0.0) & np.isfinite(Z)).all(axis=1)


def diverged(losses: np.ndarray) -> bool:
    """Apply the contract's rule (app.nn.train.loss_diverged) to one run's losses, or to any of several."""
    return bool(loss_diverged(losses).any())


def stalled(losses: np.ndarray) -> bool:
    """Return whether one run, or every one of several, stalled on a plateau (app.nn.train.loss_stalled)."""
    return bool(loss_stalled(losses).all())


def outcome(losses: np.ndarray | list[np.ndarray]) -> dict[str, bool]:
    """Return the metrics `diverged` (some run diverged) and `stalled` (every run stalled), for one run's
    losses (E+1,), several (R, E+1), or a list of runs of any lengths. A stalled run did not diverge."""
    runs = [np.asarray(r, dtype=float) for r in losses] if isinstance(losses, list) else [np.asarray(losses, dtype=float)]
    return {"diverged": any(diverged(r) for r in runs), "stalled": all(stalled(r) for r in runs)}
