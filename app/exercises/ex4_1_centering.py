"""4-1 — Why non-zero-centred inputs slow gradient descent down.

Experiments: centering (one shift: a neuron on the raw inputs against the same neuron on the
centred inputs, same data, same init, same sample order) and shift-sweep (epochs to target and
Hessian condition number against the shift, many data seeds in one vectorised run).

One neuron σ(wᵀx + b) with binary cross-entropy. Its parameters are stacked as θ = (w₁, w₂, b) and
each input gets a 1 appended, x̃ = (x₁, x₂, 1), so the logit is z = θᵀx̃ and the per-sample gradient
is δ·x̃ with δ = σ(z) − y. Per-sample SGD on a single neuron is a long sequential loop; the core's
`train` costs ~30 µs per step for it, so `neuron_sgd` below does the same arithmetic in a few NumPy
lines (same sample order as `train` with seeds=[s, s, ...]; tests check both agree).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import ValidationInfo, field_validator

from app.exercises.base import Exercise, Experiment, Metric, Params, Result, param
from app.exercises.common import outcome
from app.figures import ex4_1 as figs
from app.i18n import text
from app.nn.activations import sigmoid
from app.nn.data import teacher_neuron

# The sample order is drawn from its own stream, independent of the data drawn from `seed`.
SHUFFLE_STREAM = 1
NEWTON_ITERATIONS = 100
GRID = 41  # contour grid of the trajectory figure, GRID × GRID points of (w₁, w₂)
PATH_POINTS = 300  # log-spaced steps kept for each path
FRAMES = 25  # animation frames of the trajectory
SHOWN_UPDATES = 1000  # points per run in the update_signs figure

# Measured CPU seconds (2-core machine): Python/NumPy overhead of one update; one member × sample ×
# epoch of arithmetic (steps, per-epoch loss, shuffling); one member × sample of Newton's method; one
# contour grid point × sample of the profile loss.
SECONDS_PER_STEP = 7e-6
SECONDS_PER_SAMPLE_EPOCH = 6e-8
SECONDS_PER_NEWTON_SAMPLE = 6e-7
SECONDS_PER_GRID_SAMPLE = 8e-8


def _text_param(default, en, zh, help_en, help_zh, **kw):
    return param(default, text(en, zh), text(help_en, help_zh), **kw)


class _Shift(Params):
    shift: float = _text_param(
        3.0, "Shift of the inputs", "输入平移量",
        "Every input is x = u + shift with u ~ U(−1, 1)²; from shift 1 on, every component is positive.",
        "每个输入为 x = u + 平移量，u ~ U(−1, 1)²；平移量不小于 1 时，所有分量都为正。",
        ge=0, le=10, step=0.1)


class _SweepRange(Params):
    max_shift: float = _text_param(
        5.0, "Largest shift", "最大平移量", "The shifts run evenly from 0 to this value.",
        "平移量从 0 均匀取到该值。", ge=0.5, le=10, step=0.5)
    n_shifts: int = _text_param(
        11, "Number of shifts", "平移量个数", "How many shifts between 0 and the largest one.",
        "在 0 与最大平移量之间取多少个平移量。", ge=2, le=21)
    n_seeds: int = _text_param(
        4, "Data seeds per shift", "每个平移量的数据种子数",
        "Data sets drawn per shift (seeds seed, seed+1, …); the same data at every shift, only moved.",
        "每个平移量抽取的数据集个数（种子为 seed, seed+1, …）；各平移量用同一批数据，只是整体平移。",
        ge=1, le=20)


class _Training(Params):
    n_samples: int = _text_param(
        200, "Samples", "样本数", "Number of training points.", "训练样本的个数。", ge=20, le=2000)
    batch_size: int = _text_param(
        1, "Batch size", "批大小",
        "1: one update per sample (per-sample SGD); equal to the samples: full-batch gradient descent.",
        "1：每个样本更新一次（逐样本 SGD）；等于样本数：全批量梯度下降。", ge=1, le=2000)
    lr: float = _text_param(
        0.05, "Learning rate η", "学习率 η", "Step size of every update, the same for both neurons.",
        "每次更新的步长，两个神经元相同。", ge=1e-4, le=10, scale="log")
    epochs: int = _text_param(
        100, "Epochs", "训练轮数", "Passes over the data.", "遍历数据的次数。", ge=1, le=2000)
    seed: int = _text_param(
        0, "Seed", "随机种子", "Draws the data and the sample order (the same order for both neurons).",
        "决定数据与样本顺序（两个神经元的顺序相同）。", ge=0, le=2**31 - 1)
    teacher_w1: float = _text_param(
        4.0, "Teacher w₁*", "教师权重 w₁*", "First weight of the neuron that labels the data.",
        "给数据打标签的教师神经元的第一个权重。", ge=-10, le=10, step=0.5)
    teacher_w2: float = _text_param(
        -1.0, "Teacher w₂*", "教师权重 w₂*",
        "Second weight of the teacher; w₁* + w₂* = 0 puts the optimum's bias at 0 and hides the effect.",
        "教师的第二个权重；w₁* + w₂* = 0 时最优偏置为 0，效应会消失。", ge=-10, le=10, step=0.5)
    target_gap: float = _text_param(
        0.01, "Target gap", "目标差距",
        "A run reaches the target at the first epoch with loss ≤ optimal loss + this gap.",
        "当某一轮的损失 ≤ 最优损失 + 该差距时，视为达到目标。", ge=1e-4, le=1, scale="log")

    @field_validator("batch_size")
    @classmethod
    def _batch_within_samples(cls, batch_size: int, info: ValidationInfo) -> int:
        n = info.data.get("n_samples")
        if n is not None and batch_size > n:
            raise ValueError(f"batch_size must not exceed n_samples ({n})")
        return batch_size

    def steps_per_epoch(self) -> int:
        """Return the number of updates per epoch, ceil(n_samples / batch_size)."""
        return -(-self.n_samples // self.batch_size)

    def shuffle_seed(self) -> int:
        """Return the seed of the sample-order generator (its own stream of `seed`)."""
        return int(np.random.SeedSequence([self.seed, SHUFFLE_STREAM]).generate_state(1)[0])


# Field order: the shift (or the sweep's range) first, then the training settings.
class CenteringParams(_Training, _Shift):
    """One shift: raw against centred inputs."""


class SweepParams(_Training, _SweepRange):
    """Shifts from 0 to max_shift, n_seeds data sets each."""

    epochs: int = _text_param(
        200, "Epochs", "训练轮数", "Passes over the data; a run that never reaches the target counts as this many.",
        "遍历数据的次数；从未达到目标的运行按该轮数计。", ge=1, le=2000)


# ---------------------------------------------------------------------------------------------
# Computation. Shapes: S members (runs), N samples; A (S, N, 3) holds the x̃ rows, y (S, N).


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


def _to_epochs(hits: np.ndarray) -> list[int | None]:
    return [int(h) if h >= 0 else None for h in hits]


# ---------------------------------------------------------------------------------------------
# Experiments


def centering(p: CenteringParams) -> Result:
    """Train the same neuron on raw and on centred inputs; compare losses, paths, update signs, conditioning."""
    X, Y = teacher_neuron(p.n_samples, p.seed, (p.teacher_w1, p.teacher_w2), p.shift)
    y = Y[:, 0]
    mean = X.mean(axis=0)
    Xc = X - mean
    A = np.stack([design(X), design(Xc)])  # member 0 raw, member 1 centred
    ys = np.stack([y, y])
    theta_star, loss_star = newton_optimum(A, ys)
    cond = condition_number(hessian(A, theta_star))
    optimal = float(loss_star[0])
    run = neuron_sgd(A, ys, p.lr, p.epochs, p.batch_size, p.shuffle_seed(), record=True)
    assert run.thetas is not None
    hits = epochs_to_target(run.losses, np.full(2, optimal), p.target_gap)
    updates = np.diff(run.thetas[:, :, :2], axis=0)  # (T, S, 2): each update's (Δw₁, Δw₂)
    steps = len(updates)
    spe = p.steps_per_epoch()

    # Paths: log-spaced steps (dense at the start, where the zig-zag is), and the animation frames.
    kept = np.unique(np.r_[0, np.geomspace(1, steps, PATH_POINTS).round().astype(int)])
    frame_steps = np.unique(np.r_[np.geomspace(1, steps, FRAMES - 1).round().astype(int), 0])
    paths = run.thetas[kept][:, :, :2]  # (P, S, 2)
    finite = np.isfinite(paths).all(axis=(1, 2))
    pts = np.r_[paths[finite].reshape(-1, 2), theta_star[:1, :2], [[0.0, 0.0]]]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1.0)
    gw1 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID)
    gw2 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID)
    W = np.stack(np.meshgrid(gw1, gw2), axis=-1).reshape(-1, 2)
    surface = profile_loss(Xc, y, W).reshape(GRID, GRID)

    shown = np.unique(np.linspace(0, steps - 1, min(steps, SHOWN_UPDATES)).round().astype(int))
    epochs = np.arange(p.epochs + 1)
    metrics = {
        "same_sign_fraction_raw": same_sign_fraction(updates[:, 0]),
        "same_sign_fraction_centered": same_sign_fraction(updates[:, 1]),
        "final_loss_raw": float(run.losses[0, -1]),
        "final_loss_centered": float(run.losses[1, -1]),
        "optimal_loss": optimal,
        "epochs_to_target_raw": _to_epochs(hits[:1])[0],
        "epochs_to_target_centered": _to_epochs(hits[1:])[0],
        "condition_number_raw": float(cond[0]),
        "condition_number_centered": float(cond[1]),
        **outcome(np.stack([run.losses[0], run.losses[1]])),
    }
    data = {
        "epoch": epochs,
        "loss_raw": run.losses[0], "loss_centered": run.losses[1],
        "input_mean": mean,
        "optimum_raw": theta_star[0], "optimum_centered": theta_star[1],
        "optimal_loss_raw": float(loss_star[0]), "optimal_loss_centered": float(loss_star[1]),
        "path_step": kept, "path_raw": paths[:, 0], "path_centered": paths[:, 1],
        "update_step": shown, "updates_raw": updates[shown, 0], "updates_centered": updates[shown, 1],
        "grid_w1": gw1, "grid_w2": gw2, "profile_loss": surface,
    }
    figures = {
        "loss": figs.loss(epochs, run.losses, optimal, p.target_gap, hits, p.lang),
        "trajectory": figs.trajectory(gw1, gw2, surface, optimal, run.thetas[:, :, :2], kept, frame_steps, spe,
                                      theta_star[0, :2], p.lang),
        "update_signs": figs.update_signs(updates[shown], p.lang),
    }
    return Result(metrics, data, figures)


def _training_cost(p: _Training, members: int) -> float:
    """Estimate the seconds of `members` SGD runs plus their Newton optima."""
    return (p.epochs * p.steps_per_epoch() * SECONDS_PER_STEP
            + members * p.n_samples * (p.epochs * SECONDS_PER_SAMPLE_EPOCH + SECONDS_PER_NEWTON_SAMPLE))


def _centering_cost(p: CenteringParams) -> float:
    return _training_cost(p, 2) + GRID * GRID * p.n_samples * SECONDS_PER_GRID_SAMPLE


def _sweep_cost(p: SweepParams) -> float:
    return _training_cost(p, 2 * p.n_shifts * p.n_seeds)


def shift_sweep(p: SweepParams) -> Result:
    """Epochs to target and condition numbers against the shift, raw and centred, n_seeds data sets each."""
    shifts = np.linspace(0.0, p.max_shift, p.n_shifts)
    A, ys = [], []
    for k in range(p.n_seeds):
        U, Y = teacher_neuron(p.n_samples, p.seed + k, (p.teacher_w1, p.teacher_w2), 0.0)
        for s in shifts:
            X = U + s
            A += [design(X), design(X - X.mean(axis=0))]
            ys += [Y[:, 0], Y[:, 0]]
    A_, y_ = np.stack(A), np.stack(ys)  # members ordered (seed, shift, raw/centred)
    theta_star, loss_star = newton_optimum(A_, y_)
    cond = condition_number(hessian(A_, theta_star)).reshape(p.n_seeds, p.n_shifts, 2)
    run = neuron_sgd(A_, y_, p.lr, p.epochs, p.batch_size, p.shuffle_seed())
    optimal = np.repeat(loss_star[0::2], 2)  # the raw optimum serves both runs of a data set
    hits = epochs_to_target(run.losses, optimal, p.target_gap).reshape(p.n_seeds, p.n_shifts, 2)
    censored = np.where(hits >= 0, hits, p.epochs).astype(float)
    mean_epochs = censored.mean(axis=0)  # (n_shifts, 2)
    reached = (hits >= 0).mean(axis=0)
    with np.errstate(over="ignore"):
        mean_cond = np.exp(np.log(cond).mean(axis=0))  # geometric mean over seeds
    data = {
        "shifts": shifts,
        "epochs_to_target_raw": mean_epochs[:, 0], "epochs_to_target_centered": mean_epochs[:, 1],
        "reached_fraction_raw": reached[:, 0], "reached_fraction_centered": reached[:, 1],
        "epochs_to_target_raw_by_seed": hits[:, :, 0], "epochs_to_target_centered_by_seed": hits[:, :, 1],
        "condition_number_raw": mean_cond[:, 0], "condition_number_centered": mean_cond[:, 1],
    }
    metrics = {
        "largest_shift_epochs_raw": float(mean_epochs[-1, 0]),
        "largest_shift_epochs_centered": float(mean_epochs[-1, 1]),
        "largest_shift_condition_raw": float(mean_cond[-1, 0]),
        "largest_shift_condition_centered": float(mean_cond[-1, 1]),
        **outcome(np.asarray(run.losses)),
    }
    figures = {
        "epochs_vs_shift": figs.epochs_vs_shift(shifts, hits, mean_epochs, p.epochs, p.lang),
        "condition_vs_shift": figs.condition_vs_shift(shifts, cond, mean_cond, p.lang),
    }
    return Result(metrics, data, figures)


_RAW, _CEN = text("raw", "原始输入"), text("centred", "中心化输入")


def _m(label_en: str, label_zh: str, en: str, zh: str) -> Metric:
    return Metric(text(label_en, label_zh), text(en, zh))


EXERCISE = Exercise(
    id="4-1",
    title=text("Non-zero-centred inputs", "输入不以零为中心"),
    question=text(
        "A single neuron σ(wᵀx + b) is trained by gradient descent. Why does it converge more slowly "
        "when every input component is positive than when the inputs have zero mean?",
        "用梯度下降训练单个神经元 σ(wᵀx + b)。为什么当输入的每个分量都为正时，收敛比输入均值为零时更慢？",
    ),
    experiments=(
        Experiment(
            name="centering",
            title=text("Raw against centred inputs", "原始输入与中心化输入对比"),
            summary=text(
                "Two identical neurons start at w = 0, b = 0 and see the same samples in the same order: one "
                "gets the shifted, all-positive inputs, the other the same inputs minus their mean. The raw "
                "neuron's weight updates all point into quadrant I or III, and its loss crawls.",
                "两个相同的神经元都从 w = 0、b = 0 出发，以相同顺序看到相同的样本：一个接收平移后全为正的输入，"
                "另一个接收减去均值后的同一批输入。原始输入神经元的权重更新只指向第一或第三象限，损失下降缓慢。",
            ),
            params=CenteringParams,
            run=centering,
            cost=_centering_cost,
            cost_fields=("epochs", "n_samples", "batch_size"),
            metrics={
                "same_sign_fraction_raw": _m(
                    "same-sign updates, raw", "同号更新比例（原始）",
                    "Fraction of updates whose Δw₁ and Δw₂ share one sign: exactly 1 when every input is positive "
                    "and each update uses one sample.",
                    "Δw₁ 与 Δw₂ 同号的更新所占比例：输入全为正且每次只用一个样本时恰为 1。"),
                "same_sign_fraction_centered": _m(
                    "same-sign updates, centred", "同号更新比例（中心化）",
                    "The same fraction for centred inputs, whose components take both signs.",
                    "中心化输入的同一比例；其分量有正有负。"),
                "final_loss_raw": _m("final loss, raw", "最终损失（原始）", "Mean loss after the last epoch.",
                                     "最后一轮后的平均损失。"),
                "final_loss_centered": _m("final loss, centred", "最终损失（中心化）",
                                          "Mean loss after the last epoch.", "最后一轮后的平均损失。"),
                "optimal_loss": _m("optimal loss", "最优损失",
                                   "Minimum of the mean loss (Newton's method); the same for both inputs.",
                                   "平均损失的最小值（牛顿法求得）；两种输入相同。"),
                "epochs_to_target_raw": _m("epochs to target, raw", "达到目标的轮数（原始）",
                                           "First epoch with loss ≤ optimal loss + target gap; empty if never.",
                                           "损失首次 ≤ 最优损失 + 目标差距的轮次；从未达到则为空。"),
                "epochs_to_target_centered": _m("epochs to target, centred", "达到目标的轮数（中心化）",
                                                "First epoch with loss ≤ optimal loss + target gap; empty if never.",
                                                "损失首次 ≤ 最优损失 + 目标差距的轮次；从未达到则为空。"),
                "condition_number_raw": _m("Hessian condition number, raw", "Hessian 条件数（原始）",
                                           "λ_max/λ_min of the loss's Hessian in (w₁, w₂, b) at the optimum.",
                                           "最优点处损失关于 (w₁, w₂, b) 的 Hessian 的 λ_max/λ_min。"),
                "condition_number_centered": _m("Hessian condition number, centred", "Hessian 条件数（中心化）",
                                                "λ_max/λ_min of the loss's Hessian in (w₁, w₂, b) at the optimum.",
                                                "最优点处损失关于 (w₁, w₂, b) 的 Hessian 的 λ_max/λ_min。"),
            },
        ),
        Experiment(
            name="shift-sweep",
            title=text("How the slowdown grows with the shift", "减速如何随平移量增长"),
            summary=text(
                "The same comparison at shifts from 0 up, for several data sets at once. The centred problem does "
                "not depend on the shift at all; the raw one gets worse conditioned and slower as the shift grows.",
                "在从 0 开始的多个平移量下重复同一对比，一次计算多个数据集。中心化问题与平移量完全无关；"
                "原始问题随平移量增大，条件数变差，收敛变慢。",
            ),
            params=SweepParams,
            run=shift_sweep,
            cost=_sweep_cost,
            cost_fields=("epochs", "n_samples", "n_shifts", "n_seeds", "batch_size"),
            metrics={
                "largest_shift_epochs_raw": _m(
                    "epochs to target at the largest shift, raw", "最大平移量下达到目标的轮数（原始）",
                    "Mean over seeds; a seed that never reaches the target counts as the number of epochs.",
                    "对种子取平均；从未达到目标的种子按总轮数计。"),
                "largest_shift_epochs_centered": _m(
                    "epochs to target at the largest shift, centred", "最大平移量下达到目标的轮数（中心化）",
                    "Mean over seeds; the same at every shift.", "对种子取平均；在每个平移量下都相同。"),
                "largest_shift_condition_raw": _m(
                    "condition number at the largest shift, raw", "最大平移量下的条件数（原始）",
                    "Geometric mean over seeds of the Hessian's λ_max/λ_min at the optimum.",
                    "最优点处 Hessian 的 λ_max/λ_min 对种子的几何平均。"),
                "largest_shift_condition_centered": _m(
                    "condition number at the largest shift, centred", "最大平移量下的条件数（中心化）",
                    "The same at every shift: centred data do not depend on it.",
                    "在每个平移量下都相同：中心化后的数据与平移量无关。"),
            },
        ),
    ),
)
