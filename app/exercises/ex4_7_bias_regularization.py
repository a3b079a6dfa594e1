"""4-7 — Why the biases are usually left out of the regulariser.

Experiments: bias-regularization (one model trained three times on the same data: no penalty, L2 on the
weights only, L2 on weights and biases; fits, test error, every learned bias and, for the network, how the
hidden units carry the level), offset-sweep (test error of the two penalised fits as the targets are shifted
by an offset from −10 to 10, with the neuron's exact closed form), seeds (the three fits over many seeds, in
ex4_7_seeds). Params, data, fits and the closed form live in ex4_7_fits.
"""

from __future__ import annotations

import numpy as np

from app.exercises import work
from app.exercises.base import COMMON_METRICS, Exercise, Experiment, Metric, Result, metric
from app.exercises.common import frame_indices, outcome
from app.exercises.ex4_7_check import CHECK_BIAS
from app.exercises.ex4_7_fits import (
    PENALTIES,
    BiasParams,
    CommonParams,
    anatomy,
    clean,
    closed_form,
    fit,
    fit_record,
    fit_work,
    grid_points,
    level_parts,
    make_data,
    mean_abs_slope,
    penalty_strengths,
    per_penalty,
    sweep_prediction,
)
from app.exercises.ex4_7_seeds import EXPERIMENT as SEEDS_EXPERIMENT
from app.figures import ex4_7 as figs
from app.i18n import text
from app.nn.network import Network, predict
from app.nn.train import TrainRecord

SWEEP_OFFSETS = np.arange(-10.0, 10.5, 1.0)
REPLAY_FRAMES = 25


def replay_curves(recs: dict[str, TrainRecord], grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the frames' epochs (F,) and the fits at those epochs on the grid, (F, 3, n_test).

    The frames are picked from the snapshots of the longest run; a run that stopped earlier (the
    neuron's three fits take different numbers of steps) shows its final state from then on.
    """
    longest = max(recs.values(), key=lambda r: int(r.snapshot_epochs[-1]))
    epochs = longest.snapshot_epochs[frame_indices(longest.snapshot_epochs, REPLAY_FRAMES)]
    curves = []
    for k in PENALTIES:
        se = recs[k].snapshot_epochs
        idx = [int(np.abs(se - min(int(e), int(se[-1]))).argmin()) for e in epochs]
        nets = recs[k].snapshots
        with np.errstate(all="ignore"):
            curves.append(np.stack([predict(nets[i], grid)[0, :, 0] for i in idx]))
    return epochs, np.stack(curves, axis=1)


# ---------------------------------------------------------------- bias-regularization

def bias_regularization(p: BiasParams) -> Result:
    """Train the model three times on the same data (no penalty, weights only, weights and biases) and compare."""
    x, y0 = make_data(p)
    Y = (y0 + p.offset)[None]
    grid = grid_points()
    truth = clean(p.target, grid[:, 0]) + p.offset
    nets, curves, losses, recs = {}, {}, {}, {}
    for k in PENALTIES:
        recs[k] = fit_record(p, x, Y, *penalty_strengths(p.lam, k), snapshots=True)
        nets[k], losses[k] = recs[k].net, recs[k].losses
        curves[k] = predict(nets[k], grid)[0, :, 0]
    replay_epochs, replay = replay_curves(recs, grid)
    metrics: dict[str, object] = {}
    for k in PENALTIES:
        metrics[f"test_mse_{k}"] = float(np.mean((curves[k] - truth) ** 2))
    for k in PENALTIES:
        metrics[f"output_bias_{k}"] = float(nets[k].b[-1][0, 0, 0])
    for k in PENALTIES:
        metrics[f"mean_abs_slope_{k}"] = float(mean_abs_slope(curves[k], grid[:, 0]))
    metrics["shift"] = float(np.mean(curves["weights_only"] - curves["weights_and_biases"]))
    parts = {k: level_parts(nets[k], grid) for k in PENALTIES}
    if p.model == "neuron":
        metrics["shift_predicted"] = p.offset * p.lam / (1.0 + p.lam)
        gaps = []
        for k in PENALTIES:
            wb = closed_form(x[:, 0], Y[..., 0], *penalty_strengths(p.lam, k))[0]
            gaps.append(max(abs(nets[k].W[0][0, 0, 0] - wb[0]), abs(nets[k].b[0][0, 0, 0] - wb[1])))
        metrics["closed_form_gap"] = float(max(gaps))
    else:
        anat = {k: anatomy(nets[k], grid, p.lam) for k in PENALTIES}
        for name in ("hidden", "hidden_share", "max_net_input"):
            for k in PENALTIES:
                metrics[f"{'offset_in_hidden' if name == 'hidden' else name}_{k}"] = float(anat[k][name][0])
        metrics["bias_route_penalty"] = float(anat["weights_and_biases"]["bias_route_penalty"][0])
        metrics["output_bias_alone_penalty"] = 0.5 * p.lam * p.offset**2
    for k in PENALTIES[1:]:
        metrics[f"penalty_{k}"] = float(recs[k].penalties[0, -1])
    metrics.update(outcome([losses[k][0] for k in PENALTIES]))

    biases = {k: _all_biases(nets[k]) for k in PENALTIES}
    data = {
        "x_train": x[:, 0], "y_train": Y[0, :, 0], "x_test": grid[:, 0], "target": truth,
        **{f"fit_{k}": curves[k] for k in PENALTIES},
        **{f"biases_{k}": biases[k] for k in PENALTIES},
        **{f"level_output_bias_{k}": float(parts[k][0][0]) for k in PENALTIES},
        **{f"level_hidden_{k}": float(parts[k][1][0]) for k in PENALTIES},
        "replay_epoch": replay_epochs,
    }
    # The replay's fits at ~25 epochs, (F, 3, n_test): drawn only, never sent.
    return Result(metrics, data, views={"replay": replay})


def _all_biases(net: Network) -> np.ndarray:
    """Return every bias of member 0: the hidden ones, then the output bias."""
    return np.concatenate([b[0, 0] for b in net.b])


def bias_cost(p: BiasParams) -> float:
    """Three fits of one model with their snapshots, each run on the grid at the end and at the replay's frames."""
    return work.seconds(3 * fit_work(p, 1, snapshots=True, shown=REPLAY_FRAMES + 1))


# ---------------------------------------------------------------- offset-sweep

def offset_sweep(p: CommonParams) -> Result:
    """Fit the two penalised models at every offset from −10 to 10 (one ensemble member per offset)."""
    x, y0 = make_data(p)
    Y = y0[None] + SWEEP_OFFSETS[:, None, None]  # (S, n, 1): the same noise, shifted
    grid = grid_points()
    truth = clean(p.target, grid[:, 0])[None] + SWEEP_OFFSETS[:, None]
    err, runs = {}, []
    for k in PENALTIES[1:]:
        net, losses = fit(p, x, Y, *penalty_strengths(p.lam, k))
        err[k] = np.mean((predict(net, grid)[..., 0] - truth) ** 2, axis=1)
        runs.extend(losses)
    wo, wb = err["weights_only"], err["weights_and_biases"]
    top = np.abs(SWEEP_OFFSETS) == SWEEP_OFFSETS.max()
    zero = SWEEP_OFFSETS == 0
    metrics: dict[str, object] = {
        "test_mse_weights_only_spread": float(np.max(wo) - np.min(wo)),
        "test_mse_weights_only_at_10": float(np.mean(wo[top])),
        "test_mse_weights_and_biases_at_10": float(np.mean(wb[top])),
        "test_mse_weights_and_biases_at_0": float(wb[zero][0]),
    }
    predicted = None
    if p.model == "neuron":
        # The exact test error of the bias-penalised minimiser: a parabola in the offset (sweep_prediction).
        predicted, alpha = sweep_prediction(x[:, 0], y0[:, 0], grid[:, 0], truth[zero][0],
                                            *penalty_strengths(p.lam, "weights_and_biases"), SWEEP_OFFSETS)
        metrics["curvature"] = alpha
        metrics["curvature_symmetric"] = (p.lam / (1 + p.lam)) ** 2
        metrics["prediction_gap"] = float(np.max(np.abs(predicted - wb)))
    metrics.update(outcome(runs))
    data = {"offset": SWEEP_OFFSETS, "test_mse_weights_only": wo, "test_mse_weights_and_biases": wb}
    if predicted is not None:
        data["test_mse_weights_and_biases_predicted"] = predicted
    return Result(metrics, data)


def sweep_cost(p: CommonParams) -> float:
    """Two ensembles of 21 members (one per offset), each run on the grid."""
    return work.seconds(2 * fit_work(p, len(SWEEP_OFFSETS)))


# ---------------------------------------------------------------- the exercise

_BIAS_METRICS: dict[str, Metric] = {
    **per_penalty(
        ("test_mse", "test MSE, {name}", "测试 MSE，{name}",
         "Mean squared error against the noise-free target on 201 points of [−π, π].",
         "在 [−π, π] 的 201 个点上与无噪声目标之间的均方误差。"),
        ("output_bias", "output bias, {name}", "输出偏置，{name}", "The learned bias of the output unit.",
         "输出单元学到的偏置。"),
        ("mean_abs_slope", "mean |f′(x)|, {name}", "平均 |f′(x)|，{name}",
         "Smoothness: the average steepness of the fit on the test grid.", "平滑程度：拟合曲线在测试网格上的平均陡峭程度。"),
        ("offset_in_hidden", "level carried by hidden units, {name}", "隐藏单元承载的水平，{name}",
         "mean over x of Σⱼ vⱼ hⱼ(x): the part of the fitted mean level that is not the output bias.",
         "Σⱼ vⱼ hⱼ(x) 对 x 的平均：拟合平均水平中不由输出偏置提供的部分。")),
    **per_penalty(("hidden_share", "share of the level in hidden units, {name}", "隐藏单元承担的份额，{name}",
                   "The level carried by the hidden units over the mean fitted level (output bias + hidden units).",
                   "隐藏单元承担的水平占拟合平均水平（输出偏置 + 隐藏单元）的比例。")),
    **per_penalty(("max_net_input", "largest |net input| of a hidden unit, {name}", "隐藏单元最大的 |净输入|，{name}",
                   "max over units and x ∈ [−π, π] of |wⱼx + c′ⱼ|. tanh′ = 1 − tanh² of it: above 0.4 up to |z| = 1 "
                   "(near-linear), below 0.03 beyond |z| = 2.5 (saturated).",
                   "对所有单元和 x ∈ [−π, π] 取 |wⱼx + c′ⱼ| 的最大值。tanh′ = 1 − tanh²：|z| ≤ 1 时大于 0.4（近似线性），"
                   "|z| > 2.5 时小于 0.03（饱和）。")),
}
_BIAS_METRICS.update({
    "bias_route_penalty": metric("λ·Σⱼ|vⱼ c′ⱼ|, weights and biases", "λ·Σⱼ|vⱼ c′ⱼ|，权重和偏置都惩罚",
                                 "The least that (λ/2)(vⱼ² + c′ⱼ²) can cost for the products vⱼc′ⱼ the hidden units use.",
                                 "隐藏单元所用的乘积 vⱼc′ⱼ 下，(λ/2)(vⱼ² + c′ⱼ²) 可能的最小代价。"),
    "output_bias_alone_penalty": metric("(λ/2)·offset²", "(λ/2)·偏移²",
                                        "What the output bias alone would pay to carry the whole offset.",
                                        "只靠输出偏置承担全部偏移时要付出的惩罚。"),
    "penalty_weights_only": metric("penalty paid, weights only", "付出的惩罚，只惩罚权重",
                                   "(λ/2)·Σθ² over the penalised parameters at the end of training.",
                                   "训练结束时对被惩罚参数计算的 (λ/2)·Σθ²。"),
    "penalty_weights_and_biases": metric("penalty paid, weights and biases", "付出的惩罚，权重和偏置都惩罚",
                                         "(λ/2)·Σθ² over the penalised parameters at the end of training.",
                                         "训练结束时对被惩罚参数计算的 (λ/2)·Σθ²。"),

    "shift": metric("fit lowered by the bias penalty", "偏置惩罚使拟合下移",
                    "Mean of (weights-only fit − weights-and-biases fit) over the test grid.",
                    "测试网格上（只惩罚权重的拟合 − 权重和偏置都惩罚的拟合）的平均值。"),
    "shift_predicted": metric("predicted shift, offset·λ/(1+λ)", "预测的下移量 offset·λ/(1+λ)",
                              "What the closed form predicts for the neuron when x̄ ≈ 0.", "x̄ ≈ 0 时神经元闭式解给出的预测。"),
    "closed_form_gap": metric("|trained − closed form|", "|训练结果 − 闭式解|",
                              "Largest gap between the trained (w, b) and the exact minimiser, over the three fits.",
                              "三次拟合中，训练得到的 (w, b) 与精确极小点之间的最大差距。"),
})

EXERCISE = Exercise(
    id="4-7",
    title=text("Why biases are not regularised", "为什么不对偏置正则化"),
    question=text(
        "L2 regularisation usually penalises the weights of a network but not its biases. Why?",
        "L2 正则化通常只惩罚网络的权重而不惩罚偏置。这是为什么？",
    ),
    experiments=(
        Experiment(
            name="bias-regularization",
            title=text("Three fits of the same data", "同一份数据的三种拟合"),
            summary=text(
                "The same model is trained three times on the same noisy data: without penalty, with L2 on the "
                "weights only, and with L2 on the weights and the biases. Penalising the bias pulls the neuron's "
                "fit towards zero, below the data's level; a network moves most of the level into its hidden "
                "units instead. The slopes, which set how fast the fit changes, come out about the same.",
                "同一个模型在同一份带噪声的数据上训练三次：不加惩罚、只对权重加 L2、对权重和偏置都加 L2。"
                "惩罚偏置会把神经元的拟合拉向 0，低于数据的平均水平；网络则把大部分水平转移到隐藏单元上。"
                "决定拟合变化快慢的斜率几乎相同。",
            ),
            params=BiasParams,
            run=bias_regularization,
            draw=figs.bias_regularization,
            cost=bias_cost,
            cost_fields=("epochs", "n_train", "width"),
            metrics={**COMMON_METRICS, **_BIAS_METRICS},
        ),
        Experiment(
            name="offset-sweep",
            title=text("Test error against the data's offset", "测试误差随数据偏移的变化"),
            summary=text(
                "The targets are shifted by every offset from −10 to 10, with the same noise. Penalising the "
                "weights only gives a model that shifts with the data, so its error is flat; penalising the "
                "bias too makes the neuron's error grow with the square of the offset (the dotted line is the "
                "exact closed form), the network's much more slowly.",
                "把目标整体平移 −10 到 10 的每个偏移量，噪声不变。只惩罚权重时，模型随数据一起平移，误差是一条水平线；"
                "同时惩罚偏置时，神经元的误差随偏移量的平方增长（点线是精确的闭式解），网络的误差则增长得慢得多。",
            ),
            params=CommonParams,
            run=offset_sweep,
            draw=figs.offset_sweep,
            cost=sweep_cost,
            cost_fields=("epochs", "n_train", "width"),
            metrics={
                **COMMON_METRICS,
                "test_mse_weights_only_spread": metric(
                    "spread of the weights-only error", "只惩罚权重时误差的极差",
                    "max − min of its test MSE over all offsets: 0 means exactly equivariant.",
                    "各偏移下测试 MSE 的最大值减最小值：为 0 表示严格平移等变。"),
                "test_mse_weights_only_at_10": metric("test MSE at |offset| = 10, weights only", "|偏移| = 10 时的测试 MSE，只惩罚权重",
                                                      "Mean of offsets −10 and 10.", "偏移 −10 与 10 的平均。"),
                "test_mse_weights_and_biases_at_10": metric(
                    "test MSE at |offset| = 10, weights and biases", "|偏移| = 10 时的测试 MSE，权重和偏置都惩罚",
                    "Mean of offsets −10 and 10.", "偏移 −10 与 10 的平均。"),
                "test_mse_weights_and_biases_at_0": metric(
                    "test MSE at offset 0, weights and biases", "偏移为 0 时的测试 MSE，权重和偏置都惩罚",
                    "With no offset there is nothing for the bias penalty to pull away.", "没有偏移时，偏置惩罚无可拉偏。"),
                "curvature": metric("α, the c² coefficient (neuron)", "α，c² 的系数（神经元）",
                                    "err(c) = err(0) + 2c·mean(rg) + αc², α = mean(g²) from the normal equations.",
                                    "err(c) = err(0) + 2c·mean(rg) + αc²，α = mean(g²) 由正规方程得到。"),
                "curvature_symmetric": metric("(λ/(1+λ))²", "(λ/(1+λ))²", "α when the sampled x̄ is exactly 0.",
                                              "采样得到的 x̄ 恰为 0 时的 α。"),
                "prediction_gap": metric("|measured − closed form|", "|实测 − 闭式解|",
                                         "Largest gap between the trained neuron's test error and the closed form, over "
                                         "the offsets.", "各偏移下训练得到的神经元测试误差与闭式解之间的最大差距。"),
            },
        ),
        SEEDS_EXPERIMENT,
        CHECK_BIAS,
    ),
)
