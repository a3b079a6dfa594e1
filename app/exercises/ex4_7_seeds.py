"""4-7 — the seeds experiment: the three fits (no penalty, weights only, weights and biases) over many seeds.

One seed decides both the data and the network's initialisation, and the network comparison changes rank
from one seed to the next; this experiment reports mean ± standard deviation and how often each fit wins.
Seed s here is the bias-regularization experiment at seed s, to rounding. The networks of all seeds train as one
ensemble per penalty (one data set per member); the neuron is its exact minimiser (the closed form the
bias-regularization experiment checks its training against).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import COMMON_METRICS, Experiment, Metric, Result, metric, param
from app.exercises.common import outcome
from app.exercises.ex4_7_fits import (
    PENALTIES,
    BiasParams,
    anatomy,
    clean,
    closed_form,
    fit_record,
    fit_work,
    grid_points,
    make_data,
    mean_abs_slope,
    penalty_strengths,
    per_penalty,
)
from app.figures import ex4_7 as figs
from app.i18n import text
from app.nn.network import predict

# The neuron's closed form for one seed and penalty: about this many NumPy calls over its data (sums, a 2 × 2 solve).
CLOSED_FORM_PASSES = 4

class SeedsParams(BiasParams):
    model: Literal["neuron", "network"] = param(
        "network", text("Model", "模型"),
        text("The network by default: its three fits change rank with the seed. The neuron's fits are its exact "
             "minimisers.", "默认为网络：它的三种拟合的优劣次序随种子而变。神经元的拟合取其精确极小点。"))
    seed: int = param(0, text("First seed", "第一个种子"),
                      text("The runs use seeds seed, seed+1, …, seed+n−1; seed s gives the same fits as the "
                           "first experiment at seed s.", "各次运行使用种子 seed, seed+1, …, seed+n−1；种子 s 与第一个实验取种子 s 时的拟合相同。"),
                      ge=0, le=2**31 - 1)
    n_seeds: int = param(10, text("Seeds", "种子数"),
                         text("How many seeds; each gives its own data and initialisation.",
                              "种子个数；每个种子有自己的数据和初始化。"), ge=2, le=40)


def seed_list(p: SeedsParams) -> list[int]:
    """Return the seeds seed, seed+1, …, seed+n_seeds−1."""
    return [p.seed + i for i in range(p.n_seeds)]


def seeds(p: SeedsParams) -> Result:
    """Fit the three ways at every seed; summarise the test errors and how often each fit is best or worst."""
    ss = seed_list(p)
    grid = grid_points()
    xs, ys = zip(*(make_data(p, s) for s in ss), strict=True)
    X, Y = np.stack(xs), np.stack(ys) + p.offset  # (S, n, 1) each: one data set per seed
    truth = clean(p.target, grid[:, 0]) + p.offset
    curves, parts, penalty, runs = {}, {}, {}, []
    if p.model == "network":  # the three fits side by side: one ensemble of 3·S members, a strength each
        S, lams = len(ss), [penalty_strengths(p.lam, k) for k in PENALTIES]
        rec = fit_record(p, np.tile(X, (3, 1, 1)), np.tile(Y, (3, 1, 1)), np.repeat([w for w, _ in lams], S),
                         np.repeat([b for _, b in lams], S), seeds=ss * 3)
        for i, k in enumerate(PENALTIES):
            net = rec.net.select(range(i * S, (i + 1) * S))
            curves[k] = predict(net, grid)[..., 0]
            parts[k] = anatomy(net, grid, p.lam)
            penalty[k] = rec.penalties[i * S:(i + 1) * S, -1]
            runs.extend(rec.losses[i * S:(i + 1) * S])
    else:  # the neuron: its closed form, per seed and penalty
        for k in PENALTIES:
            lam_w, lam_b = penalty_strengths(p.lam, k)
            wb = np.stack([closed_form(x[:, 0], y[None, :, 0], lam_w, lam_b)[0] for x, y in zip(X, Y, strict=True)])
            curves[k] = wb[:, :1] * grid[:, 0] + wb[:, 1:]
            parts[k] = {"output_bias": wb[:, 1]}
            penalty[k] = 0.5 * (lam_w * wb[:, 0] ** 2 + lam_b * wb[:, 1] ** 2)
    mse = {k: np.mean((curves[k] - truth) ** 2, axis=1) for k in PENALTIES}
    table = np.stack([mse[k] for k in PENALTIES], axis=1)  # (S, 3)
    best, worst = np.argmin(table, axis=1), np.argmax(table, axis=1)
    metrics: dict[str, object] = {"n_seeds": p.n_seeds}
    for k in PENALTIES:
        metrics[f"test_mse_mean_{k}"] = float(np.mean(mse[k]))
        metrics[f"test_mse_sd_{k}"] = float(np.std(mse[k], ddof=1))
    for i, k in enumerate(PENALTIES):
        metrics[f"lowest_error_count_{k}"] = int(np.sum(best == i))
    for i, k in enumerate(PENALTIES):
        metrics[f"highest_error_count_{k}"] = int(np.sum(worst == i))
    metrics["bias_penalty_worse_count"] = int(np.sum(mse["weights_and_biases"] > mse["weights_only"]))
    wb_bias = parts["weights_and_biases"]["output_bias"]
    metrics["output_bias_min_weights_and_biases"] = float(np.min(wb_bias))
    metrics["output_bias_max_weights_and_biases"] = float(np.max(wb_bias))
    if p.model == "network":
        metrics["hidden_share_min_weights_and_biases"] = float(np.min(parts["weights_and_biases"]["hidden_share"]))
        metrics["max_net_input_max_weights_and_biases"] = float(np.max(parts["weights_and_biases"]["max_net_input"]))
    metrics.update(outcome(runs) if runs else {})
    data: dict[str, object] = {"seed": ss}
    for k in PENALTIES:
        data[f"test_mse_{k}"] = mse[k]
        data[f"mean_abs_slope_{k}"] = mean_abs_slope(curves[k], grid[:, 0])
        data[f"penalty_{k}"] = penalty[k]
        for name, values in parts[k].items():
            data[f"{name}_{k}"] = values
    return Result(metrics, data)


def seeds_cost(p: SeedsParams) -> float:
    """One ensemble of 3 × n_seeds members (the three fits), one data set each, run on the grid (predict and
    anatomy's two passes); the neuron: a closed form per seed and penalty, a few NumPy calls over its data."""
    if p.model == "network":
        return work.seconds(fit_work(p, 3 * p.n_seeds, shared=False, shown=3))
    return work.seconds(work.evaluation(1, p.n_train, (1, 1), times=3 * CLOSED_FORM_PASSES * p.n_seeds))


_METRICS: dict[str, Metric] = {
    "n_seeds": metric("seeds", "种子数", "How many seeds were run.", "运行的种子个数。"),
    **per_penalty(("test_mse_mean", "mean test MSE, {name}", "测试 MSE 均值，{name}", "Average over the seeds.",
                   "对各种子取平均。"),
                  ("test_mse_sd", "sd of test MSE, {name}", "测试 MSE 标准差，{name}",
                   "Sample standard deviation over the seeds.", "各种子间的样本标准差。")),
    **per_penalty(("lowest_error_count", "seeds where {name} is best", "{name}误差最低的种子数",
                   "Seeds at which this fit has the lowest test MSE of the three.", "三种拟合中该拟合测试 MSE 最低的种子个数。")),
    **per_penalty(("highest_error_count", "seeds where {name} is worst", "{name}误差最高的种子数",
                   "Seeds at which this fit has the highest test MSE of the three.", "三种拟合中该拟合测试 MSE 最高的种子个数。")),
}
_METRICS.update({
    "bias_penalty_worse_count": metric("seeds where penalising biases hurts", "惩罚偏置使误差变大的种子数",
                                       "Seeds at which the weights-and-biases fit has a higher test MSE than weights only.",
                                       "权重和偏置都惩罚时的测试 MSE 高于只惩罚权重的种子个数。"),
    "output_bias_min_weights_and_biases": metric("smallest penalised output bias", "被惩罚的输出偏置的最小值",
                                                 "Over the seeds, of the weights-and-biases fit.", "各种子中，权重和偏置都惩罚的拟合。"),
    "output_bias_max_weights_and_biases": metric("largest penalised output bias", "被惩罚的输出偏置的最大值",
                                                 "Over the seeds, of the weights-and-biases fit.", "各种子中，权重和偏置都惩罚的拟合。"),
    "hidden_share_min_weights_and_biases": metric(
        "smallest share carried by hidden units", "隐藏单元承担份额的最小值",
        "Over the seeds: Σⱼ vⱼ·mean hⱼ over the mean fitted level, weights-and-biases fit.",
        "各种子中，权重和偏置都惩罚的拟合：Σⱼ vⱼ·mean hⱼ 占拟合平均水平的比例。"),
    "max_net_input_max_weights_and_biases": metric(
        "largest |net input| over all seeds", "所有种子中最大的 |净输入|",
        "Largest |wⱼx + c′ⱼ| of any hidden unit on [−π, π], weights-and-biases fit, over the seeds.",
        "权重和偏置都惩罚的拟合中，任一隐藏单元在 [−π, π] 上 |wⱼx + c′ⱼ| 的最大值（对所有种子）。"),
})

EXPERIMENT = Experiment(
    name="seeds",
    title=text("The three fits over many seeds", "多个随机种子下的三种拟合"),
    summary=text(
        "The bias-regularization experiment repeated at seeds seed, seed+1, …: each seed draws new data and a "
        "new initialisation. The network's three fits change rank from seed to seed, so the comparison is "
        "reported as mean ± standard deviation and as counts of the seeds where each fit is best or worst.",
        "在种子 seed, seed+1, … 上重复“同一份数据的三种拟合”实验：每个种子都有新的数据和新的初始化。"
        "网络的三种拟合的优劣次序随种子而变，因此这里报告均值 ± 标准差，以及每种拟合最好、最差的种子个数。",
    ),
    params=SeedsParams,
    run=seeds,
    draw=figs.seeds,
    cost=seeds_cost,
    cost_fields=("n_seeds", "epochs", "n_train", "width"),
    metrics={**COMMON_METRICS, **_METRICS},
)
