"""4-1 — the numerics of one neuron σ(wᵀx + b) under binary cross-entropy, raw or centred inputs.

Its parameters are stacked as θ = (w₁, w₂, b) and each input gets a 1 appended, x̃ = (x₁, x₂, 1),
so the logit (the net input) is z = θᵀx̃ and the per-sample gradient is δ·x̃ with δ = σ(z) − y.
The neurons are trained by the core's `train` (a network with no hidden layer and a linear output
under binary cross-entropy on the logit); this module adds what the exercise measures around it:
the optimum by Newton's method, the Hessian's conditioning, the updates' signs, the path's shape.
The experiments are in ex4_1_centering.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.activations import sigmoid, softplus
from app.nn.network import init_network
from app.nn.train import train

NEWTON_ITERATIONS = 100


# Shapes: S members (runs), N samples; A (S, N, 3) holds the x̃ rows, y (S, N).


def design(X: np.ndarray) -> np.ndarray:
    """Append a column of ones: (..., N, 2) -> (..., N, 3)."""
    return np.concatenate([X, np.ones((*X.shape[:-1], 1))], axis=-1)


def net_inputs(A: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Return z = x̃ᵀθ of every member and sample, (S, N): batched products (an einsum here is 8× slower)."""
    return np.matmul(A, theta[:, :, None])[:, :, 0]


def mean_loss(A: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Return the mean binary cross-entropy (S,) of θ (S, 3); ln(1 + e^z) − y z is exact for any z."""
    z = net_inputs(A, theta)
    return np.mean(softplus(z) - y * z, axis=1)


def hessian(A: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Return the Hessian of the mean loss, (1/N) Σ σ′(z) x̃x̃ᵀ, as (S, 3, 3)."""
    p = sigmoid(net_inputs(A, theta))
    # Aᵀ diag(σ′) A as one batched product: a three-operand einsum would loop over s, n, j, k unblocked
    return np.matmul(A.transpose(0, 2, 1), A * (p * (1.0 - p))[:, :, None]) / A.shape[1]


def newton_optimum(A: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimise the mean loss of every member by Newton's method with step halving; return θ* (S, 3), L* (S,).

    Newton's method is affine-invariant: from θ = 0 the raw and the centred problems take the same
    steps (mapped by b_raw = b_centred − wᵀ mean(x)), so both reach the same minimum.
    """
    S, N, _ = A.shape
    theta = np.zeros((S, 3))
    loss = mean_loss(A, y, theta)
    for _ in range(NEWTON_ITERATIONS):
        g = np.matmul((sigmoid(net_inputs(A, theta)) - y)[:, None, :], A)[:, 0] / N
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


def train_neurons(X: np.ndarray, y: np.ndarray, lr: float, epochs: int, batch_size: int, shuffle_seed: int,
                  *, record: bool = False) -> SGDRun:
    """Train S neurons σ(wᵀx + b) on X (S, N, 2), y (S, N) from θ = 0 by mini-batch SGD, with the core's `train`.

    Every member shuffles with default_rng(shuffle_seed), so all see the samples in the same order; a
    single batch per epoch is not shuffled. Each step applies θ ← θ − η · mean over the batch of δ·x̃.
    record: keep θ = (w₁, w₂, b) after every step (the core's path: W then b, in Network.params() order).
    """
    S = X.shape[0]
    net = init_network((2, 1), "linear", "linear", seeds=[0] * S, weight_init="zeros")  # logits; θ = 0
    rec = train(net, X, y[..., None], loss="bce", eta=lr, epochs=epochs, batch_size=batch_size,
                seeds=[shuffle_seed] * S, n_snapshots=2, record_grad_norms=False, record_path=record)
    return SGDRun(rec.losses, rec.path)


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
    p, p2 = np.empty_like(z0), np.empty_like(z0)
    for _ in range(iterations):
        # σ(z) = ½ + ½·tanh(z/2), in place: a third of the stable sigmoid's passes over this large array.
        # Its error is below 3e-16 absolute (it only loses relative precision where σ < 1e-16), and the
        # Newton step uses σ only in means of p − y and p(1 − p).
        np.add(z0, c[:, None], out=p)
        p *= 0.5
        np.tanh(p, out=p)
        p *= 0.5
        p += 0.5
        np.multiply(p, p, out=p2)
        mean_p = p.mean(axis=1)
        g = mean_p - y.mean()  # mean(p − y)
        h = mean_p - p2.mean(axis=1)  # mean(p (1 − p))
        with np.errstate(divide="ignore", invalid="ignore"):
            c -= np.clip(np.where(h > 0, g / h, np.sign(g) * 4), -4, 4)
    z = z0 + c[:, None]
    return np.mean(softplus(z) - y * z, axis=1)
