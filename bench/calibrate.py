"""A machine speed index: a fixed workload of small NumPy operations, like the experiments', timed.

Machines differ by 2× from one run to the next (other tenants, frequency, a neighbour's build), so a
timing alone does not say whether the code got slower. `make bench` times this workload at its start and
at its end; the index is REFERENCE_S over the time taken (1.0 on the reference machine, 0.5 on one that
runs it half as fast), and each target is reported raw and normalised to the reference machine
(raw × index), so runs on different days and machines compare. The workload is what the experiments do
most: full-batch gradient steps of a small tanh network (matrix products of 2–64 columns, elementwise
ufuncs, reductions) and a 100 × 100 surface evaluated on a grid, in float64, on one thread.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

# Seconds the workload takes (median of REPEATS) on the reference machine: the 2-core AMD EPYC bench
# machine of bench/RESULTS.md, single-threaded OpenBLAS, measured quiet. The unit of the index; never
# re-tuned to a run, or runs on different days stop being comparable.
REFERENCE_S = 0.050
REPEATS = 5
STEPS = 1000


def workload() -> float:
    """Run the fixed workload once; return a number from it (so no step can be skipped)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 2))
    y = np.sin(np.pi * x[:, :1]) * x[:, 1:]
    w1, b1 = rng.standard_normal((2, 32)) * 0.5, np.zeros(32)
    w2, b2 = rng.standard_normal((32, 1)) * 0.2, np.zeros(1)
    loss = 0.0
    for _ in range(STEPS):  # full-batch gradient descent, half MSE
        h = np.tanh(x @ w1 + b1)
        err = h @ w2 + b2 - y
        loss = float(0.5 * np.mean(err * err))
        g2 = h.T @ err / len(x)
        dh = (err @ w2.T) * (1.0 - h * h)
        g1 = x.T @ dh / len(x)
        w2 -= 0.1 * g2
        b2 -= 0.1 * err.mean(axis=0)
        w1 -= 0.1 * g1
        b1 -= 0.1 * dh.mean(axis=0)
    g = np.linspace(-2, 2, 100)
    gx, gy = np.meshgrid(g, g)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    for _ in range(5):  # the surfaces the figures draw
        surface = np.tanh(grid @ w1 + b1) @ w2 + b2
        loss += float(np.abs(surface).max()) * 1e-12
    return loss


@dataclass
class Calibration:
    seconds: float          # median time of the workload
    runs: list[float]

    @property
    def index(self) -> float:
        """Speed relative to the reference machine (1.0 = as fast; 0.5 = half as fast)."""
        return REFERENCE_S / self.seconds


def calibrate(repeats: int = REPEATS) -> Calibration:
    """Time the workload `repeats` times (after one warm-up run); the median is the machine's speed now."""
    workload()
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        workload()
        runs.append(time.perf_counter() - t)
    return Calibration(statistics.median(runs), runs)


def normalised(seconds: float, index: float) -> float:
    """A time measured at speed index `index`, as the reference machine would take it."""
    return seconds * index


if __name__ == "__main__":
    c = calibrate()
    print(f"workload {c.seconds * 1e3:.1f} ms (runs {', '.join(f'{r * 1e3:.1f}' for r in c.runs)}); "
          f"index {c.index:.2f}")
