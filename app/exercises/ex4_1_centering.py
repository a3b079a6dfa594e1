"""4-1 — Why non-zero-centred inputs slow gradient descent down.

Experiments: centering (one shift: a neuron on the raw inputs against the same neuron on the
centred inputs, same data, same init, same sample order) and shift-sweep (epochs to target and
Hessian condition number against the shift, many data seeds in one vectorised run).

The neuron's numerics are in ex4_1_neuron, the parameters in ex4_1_params; this module runs the
experiments and describes them. Their figures are drawn afterwards, in any language, by
app.figures.ex4_1 from the Result (the paths and per-seed condition numbers ride along in `views`).
"""

from __future__ import annotations

import numpy as np

from app.exercises import work
from app.exercises.base import Exercise, Experiment, Result, metric
from app.exercises.common import outcome
from app.exercises.ex4_1_neuron import (
    condition_number,
    design,
    epochs_to_target,
    hessian,
    newton_optimum,
    path_straightness,
    profile_loss,
    same_sign_fraction,
    train_neurons,
)
from app.exercises.ex4_1_params import CenteringParams, SweepParams, TrainingParams
from app.figures import ex4_1 as figs
from app.i18n import text
from app.nn.data import teacher_neuron
from app.nn.train import loss_diverged

GRID = 41  # contour grid of the trajectory figure, GRID × GRID points of (w₁, w₂)
PATH_POINTS = 300  # log-spaced steps kept for each path
SHOWN_UPDATES = 1000  # points per run in the update_signs figure

# Newton's method costs about this many evaluation passes (app.exercises.work.evaluation of a sigmoid
# neuron) over every member's data before it converges: some ten iterations, each a gradient, a Hessian
# (σ and the batched Aᵀ diag(σ′) A) and a loss or two, timed at about ten passes apiece.
NEWTON_PASSES = 100


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
    run = train_neurons(A[..., :2], ys, p.lr, p.epochs, p.batch_size, p.shuffle_seed(), record=True)
    assert run.thetas is not None
    hits = epochs_to_target(run.losses, np.full(2, optimal), p.target_gap)
    updates = np.diff(run.thetas[:, :, :2], axis=0)  # (T, S, 2): each update's (Δw₁, Δw₂)
    steps = len(updates)
    spe = p.steps_per_epoch()

    # Paths: log-spaced steps (dense at the start, where the zig-zag is).
    kept = np.unique(np.r_[0, np.geomspace(1, steps, PATH_POINTS).round().astype(int)])
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
    signs = same_sign_fraction(updates[:, 0]), same_sign_fraction(updates[:, 1])
    straight = tuple(path_straightness(run.thetas[:spe + 1, i, :2]) for i in range(2))  # the first epoch
    metrics = {
        "same_sign_fraction_raw": signs[0],
        "same_sign_fraction_centered": signs[1],
        "path_straightness_raw": straight[0],
        "path_straightness_centered": straight[1],
        "final_loss_raw": float(run.losses[0, -1]),
        "final_loss_centered": float(run.losses[1, -1]),
        "optimal_loss": optimal,
        "epochs_to_target_raw": _to_epochs(hits[:1])[0],
        "epochs_to_target_centered": _to_epochs(hits[1:])[0],
        "condition_number_raw": float(cond[0]),
        "condition_number_centered": float(cond[1]),
        "optimal_bias_raw": float(theta_star[0, 2]),
        "optimal_bias_centered": float(theta_star[1, 2]),
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
    # The replay draws both paths up to any step: (w₁, w₂) after every step, for the figure only.
    return Result(metrics, data, views={"thetas": run.thetas[:, :, :2]})


def _training_work(p: TrainingParams, members: int) -> work.Work:
    """The work of `members` neurons trained by SGD (app.nn.neuron's kernel) and of their Newton optima."""
    return (work.training(members, p.n_samples, (2, 1), p.epochs, p.batch_size, "linear", shared_inputs=False,
                          loss="bce")
            + work.evaluation(members, p.n_samples, (3, 1), times=NEWTON_PASSES, activation="sigmoid"))


def _centering_cost(p: CenteringParams) -> float:
    """Two neurons, and the profile loss over the GRID² contour grid: a neuron per point, 8 Newton steps in b
    (each σ and two means over the samples, some three passes) and the loss at the end."""
    return work.seconds(_training_work(p, 2) + work.evaluation(GRID**2, p.n_samples, (2, 1), times=3 * 8 + 1,
                                                                 activation="sigmoid"))


def _sweep_cost(p: SweepParams) -> float:
    """A raw and a centred neuron per shift and data set, trained as one ensemble."""
    return work.seconds(_training_work(p, 2 * p.n_shifts * p.n_seeds))


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
    run = train_neurons(A_[..., :2], y_, p.lr, p.epochs, p.batch_size, p.shuffle_seed())
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
    last = hits[:, -1]  # (n_seeds, 2) at the largest shift
    centered_faster = (last[:, 1] >= 0) & ((last[:, 0] < 0) | (last[:, 1] < last[:, 0]))
    # κ ∝ s^k for large s, k → 4 (λ_max grows like s², λ_min shrinks like 1/s²): the log-log slope of κ
    # over the upper half of the shifts.
    upper = shifts >= shifts[-1] / 2
    exponent = (float(np.polyfit(np.log(shifts[upper]), np.log(mean_cond[upper, 0]), 1)[0])
                if upper.sum() >= 2 and np.isfinite(mean_cond[upper, 0]).all() else None)
    metrics = {
        "largest_shift": float(shifts[-1]),
        "data_sets": p.n_seeds,
        "largest_shift_epochs_raw": float(mean_epochs[-1, 0]),
        "largest_shift_epochs_centered": float(mean_epochs[-1, 1]),
        "largest_shift_reached_raw": int((last[:, 0] >= 0).sum()),
        "largest_shift_centered_faster": int(centered_faster.sum()),
        "largest_shift_condition_raw": float(mean_cond[-1, 0]),
        "largest_shift_condition_centered": float(mean_cond[-1, 1]),
        "condition_exponent_raw": exponent,
        "diverged_raw_runs": int(loss_diverged(run.losses[0::2]).sum()),
        **outcome(np.asarray(run.losses)),
    }
    return Result(metrics, data, views={"condition_by_seed": cond})


_RAW, _CEN = text("raw", "原始输入"), text("centred", "中心化输入")


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
                "gets the shifted, all-positive inputs, the other the same inputs minus their mean. With one "
                "sample per update, the raw neuron's weight updates all point into quadrant I or III, and its "
                "loss crawls.",
                "两个相同的神经元都从 w = 0、b = 0 出发，以相同顺序看到相同的样本：一个接收平移后全为正的输入，"
                "另一个接收减去均值后的同一批输入。每次只用一个样本更新时，原始输入神经元的权重更新只指向第一或第三象限，损失下降缓慢。",
            ),
            params=CenteringParams,
            run=centering,
            draw=figs.centering,
            cost=_centering_cost,
            cost_fields=("epochs", "n_samples", "batch_size"),
            metrics={
                "same_sign_fraction_raw": metric(
                    "same-sign updates, raw", "同号更新比例（原始）",
                    "Fraction of updates whose Δw₁ and Δw₂ share one sign: exactly 1 when every input is positive "
                    "and each update uses one sample.",
                    "Δw₁ 与 Δw₂ 同号的更新所占比例：输入全为正且每次只用一个样本时恰为 1。"),
                "same_sign_fraction_centered": metric(
                    "same-sign updates, centred", "同号更新比例（中心化）",
                    "The same fraction for centred inputs, whose components take both signs.",
                    "中心化输入的同一比例；其分量有正有负。"),
                "path_straightness_raw": metric(
                    "path straightness, raw", "路径平直度（原始）",
                    "In the first epoch: the distance the (w₁, w₂) path gets from its start over the length it "
                    "walks; 1 for a straight path, near 0 for a zig-zag.",
                    "第一轮中 (w₁, w₂) 路径离开起点的距离与走过的长度之比；直线为 1，“之”字形接近 0。"),
                "path_straightness_centered": metric(
                    "path straightness, centred", "路径平直度（中心化）",
                    "The same ratio for the centred run.", "中心化输入的同一比值。"),
                "final_loss_raw": metric("final loss, raw", "最终损失（原始）", "Mean loss after the last epoch.",
                                         "最后一轮后的平均损失。"),
                "final_loss_centered": metric("final loss, centred", "最终损失（中心化）",
                                              "Mean loss after the last epoch.", "最后一轮后的平均损失。"),
                "optimal_loss": metric("optimal loss", "最优损失",
                                       "Minimum of the mean loss (Newton's method); the same for both inputs.",
                                       "平均损失的最小值（牛顿法求得）；两种输入相同。"),
                "epochs_to_target_raw": metric("epochs to target, raw", "达到目标的轮数（原始）",
                                               "First epoch with loss ≤ optimal loss + target gap; empty if never.",
                                               "损失首次 ≤ 最优损失 + 目标差距的轮次；从未达到则为空。"),
                "epochs_to_target_centered": metric("epochs to target, centred", "达到目标的轮数（中心化）",
                                                    "First epoch with loss ≤ optimal loss + target gap; empty if never.",
                                                    "损失首次 ≤ 最优损失 + 目标差距的轮次；从未达到则为空。"),
                "condition_number_raw": metric("Hessian condition number, raw", "Hessian 条件数（原始）",
                                               "λ_max/λ_min of the loss's Hessian in (w₁, w₂, b) at the optimum.",
                                               "最优点处损失关于 (w₁, w₂, b) 的 Hessian 的 λ_max/λ_min。"),
                "condition_number_centered": metric("Hessian condition number, centred", "Hessian 条件数（中心化）",
                                                    "λ_max/λ_min of the loss's Hessian in (w₁, w₂, b) at the optimum.",
                                                    "最优点处损失关于 (w₁, w₂, b) 的 Hessian 的 λ_max/λ_min。"),
                "optimal_bias_raw": metric("optimal bias, raw", "最优偏置（原始）",
                                           "b at the optimum of the raw problem: b_raw = b_centred − wᵀ mean(x).",
                                           "原始问题最优点处的 b：b_原始 = b_中心化 − wᵀ mean(x)。"),
                "optimal_bias_centered": metric("optimal bias, centred", "最优偏置（中心化）",
                                                "b at the optimum of the centred problem; the optimal w is the same.",
                                                "中心化问题最优点处的 b；最优的 w 相同。"),
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
            draw=figs.shift_sweep,
            cost=_sweep_cost,
            cost_fields=("epochs", "n_samples", "n_shifts", "n_seeds", "batch_size"),
            metrics={
                "largest_shift": metric("largest shift", "最大平移量", "The last shift of the sweep.",
                                        "扫描中的最后一个平移量。"),
                "data_sets": metric("data sets", "数据集个数", "Data sets per shift (the seeds).",
                                    "每个平移量的数据集个数（种子数）。"),
                "largest_shift_epochs_raw": metric(
                    "epochs to target at the largest shift, raw", "最大平移量下达到目标的轮数（原始）",
                    "Mean over seeds; a seed that never reaches the target counts as the number of epochs.",
                    "对种子取平均；从未达到目标的种子按总轮数计。"),
                "largest_shift_epochs_centered": metric(
                    "epochs to target at the largest shift, centred", "最大平移量下达到目标的轮数（中心化）",
                    "Mean over seeds; the same at every shift.", "对种子取平均；在每个平移量下都相同。"),
                "largest_shift_reached_raw": metric(
                    "raw runs at target, largest shift", "最大平移量下达到目标的原始输入次数",
                    "How many of the data sets' raw runs reach the target within the epochs.",
                    "在给定轮数内达到目标的原始输入训练次数（按数据集计）。"),
                "largest_shift_centered_faster": metric(
                    "centred faster, largest shift", "最大平移量下中心化更快的次数",
                    "How many data sets' centred run reaches the target in fewer epochs than the raw run (a raw "
                    "run that never reaches it counts as slower).",
                    "中心化输入比原始输入用更少轮数达到目标的数据集个数（原始输入从未达到目标的计为更慢）。"),
                "largest_shift_condition_raw": metric(
                    "condition number at the largest shift, raw", "最大平移量下的条件数（原始）",
                    "Geometric mean over seeds of the Hessian's λ_max/λ_min at the optimum.",
                    "最优点处 Hessian 的 λ_max/λ_min 对种子的几何平均。"),
                "largest_shift_condition_centered": metric(
                    "condition number at the largest shift, centred", "最大平移量下的条件数（中心化）",
                    "The same at every shift: centred data do not depend on it.",
                    "在每个平移量下都相同：中心化后的数据与平移量无关。"),
                "condition_exponent_raw": metric(
                    "growth exponent of the raw condition number", "原始输入条件数的增长指数",
                    "k in κ ∝ shiftᵏ: the log-log slope of the raw condition number over the upper half of the "
                    "shifts; it tends to 4 as the shift grows.",
                    "κ ∝ 平移量ᵏ 中的 k：原始输入条件数在较大一半平移量上的双对数斜率；平移量越大越接近 4。"),
                "diverged_raw_runs": metric(
                    "diverged raw runs", "发散的原始输入训练次数",
                    "Raw-input runs, over all shifts and data sets, whose loss ended more than 10 % above its start.",
                    "所有平移量与数据集中，损失结束时比初始值高出 10% 以上的原始输入训练次数。"),
            },
        ),
    ),
)
