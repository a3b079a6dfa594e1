"""Measure the five constants of app/exercises/work.py on this machine.

Times runs of the core that span the experiments' shapes (thousands of tiny networks, one wide
network, per-sample SGD of networks and of single neurons (app.nn.neuron's kernel, on floats and on
arrays), mid-size ensembles with mini-batches, Adam, grid evaluations), counts their work with
app.exercises.work, and fits seconds ≈ a·macs + b·elements + c·layer_steps + d·member_products
+ e·scalar_steps by non-negative least squares on relative error. Prints the fitted constants,
the constants in use, and how well each predicts every run. Run it on the reference machine (the
2-core CI kind), quiet, with OPENBLAS_NUM_THREADS=1, and copy the constants (rounded up) into app/exercises/work.py.

    .venv/bin/python scripts/calibrate_work.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.exercises import work  # noqa: E402
from app.nn.data import moons, xor  # noqa: E402
from app.nn.network import init_network, predict  # noqa: E402
from app.nn.train import train  # noqa: E402

# (name, members, samples, sizes, epochs, batch_size, activation[, optimizer[, loss]]); the neurons take
# 4-1's loss, cross-entropy (its δ costs an exp a step).
RUNS = [
    ("xor 1000 × 2-2-1", 1000, 4, (2, 2, 1), 1000, None, "relu"),
    ("xor 100 × 2-8-1", 100, 4, (2, 8, 1), 2000, None, "relu"),
    ("one 2-64-64-1", 1, 200, (2, 64, 64, 1), 300, None, "tanh"),
    ("one 2-16-1 per sample", 1, 100, (2, 16, 1), 20, 1, "tanh"),
    ("20 × 2-16-16-1 batch 20", 20, 200, (2, 16, 16, 1), 100, 20, "relu"),
    ("8 × 2-32-32-32-1", 8, 256, (2, 32, 32, 32, 1), 150, 32, "sigmoid"),
    ("5 × 2-8×8-1 deep", 5, 200, (2, *([8] * 8), 1), 300, None, "sigmoid"),
    ("64 × 1-64-1", 64, 64, (1, 64, 1), 300, None, "relu"),
    ("one 2-64-64-1 gelu", 1, 200, (2, 64, 64, 1), 300, None, "gelu"),
    ("one 2-256-256-1 (multiply-adds)", 1, 512, (2, 256, 256, 1), 60, None, "relu"),
    ("8 × 2-32-32-32-1 relu", 8, 256, (2, 32, 32, 32, 1), 150, 32, "relu"),
    ("2 neurons per sample (floats)", 2, 500, (2, 1), 200, 1, "linear", "sgd", "bce"),
    ("200 neurons per sample (arrays)", 200, 200, (2, 1), 30, 1, "linear", "sgd", "bce"),
    ("one 1-64-1 adam", 1, 256, (1, 64, 1), 2000, None, "relu", "adam"),
    ("20 × 1-16-1 adam", 20, 30, (1, 16, 1), 2000, None, "tanh", "adam"),
    ("one 2-16×10-1 adam", 1, 100, (2, *([16] * 10), 1), 500, None, "sigmoid", "adam"),
]
GRIDS = [("grid 61² × 2-64-64-1 × 20", 1, 61 * 61, (2, 64, 64, 1), 20)]


def measure(fn) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def nnls(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least squares with every coefficient ≥ 0: drop the most negative column and solve again."""
    free = list(range(A.shape[1]))
    coef = np.zeros(A.shape[1])
    while free:
        x, *_ = np.linalg.lstsq(A[:, free], b, rcond=None)
        if (x >= 0).all():
            coef[free] = x
            break
        free.pop(int(np.argmin(x)))
    return coef


def main() -> None:
    rows = []
    for name, members, samples, sizes, epochs, batch, act, *extra in RUNS:
        optimizer, loss = (*extra, "sgd", "mse")[:2] if not extra else (*extra, "mse")[:2]
        X, Y = xor() if samples == 4 else moons(samples, seed=0)
        if sizes[0] == 1:
            X = X[:, :1]
        net = init_network(sizes, act, "linear", seeds=list(range(members)))
        seeds = list(range(members)) if batch else None
        t = measure(lambda net=net, X=X, Y=Y, epochs=epochs, batch=batch, seeds=seeds, optimizer=optimizer,
                    loss=loss: train(net, X, Y, epochs=epochs, batch_size=batch, seeds=seeds, n_snapshots=2,
                                     optimizer=optimizer, loss=loss, eta=0.01 if optimizer == "adam" else 0.1))
        rows.append((name, work.training(members, samples, sizes, epochs, batch, act, optimizer=optimizer), t))
    for name, members, points, sizes, times in GRIDS:
        net = init_network(sizes, "tanh", "linear", seeds=list(range(members)))
        P = np.random.default_rng(0).normal(size=(points, sizes[0]))
        t = measure(lambda net=net, P=P, times=times: [predict(net, P) for _ in range(times)])
        rows.append((name, work.evaluation(members, points, sizes, times, "tanh"), t))

    A = np.array([[w.macs, w.elements, w.layer_steps, w.member_products, w.scalar_steps] for _, w, _ in rows])
    t = np.array([s for _, _, s in rows])
    weights = 1.0 / t  # relative error
    coef = nnls(A * weights[:, None], t * weights)
    names = ("SECONDS_PER_MAC", "SECONDS_PER_ELEMENT", "SECONDS_PER_LAYER_STEP", "SECONDS_PER_MEMBER_PRODUCT",
             "SECONDS_PER_SCALAR_STEP")
    print("fitted:  " + "  ".join(f"{n} = {c:.3g}" for n, c in zip(names, coef, strict=True)))
    print("in use:  " + "  ".join(f"{n} = {getattr(work, n):.3g}" for n in names))
    print(f"\n{'run':32} {'measured s':>10} {'fitted s':>9} {'in use s':>9} {'in use / measured':>18}")
    for (name, w, s), row in zip(rows, A, strict=True):
        print(f"{name:32} {s:10.3f} {row @ coef:9.3f} {work.seconds(w):9.3f} {work.seconds(w) / s:18.2f}")


if __name__ == "__main__":
    main()
