"""4-3 — The dying ReLU problem: units that stop learning for good.

Experiments: one-unit (the worked example: one ReLU unit, one large step; ex4_3_example), dying (one
network; dead units counted at every recorded epoch, net-input histograms, the fit, a map of dead units),
seeds (the dying run over several seeds at once; ex4_3_seeds) and lr-sweep (dead fraction at the end of
training against the learning rate, for ReLU and three activations without a flat side).

What dead and inactive mean, the data and the networks: ex4_3_units.
"""

from __future__ import annotations

import numpy as np

from app.exercises import ex4_3_example, ex4_3_seeds, work
from app.exercises.base import Exercise, Experiment, Result, greater_than, metric, param
from app.exercises.common import frame_indices, outcome, surfaces
from app.exercises.ex4_3_units import (
    MAX_SNAPSHOTS,
    NetworkParams,
    RunParams,
    fraction,
    load,
    make_net,
    preactivations,
    run_work,
    states_work,
    unit_states,
)
from app.figures import ex4_3 as figs
from app.i18n import text
from app.nn.losses import per_member_rates
from app.nn.network import Network, predict
from app.nn.train import train

SWEEP_ACTIVATIONS = ("relu", "leaky_relu", "elu", "softplus")
FIT_POINTS = 201
GRID = 41
REPLAY_FRAMES = 25
REPLAY_GRID = 25
MOONS_LO, MOONS_HI = (-1.5, -1.0), (2.5, 1.5)  # the rectangle of the plane the moons' surfaces cover


# ---------------------------------------------------------------------------- params


class DyingParams(RunParams):
    """One network: its activation, learning rate, initialisation and training."""


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


# ---------------------------------------------------------------------------- experiments


def dying(p: DyingParams) -> Result:
    """Train one network and count its dead units at every recorded epoch.

    views: inputs and targets; z_start, z_end the net inputs of each hidden layer on the training inputs
    before and after training; fit the network's output before and after training (sine: on FIT_POINTS
    x; moons: σ of the logit on a GRID² grid); replay the same at REPLAY_FRAMES recorded epochs (sine:
    curves (F, 1, FIT_POINTS); moons: gx, gy, Zs on a REPLAY_GRID² grid) with the dead fraction there.
    """
    X, Y, loss = load(p.dataset)
    net = make_net(p.activation, p, X.shape[1], [p.seed])
    rec = train(net, X, Y, loss=loss, eta=p.lr, epochs=p.epochs, batch_size=None,
                n_snapshots=MAX_SNAPSHOTS, record_grad_norms=False)
    snaps = Network.stack(rec.snapshots)
    dead, inactive, finite = unit_states(snaps, X)
    dead_frac = fraction(dead, finite)
    inactive_frac = fraction(inactive, finite)
    by_layer = np.array([np.where(ok, d.mean(axis=1), np.nan) for d, ok in zip(dead, finite, strict=True)])
    losses = rec.losses[0]
    final = rec.snapshots[-1]
    unit_map = (np.array([i[-1] for i in inactive], dtype=int) + np.array([d[-1] for d in dead], dtype=int))
    ok = np.logical_and.reduce(finite)  # (T,): the recorded epochs with finite net inputs
    final_ok = bool(ok[-1])
    count = sum(d.sum(axis=1) for d in dead)  # dead units at each recorded epoch, (T,)
    peak = int(np.argmax(np.where(ok, count, -1)))  # the first recorded epoch with the most dead units
    changed = np.flatnonzero(count != count[-1])
    metrics = {
        "hidden_units": p.width * p.depth,
        "dead_units_initial": int(count[0]) if ok[0] else None,
        "dead_units_peak": int(count[peak]) if ok.any() else None,
        "peak_epoch": int(rec.snapshot_epochs[peak]) if ok.any() else None,
        "dead_units_final": int(count[-1]) if final_ok else None,
        "settled_epoch": int(rec.snapshot_epochs[changed[-1] + 1 if changed.size else 0]) if ok.all() else None,
        "dead_by_layer_final": [int(d[-1].sum()) for d in dead] if final_ok else None,
        "inactive_units_final": int(sum(i[-1].sum() for i in inactive)) if final_ok else None,
        "dead_fraction_initial": float(dead_frac[0]),
        "dead_fraction_final": float(dead_frac[-1]),
        "inactive_fraction_final": float(inactive_frac[-1]),
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
            gx, gy, Z = surfaces(final, MOONS_LO, MOONS_HI, GRID, probability=True)
            fit = {"gx": gx, "gy": gy, "Z": Z[0]}
            rx, ry, Zs = surfaces(frame_nets, MOONS_LO, MOONS_HI, REPLAY_GRID, probability=True)
            replay.update(gx=rx, gy=ry, Zs=list(Zs))
    data["replay_epoch"] = replay["epochs"]
    views = {"inputs": X, "targets": Y, "z_start": preactivations(rec.snapshots[0], X),
             "z_end": preactivations(final, X), "fit": fit, "replay": replay}
    return Result(metrics, data, views=views)


def lr_sweep(p: SweepParams) -> Result:
    """Train n_lrs x n_seeds networks per activation in one run; return the final dead fraction.

    Member i * n_seeds + k has rate lrs[i] and seed seed + k (a per-member rate through per_member_rates).
    views: mean, lo, hi, per activation, the mean, smallest and largest dead fraction per rate over the
    runs that trained (NaN where none did).
    """
    X, Y, loss = load(p.dataset)
    lrs = p.lrs()
    seeds = [p.seed + k for k in range(p.n_seeds)] * p.n_lrs
    member_lr = np.repeat(lrs, p.n_seeds)
    frac, n_diverged, n_dead, n_stalled = {}, {}, {}, []
    for act in SWEEP_ACTIVATIONS:
        net = make_net(act, p, X.shape[1], seeds)
        rec = train(net, X, Y, loss=per_member_rates(loss, member_lr / p.lr_max), eta=p.lr_max, epochs=p.epochs,
                    batch_size=None, n_snapshots=2, record_grad_norms=False)
        dead, _, finite = unit_states(rec.net, X)
        # a run that blew up (or ended above its initial loss) did not train: left out, counted apart
        frac[act] = np.where(rec.diverged, np.nan, fraction(dead, finite)).reshape(p.n_lrs, p.n_seeds)
        n_diverged[act] = rec.diverged.reshape(p.n_lrs, p.n_seeds).sum(axis=1)
        n_dead[act] = (frac[act] > 0).sum(axis=1)  # runs that trained and ended with a dead unit
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
        "dead_fraction_by_activation": {a: [float(v) if np.isfinite(v) else None for v in mean[a]]
                                        for a in SWEEP_ACTIVATIONS},
        "learning_rates": lrs.tolist(),
        "runs_per_rate": p.n_seeds,
        "runs_with_dead_units": {a: n_dead[a].astype(int).tolist() for a in SWEEP_ACTIVATIONS},
        "diverged_runs_by_activation": {a: n_diverged[a].astype(int).tolist() for a in SWEEP_ACTIVATIONS},
        # per learning rate, as in 4-9: large rates are meant to blow up, small ones are not
        "diverged": [bool(any(n_diverged[a][i] for a in SWEEP_ACTIVATIONS)) for i in range(p.n_lrs)],
        "stalled": [bool(all(s.reshape(p.n_lrs, p.n_seeds)[i].all() for s in n_stalled)) for i in range(p.n_lrs)],
    }
    data = {"lr": lrs, **{f"dead_fraction_{a}": frac[a] for a in SWEEP_ACTIVATIONS},
            **{f"diverged_runs_{a}": n_diverged[a] for a in SWEEP_ACTIVATIONS}}
    return Result(metrics, data, views={"mean": mean, "lo": lo, "hi": hi})


def _dying_cost(p: DyingParams) -> float:
    """Training with MAX_SNAPSHOTS recorded, the unit states of every snapshot, and the fits the figures show."""
    frames = min(REPLAY_FRAMES, p.epochs + 1)
    sizes = p.sizes(2 if p.dataset == "moons" else 1)
    shown = (work.evaluation(frames + 2, FIT_POINTS, sizes, activation=p.activation) if p.dataset == "sine" else
             work.evaluation(1, GRID**2, sizes, activation=p.activation)
             + work.evaluation(frames, REPLAY_GRID**2, sizes, activation=p.activation))
    return work.seconds(run_work(p, p.activation, 1, p.epochs, MAX_SNAPSHOTS)
                        + states_work(p, p.activation, min(MAX_SNAPSHOTS, p.epochs + 1)) + shown)


def _sweep_cost(p: SweepParams) -> float:
    """One ensemble of n_lrs × n_seeds networks per activation, and the unit states of its final members."""
    members = p.n_lrs * p.n_seeds
    return work.seconds(sum((run_work(p, a, members, p.epochs) + states_work(p, a, members)
                             for a in SWEEP_ACTIVATIONS), work.Work()))


_FRACTION = text("fraction of hidden units", "占隐藏单元的比例")


_RECORDED = ("at the recorded epochs (every epoch up to 300, evenly spaced beyond)",
             "在记录的轮次上（300 轮以内每轮记录，之后均匀间隔）")
EXERCISE = Exercise(
    id="4-3",
    title=text("The dying ReLU problem", "死亡ReLU问题"),
    question=text(
        "Explain the dying ReLU problem with an example, and propose ways to avoid it.",
        "试举例说明“死亡ReLU问题”，并提出解决方法。",
    ),
    experiments=(
        ex4_3_example.EXPERIMENT,
        Experiment(
            name="dying",
            title=text("Watching units die", "看着单元死去"),
            summary=text(
                "One network trained by full-batch gradient descent. At every epoch each hidden unit is checked "
                "on all training inputs: dead if f′(z) is exactly 0 on every one of them, so that its weights "
                "and bias can never receive a gradient again. At the default rate ReLU units die while the fit "
                "still works; Leaky ReLU, PReLU and ELU (with α > 0) and Softplus have f′ > 0 on the negative side, "
                "so a gradient gets through.",
                "用全批量梯度下降训练一个网络。每一轮都在全部训练输入上检查每个隐藏单元：若在每个输入上 f′(z) 都恰好为 0，"
                "它的权重和偏置就再也得不到梯度，即为死亡单元。在默认学习率下，ReLU 单元会死亡，而拟合依然成功；"
                "Leaky ReLU、PReLU、ELU（α > 0 时）和 Softplus 在负半轴上 f′ > 0，梯度能够传过去。",
            ),
            params=DyingParams,
            run=dying,
            draw=figs.dying,
            cost=_dying_cost,
            cost_fields=("epochs", "width", "depth"),
            metrics={
                "hidden_units": metric("hidden units", "隐藏单元数", "Units in all hidden layers together.",
                                       "所有隐藏层的单元总数。"),
                "dead_units_initial": metric("dead before training", "训练前死亡单元数",
                                             "Hidden units with f′(z) = 0 on every input before the first step.",
                                             "第一步之前在所有输入上 f′(z) = 0 的隐藏单元个数。"),
                "dead_units_peak": metric("most dead at once", "同时死亡的最多单元数",
                                          "The largest count of dead units " + _RECORDED[0] + ".",
                                          _RECORDED[1] + "死亡单元数的最大值。"),
                "peak_epoch": metric("epoch of the most dead", "死亡最多的轮次",
                                     "The first recorded epoch with that largest count.", "首次达到该最大值的记录轮次。"),
                "dead_units_final": metric("dead units", "死亡单元数", "How many hidden units are dead at the end.",
                                           "训练结束时死亡的隐藏单元个数。"),
                "settled_epoch": metric("settled from epoch", "稳定起始轮次",
                                        "The first recorded epoch from which the dead count stays at its final value.",
                                        "从该记录轮次起，死亡单元数一直等于最终值。"),
                "dead_by_layer_final": metric("dead units per layer", "各层死亡单元数",
                                              "Dead units at the end, hidden layer 1 first.",
                                              "训练结束时各隐藏层的死亡单元数，从第 1 层起。"),
                "inactive_units_final": metric("inactive units", "不活跃单元数",
                                               "Hidden units with z ≤ 0 on every input at the end (dead only if f′ = 0 "
                                               "there).", "训练结束时在所有输入上 z ≤ 0 的隐藏单元个数（只有当那里 f′ = 0 时才算死亡）。"),
                "dead_fraction_initial": metric("dead at the start", "初始死亡比例",
                                                "Hidden units with f′(z) = 0 on every input before training.",
                                                "训练前在所有输入上 f′(z) = 0 的隐藏单元比例。", _FRACTION),
                "dead_fraction_final": metric("dead at the end", "最终死亡比例",
                                              "Hidden units whose weights get exactly zero gradient from every input.",
                                              "权重从每个输入得到的梯度都恰好为零的隐藏单元比例。", _FRACTION),
                "inactive_fraction_final": metric("inactive at the end", "最终不活跃比例",
                                                  "Hidden units with z ≤ 0 on every input (dead only if f′ = 0 there).",
                                                  "在所有输入上 z ≤ 0 的隐藏单元比例（只有当那里 f′ = 0 时才算死亡）。",
                                                  _FRACTION),
                "final_loss": metric("final loss", "最终损失", "Training loss after the last epoch.",
                                     "最后一轮后的训练损失。"),
            },
        ),
        ex4_3_seeds.EXPERIMENT,
        Experiment(
            name="lr-sweep",
            title=text("Dead units against the learning rate", "死亡单元与学习率"),
            summary=text(
                "For each rate on a log grid, several networks (one per seed) are trained at once for ReLU, "
                "Leaky ReLU, ELU and Softplus, and the dead units are counted at the end. Runs that blow up are "
                "left out and counted.",
                "在对数网格上的每个学习率下，对 ReLU、Leaky ReLU、ELU 和 Softplus 各同时训练多个网络（每个种子一个），"
                "并在训练结束时统计死亡单元。发散的训练不计入比例，另行计数。",
            ),
            params=SweepParams,
            run=lr_sweep,
            draw=figs.lr_sweep,
            cost=_sweep_cost,
            cost_fields=("n_lrs", "n_seeds", "epochs", "width", "depth"),
            metrics={
                "dead_fraction_by_activation": metric(
                    "dead fraction by activation", "各激活函数的死亡比例",
                    "Mean over seeds of the final dead fraction, one value per rate (small to large).",
                    "最终死亡比例在种子上的平均，每个学习率一个值（从小到大）。"),
                "learning_rates": metric("learning rates", "学习率", "The log grid of rates.", "学习率的对数网格。"),
                "runs_per_rate": metric("runs per rate", "每个学习率的训练次数",
                                        "Networks trained for each rate and activation, one per seed.",
                                        "每个学习率、每种激活函数训练的网络数，每个种子一个。"),
                "runs_with_dead_units": metric("runs with dead units", "有死亡单元的训练次数",
                                               "Runs that trained and ended with at least one dead unit, one count per "
                                               "rate (small to large).",
                                               "正常训练且结束时至少有一个死亡单元的训练次数，每个学习率一个值（从小到大）。"),
                "diverged_runs_by_activation": metric("runs that blew up", "发散的训练次数",
                                                      "Runs whose loss became non-finite or ended more than 10 % above its "
                                                      "start, one count per rate; left out of the fractions.",
                                                      "损失变为非有限值或最终比初始值高出 10% 以上的训练次数，每个学习率一个值；"
                                                      "不计入死亡比例。"),
            },
        ),
    ),
)
