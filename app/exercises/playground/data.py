"""The playground's data: 2-D classification sets, 1-D regression sets, the train/test split, the features.

Every set lives on a scale of about 1 (the 2-D sets within about [−1.5, 1.5]², the 1-D inputs on
[−1, 1]), so that one learning rate and one initialisation suit them all. Everything random comes from
np.random.default_rng(data_seed); the rows come shuffled, so the first rows are the training set and the
rest the test set, and unshuffled mini-batches never see one class after the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn import data as core_data

GENERATED_CLASSES = ("xor", "circles", "moons", "spiral", "gaussians", "checkerboard")
GENERATED_CURVES = ("sine", "step", "abs", "cubic", "formula")  # formula: y = the reader's formula in x
CUSTOM = ("custom", "custom_curve")  # the reader's own points (drawn, or pasted CSV): app.exercises.playground.custom
CLASSIFICATION = (*GENERATED_CLASSES, "custom")
REGRESSION = (*GENERATED_CURVES, "custom_curve")
DATASETS = (*GENERATED_CLASSES, "custom", *GENERATED_CURVES, "custom_curve")

# The input features, as TensorFlow Playground offers them (sin πx rather than sin x: our inputs span
# about [−1.5, 1.5], where sin x would be almost a straight line). A 1-D set has only x₁.
FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sinx1": lambda a, b: np.sin(math.pi * a),
    "sinx2": lambda a, b: np.sin(math.pi * b),
}
FEATURE_NAMES = tuple(FEATURES)
ONE_D_FEATURES = ("x1", "x1sq", "sinx1")  # the features a 1-D set has (x₁ is its input x)
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
                  "sinx1": "sin πx₁", "sinx2": "sin πx₂"}

XOR_MARGIN = 0.1  # the XOR points keep this distance from the axes (before noise), as in TF Playground
BLOB_STD = 0.25  # the spread of each of the two Gaussians, before noise
BLOB_CENTRE = 0.6
CHECKER_CELL = 0.5  # a 4 × 4 board on [−1, 1]²

REGRESSION_TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(math.pi * x),
    "step": lambda x: np.where(x >= 0, 1.0, 0.0),  # Heaviside, jump 1 at x = 0
    "abs": np.abs,
    "cubic": lambda x: x**3,
}


def is_regression(dataset: str) -> bool:
    """Return whether `dataset` is a 1-D regression set (else a 2-D two-class set)."""
    return dataset in REGRESSION


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(X))
    return X[order].astype(float), y[order].astype(float).reshape(-1, 1)


def _xor(n: int, rng: np.random.Generator, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # label 1 where exactly one coordinate is positive: the XOR of the two signs
    mag = rng.uniform(XOR_MARGIN, 1.0, size=(n, 2))
    X = mag * rng.choice([-1.0, 1.0], size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(float)
    return _shuffled(rng, X + noise * rng.normal(size=(n, 2)), y)


def _gaussians(n: int, rng: np.random.Generator, noise: float) -> tuple[np.ndarray, np.ndarray]:
    y = (np.arange(n) >= n // 2).astype(float)
    centre = np.where(y[:, None] > 0, BLOB_CENTRE, -BLOB_CENTRE)
    X = centre + BLOB_STD * rng.normal(size=(n, 2)) + noise * rng.normal(size=(n, 2))
    return _shuffled(rng, X, y)


def _checkerboard(n: int, rng: np.random.Generator, noise: float) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    cells = np.floor(X / CHECKER_CELL).astype(int)
    y = ((cells[:, 0] + cells[:, 1]) % 2).astype(float)
    return _shuffled(rng, X + noise * rng.normal(size=(n, 2)), y)


def _moons(n: int, seed: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    X, y = core_data.moons(n, seed, noise)
    return X - np.array([0.5, 0.25]), y  # centred on the origin


@dataclass(frozen=True)
class Split:
    """The data of one run: raw inputs (N, 1 or 2) and targets (N, 1), train rows first."""

    X: np.ndarray
    Y: np.ndarray
    n_train: int

    @property
    def X_train(self) -> np.ndarray:
        return self.X[:self.n_train]

    @property
    def Y_train(self) -> np.ndarray:
        return self.Y[:self.n_train]

    @property
    def X_test(self) -> np.ndarray:
        return self.X[self.n_train:]

    @property
    def Y_test(self) -> np.ndarray:
        return self.Y[self.n_train:]


def make_data(dataset: str, n: int, noise: float, seed: int,
              target: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return X (n, 2) and labels (n, 1) in {0, 1}, or for a regression set x (n, 1) and y (n, 1); `target`
    is the curve of dataset "formula"."""
    rng = np.random.default_rng(seed)
    if dataset == "xor":
        return _xor(n, rng, noise)
    if dataset == "gaussians":
        return _gaussians(n, rng, noise)
    if dataset == "checkerboard":
        return _checkerboard(n, rng, noise)
    if dataset == "moons":
        return _moons(n, seed, noise)
    if dataset in ("circles", "spiral"):
        return core_data.DATASETS[dataset](n=n, seed=seed, noise=noise)
    x = rng.uniform(-1.0, 1.0, size=n)
    y = (target or REGRESSION_TARGETS[dataset])(x) + noise * rng.normal(size=n)
    return x.reshape(-1, 1), y.reshape(-1, 1)


def split(dataset: str, n: int, noise: float, seed: int, test_fraction: float,
          target: Callable[[np.ndarray], np.ndarray] | None = None) -> Split:
    """Return the data with its first n − round(test_fraction · n) rows for training, the rest for testing."""
    X, Y = make_data(dataset, n, noise, seed, target)
    return Split(X, Y, n - int(round(test_fraction * n)))


def split_given(X: np.ndarray, y: np.ndarray, seed: int, test_fraction: float) -> Split:
    """Return the reader's points (X (N, 1 or 2), targets (N,)) shuffled by `seed` and split as `split` does."""
    X, Y = _shuffled(np.random.default_rng(seed), np.asarray(X), np.asarray(y))
    return Split(X, Y, len(X) - int(round(test_fraction * len(X))))


def in_training_order(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the points X (N, 1 or 2) and targets y (N,) arranged so that split_given(…, seed, …) hands them
    back in the given order: a link can then carry an exercise's points in the order the exercise trains on
    them, and a full batch sums them in that order (the same numbers to the last bit)."""
    order = np.random.default_rng(seed).permutation(len(X))
    X_out, y_out = np.empty_like(X), np.empty_like(y)
    X_out[order], y_out[order] = X, y
    return X_out, y_out


def features(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Return the feature columns `names` of raw inputs X (N, 1 or 2), (N, len(names))."""
    a = X[:, 0]
    b = X[:, 1] if X.shape[1] > 1 else np.zeros_like(a)
    return np.column_stack([FEATURES[f](a, b) for f in names])


def plane_extent(X: np.ndarray) -> float:
    """Return r such that the plane [−r, r]² holds every input, padded, rounded up to a quarter."""
    reach = float(np.max(np.abs(X[np.isfinite(X)]))) if X.size else 1.0
    return max(1.0, math.ceil(reach * 1.1 * 4.0) / 4.0)
