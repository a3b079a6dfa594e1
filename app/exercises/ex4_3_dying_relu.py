"""4-3 — The dying ReLU problem: units that stop learning for good.

Experiments: dying (one network; dead units counted at every recorded epoch, pre-activation
histograms, the fit, a map of dead units) and lr-sweep (dead fraction at the end of training against
the learning rate, for ReLU and three activations without a flat side).

Definitions used throughout. A hidden unit is *dead* when its incoming weights and bias receive
exactly zero gradient from every training input: dL/dW[:, j] = sum_n a_n delta_nj with
delta_nj = f'(z_nj) * (...), so it is enough that f'(z_nj) == 0 exactly for every sample n. A unit is
*inactive* when z_nj <= 0 for every n, whatever f is. For ReLU both coincide (ReLU'(0) = 0); a
LeakyReLU or ELU unit can be inactive but never dead, since f' > 0 everywhere.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from app.exercises.base import Exercise, Experiment, Metric, Params, Result, greater_than, param
from app.exercises.common import dead_in_layer, grid_2d, outcome, surface
from app.figures import ex4_3 as figs
from app.figures.common import frame_indices
from app.i18n import text
from app.nn.activations import get_activation, sigmoid
from app.nn.data import moons, noisy_sine
from app.nn.losses import per_member_rates
from app.nn.network import Network, forward, init_network, predict
from app.nn.train import train

ActivationName = Literal["relu", "leaky_relu", "prelu", "elu", "softplus", "swish", "gelu"]
DatasetName = Literal["sine", "moons"]

SWEEP_ACTIVATIONS = ("relu", "leaky_relu", "elu", "softplus")
N_SAMPLES = 100
MAX_SNAPSHOTS = 301  # the dead fraction at every epoch up to 300 (the default), evenly spaced beyond
FIT_POINTS = 201
GRID = 41
REPLAY_FRAMES = 25
REPLAY_GRID = 25


def load(dataset: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Return X (N, d), Y (N, 1) and the loss for the data set.

    sine: y = sin(pi x) + 0.1 N(0, 1) with x ~ U(-1, 1) (the core's noisy sine on [-pi, pi], inputs
    divided by pi so that they are of order 1). moons: two interleaving half circles, labels 0/1.
    """
    if dataset == "sine":
        X, Y = noisy_sine(N_SAMPLES, seed=0)
        return X / math.pi, Y, "mse"
    X, Y = moons(N_SAMPLES, seed=0)
    return X, Y, "bce"


# ---------------------------------------------------------------------------- params


class NetworkParams(Params):
    """The network, its initialisation and its training (full-batch gradient descent)."""

    alpha: float = param(0.01, text("α (Leaky ReLU, PReLU, ELU)", "α（Leaky ReLU、PReLU、ELU）"),
                         text("Slope of Leaky ReLU for z < 0, initial slope of PReLU, scale of ELU.",
                              "Leaky ReLU 在 z < 0 时的斜率、PReLU 的初始斜率、ELU 的尺度。"),
                         ge=0, le=1, step=0.01)
    bias_init: float = param(0.0, text("Initial bias", "偏置初值"),
                             text("Every hidden and output bias starts at this value; negative values start "
                                  "ReLU units half dead.",
                                  "所有隐藏层和输出层的偏置都从这个值开始；取负值时 ReLU 单元一开始就半死不活。"),
                             ge=-5, le=5, step=0.1)
    width: int = param(32, text("Width", "宽度"), text("Units per hidden layer.", "每个隐藏层的单元数。"),
                       ge=1, le=128)
    depth: int = param(2, text("Hidden layers", "隐藏层数"), text("Number of hidden layers.", "隐藏层的层数。"),
                       ge=1, le=4)
    epochs: int = param(300, text("Epochs", "轮数"),
                        text("Full-batch gradient steps (one per epoch).", "全批量梯度下降的步数（每轮一步）。"),
                        ge=1, le=3000)
    seed: int = param(0, text("Seed", "随机种子"), text("Seed of the weight initialisation.", "权重初始化的随机种子。"),
                      ge=0, le=1_000_000)
    dataset: DatasetName = param("sine", text("Data", "数据"),
                                 text("sine: 100 noisy points of sin(πx), mean squared error; moons: 100 points "
                                      "in two classes, cross-entropy.",
                                      "sine：sin(πx) 的 100 个带噪声样本，均方误差；moons：两类共 100 个点，交叉熵。"))

    def sizes(self, d: int) -> tuple[int, ...]:
        """Return the layer sizes (d, width, ..., width, 1)."""
        return (d, *([self.width] * self.depth), 1)


class DyingParams(NetworkParams):
    activation: ActivationName = param("relu", text("Activation", "激活函数"),
                                       text("Activation of every hidden unit.", "所有隐藏单元的激活函数。"))
    lr: float = param(0.3, text("Learning rate η", "学习率 η"),
                      text("Step size of gradient descent; large steps push biases far negative and kill ReLU units.",
                           "梯度下降的步长；步子太大会把偏置推到很负的位置，使 ReLU 单元死亡。"),
                      ge=1e-4, le=3, scale="log")


class SweepParams(NetworkParams):
    lr_min: float = param(0.01, text("Smallest η", "最小学习率"), text("Left end of the log grid of rates.",
                          "学习率对数网格的左端。"), ge=1e-4, le=3, scale="log")
    lr_max: float = param(0.3, text("Largest η", "最大学习率"), text("Right end of the grid; must exceed the smallest.",
                          "网格的右端，必须大于最小学习率。"), ge=1e-4, le=3, scale="log")
    n_lrs: int = param(6, text("Rates", "学习率个数"), text("Number of rates on the log grid.", "对数网格上的学习率个数。"),
                       ge=2, le=15)
    n_seeds: int = param(5, text("Seeds per rate", "每个学习率的种子数"),
                         text("Networks trained at once for each rate (seeds seed, seed+1, …).",
                              "每个学习率同时训练的网络数（种子为 seed, seed+1, …）。"), ge=1, le=20)
    epochs: int = param(60, text("Epochs", "轮数"),
                        text("Full-batch gradient steps (one per epoch).", "全批量梯度下降的步数（每轮一步）。"),
                        ge=1, le=1000)

    _above_min = greater_than("lr_max", "lr_min")

    def lrs(self) -> np.ndarray:
        """Return the log grid of learning rates, (n_lrs,)."""
        return np.geomspace(self.lr_min, self.lr_max, self.n_lrs)


# ---------------------------------------------------------------------------- dead units


def unit_states(net: Network, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Classify every hidden unit of every member on the training inputs X (N, d).

    Return per hidden layer: dead (S, n) bool, f'(z) == 0 exactly on every input; inactive (S, n)
    bool, z <= 0 on every input; finite (S,) bool, the layer's pre-activations are all finite (a
    diverged member has no meaningful state).
    """
    cache = forward(net, X)
    dead, inactive, finite = [], [], []
    for layer, Z in enumerate(cache.Z[:-1]):
        ok = np.isfinite(Z).all(axis=(1, 2))
        dead.append(dead_in_layer(net, layer, Z) & ok[:, None])
        inactive.append((Z <= 0.0).all(axis=1) & ok[:, None])
        finite.append(ok)
    return dead, inactive, finite


def _fraction(flags: list[np.ndarray], finite: list[np.ndarray]) -> np.ndarray:
    """Return the fraction of flagged hidden units per member, (S,), NaN where a layer is not finite."""
    n = sum(f.shape[1] for f in flags)
    frac = sum(f.sum(axis=1) for f in flags) / n
    ok = np.logical_and.reduce(finite)
    return np.where(ok, frac, np.nan)


def preactivations(net: Network, X: np.ndarray) -> list[np.ndarray]:
    """Return the pre-activations of each hidden layer of member 0, flattened (N * n,)."""
    return [Z[0].ravel() for Z in forward(net, X).Z[:-1]]


# ---------------------------------------------------------------------------- experiments


def _make_net(activation: str, p: NetworkParams, d: int, seeds: list[int]) -> Network:
    """Build He-initialised networks (biases at bias_init) with this hidden activation, one per seed."""
    return init_network(p.sizes(d), get_activation(activation, alpha=p.alpha), "linear", seeds, weight_init="he", bias_init=p.bias_init,
                        prelu_alpha=p.alpha)


def dying(p: DyingParams) -> Result:
    """Train one network and count its dead units at every recorded epoch."""
    X, Y, loss = load(p.dataset)
    net = _make_net(p.activation, p, X.shape[1], [p.seed])
    rec = train(net, X, Y, loss=loss, eta=p.lr, epochs=p.epochs, batch_size=None,
                n_snapshots=MAX_SNAPSHOTS, record_grad_norms=False)
    snaps = Network.stack(rec.snapshots)
    dead, inactive, finite = unit_states(snaps, X)
    dead_frac = _fraction(dead, finite)
    inactive_frac = _fraction(inactive, finite)
    by_layer = np.array([np.where(ok, d.mean(axis=1), np.nan) for d, ok in zip(dead, finite, strict=True)])
    losses = rec.losses[0]
    final = rec.snapshots[-1]
    unit_map = (np.array([i[-1] for i in inactive], dtype=int) + np.array([d[-1] for d in dead], dtype=int))
    final_ok = bool(np.logical_and.reduce([f[-1] for f in finite]))
    metrics = {
        "dead_fraction_initial": float(dead_frac[0]),
        "dead_fraction_final": float(dead_frac[-1]),
        "inactive_fraction_final": float(inactive_frac[-1]),
        "dead_units_final": int(sum(d[-1].sum() for d in dead)) if final_ok else None,
        "final_loss": float(losses[-1]),
        **outcome(losses),
    }
    epochs = np.arange(p.epochs + 1)
    data = {
        "epoch": epochs, "loss": losses, "snapshot_epoch": rec.snapshot_epochs,
        "dead_fraction": dead_frac, "inactive_fraction": inactive_frac,
        "dead_fraction_by_layer": by_layer,
        "unit_state_final": unit_map if final_ok else None,
    }
    frames = frame_indices(rec.snapshot_epochs, REPLAY_FRAMES)
    frame_nets = Network.stack([rec.snapshots[i] for i in frames])
    replay = {"epochs": rec.snapshot_epochs[frames], "dead_fraction": dead_frac[frames]}
    with np.errstate(all="ignore"):
        if p.dataset == "sine":
            xs = np.linspace(-1.0, 1.0, FIT_POINTS)
            fit = {"x": xs, "y": predict(final, xs[:, None])[0, :, 0],
                   "y0": predict(rec.snapshots[0], xs[:, None])[0, :, 0]}
            replay["curves"] = predict(frame_nets, xs[:, None])[:, None, :, 0]  # (F, 1, FIT_POINTS)
        else:
            gx, gy, pts = grid_2d((-1.5, -1.0), (2.5, 1.5), GRID)
            fit = {"gx": gx, "gy": gy, "Z": surface(final, pts, GRID, probability=True)}
            rx, ry, rpts = grid_2d((-1.5, -1.0), (2.5, 1.5), REPLAY_GRID)
            logits = np.clip(predict(frame_nets, rpts)[..., 0], -500, 500)
            replay.update(gx=rx, gy=ry, Zs=list(sigmoid(logits).reshape(-1, REPLAY_GRID, REPLAY_GRID)))
    data["replay_epoch"] = replay["epochs"]
    figures = figs.dying(p.activation, rec.snapshot_epochs, by_layer, dead_frac, inactive_frac, epochs, losses,
                         preactivations(rec.snapshots[0], X), preactivations(final, X), X, Y, p.dataset, fit,
                         unit_map if final_ok else None, replay, p.lang)
    return Result(metrics, data, figures)


def lr_sweep(p: SweepParams) -> Result:
    """Train n_lrs x n_seeds networks per activation in one run; return the final dead fraction.

    Member i * n_seeds + k has rate lrs[i] and seed seed + k (a per-member rate through per_member_rates).
    """
    X, Y, loss = load(p.dataset)
    lrs = p.lrs()
    seeds = [p.seed + k for k in range(p.n_seeds)] * p.n_lrs
    member_lr = np.repeat(lrs, p.n_seeds)
    frac, n_diverged, n_stalled = {}, {}, []
    for act in SWEEP_ACTIVATIONS:
        net = _make_net(act, p, X.shape[1], seeds)
        rec = train(net, X, Y, loss=per_member_rates(loss, member_lr / p.lr_max), eta=p.lr_max, epochs=p.epochs,
                    batch_size=None, n_snapshots=2, record_grad_norms=False)
        dead, _, finite = unit_states(rec.net, X)
        # a run that blew up (or ended above its initial loss) did not train: left out, counted apart
        frac[act] = np.where(rec.diverged, np.nan, _fraction(dead, finite)).reshape(p.n_lrs, p.n_seeds)
        n_diverged[act] = rec.diverged.reshape(p.n_lrs, p.n_seeds).sum(axis=1)
        n_stalled.append(rec.stalled)
    mean, lo, hi = {}, {}, {}
    for act, f in frac.items():
        ok = np.isfinite(f)
        count = ok.sum(axis=1)
        total = np.where(ok, f, 0.0).sum(axis=1)
        mean[act] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        lo[act] = np.where(count > 0, np.where(ok, f, np.inf).min(axis=1), np.nan)
        hi[act] = np.where(count > 0, np.where(ok, f, -np.inf).max(axis=1), np.nan)
    metrics = {
        "dead_fraction_by_activation": {a: mean[a] for a in SWEEP_ACTIVATIONS},
        "learning_rates": lrs,
        "diverged_runs_by_activation": {a: int(n_diverged[a].sum()) for a in SWEEP_ACTIVATIONS},
        # per learning rate, as in 4-9: large rates are meant to blow up, small ones are not
        "diverged": [bool(any(n_diverged[a][i] for a in SWEEP_ACTIVATIONS)) for i in range(p.n_lrs)],
        "stalled": [bool(all(s.reshape(p.n_lrs, p.n_seeds)[i].all() for s in n_stalled)) for i in range(p.n_lrs)],
    }
    data = {"lr": lrs, **{f"dead_fraction_{a}": frac[a] for a in SWEEP_ACTIVATIONS},
            **{f"diverged_runs_{a}": n_diverged[a] for a in SWEEP_ACTIVATIONS}}
    return Result(metrics, data, figs.lr_sweep(lrs, mean, lo, hi, n_diverged, p.n_seeds, p.lang))


# Cost model, calibrated by timing these experiments (CPU seconds, one core): elementwise work per
# (member x sample x hidden unit x step), matrix work per (member x sample x parameter x step), and
# Python overhead per layer and step. ACT_COST: relative price of f and f' (GELU's erf is dear).
SECONDS_PER_UNIT = 1e-8
SECONDS_PER_WEIGHT = 5e-10  # BLAS single-threaded (app/__init__.py)
SECONDS_PER_LAYER_STEP = 2e-5
ACT_COST = {"relu": 1.0, "leaky_relu": 1.2, "prelu": 1.3, "elu": 1.5, "softplus": 2.0, "swish": 2.0, "gelu": 8.0}


def run_cost(p: NetworkParams, activation: str, members: int, steps: int) -> float:
    """Estimate the seconds of `steps` full-batch steps (or forward passes) of `members` networks."""
    sizes = p.sizes(2 if p.dataset == "moons" else 1)
    weights = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    units = p.width * p.depth
    per_sample = SECONDS_PER_UNIT * units * ACT_COST[activation] + SECONDS_PER_WEIGHT * weights
    return members * N_SAMPLES * steps * per_sample + steps * (p.depth + 1) * SECONDS_PER_LAYER_STEP


def _dying_cost(p: DyingParams) -> float:
    return run_cost(p, p.activation, 1, p.epochs) + run_cost(p, p.activation, MAX_SNAPSHOTS, 1)


def _sweep_cost(p: SweepParams) -> float:
    # + 2: the loss before training and the dead-unit check after it are epoch-independent passes.
    return sum(run_cost(p, a, p.n_lrs * p.n_seeds, p.epochs + 2) for a in SWEEP_ACTIVATIONS)


_FRACTION = text("fraction of hidden units", "占隐藏单元的比例")
EXERCISE = Exercise(
    id="4-3",
    title=text("The dying ReLU problem", "死亡 ReLU 问题"),
    question=text(
        "What is the dying ReLU problem, why does a dead unit never come back, and how can it be avoided?",
        "什么是死亡 ReLU 问题？为什么一个“死亡”的神经元再也无法恢复？有哪些办法可以避免？",
    ),
    experiments=(
        Experiment(
            name="dying",
            title=text("Watching units die", "看着单元死去"),
            summary=text(
                "One network trained by full-batch gradient descent. At every epoch each hidden unit is checked "
                "on all training inputs: dead if f′(z) is exactly 0 on every one of them, so that its weights "
                "and bias can never receive a gradient again. With the default large rate about a quarter of "
                "the ReLU units die while the fit still works; switch to Leaky ReLU, ELU or Softplus and none do.",
                "用全批量梯度下降训练一个网络。每一轮都在全部训练输入上检查每个隐藏单元：若在每个输入上 f′(z) 都恰好为 0，"
                "它的权重和偏置就再也得不到梯度，即为死亡单元。默认的大学习率下约四分之一的 ReLU 单元死亡，而拟合依然成功；"
                "换成 Leaky ReLU、ELU 或 Softplus，一个也不会死。",
            ),
            params=DyingParams,
            run=dying,
            cost=_dying_cost,
            cost_fields=("epochs", "width", "depth"),
            metrics={
                "dead_fraction_initial": Metric(text("dead at the start", "初始死亡比例"),
                                                text("Hidden units with f′(z) = 0 on every input before training.",
                                                     "训练前在所有输入上 f′(z) = 0 的隐藏单元比例。"), _FRACTION),
                "dead_fraction_final": Metric(text("dead at the end", "最终死亡比例"),
                                              text("Hidden units whose weights get exactly zero gradient from every input.",
                                                   "权重从每个输入得到的梯度都恰好为零的隐藏单元比例。"), _FRACTION),
                "inactive_fraction_final": Metric(text("inactive at the end", "最终不活跃比例"),
                                                  text("Hidden units with z ≤ 0 on every input (dead only if f′ = 0 there).",
                                                       "在所有输入上 z ≤ 0 的隐藏单元比例（只有当那里 f′ = 0 时才算死亡）。"),
                                                  _FRACTION),
                "dead_units_final": Metric(text("dead units", "死亡单元数"),
                                           text("How many hidden units are dead at the end.", "训练结束时死亡的隐藏单元个数。")),
                "final_loss": Metric(text("final loss", "最终损失"),
                                     text("Training loss after the last epoch.", "最后一轮后的训练损失。")),
            },
        ),
        Experiment(
            name="lr-sweep",
            title=text("Dead units against the learning rate", "死亡单元与学习率"),
            summary=text(
                "For each rate on a log grid, several networks (one per seed) are trained at once for ReLU, "
                "Leaky ReLU, ELU and Softplus. Only ReLU loses units, and it loses more as the rate grows; "
                "runs that blow up are left out and counted.",
                "在对数网格上的每个学习率下，对 ReLU、Leaky ReLU、ELU 和 Softplus 各同时训练多个网络（每个种子一个）。"
                "只有 ReLU 会失去单元，而且学习率越大失去得越多；发散的训练不计入比例，另行计数。",
            ),
            params=SweepParams,
            run=lr_sweep,
            cost=_sweep_cost,
            cost_fields=("n_lrs", "n_seeds", "epochs", "width", "depth"),
            metrics={
                "dead_fraction_by_activation": Metric(
                    text("dead fraction by activation", "各激活函数的死亡比例"),
                    text("Mean over seeds of the final dead fraction, one value per rate (small to large).",
                         "最终死亡比例在种子上的平均，每个学习率一个值（从小到大）。")),
                "learning_rates": Metric(text("learning rates", "学习率"), text("The log grid of rates.", "学习率的对数网格。")),
                "diverged_runs_by_activation": Metric(
                    text("runs that blew up", "发散的训练次数"),
                    text("Runs whose loss became non-finite or ended above its start; left out of the fractions.",
                         "损失变为非有限值或最终高于初始值的训练次数；不计入死亡比例。")),
            },
        ),
    ),
)
