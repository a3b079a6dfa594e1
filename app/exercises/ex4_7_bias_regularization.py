"""4-7 — Why the biases are usually left out of the regulariser.

Experiments: bias-regularization (one model trained three times on the same data: no penalty, L2 on the
weights only, L2 on weights and biases; fits, test error, every learned bias), offset-sweep (test error of
the two penalised fits as the targets are shifted by an offset from −10 to 10).

Loss convention of the core: the data term is half the mean squared error, ½·mean(e²), and the penalty
is (λ/2)·Σθ² over the penalised parameters. For the neuron f(x) = wx + b the minimiser solves
    (mean x² + λ_w) w + x̄ b = mean(xy),   x̄ w + (1 + λ_b) b = ȳ,
so with the bias penalised b = (ȳ − w x̄)/(1 + λ) (the ½ of both terms cancels), unpenalised b = ȳ − w x̄.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from app.exercises.base import COMMON_METRICS, Exercise, Experiment, Metric, Params, Result, param
from app.exercises.common import outcome
from app.figures import ex4_7 as figs
from app.figures.common import frame_indices
from app.i18n import text
from app.nn.network import Network, forward, init_network, predict
from app.nn.train import TrainRecord, train

SLOPE = 1.0  # a of the line target y = a·x + offset
X_LO, X_HI = -math.pi, math.pi
TEST_POINTS = 201
SWEEP_OFFSETS = np.arange(-10.0, 10.5, 1.0)
# Gradient descent on the neuron's quadratic objective with step 1/λ_max contracts the error by at least
# (1 − λ_min/λ_max) per step; run until that bound is below e^-34 ≈ 2e-15 (capped).
NEURON_CONTRACTION_LOG = 34.0
NEURON_MAX_EPOCHS = 5000
PENALTIES = ("none", "weights_only", "weights_and_biases")
REPLAY_FRAMES = 25
NETWORK_SNAPSHOTS = 201  # the network's snapshots; the neuron keeps every epoch (a copy of two numbers)


class CommonParams(Params):
    """Everything but the offset: shared by both experiments."""

    model: Literal["neuron", "network"] = param(
        "neuron", text("Model", "模型"),
        text("One linear neuron y = wx + b, or a network with one hidden layer and a linear output.",
             "一个线性神经元 y = wx + b，或一个单隐藏层、线性输出的网络。"))
    target: Literal["line", "sine"] = param(
        "line", text("Target", "目标函数"),
        text("line: y = x + offset + noise; sine: y = sin x + offset + noise, on [−π, π].",
             "line：y = x + 偏移 + 噪声；sine：y = sin x + 偏移 + 噪声，x ∈ [−π, π]。"))
    noise: float = param(0.3, text("Noise", "噪声"), text("Standard deviation of the noise on the training targets.",
                                                          "训练目标上噪声的标准差。"), ge=0, le=3, step=0.05)
    n_train: int = param(30, text("Training points", "训练样本数"), text("x drawn uniformly on [−π, π].",
                                                                       "x 在 [−π, π] 上均匀抽取。"), ge=3, le=500)
    lam: float = param(0.1, text("λ (L2 strength)", "λ（L2 强度）"),
                       text("The penalty is (λ/2)·Σθ² over the penalised parameters.", "惩罚项为 (λ/2)·Σθ²，对被惩罚的参数求和。"),
                       ge=0, le=10, step=0.01)
    width: int = param(16, text("Hidden units (network)", "隐藏单元数（网络）"),
                       text("Width of the network's hidden layer.", "网络隐藏层的宽度。"), ge=1, le=64)
    activation: Literal["tanh", "relu"] = param(
        "tanh", text("Hidden activation (network)", "隐藏层激活函数（网络）"),
        text("tanh starts from Xavier, ReLU from He initialisation.", "tanh 用 Xavier 初始化，ReLU 用 He 初始化。"))
    epochs: int = param(3000, text("Epochs (network)", "训练轮数（网络）"),
                        text("Full-batch Adam steps for the network. The neuron is solved by gradient descent with "
                             "step 1/λ_max until converged.",
                             "网络的全批量 Adam 步数。神经元用步长 1/λ_max 的梯度下降一直训练到收敛。"), ge=1, le=10_000)
    lr: float = param(0.05, text("Learning rate (network)", "学习率（网络）"), text("Adam's step size.", "Adam 的步长。"),
                      ge=1e-4, le=1.0, scale="log")
    seed: int = param(0, text("Seed", "随机种子"), text("Seeds the data and the network's initialisation.",
                                                        "决定数据和网络初始化的随机性。"), ge=0, le=2**31 - 1)


class BiasParams(CommonParams):
    offset: float = param(5.0, text("Offset", "偏移"),
                          text("Constant added to every target: the data's mean level.", "加到每个目标值上的常数：数据的平均水平。"),
                          ge=-20, le=20, step=0.5)


# ---------------------------------------------------------------- data and fits

def clean(target: str, x: np.ndarray) -> np.ndarray:
    """Return the noise-free target without offset."""
    return SLOPE * x if target == "line" else np.sin(x)


def make_data(p: CommonParams) -> tuple[np.ndarray, np.ndarray]:
    """Return x (n, 1) sorted and the offset-free noisy targets (n, 1); add the offset yourself."""
    rng = np.random.default_rng(p.seed)
    x = np.sort(rng.uniform(X_LO, X_HI, size=p.n_train))
    y = clean(p.target, x) + p.noise * rng.normal(size=p.n_train)
    return x[:, None], y[:, None]


def neuron_hessian(x: np.ndarray, lam_w: float, lam_b: float) -> np.ndarray:
    """Return the (constant) Hessian of ½·mean((wx+b−y)²) + (λ_w/2)w² + (λ_b/2)b² in (w, b)."""
    return np.array([[np.mean(x * x) + lam_w, np.mean(x)], [np.mean(x), 1.0 + lam_b]])


def closed_form(x: np.ndarray, y: np.ndarray, lam_w: float, lam_b: float) -> np.ndarray:
    """Return (w, b) minimising the neuron's objective, solving the 2×2 normal equations; y (S, n)."""
    H = neuron_hessian(x, lam_w, lam_b)
    rhs = np.stack([np.mean(x * y, axis=-1), np.mean(y, axis=-1)], axis=-1)  # (S, 2)
    return np.linalg.solve(H, rhs.T).T


def fit_record(p: CommonParams, x: np.ndarray, Y: np.ndarray, lam_w: float, lam_b: float,
               snapshots: bool = False) -> TrainRecord:
    """Train S models (one per row of Y (S, n, 1)) from the same start; return the training record.

    The inputs x (n, 1) are shared by all members, only the targets differ (the core's shared-input path).
    snapshots: keep every epoch of the neuron, NETWORK_SNAPSHOTS of the network (else the ends only).
    """
    S, X = Y.shape[0], x
    if p.model == "neuron":
        epochs, eta = neuron_epochs(x[:, 0], lam_w, lam_b)
        net = init_network((1, 1), "linear", "linear", [p.seed] * S, weight_init="zeros")
        return train(net, X, Y, loss="mse", epochs=epochs, eta=eta, optimizer="sgd", l2_weights=lam_w,
                     l2_biases=lam_b, n_snapshots=epochs + 1 if snapshots else 2, record_grad_norms=False)
    init = "he" if p.activation == "relu" else "xavier"
    net = init_network((1, p.width, 1), p.activation, "linear", [p.seed] * S, weight_init=init)
    return train(net, X, Y, loss="mse", epochs=p.epochs, eta=p.lr, optimizer="adam", l2_weights=lam_w,
                 l2_biases=lam_b, n_snapshots=NETWORK_SNAPSHOTS if snapshots else 2, record_grad_norms=False)


def fit(p: CommonParams, x: np.ndarray, Y: np.ndarray, lam_w: float, lam_b: float) -> tuple[Network, np.ndarray]:
    """Train S models as fit_record does; return the final net and the losses (S, E+1)."""
    rec = fit_record(p, x, Y, lam_w, lam_b)
    return rec.net, rec.losses


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


def neuron_epochs(x: np.ndarray, lam_w: float, lam_b: float) -> tuple[int, float]:
    """Return (steps, step size 1/λ_max) of gradient descent that reaches the neuron's minimum."""
    ev = np.linalg.eigvalsh(neuron_hessian(x, lam_w, lam_b))
    return min(NEURON_MAX_EPOCHS, math.ceil(NEURON_CONTRACTION_LOG * ev[-1] / ev[0])), 1.0 / ev[-1]


def fit_cost(p: CommonParams, members: int) -> float:
    """Estimate the seconds of the costliest fit (calibrated on this code; a cache cliff past ~250k entries)."""
    if p.model == "neuron":
        x = make_data(p)[0][:, 0]
        return max(neuron_epochs(x, p.lam, b)[0] for b in (0.0, p.lam)) * (8e-5 + 2e-9 * members * p.n_train)
    entries = members * p.n_train * p.width
    return p.epochs * (1e-4 + entries * (1.2e-8 if entries <= 250_000 else 6e-8))


def penalty_strengths(lam: float, which: str) -> tuple[float, float]:
    """Return (λ_w, λ_b) for none, weights_only, weights_and_biases."""
    return {"none": (0.0, 0.0), "weights_only": (lam, 0.0), "weights_and_biases": (lam, lam)}[which]


def grid_points() -> np.ndarray:
    """Return the dense test inputs on [−π, π], (TEST_POINTS, 1)."""
    return np.linspace(X_LO, X_HI, TEST_POINTS)[:, None]


def level_parts(net: Network, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split the mean fitted level over the grid into (output bias, the rest), each (S,).

    mean_x f(x) = b_out + mean_x Σ_j v_j h_j(x): for the network the rest is what the hidden units carry;
    for the neuron it is w·mean(x) = 0 on the symmetric grid.
    """
    cache = forward(net, grid)
    b_out = net.b[-1][:, 0, 0]
    rest = cache.A[-1][..., 0].mean(axis=1) - b_out
    return b_out, rest


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
        metrics[f"mean_abs_slope_{k}"] = float(np.mean(np.abs(np.gradient(curves[k], grid[:, 0]))))
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
        for k in PENALTIES:
            metrics[f"offset_in_hidden_{k}"] = float(parts[k][1][0])
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
    figures = figs.bias_regularization(p.model, x[:, 0], Y[0, :, 0], grid[:, 0], truth, curves,
                                       {k: metrics[f"test_mse_{k}"] for k in PENALTIES}, biases,
                                       {k: (float(parts[k][0][0]), float(parts[k][1][0])) for k in PENALTIES},
                                       p.offset, p.lang)
    figures["fits_replay"] = figs.fits_replay(x[:, 0], Y[0, :, 0], grid[:, 0], truth, replay, replay_epochs, p.lang)
    return Result(metrics, data, figures)


def _all_biases(net: Network) -> np.ndarray:
    """Return every bias of member 0: the hidden ones, then the output bias."""
    return np.concatenate([b[0, 0] for b in net.b])


def bias_cost(p: BiasParams) -> float:
    """Three fits of one model."""
    return 3 * fit_cost(p, 1)


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
    metrics = {
        "test_mse_weights_only_spread": float(np.max(wo) - np.min(wo)),
        "test_mse_weights_only_at_10": float(np.mean(wo[top])),
        "test_mse_weights_and_biases_at_10": float(np.mean(wb[top])),
        "test_mse_weights_and_biases_at_0": float(wb[zero][0]),
        **outcome(runs),
    }
    predicted = None
    if p.model == "neuron":
        # Shifting the targets by c moves the penalised bias by c/(1+λ) instead of c: the extra error is
        # the squared miss (cλ/(1+λ))² on top of the error at offset 0 (exact when x̄ = 0).
        predicted = wb[zero][0] + (SWEEP_OFFSETS * p.lam / (1 + p.lam)) ** 2
    data = {"offset": SWEEP_OFFSETS, "test_mse_weights_only": wo, "test_mse_weights_and_biases": wb}
    if predicted is not None:
        data["test_mse_weights_and_biases_predicted"] = predicted
    return Result(metrics, data, figs.offset_sweep(SWEEP_OFFSETS, wo, wb, predicted, p.model, p.lam, p.lang))


def sweep_cost(p: CommonParams) -> float:
    """Two ensembles of 21 members (one per offset)."""
    return 2 * fit_cost(p, len(SWEEP_OFFSETS))


# ---------------------------------------------------------------- the exercise

def _m(en_label: str, zh_label: str, en: str, zh: str) -> Metric:
    return Metric(text(en_label, zh_label), text(en, zh))


_NAMES = {"none": ("no penalty", "不惩罚"), "weights_only": ("weights only", "只惩罚权重"),
          "weights_and_biases": ("weights and biases", "权重和偏置都惩罚")}

_BIAS_METRICS: dict[str, Metric] = {}
for _k, (_en, _zh) in _NAMES.items():
    _BIAS_METRICS[f"test_mse_{_k}"] = _m(f"test MSE, {_en}", f"测试 MSE，{_zh}",
                                         "Mean squared error against the noise-free target on 201 points of [−π, π].",
                                         "在 [−π, π] 的 201 个点上与无噪声目标之间的均方误差。")
    _BIAS_METRICS[f"output_bias_{_k}"] = _m(f"output bias, {_en}", f"输出偏置，{_zh}",
                                            "The learned bias of the output unit.", "输出单元学到的偏置。")
    _BIAS_METRICS[f"mean_abs_slope_{_k}"] = _m(f"mean |f′(x)|, {_en}", f"平均 |f′(x)|，{_zh}",
                                               "Smoothness: the average steepness of the fit on the test grid.",
                                               "平滑程度：拟合曲线在测试网格上的平均陡峭程度。")
    _BIAS_METRICS[f"offset_in_hidden_{_k}"] = _m(
        f"level carried by hidden units, {_en}", f"隐藏单元承载的水平，{_zh}",
        "mean over x of Σⱼ vⱼ hⱼ(x): the part of the fitted mean level that is not the output bias.",
        "Σⱼ vⱼ hⱼ(x) 对 x 的平均：拟合平均水平中不由输出偏置提供的部分。")
_BIAS_METRICS.update({
    "shift": _m("fit lowered by the bias penalty", "偏置惩罚使拟合下移",
                "Mean of (weights-only fit − weights-and-biases fit) over the test grid.",
                "测试网格上（只惩罚权重的拟合 − 权重和偏置都惩罚的拟合）的平均值。"),
    "shift_predicted": _m("predicted shift, offset·λ/(1+λ)", "预测的下移量 offset·λ/(1+λ)",
                          "What the closed form predicts for the neuron when x̄ ≈ 0.", "x̄ ≈ 0 时神经元闭式解给出的预测。"),
    "closed_form_gap": _m("|trained − closed form|", "|训练结果 − 闭式解|",
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
                "weights only, and with L2 on the weights and the biases. Penalising the bias pulls the fit "
                "towards zero and misses the data's level; the slopes, which set how fast the fit changes, "
                "come out the same.",
                "同一个模型在同一份带噪声的数据上训练三次：不加惩罚、只对权重加 L2、对权重和偏置都加 L2。"
                "惩罚偏置会把拟合拉向 0，偏离数据的平均水平；而决定拟合变化快慢的斜率几乎相同。",
            ),
            params=BiasParams,
            run=bias_regularization,
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
                "bias too makes the error grow with the square of the offset.",
                "把目标整体平移 −10 到 10 的每个偏移量，噪声不变。只惩罚权重时，模型随数据一起平移，误差是一条水平线；"
                "同时惩罚偏置时，误差随偏移量的平方增长。",
            ),
            params=CommonParams,
            run=offset_sweep,
            cost=sweep_cost,
            cost_fields=("epochs", "n_train", "width"),
            metrics={
                **COMMON_METRICS,
                "test_mse_weights_only_spread": _m(
                    "spread of the weights-only error", "只惩罚权重时误差的极差",
                    "max − min of its test MSE over all offsets: 0 means exactly equivariant.",
                    "各偏移下测试 MSE 的最大值减最小值：为 0 表示严格平移等变。"),
                "test_mse_weights_only_at_10": _m("test MSE at |offset| = 10, weights only", "|偏移| = 10 时的测试 MSE，只惩罚权重",
                                                  "Mean of offsets −10 and 10.", "偏移 −10 与 10 的平均。"),
                "test_mse_weights_and_biases_at_10": _m(
                    "test MSE at |offset| = 10, weights and biases", "|偏移| = 10 时的测试 MSE，权重和偏置都惩罚",
                    "Mean of offsets −10 and 10.", "偏移 −10 与 10 的平均。"),
                "test_mse_weights_and_biases_at_0": _m(
                    "test MSE at offset 0, weights and biases", "偏移为 0 时的测试 MSE，权重和偏置都惩罚",
                    "With no offset there is nothing for the bias penalty to pull away.", "没有偏移时，偏置惩罚无可拉偏。"),
            },
        ),
    ),
)
