"""4-7 — the shared pieces: params, data, the three fits, the neuron's closed form, and what a fit is made of.

Loss convention of the core: the data term is half the mean squared error, ½·mean(e²), and the penalty
is (λ/2)·Σθ² over the penalised parameters. For the neuron f(x) = wx + b the minimiser solves
    (mean x² + λ_w) w + x̄ b = mean(xy),   x̄ w + (1 + λ_b) b = ȳ,
so with the bias penalised b = (ȳ − w x̄)/(1 + λ) (the ½ of both terms cancels), unpenalised b = ȳ − w x̄.

The network is f(x) = Σⱼ vⱼ h(wⱼ x + c′ⱼ) + b: hidden biases c′ⱼ, outgoing weights vⱼ, output bias b.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import Metric, Params, metric, param
from app.i18n import text
from app.nn.network import Network, forward, init_network
from app.nn.train import TrainRecord, train

SLOPE = 1.0  # a of the line target y = a·x + offset
X_LO, X_HI = -math.pi, math.pi
TEST_POINTS = 201
# Gradient descent on the neuron's quadratic objective with step 1/λ_max contracts the error by at least
# (1 − λ_min/λ_max) per step; run until that bound is below e^-34 ≈ 2e-15 (capped).
NEURON_CONTRACTION_LOG = 34.0
NEURON_MAX_EPOCHS = 5000
PENALTIES = ("none", "weights_only", "weights_and_biases")
PENALTY_NAMES = {"none": ("no penalty", "不惩罚"), "weights_only": ("weights only", "只惩罚权重"),
                 "weights_and_biases": ("weights and biases", "权重和偏置都惩罚")}
NETWORK_SNAPSHOTS = 201  # the network's snapshots; the neuron keeps every epoch (a copy of two numbers)


class CommonParams(Params):
    """Everything but the offset: shared by every experiment."""

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


# ---------------------------------------------------------------- data

def clean(target: str, x: np.ndarray) -> np.ndarray:
    """Return the noise-free target without offset."""
    return SLOPE * x if target == "line" else np.sin(x)


def make_data(p: CommonParams, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return x (n, 1) sorted and the offset-free noisy targets (n, 1) of `seed` (p.seed by default)."""
    rng = np.random.default_rng(p.seed if seed is None else seed)
    x = np.sort(rng.uniform(X_LO, X_HI, size=p.n_train))
    y = clean(p.target, x) + p.noise * rng.normal(size=p.n_train)
    return x[:, None], y[:, None]


def grid_points() -> np.ndarray:
    """Return the dense test inputs on [−π, π], (TEST_POINTS, 1)."""
    return np.linspace(X_LO, X_HI, TEST_POINTS)[:, None]


def penalty_strengths(lam: float, which: str) -> tuple[float, float]:
    """Return (λ_w, λ_b) for none, weights_only, weights_and_biases."""
    return {"none": (0.0, 0.0), "weights_only": (lam, 0.0), "weights_and_biases": (lam, lam)}[which]


# ---------------------------------------------------------------- the neuron in closed form

def neuron_hessian(x: np.ndarray, lam_w: float, lam_b: float) -> np.ndarray:
    """Return the (constant) Hessian of ½·mean((wx+b−y)²) + (λ_w/2)w² + (λ_b/2)b² in (w, b)."""
    return np.array([[np.mean(x * x) + lam_w, np.mean(x)], [np.mean(x), 1.0 + lam_b]])


def closed_form(x: np.ndarray, y: np.ndarray, lam_w: float, lam_b: float) -> np.ndarray:
    """Return (w, b) minimising the neuron's objective, solving the 2×2 normal equations; y (S, n)."""
    H = neuron_hessian(x, lam_w, lam_b)
    rhs = np.stack([np.mean(x * y, axis=-1), np.mean(y, axis=-1)], axis=-1)  # (S, 2)
    return np.linalg.solve(H, rhs.T).T


def neuron_epochs(x: np.ndarray, lam_w: float, lam_b: float) -> tuple[int, float]:
    """Return (steps, step size 1/λ_max) of gradient descent that reaches the neuron's minimum."""
    ev = np.linalg.eigvalsh(neuron_hessian(x, lam_w, lam_b))
    return min(NEURON_MAX_EPOCHS, math.ceil(NEURON_CONTRACTION_LOG * ev[-1] / ev[0])), 1.0 / ev[-1]


def sweep_prediction(x: np.ndarray, y0: np.ndarray, grid: np.ndarray, truth0: np.ndarray, lam_w: float,
                     lam_b: float, offsets: np.ndarray) -> tuple[np.ndarray, float]:
    """Return the neuron's exact test error at every offset c, (C,), and its c² coefficient α.

    Shifting the targets by c adds c·(x̄, 1) to the right-hand side of the normal equations, so the
    minimiser moves by c·(Δw, Δb) with (Δw, Δb) = H⁻¹(x̄, 1), and the residual on the test grid by c·g(x),
    g = Δw·x + Δb − 1. With r the residual at offset 0 the test error is a parabola in c:
        err(c) = mean(r²) + 2c·mean(r g) + c²·mean(g²).
    When x̄ = 0, g = −λ_b/(1+λ_b) everywhere: the symmetric estimate err(0) + (cλ/(1+λ))² − 2cλ/(1+λ)·mean(r).
    """
    w0, b0 = closed_form(x, y0[None], lam_w, lam_b)[0]
    dw, db = np.linalg.solve(neuron_hessian(x, lam_w, lam_b), np.array([np.mean(x), 1.0]))
    r = w0 * grid + b0 - truth0
    g = dw * grid + db - 1.0
    alpha = float(np.mean(g * g))
    return np.mean(r * r) + 2 * offsets * np.mean(r * g) + offsets**2 * alpha, alpha


# ---------------------------------------------------------------- training

def fit_record(p: CommonParams, x: np.ndarray, Y: np.ndarray, lam_w: float | np.ndarray, lam_b: float | np.ndarray,
               snapshots: bool = False, seeds: Sequence[int] | None = None) -> TrainRecord:
    """Train S models (one per row of Y (S, n, 1)); return the training record.

    lam_w, lam_b: the L2 strengths, one for all models or one per model (S,).
    x: (n, 1) shared by all members (the core's shared-input path), or (S, n, 1) one data set each.
    seeds: the members' initialisation seeds (p.seed for all by default: the same start).
    snapshots: keep every epoch of the neuron, NETWORK_SNAPSHOTS of the network (else the ends only).
    """
    S = Y.shape[0]
    seeds = [p.seed] * S if seeds is None else list(seeds)
    if p.model == "neuron":
        epochs, eta = neuron_epochs(x[:, 0], lam_w, lam_b)
        net = init_network((1, 1), "linear", "linear", seeds, weight_init="zeros")
        return train(net, x, Y, loss="mse", epochs=epochs, eta=eta, optimizer="sgd", l2_weights=lam_w,
                     l2_biases=lam_b, n_snapshots=epochs + 1 if snapshots else 2, record_grad_norms=False)
    init = "he" if p.activation == "relu" else "xavier"
    net = init_network((1, p.width, 1), p.activation, "linear", seeds, weight_init=init)
    return train(net, x, Y, loss="mse", epochs=p.epochs, eta=p.lr, optimizer="adam", l2_weights=lam_w,
                 l2_biases=lam_b, n_snapshots=NETWORK_SNAPSHOTS if snapshots else 2, record_grad_norms=False)


def fit(p: CommonParams, x: np.ndarray, Y: np.ndarray, lam_w: float, lam_b: float) -> tuple[Network, np.ndarray]:
    """Train S models as fit_record does; return the final net and the losses (S, E+1)."""
    rec = fit_record(p, x, Y, lam_w, lam_b)
    return rec.net, rec.losses


def fit_work(p: CommonParams, members: int, *, snapshots: bool = False, shared: bool = True,
             shown: int = 1) -> work.Work:
    """The work of the costliest fit_record of `members` models (shared: one x for all; snapshots as there),
    and of running them `shown` times on the TEST_POINTS grid. The neuron trains full-batch by SGD for
    as many epochs as its penalties need (neuron_epochs); the network by Adam for p.epochs."""
    if p.model == "neuron":
        x = make_data(p)[0][:, 0]
        epochs = max(neuron_epochs(x, p.lam, b)[0] for b in (0.0, p.lam))
        sizes, activation, optimizer, kept = (1, 1), "linear", "sgd", epochs + 1 if snapshots else 2
    else:
        epochs, sizes, activation, optimizer = p.epochs, (1, p.width, 1), p.activation, "adam"
        kept = NETWORK_SNAPSHOTS if snapshots else 2
    return (work.training(members, p.n_train, sizes, epochs, None, activation, optimizer=optimizer,
                          snapshots=min(kept, epochs + 1), shared_inputs=shared)
            + work.evaluation(members, TEST_POINTS, sizes, times=shown, activation=activation))


# ---------------------------------------------------------------- what a fit is made of

def level_parts(net: Network, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split the mean fitted level over the grid into (output bias, the rest), each (S,).

    mean_x f(x) = b + mean_x Σⱼ vⱼ hⱼ(x): for the network the rest is what the hidden units carry;
    for the neuron it is w·mean(x) = 0 on the symmetric grid.
    """
    cache = forward(net, grid)
    b_out = net.b[-1][:, 0, 0]
    rest = cache.A[-1][..., 0].mean(axis=1) - b_out
    return b_out, rest


def anatomy(net: Network, grid: np.ndarray, lam: float) -> dict[str, np.ndarray]:
    """Return, per member (S,), how a one-hidden-layer network makes its level.

    output_bias b; hidden (the level Σⱼ vⱼ·mean hⱼ the hidden units carry) and hidden_share = hidden/(b + hidden);
    max_net_input, the largest |wⱼx + c′ⱼ| over units and grid (tanh′ = 1 − tanh² of it: near 1 in the
    near-linear range, below 0.03 once |z| > 2.5); bias_route_penalty = λ·Σⱼ|vⱼ c′ⱼ|, the least penalty
    (λ/2)(vⱼ² + c′ⱼ²) can be for a unit whose bias and outgoing weight make the product vⱼc′ⱼ.
    """
    b_out, hidden = level_parts(net, grid)
    Z = forward(net, grid).Z[0]  # (S, n, H)
    v, c = net.W[-1][:, :, 0], net.b[0][:, 0, :]  # (S, H) each
    level = b_out + hidden
    with np.errstate(all="ignore"):
        share = np.where(level != 0, hidden / np.where(level != 0, level, 1.0), 0.0)
    return {"output_bias": b_out, "hidden": hidden, "hidden_share": share,
            "max_net_input": np.abs(Z).max(axis=(1, 2)),
            "bias_route_penalty": lam * np.abs(v * c).sum(axis=1)}


def mean_abs_slope(curves: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Return the mean |f′(x)| of fitted curves (..., n) on the grid (n,): how steep the fit is."""
    return np.mean(np.abs(np.gradient(curves, grid, axis=-1)), axis=-1)


def per_penalty(*specs: tuple[str, str, str, str, str]) -> dict[str, Metric]:
    """Return the metrics `{key}_{penalty}` of each spec (key, label_en, label_zh, meaning_en, meaning_zh), penalty
    by penalty; `{name}` in a label is the penalty's name ("test MSE, {name}": "test MSE, weights only")."""
    return {f"{key}_{k}": metric(label_en.format(name=en), label_zh.format(name=zh), meaning_en, meaning_zh)
            for k, (en, zh) in PENALTY_NAMES.items() for key, label_en, label_zh, meaning_en, meaning_zh in specs}
