"""Weight initialisers: each maps (generator, (n_in, n_out)) to a fresh float64 array of that shape."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Initializer = Callable[[np.random.Generator, tuple[int, int]], np.ndarray]


def _zeros(std: float, limit: float, constant: float) -> Initializer:
    return lambda rng, shape: np.zeros(shape)


def _constant(std: float, limit: float, constant: float) -> Initializer:
    return lambda rng, shape: np.full(shape, float(constant))


def _normal(std: float, limit: float, constant: float) -> Initializer:
    return lambda rng, shape: rng.normal(0.0, std, size=shape)


def _uniform(std: float, limit: float, constant: float) -> Initializer:
    return lambda rng, shape: rng.uniform(-limit, limit, size=shape)


def _xavier(std: float, limit: float, constant: float) -> Initializer:
    # Glorot & Bengio (2010), uniform: U(-a, a), a = sqrt(6 / (n_in + n_out)), Var = 2 / (n_in + n_out)
    def init(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
        a = math.sqrt(6.0 / (shape[0] + shape[1]))
        return rng.uniform(-a, a, size=shape)

    return init


def _he(std: float, limit: float, constant: float) -> Initializer:
    # He et al. (2015): N(0, 2 / n_in), keeps the ReLU forward variance constant across layers
    return lambda rng, shape: rng.normal(0.0, math.sqrt(2.0 / shape[0]), size=shape)


_FACTORIES: dict[str, Callable[[float, float, float], Initializer]] = {
    "zeros": _zeros,
    "constant": _constant,
    "normal": _normal,
    "uniform": _uniform,
    "xavier": _xavier,
    "he": _he,
}

INIT_NAMES: tuple[str, ...] = tuple(_FACTORIES)


def get_initializer(name: str, *, std: float = 1.0, limit: float = 1.0, constant: float = 0.0) -> Initializer:
    """Return the initialiser `name`: zeros, constant, normal N(0, std^2), uniform U(-limit, limit),
    xavier (Glorot uniform) or he (N(0, 2/n_in))."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; choose from {INIT_NAMES}") from None
    return factory(float(std), float(limit), float(constant))
