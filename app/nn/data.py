"""Small deterministic datasets: each returns X (N, d) float64 and Y (N, 1) float64.

Everything random comes from np.random.default_rng(seed); rows are shuffled once, so that unshuffled
mini-batches do not see one class after the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

Dataset = tuple[np.ndarray, np.ndarray]


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> Dataset:
    order = rng.permutation(len(X))
    return X[order].astype(float), y[order].astype(float).reshape(-1, 1)


def xor() -> Dataset:
    """Return the four XOR points (0,0),(0,1),(1,0),(1,1) with labels 0,1,1,0."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]])


def circles(n: int = 200, seed: int = 0, r_inner: float = 0.5, r_outer: float = 1.0,
            noise: float = 0.1) -> Dataset:
    """Return two concentric rings: inner ring label 1, outer ring label 0.

    n // 2 points are inner and n - n // 2 outer (exactly balanced for even n); angles are uniform,
    Gaussian noise of std `noise` is added to each coordinate.
    """
    rng = np.random.default_rng(seed)
    n_in = n // 2
    r = np.r_[np.full(n_in, r_inner), np.full(n - n_in, r_outer)]
    t = rng.uniform(0.0, 2.0 * math.pi, size=n)
    X = np.c_[r * np.cos(t), r * np.sin(t)] + noise * rng.normal(size=(n, 2))
    return _shuffled(rng, X, (np.arange(n) < n_in).astype(float))


def moons(n: int = 200, seed: int = 0, noise: float = 0.1) -> Dataset:
    """Return two interleaving half circles (label 0 upper, 1 lower), n // 2 and n - n // 2 points."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    t0 = rng.uniform(0.0, math.pi, size=n0)
    t1 = rng.uniform(0.0, math.pi, size=n - n0)
    upper = np.c_[np.cos(t0), np.sin(t0)]
    lower = np.c_[1.0 - np.cos(t1), 0.5 - np.sin(t1)]
    X = np.r_[upper, lower] + noise * rng.normal(size=(n, 2))
    return _shuffled(rng, X, (np.arange(n) >= n0).astype(float))


def spiral(n: int = 200, seed: int = 0, turns: float = 1.5, noise: float = 0.05) -> Dataset:
    """Return two interleaved spirals of `turns` turns (labels 0 and 1), radius up to 1."""
    rng = np.random.default_rng(seed)
    n0 = n // 2
    label = (np.arange(n) >= n0).astype(float)
    s = rng.uniform(0.05, 1.0, size=n)  # position along the arm = radius
    t = 2.0 * math.pi * turns * s + math.pi * label
    X = np.c_[s * np.cos(t), s * np.sin(t)] + noise * rng.normal(size=(n, 2))
    return _shuffled(rng, X, label)


def noisy_sine(n: int = 100, seed: int = 0, noise: float = 0.1) -> Dataset:
    """Return x ~ U(-pi, pi) sorted ascending, y = sin(x) + noise * N(0, 1)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-math.pi, math.pi, size=n))
    y = np.sin(x) + noise * rng.normal(size=n)
    return x.reshape(-1, 1), y.reshape(-1, 1)


def teacher_neuron(n: int = 200, seed: int = 0, w_star: Sequence[float] = (2.0, -1.0),
                   shift: float | Sequence[float] = 0.0) -> Dataset:
    """Return labels of a logistic teacher neuron, for exercise 4-1.

    x = u + shift with u ~ U(-1, 1)^2 (shift is a scalar added to every coordinate, or a vector);
    y ~ Bernoulli(sigma(w*^T (x - shift))), labels 0/1. The teacher sees the centred input, so the
    label distribution does not depend on the shift; only the student's input does.
    """
    rng = np.random.default_rng(seed)
    w = np.asarray(w_star, dtype=float)
    u = rng.uniform(-1.0, 1.0, size=(n, w.size))
    p = 1.0 / (1.0 + np.exp(-(u @ w)))
    y = (rng.uniform(size=n) < p).astype(float)
    return u + np.asarray(shift, dtype=float), y.reshape(-1, 1)


DATASETS: dict[str, Callable[..., Dataset]] = {"circles": circles, "moons": moons, "spiral": spiral}
"""The 2-D classification sets that take (n, seed, ...); xor() takes no arguments."""
