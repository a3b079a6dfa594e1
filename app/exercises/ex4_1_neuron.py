"""4-1 — the numerics of one neuron σ(wᵀx + b) under binary cross-entropy, raw or centred inputs.

Its parameters are stacked as θ = (w₁, w₂, b) and each input gets a 1 appended, x̃ = (x₁, x₂, 1),
so the logit (the net input) is z = θᵀx̃ and the per-sample gradient is δ·x̃ with δ = σ(z) − y.
Per-sample SGD on a single neuron is a long sequential loop; the core's `train` costs ~30 µs per
step for it, so `neuron_sgd` below does the same arithmetic in a few NumPy lines (same sample order
as `train` with seeds=[s, s, ...]; tests check both agree). The experiments are in ex4_1_centering.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.nn.activations import sigmoid

NEWTON_ITERATIONS = 100


# Shapes: S members (runs), N samples; A (S, N, 3) holds the x̃ rows, y (S, N).


def design(X: np.ndarray) -> np.ndarray:
    """Append a column of ones: (..., N, 2) -> (..., N, 3)."""
    return np.concatenate([X, np.ones((*X.shape[:-1], 1))], axis=-1)


def mean_loss(A: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Return the mean binary cross-entropy (S,) of θ (S, 3); ln(1 + e^z) − y z is exact for any z."""
    z = np.einsum("snk,sk->sn", A, theta)
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=1)


def hessian(A: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Return the Hessian of the mean loss, (1/N) Σ σ′(z) x̃x̃ᵀ, as (S, 3, 3)."""
    p = sigmoid(np.einsum("snk,sk->sn", A, theta))
    return np.einsum("sn,snj,snk->sjk", p * (1.0 - p), A, A) / A.shape[1]


def newton_optimum(A: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimise the mean loss of every member by Newton's method with step halving; return θ* (S, 3), L* (S,).

    Newton's method is affine-invariant: from θ = 0 the raw and the centred problems take the same
    steps (mapped by b_raw = b_centred − wᵀ mean(x)), so both reach the same minimum.
    """
    S, N, _ = A.shape
    theta = np.zeros((S, 3))
    loss = mean_loss(A, y, theta)
    for _ in range(NEWTON_ITERATIONS):
        g = np.einsum("sn,snk->sk", sigmoid(np.einsum("snk,sk->sn", A, theta)) - y, A) / N
        active = np.abs(g).max(axis=1) > 1e-13
        if not active.any():
            break
        step = (np.linalg.pinv(hessian(A, theta)) @ g[:, :, None])[:, :, 0]
        t = np.where(active, 1.0, 0.0)
        for _halving in range(40):
            cand = theta - t[:, None] * step
            new = mean_loss(A, y, cand)
            worse = active & ~(new <= loss)
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
        improved = active & (new < loss)
        if not improved.any():
            break
        theta = np.where(improved[:, None], cand, theta)
        loss = np.where(improved, new, loss)
    return theta, loss


def condition_number(H: np.ndarray) -> np.ndarray:
    """Return λ_max / λ_min of each symmetric (S, 3, 3) matrix (inf when singular)."""
    ev = np.linalg.eigvalsh(H)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ev[:, 0] > 0, ev[:, -1] / ev[:, 0], np.inf)


@dataclass(frozen=True)
class SGDRun:
    """Per-epoch losses (S, E+1), column 0 before training; `thetas` (T+1, S, 3) after every step, if recorded."""

    losses: np.ndarray
    thetas: np.ndarray | None


def neuron_sgd(A: np.ndarray, y: np.ndarray, lr: float, epochs: int, batch_size: int, shuffle_seed: int,
               *, record: bool = False) -> SGDRun:
    """Train S single neurons from θ = 0 by mini-batch SGD, all members seeing the same sample order.

    Each epoch draws perm = rng.permutation(N) from default_rng(shuffle_seed), as the core's `train`
    does for a member with that seed; a single batch per epoch is not shuffled. Each step applies
    θ ← θ − η · mean over the batch of δ·x̃.
    """
    S, N, _ = A.shape
    B = max(1, min(int(batch_size), N))
    starts = range(0, N, B)
    rng = np.random.default_rng(shuffle_seed) if len(starts) > 1 else None
    theta = np.zeros((S, 3))
    losses = np.empty((S, epochs + 1))
    thetas = np.empty((epochs * len(starts) + 1, S, 3)) if record else None
    losses[:, 0] = mean_loss(A, y, theta)
    if thetas is not None:
        thetas[0] = theta
    k = 0
    if B == 1 and S <= 4:
        return _per_sample_sgd(A, y, lr, epochs, rng, theta, losses, thetas)
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(N) if rng is not None else np.arange(N)
            At = np.ascontiguousarray(A[:, order].transpose(1, 0, 2))  # (N, S, 3): a batch is a slice
            yt = np.ascontiguousarray(y[:, order].T)  # (N, S)
            for i in starts:
                a = At[i:i + B]
                delta = 1.0 / (1.0 + np.exp(-(a * theta).sum(-1))) - yt[i:i + B]  # (b, S)
                theta -= (lr / a.shape[0]) * (delta[:, :, None] * a).sum(0)
                if thetas is not None:
                    k += 1
                    thetas[k] = theta
            losses[:, epoch + 1] = mean_loss(A, y, theta)
    return SGDRun(losses, thetas)


def _per_sample_sgd(A: np.ndarray, y: np.ndarray, lr: float, epochs: int, rng: np.random.Generator | None,
                    theta: np.ndarray, losses: np.ndarray, thetas: np.ndarray | None) -> SGDRun:
    """Run neuron_sgd's per-sample updates with Python floats: the same steps, in the same order.

    A step of a 3-parameter neuron is a handful of scalar operations; as Python floats it costs a
    few hundred nanoseconds against several microseconds of NumPy call overhead per step.
    """
    S, N, _ = A.shape
    rows = A.tolist()
    targets = y.tolist()
    th = theta.tolist()
    trace: list[list[list[float]]] = []
    for epoch in range(epochs):
        order = rng.permutation(N).tolist() if rng is not None else range(N)
        for n in order:
            for s in range(S):
                a0, a1, a2 = rows[s][n]
                t = th[s]
                z = a0 * t[0] + a1 * t[1] + a2 * t[2]
                # σ(z) − y without overflow: exp of a negative number only.
                sig = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
                g = lr * (sig - targets[s][n])
                t[0] -= g * a0
                t[1] -= g * a1
                t[2] -= g * a2
            if thetas is not None:
                trace.append([t.copy() for t in th])
        theta[:] = th
        losses[:, epoch + 1] = mean_loss(A, y, theta)
    if thetas is not None and trace:
        thetas[1:] = np.array(trace)
    return SGDRun(losses, thetas)


def epochs_to_target(losses: np.ndarray, optimum: np.ndarray, gap: float) -> np.ndarray:
    """Return the first epoch (S,) whose loss ≤ optimum + gap, −1 if none."""
    hit = losses <= (optimum[:, None] + gap)
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


def same_sign_fraction(updates: np.ndarray) -> float | None:
    """Return the fraction of updates (T, 2) whose nonzero components share one sign (all-zero updates aside)."""
    nonzero = (updates != 0).any(axis=1)
    if not nonzero.any():
        return None
    mixed = (updates > 0).any(axis=1) & (updates < 0).any(axis=1)
    return float(1.0 - mixed.sum() / nonzero.sum())


def path_straightness(path: np.ndarray) -> float | None:
    """Return the distance a path (T+1, 2) gets from its start over the length it walks, or None if it never moves.

    1 for a straight walk; a zig-zag walks far and gets little, so its straightness is near 0.
    """
    walked = float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum())
    if not (np.isfinite(walked) and walked > 0):
        return None
    return float(np.linalg.norm(path[-1] - path[0]) / walked)


def profile_loss(Xc: np.ndarray, y: np.ndarray, W: np.ndarray, iterations: int = 8) -> np.ndarray:
    """Return min over b of the mean loss at each w of W (M, 2), for centred inputs Xc (N, 2).

    Centring only moves b (b_raw = b_centred − wᵀ mean(x)), so this surface is the same for the raw
    and the centred problem. Newton's method in the one variable b, steps capped at ±4.
    """
    z0 = W @ Xc.T  # (M, N)
    ybar = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
    c = np.full(len(W), np.log(ybar / (1 - ybar)))
    for _ in range(iterations):
        p = sigmoid(z0 + c[:, None])
        g = (p - y).mean(axis=1)
        h = (p * (1 - p)).mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            c -= np.clip(np.where(h > 0, g / h, np.sign(g) * 4), -4, 4)
    z = z0 + c[:, None]
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=1)
