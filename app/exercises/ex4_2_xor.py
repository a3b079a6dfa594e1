"""4-2 — XOR with a hidden layer of two ReLU units.

Experiments: handcrafted (type the nine numbers of a 2-2-1 ReLU network; ex4_2_handcrafted), train
(one network from random init, with a replay of its decision surface), seeds (the same network over
many seeds in one vectorised run: how often does training find a solution?), width-sweep (success
rate against the number of hidden units).

Definitions used throughout (also stated on the page):
- solved: see ex4_2_handcrafted (the four outputs thresholded at 0.5 equal 0, 1, 1, 0).
- dead hidden unit: f′(z) = 0 on all four inputs, so its incoming weights and bias get exactly zero
  gradient from every input; for ReLU that is a net input z ≤ 0 on all four inputs.
- plateaus: a failed run has merged inputs of both classes onto one hidden point, where the linear
  output can at best give them their mean target; with the mse loss L = ⅛Σ(y − t)² and the other
  inputs fitted exactly, two merged inputs (mean ½) give L = 1/16, three (mean ⅓ or ⅔) give 1/12, all
  four (a constant ½, e.g. both units dead) give 1/8.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import Exercise, Experiment, Metric, Params, Result, param
from app.exercises.common import dead_in_layer, frame_indices, outcome, surfaces
from app.exercises.ex4_2_handcrafted import (
    GRID,
    HANDCRAFTED,
    INPUT_LABELS,
    OUTPUTS,
    SOLVES,
    X,
    Y,
    hidden_plane,
    probability,
    solved,
)
from app.figures import ex4_2 as figs
from app.i18n import text
from app.nn.activations import get_activation
from app.nn.network import Network, forward, init_network, narrow, predict, widen
from app.nn.train import TrainRecord, train

WIDTHS = (1, 2, 3, 4, 6, 8, 16)
# The width sweep trains each group as one ensemble, every network widened to the group's widest by
# inert zero units (app.nn.network.widen: exact when the activation has f(0) = 0): one training loop
# per group instead of one per width, whose per-step overhead is most of a 4-point run's time.
WIDTH_GROUPS = ((1, 2, 3, 4), (6, 8), (16,))
REPLAY_GRID = 31
REPLAY_FRAMES = 30
MAX_LOSS_POINTS = 1000  # the loss curve is subsampled to at most this many epochs
# The mse plateaus of failed runs (module docstring); a final loss within PLATEAU_RTOL of one sits on it.
PLATEAUS = {"1/16": 1 / 16, "1/12": 1 / 12, "1/8": 1 / 8}
PLATEAU_RTOL = 1e-6

ActivationName = Literal["relu", "leaky_relu", "tanh", "sigmoid"]
LossName = Literal["mse", "bce"]
InitName = Literal["normal", "uniform", "xavier", "he"]


# ---------------------------------------------------------------------------- params

class TrainingParams(Params):
    """How every network of this page is trained (full batch on the four XOR points)."""

    activation: ActivationName = param(
        "relu", text("Hidden activation", "隐藏层激活函数"),
        text("Activation of the hidden units; the output unit is linear.", "隐藏单元的激活函数；输出单元是线性的。"))
    loss: LossName = param(
        "mse", text("Loss", "损失函数"),
        text("mse: ½·mean squared error on the output. bce: cross-entropy on σ(output), the output being a logit.",
             "mse：输出的均方误差的一半。bce：把输出当作 logit，对 σ(输出) 计算交叉熵。"))
    init: InitName = param(
        "normal", text("Weight init", "权重初始化"),
        text("normal N(0,1), uniform U(−1,1), xavier (Glorot uniform), he N(0, 2/fan-in). Biases start at 0.",
             "normal 为 N(0,1)，uniform 为 U(−1,1)，xavier 为 Glorot 均匀分布，he 为 N(0, 2/输入数)。偏置初值为 0。"))
    lr: float = param(0.1, text("Learning rate η", "学习率 η"),
                      text("Step size of full-batch gradient descent.", "全批量梯度下降的步长。"),
                      ge=1e-3, le=10, scale="log")
    epochs: int = param(5000, text("Epochs", "训练轮数"),
                        text("Full-batch gradient steps (one step per epoch: all four points).",
                             "全批量梯度下降的步数（每轮一步，使用全部四个点）。"),
                        ge=1, le=20000)


def _seed(default: int, en: str, zh: str) -> int:
    return param(default, text("Seed", "随机种子"), text(en, zh), ge=0, le=1_000_000)


def _hidden_units(default: int = 2) -> int:
    return param(default, text("Hidden units", "隐藏单元数"),
                 text("Width of the hidden layer (the exercise asks for 2).", "隐藏层宽度（本题要求 2 个）。"),
                 ge=1, le=16)


class _Width(Params):
    hidden_units: int = _hidden_units()


# Base classes listed as (TrainingParams, _Width) so that hidden_units comes first in the controls.
class TrainParams(TrainingParams, _Width):
    seed: int = _seed(1, "Seed of the initial weights.", "初始权重的随机种子。")


class SeedsParams(TrainingParams, _Width):
    n_seeds: int = param(200, text("Seeds", "种子数"),
                         text("How many networks, all trained at once (one vectorised ensemble).",
                              "训练多少个网络（作为一个向量化的集成一次训练完）。"), ge=1, le=2000)
    seed: int = _seed(0, "First seed: the networks use seeds seed, seed+1, …, seed+n−1 (seed+i is the train "
                      "experiment's network with that seed).",
                      "第一个种子：各网络依次使用 seed, seed+1, …, seed+n−1（种子 seed+i 的网络与单次训练实验中该种子的网络相同）。")


class WidthSweepParams(TrainingParams):
    epochs: int = param(2000, text("Epochs", "训练轮数"),
                        text("Full-batch steps per network. 2000 by default to stay within the time budget: "
                             "the success rates hardly change between 2000 and 5000 epochs.",
                             "每个网络的全批量步数。默认 2000 以控制计算时间：成功率在 2000 与 5000 轮之间几乎不变。"),
                        ge=1, le=20000)
    n_seeds: int = param(100, text("Seeds per width", "每个宽度的种子数"),
                         text("Networks trained at each width (one vectorised ensemble per width).",
                              "每个宽度训练的网络数（每个宽度一个向量化集成）。"), ge=1, le=1000)
    seed: int = _seed(0, "First seed; every width uses seeds seed … seed+n−1.",
                      "第一个种子；每个宽度都使用 seed … seed+n−1。")


# ---------------------------------------------------------------------------- shared computation

def dead_units(net: Network) -> np.ndarray:
    """Return (S, H) booleans: hidden units whose f′(z) is exactly 0 on all four XOR inputs."""
    return dead_in_layer(net, 0, forward(net, X).Z[0])


def _fit(p: TrainingParams, width: int, seeds: list[int], n_snapshots: int = 2) -> TrainRecord:
    net = init_network((2, width, 1), p.activation, "linear", seeds, weight_init=p.init, bias_init=0.0)
    return train(net, X, Y, loss=p.loss, eta=p.lr, epochs=p.epochs, n_snapshots=n_snapshots,
                 record_grad_norms=False)


def _at(losses: np.ndarray, level: float) -> np.ndarray:
    """Return which final losses sit on the plateau `level` (relative difference below PLATEAU_RTOL)."""
    with np.errstate(invalid="ignore"):
        return np.abs(losses - level) <= PLATEAU_RTOL * level


def _fit_work(p: TrainingParams, width: int, members: int, n_snapshots: int = 2) -> work.Work:
    """The work of _fit: `members` 2-width-1 networks trained full-batch on the four points."""
    return work.training(members, len(X), (2, width, 1), p.epochs, None, p.activation,
                         snapshots=min(n_snapshots, p.epochs + 1))


def _train_cost(p: TrainParams) -> float:
    """One network with its snapshots, its surface and the replay's surfaces."""
    sizes = (2, p.hidden_units, 1)
    return work.seconds(_fit_work(p, p.hidden_units, 1, min(p.epochs + 1, 501))
                        + work.evaluation(1, GRID**2, sizes, activation=p.activation)
                        + work.evaluation(REPLAY_FRAMES, REPLAY_GRID**2, sizes, activation=p.activation))


def _summary(rec: TrainRecord, loss: str) -> dict[str, np.ndarray]:
    return _outcomes(rec.net, rec.snapshots[0], rec.losses, loss)


def _outcomes(net: Network, start: Network, losses: np.ndarray, loss: str) -> dict[str, np.ndarray]:
    out = predict(net, X)[:, :, 0]
    ok = solved(out, loss)
    dead = dead_units(net).any(axis=1)
    dead_at_init = dead_units(start).any(axis=1)
    return {"solved": ok, "dead": dead, "dead_at_init": dead_at_init, "final_loss": losses[:, -1],
            "outputs": out, "losses": losses}


def _width_groups(activation: str) -> tuple[tuple[int, ...], ...]:
    """WIDTH_GROUPS when a zero unit is inert (f(0) = 0); one width at a time otherwise (sigmoid)."""
    inert = float(get_activation(activation).fn(np.zeros(1))[0]) == 0.0
    return WIDTH_GROUPS if inert else tuple((w,) for w in WIDTHS)


def _fit_widths(p: TrainingParams, widths: tuple[int, ...], seeds: list[int]) -> list[dict[str, np.ndarray]]:
    """Train the networks of every width in `widths` from `seeds` as one ensemble; their outcomes by width."""
    top = max(widths)
    nets = [init_network((2, w, 1), p.activation, "linear", seeds, weight_init=p.init, bias_init=0.0)
            for w in widths]
    rec = train(Network.stack([widen(n, top) for n in nets]), X, Y, loss=p.loss, eta=p.lr, epochs=p.epochs,
                n_snapshots=2, record_grad_norms=False)
    S = len(seeds)
    out = []
    for k, w in enumerate(widths):
        members = range(k * S, (k + 1) * S)
        out.append(_outcomes(narrow(rec.net.select(members), w), narrow(rec.snapshots[0].select(members), w),
                             rec.losses[members], p.loss))
    return out


# ---------------------------------------------------------------------------- experiments

def train_one(p: TrainParams) -> Result:
    """Train one 2-H-1 network on XOR from random init and record its trajectory.

    views: surface (gx, gy, Z) the final output (σ of the logit with bce) over [−0.5, 1.5]²; replay
    (gx, gy, [Z, …]) the same on a coarser grid at each of data["replay_epochs"]; hidden_plane (see
    ex4_2_handcrafted.hidden_plane); inputs, targets and labels of the four XOR points.
    """
    n_snapshots = min(p.epochs + 1, 501)
    rec = _fit(p, p.hidden_units, [p.seed], n_snapshots=n_snapshots)
    s = _summary(rec, p.loss)
    net = rec.net
    cache = forward(net, X)
    out = cache.A[-1][0, :, 0]
    hidden = cache.A[1][0]
    bce = p.loss == "bce"

    gx, gy, Z = surfaces(net, (-0.5, -0.5), (1.5, 1.5), GRID, probability=bce)
    frames = frame_indices(rec.snapshot_epochs, REPLAY_FRAMES, geometric=True)
    frame_nets = Network.stack([rec.snapshots[i] for i in frames])
    rx, ry, Zs = surfaces(frame_nets, (-0.5, -0.5), (1.5, 1.5), REPLAY_GRID, probability=bce)
    frame_epochs = rec.snapshot_epochs[frames]

    epochs = np.arange(p.epochs + 1)
    keep = np.unique(np.r_[np.linspace(0, p.epochs, min(p.epochs + 1, MAX_LOSS_POINTS)).round().astype(int)])
    losses = rec.losses[0]
    n_dead = int(dead_units(net)[0].sum())
    metrics = {
        "solves_xor": bool(s["solved"][0]),
        "final_loss": float(losses[-1]),
        "outputs": (np.round(probability(out, p.loss), 6) + 0.0).tolist(),  # + 0.0 turns −0.0 into 0.0
        "dead_hidden_units": n_dead,
        **outcome(losses),
    }
    w2 = net.W[1][0, :, 0]
    b2 = float(net.b[1][0, 0, 0])
    shown = probability(out, p.loss)
    data = {"epoch": epochs[keep], "loss": losses[keep], "hidden": hidden, "raw_outputs": out, "outputs": shown,
            "replay_epochs": frame_epochs, "W1": net.W[0][0].T, "b1": net.b[0][0, 0], "w2": w2, "b2": b2}
    views = {"surface": (gx, gy, Z[0]), "replay": (rx, ry, list(Zs)),
             "hidden_plane": hidden_plane(hidden, w2, b2, p.loss),
             "inputs": X, "targets": Y[:, 0], "labels": INPUT_LABELS}
    return Result(metrics, data, views=views)


def seeds(p: SeedsParams) -> Result:
    """Train n_seeds networks in one vectorised ensemble; count successes and why the others fail."""
    seed_list = [p.seed + i for i in range(p.n_seeds)]
    rec = _fit(p, p.hidden_units, seed_list)
    s = _summary(rec, p.loss)
    ok, dead = s["solved"], s["dead"]
    metrics = {
        "success_rate": float(ok.mean()),
        "n_solved": int(ok.sum()),
        "n_dead_unit_failures": int((~ok & dead).sum()),
        "n_other_failures": int((~ok & ~dead).sum()),
        "n_dead_at_init": int(s["dead_at_init"].sum()),
        "failures_by_plateau": {name: int((~ok & _at(s["final_loss"], level)).sum()) for name, level in PLATEAUS.items()},
        "median_solved_loss": float(np.median(s["final_loss"][ok])) if ok.any() else None,
        **outcome(s["losses"]),
    }
    data = {"seed": seed_list, "final_loss": s["final_loss"], "solved": ok, "dead_unit": dead,
            "dead_unit_at_init": s["dead_at_init"]}
    return Result(metrics, data)


def width_sweep(p: WidthSweepParams) -> Result:
    """Train n_seeds networks at each width (one ensemble per width) and report the success rates."""
    seed_list = [p.seed + i for i in range(p.n_seeds)]
    n_solved, n_dead_fail, losses = [], [], []
    for s in (s for group in _width_groups(p.activation) for s in _fit_widths(p, group, seed_list)):
        n_solved.append(int(s["solved"].sum()))
        n_dead_fail.append(int((~s["solved"] & s["dead"]).sum()))
        losses.append(s["losses"])
    rates = np.array(n_solved) / p.n_seeds
    metrics = {
        "success_rate_by_width": {str(w): float(r) for w, r in zip(WIDTHS, rates, strict=True)},
        **outcome(np.concatenate(losses)),
    }
    data = {"width": list(WIDTHS), "n_solved": n_solved, "n_dead_unit_failures": n_dead_fail,
            "success_rate": rates}
    return Result(metrics, data)


# ---------------------------------------------------------------------------- registration

_TRAIN_COST_FIELDS = ("epochs",)

EXERCISE = Exercise(
    id="4-2",
    title=text("XOR with two ReLU units", "用两个 ReLU 神经元解决异或"),
    question=text(
        "Build a feedforward network with one hidden layer of two ReLU units and a single output that "
        "computes XOR, and give its weights.",
        "设计一个只有一个隐藏层（两个 ReLU 神经元）和一个输出神经元的前馈网络来实现异或（XOR），并给出它的权重。",
    ),
    experiments=(
        HANDCRAFTED,
        Experiment(
            name="train",
            title=text("Train one network", "训练一个网络"),
            summary=text(
                "Gradient descent from random weights (zero biases). The replay shows the decision surface "
                "forming; the hidden space shows where the four points end up.",
                "从随机权重（偏置为零）开始做梯度下降。回放展示决策曲面如何形成；隐藏空间展示四个点最终的位置。",
            ),
            params=TrainParams,
            run=train_one,
            draw=figs.train,
            metrics={
                "solves_xor": SOLVES,
                "final_loss": Metric(text("final loss", "最终损失"),
                                     text("Training loss after the last epoch.", "最后一轮后的训练损失。")),
                "outputs": OUTPUTS,
                "dead_hidden_units": Metric(
                    text("dead hidden units", "死亡隐藏单元数"),
                    text("Units with f′(z) = 0 on all four inputs (ReLU: net input z ≤ 0 on each): their "
                         "incoming weights and bias get zero gradient and never change again.",
                         "在全部四个输入上 f′(z) = 0 的单元（ReLU：四个输入上的净输入 z 都 ≤ 0）："
                         "其输入权重和偏置的梯度为零，此后不再改变。")),
            },
            cost=_train_cost,
            cost_fields=_TRAIN_COST_FIELDS,
        ),
        Experiment(
            name="seeds",
            title=text("Many seeds at once", "多个随机种子一起训练"),
            summary=text(
                "The same network and settings from many random inits, trained as one vectorised ensemble. "
                "With two ReLU units most seeds fail; most failures have a dead hidden unit.",
                "同一网络、同一设置，从许多随机初值出发，作为一个向量化集成一起训练。"
                "两个 ReLU 单元时大多数种子失败，而失败的大多带有死亡隐藏单元。",
            ),
            params=SeedsParams,
            run=seeds,
            draw=figs.seeds,
            metrics={
                "success_rate": Metric(text("success rate", "成功率"),
                                       text("Fraction of seeds whose network solves XOR.", "网络解决了异或的种子所占比例。")),
                "n_solved": Metric(text("solved", "成功数"), text("Seeds that solve XOR.", "解决了异或的种子数。")),
                "n_dead_unit_failures": Metric(
                    text("failures with a dead unit", "带死亡单元的失败"),
                    text("Failed seeds with at least one dead hidden unit at the end.",
                         "失败且最终至少有一个死亡隐藏单元的种子数。")),
                "n_other_failures": Metric(
                    text("other failures", "其他失败"),
                    text("Failed seeds with no dead unit (stuck in a poor basin).", "失败但没有死亡单元的种子数（困在较差的盆地中）。")),
                "n_dead_at_init": Metric(
                    text("dead unit already at init", "初始化时已有死亡单元"),
                    text("Seeds with a dead hidden unit before the first step (ReLU, zero biases: both incoming "
                         "weights ≤ 0, probability 1/4 per unit).",
                         "第一步之前就有死亡隐藏单元的种子数（ReLU、零偏置：两个输入权重都 ≤ 0，每个单元概率 1/4）。")),
                "failures_by_plateau": Metric(
                    text("failures on each plateau", "各平台上的失败数"),
                    text("Failed seeds whose final mse loss sits, to a relative 10⁻⁶, at 1/16, 1/12 or 1/8: two, "
                         "three or all four inputs merged onto one hidden point and given their mean target.",
                         "最终 mse 损失（相对误差 10⁻⁶ 以内）停在 1/16、1/12 或 1/8 上的失败种子数："
                         "分别是两个、三个或全部四个输入被映射到同一个隐藏点，只能得到它们目标值的平均。")),
                "median_solved_loss": Metric(
                    text("median final loss, solved", "成功者的最终损失中位数"),
                    text("Median final loss over the seeds that solve XOR (— when none does).",
                         "解决了异或的种子的最终损失中位数（没有成功者时为 —）。")),
            },
            cost=lambda p: work.seconds(_fit_work(p, p.hidden_units, p.n_seeds)),
            cost_fields=("n_seeds", "epochs", "hidden_units"),
        ),
        Experiment(
            name="width-sweep",
            title=text("Success rate against width", "成功率与隐藏层宽度"),
            summary=text(
                "Widths 1, 2, 3, 4, 6, 8 and 16, each trained from the same seeds. Two units suffice to "
                "represent XOR, but wider layers are far easier to train.",
                "宽度 1、2、3、4、6、8、16，各自从同一组种子训练。两个单元足以表示异或，但更宽的隐藏层容易训练得多。",
            ),
            params=WidthSweepParams,
            run=width_sweep,
            draw=figs.width_sweep,
            metrics={
                "success_rate_by_width": Metric(
                    text("success rate by width", "各宽度的成功率"),
                    text("Fraction of seeds that solve XOR, for each hidden width.", "每个隐藏层宽度下解决异或的种子比例。")),
            },
            cost=lambda p: work.seconds(sum((_fit_work(p, max(g), p.n_seeds * len(g))
                                             for g in _width_groups(p.activation)), work.Work())),
            cost_fields=("n_seeds", "epochs"),
        ),
    ),
)
