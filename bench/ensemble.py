"""Section 2: 1000 XOR networks 2-2-1 (ReLU, half-MSE, full batch, N(0,1) init, lr 0.1), 5000 epochs."""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field

import numpy as np

from app.nn.data import xor
from app.nn.network import init_network
from app.nn.train import train
from bench import torch_xor

train_module = importlib.import_module("app.nn.train")

S, EPOCHS, ETA, SIZES = 1000, 5000, 0.1, (2, 2, 1)
SEQUENTIAL = 20  # networks timed one after another; the time of 1000 is extrapolated


def job_flops(members: int = S, epochs: int = EPOCHS) -> float:
    """Matrix-product FLOPs of the job: forward 2*N*sum(n_in*n_out) per step, backward twice that.

    Elementwise work (biases, ReLU, loss, update) is not counted, so the GFLOP/s are a lower bound.
    """
    X, _ = xor()
    weights = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:], strict=True))
    return 6.0 * X.shape[0] * weights * members * epochs


def peak_gflops(n: int = 2048, repeats: int = 3) -> float:
    """Measured float64 matmul rate of this machine: the best of `repeats` n x n products, GFLOP/s."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2.0 * n**3 / best / 1e9


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


@dataclass
class Ensemble:
    core_wall: float = float("nan")          # best of the repeats, fast path
    core_cpu: float = float("nan")
    core_runs: list[float] = field(default_factory=list)
    reference_wall: float = float("nan")     # the same call on the (S, N, n) path (before the fast path)
    reference_cpu: float = float("nan")
    sequential_wall: float = float("nan")    # extrapolated to S networks
    torch_wall: float = float("nan")
    torch_note: str = ""
    peak_gflops: float = float("nan")
    achieved_gflops: float = float("nan")
    flops: float = 0.0
    solved_fraction: float = float("nan")    # members whose final loss < 0.01
    max_abs_loss_diff: float = float("nan")  # fast path vs reference path, final losses
    torch_max_abs_loss_diff: float = float("nan")


def _core(net, X, Y) -> tuple[float, float, np.ndarray]:
    c, t = time.process_time(), time.perf_counter()
    rec = train(net, X, Y, loss="mse", optimizer="sgd", eta=ETA, epochs=EPOCHS)
    return time.perf_counter() - t, time.process_time() - c, rec.losses[:, -1]


def run(repeats: int = 3) -> Ensemble:
    X, Y = xor()
    net = init_network(SIZES, "relu", "linear", seeds=list(range(S)), weight_init="normal",
                       init_kwargs={"std": 1.0})
    res = Ensemble(flops=job_flops())
    runs = [_core(net, X, Y) for _ in range(repeats)]
    res.core_runs = [r[0] for r in runs]
    best = min(runs, key=lambda r: r[0])
    res.core_wall, res.core_cpu, final = best
    res.solved_fraction = float(np.mean(final < 0.01))

    saved = train_module.FAST_MIN_MEMBERS
    train_module.FAST_MIN_MEMBERS = 10**9
    try:
        res.reference_wall, res.reference_cpu, ref_final = _core(net, X, Y)
    finally:
        train_module.FAST_MIN_MEMBERS = saved
    res.max_abs_loss_diff = float(np.nanmax(np.abs(final - ref_final)))

    t = time.perf_counter()
    for i in range(SEQUENTIAL):
        train(net.member(i), X, Y, loss="mse", optimizer="sgd", eta=ETA, epochs=EPOCHS)
    res.sequential_wall = (time.perf_counter() - t) * S / SEQUENTIAL

    if torch_xor.available():
        wall, torch_final = torch_xor.train_xor(net.W[0], net.b[0], net.W[1], net.b[1], X, Y, ETA, EPOCHS)
        res.torch_wall = wall
        res.torch_max_abs_loss_diff = float(np.nanmax(np.abs(torch_final - final)))
        res.torch_note = f"torch {torch_xor.version()}, {torch_xor.threads()} threads, float64, autograd"
    else:
        res.torch_note = f"torch could not be installed ({torch_xor.requirement()}, the bench extra): row skipped"

    res.peak_gflops = peak_gflops()
    res.achieved_gflops = res.flops / res.core_wall / 1e9
    return res
