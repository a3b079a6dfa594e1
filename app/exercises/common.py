"""Helpers shared by the training experiments: output surfaces, replay frames, dead units, outcomes.

What an experiment costs is stated with app.exercises.work, the one estimate of work."""

from __future__ import annotations

import numpy as np

from app.nn.activations import prelu_der, sigmoid
from app.nn.network import Network, predict
from app.nn.train import loss_diverged, loss_stalled


def grid_2d(lo: tuple[float, float], hi: tuple[float, float], n: int = 61) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return gx (n,), gy (n,) and the grid points (n*n, 2), row-major in y then x."""
    gx = np.linspace(lo[0], hi[0], n)
    gy = np.linspace(lo[1], hi[1], n)
    xx, yy = np.meshgrid(gx, gy)
    return gx, gy, np.column_stack([xx.ravel(), yy.ravel()])


def surfaces(net: Network, lo: tuple[float, float], hi: tuple[float, float], n: int, *,
             probability: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return gx (n,), gy (n,) and Z (S, n, n): each member's output over the n × n grid of the rectangle lo–hi
    of the input plane, Z[s, i, j] at (gx[j], gy[i]); with `probability`, σ of it (the output is a logit).

    A replay passes its snapshots stacked into one network (Network.stack). A blown-up member's outputs
    may be ±inf or NaN (σ maps ±inf to 1 and 0); figures draw them clipped or as gaps.
    """
    gx, gy, points = grid_2d(lo, hi, n)
    with np.errstate(all="ignore"):
        out = predict(net, points)[..., 0]
        if probability:
            out = sigmoid(out)
    return gx, gy, out.reshape(-1, n, n)


def frame_indices(snap_epochs: np.ndarray, n_frames: int = 25, power: float = 2.0, *,
                  geometric: bool = False) -> np.ndarray:
    """Pick about n_frames of the recorded snapshots for a replay: the first, the last, denser early.

    Training moves fastest early, so the frames are spaced unevenly in epochs. By default targets sit at
    epochs last·t^power for t evenly spaced on [0, 1]; each takes the nearest snapshot, and evenly spaced
    snapshots fill in for targets that collide (n_frames frames when there are that many snapshots).
    With `geometric` (4-2's replay), targets are 0 and n_frames − 1 epochs evenly spaced in log from 1 to
    the last; each takes the first snapshot at or after it, and colliding ones count once (fewer frames).
    Return increasing indices into snap_epochs.
    """
    snap = np.asarray(snap_epochs, dtype=float)
    if geometric:
        if snap[-1] == 0:
            return np.array([0])
        targets = np.r_[0, np.geomspace(1, snap[-1], n_frames - 1)]
        return np.unique(np.searchsorted(snap, targets, side="left").clip(0, len(snap) - 1))
    if len(snap) <= n_frames:
        return np.arange(len(snap))
    targets = snap[-1] * np.linspace(0.0, 1.0, n_frames) ** power
    chosen = set(np.abs(snap[None, :] - targets[:, None]).argmin(axis=1).tolist())
    for i in np.linspace(0, len(snap) - 1, n_frames).round().astype(int).tolist():
        if len(chosen) >= n_frames:
            break
        chosen.add(i)
    return np.array(sorted(chosen))


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
