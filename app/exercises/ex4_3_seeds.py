"""4-3 — the dying experiment over several seeds at once: how often what one run shows happens.

Every seed's network is a member of one ensemble, trained at the same rate. For each member the dead
units are counted at every recorded epoch (as in the dying experiment), and the hidden units that were
inactive (z <= 0 on every input) at one recorded epoch and active at a later one are counted, in the
first hidden layer apart from the deeper ones: a first-layer unit sees fixed inputs, a deeper one sees
the changing outputs of the layer below. Runs that diverged are left out of every count and counted apart.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import Experiment, Result, metric, param
from app.exercises.common import outcome
from app.exercises.ex4_3_units import RunParams, came_back, load, make_net, run_work, states_work, unit_states
from app.figures import ex4_3 as figs
from app.i18n import text
from app.nn.network import Network
from app.nn.train import train

# Recorded epochs per run: every third epoch at the default 300 (the dying experiment records every one).
SNAPSHOTS = 101


class SeedsParams(RunParams):
    activation: Literal["relu", "leaky_relu", "prelu", "elu", "softplus"] = param(
        "relu", text("Activation", "激活函数"),
        text("Activation of every hidden unit: ReLU or one of the remedies.", "所有隐藏单元的激活函数：ReLU 或某种补救办法。"))
    seed: int = param(0, text("First seed", "起始种子"),
                      text("The networks use the seeds seed, seed+1, …", "各网络的种子依次为 seed, seed+1, …"),
                      ge=0, le=1_000_000)
    n_seeds: int = param(10, text("Seeds", "种子数"), text("Networks trained at once, one per seed.",
                                                          "同时训练的网络数，每个种子一个。"), ge=2, le=20)


def _count(flags: np.ndarray) -> int:
    return int(np.count_nonzero(flags))


def seeds(p: SeedsParams) -> Result:
    """Train one network per seed and count, per seed, the dead units over training and the units that came back."""
    X, Y, loss = load(p.dataset)
    S = p.n_seeds
    net = make_net(p.activation, p, X.shape[1], list(range(p.seed, p.seed + S)))
    rec = train(net, X, Y, loss=loss, eta=p.lr, epochs=p.epochs, batch_size=None, n_snapshots=SNAPSHOTS,
                record_grad_norms=False)
    T = len(rec.snapshots)
    dead, inactive, finite = unit_states(Network.stack(rec.snapshots), X)
    D = np.concatenate([d.reshape(T, S, -1) for d in dead], axis=2)  # (T, S, hidden units)
    inact = np.concatenate([i.reshape(T, S, -1) for i in inactive], axis=2)
    trained = ~rec.diverged  # a diverged run has no meaningful unit states: left out, counted apart
    count = D.sum(axis=2)  # (T, S)
    start, peak, end = count[0], count.max(axis=0), count[-1]
    died = (~D[0] & D[-1]).sum(axis=1)
    back = came_back(inact)  # (S, hidden units)
    back_first, back_deeper = back[:, :p.width].sum(axis=1), back[:, p.width:].sum(axis=1)
    first_dead = D[-1, :, :p.width].sum(axis=1)
    some = bool(trained.any())
    metrics = {
        "seeds_run": S,
        "seeds_diverged": _count(~trained),
        "seeds_with_deaths": _count((died > 0) & trained),
        "seeds_dead_rose": _count((end > start) & trained),
        "seeds_peak_rose": _count((peak > start) & trained),
        "max_rise": int((peak - start)[trained].max()) if some else None,
        "seeds_first_layer_dead": _count((first_dead > 0) & trained),
        "seeds_dead_at_end": _count((end > 0) & trained),
        "dead_final_min": int(end[trained].min()) if some else None,
        "dead_final_max": int(end[trained].max()) if some else None,
        "came_back_first_layer": int(back_first[trained].sum()),
        "seeds_first_layer_back": _count((back_first > 0) & trained),
        "came_back_deeper": int(back_deeper[trained].sum()),
        **outcome(rec.losses),
    }
    ok = np.logical_and.reduce([f.reshape(T, S) for f in finite])  # (T, S): the net inputs are finite
    shown = np.where(ok, count, np.nan).astype(float)
    seed_ids = np.arange(p.seed, p.seed + S)
    data = {"seed": seed_ids, "snapshot_epoch": rec.snapshot_epochs, "dead_units": shown.T, "diverged": rec.diverged,
            "dead_start": start, "dead_peak": peak, "dead_end": end, "died": died,
            "came_back_first_layer": back_first, "came_back_deeper": back_deeper}
    return Result(metrics, data)


def _cost(p: SeedsParams) -> float:
    """One ensemble of n_seeds networks with SNAPSHOTS recorded, and the unit states of every snapshot."""
    return work.seconds(run_work(p, p.activation, p.n_seeds, p.epochs, SNAPSHOTS)
                        + states_work(p, p.activation, min(SNAPSHOTS, p.epochs + 1) * p.n_seeds))


EXPERIMENT = Experiment(
    name="seeds",
    title=text("The same run over several seeds", "多个种子下的同一训练"),
    summary=text(
        "The settings of the dying experiment, with one network per seed trained at once. For each seed: the dead "
        "units over training, and the units that went inactive (z ≤ 0 on every input) and later came back, in the "
        "first hidden layer and in the deeper ones. Runs that blow up are left out and counted.",
        "与“看着单元死去”相同的设置，每个种子一个网络，同时训练。对每个种子给出：训练过程中的死亡单元数，以及曾经不活跃"
        "（在所有输入上 z ≤ 0）后来又恢复的单元数，第一隐藏层与更深的层分开计数。发散的训练不计入，另行计数。",
    ),
    params=SeedsParams,
    run=seeds,
    draw=figs.seeds,
    cost=_cost,
    cost_fields=("n_seeds", "epochs", "width", "depth"),
    metrics={
        "seeds_run": metric("seeds", "种子数", "Networks trained, one per seed.", "训练的网络数，每个种子一个。"),
        "seeds_diverged": metric("seeds that blew up", "发散的种子数", "Runs whose loss became non-finite or ended "
                                 "clearly above its start; left out of the counts below.",
                                 "损失变为非有限值或最终明显高于初始值的训练；不计入下面的各项计数。"),
        "seeds_with_deaths": metric("seeds where units died", "有单元死亡的种子数",
                                    "Seeds in which some unit alive before training is dead at the end.",
                                    "训练前存活、训练结束时死亡的单元至少有一个的种子数。"),
        "seeds_dead_rose": metric("seeds ending with more dead", "结束时死亡更多的种子数",
                                  "Seeds with more dead units at the end than at initialisation.",
                                  "训练结束时死亡单元比初始化时多的种子数。"),
        "seeds_peak_rose": metric("seeds whose count ever rose", "死亡数曾上升的种子数",
                                  "Seeds with more dead units than at initialisation at some recorded epoch.",
                                  "在某个记录轮次上死亡单元比初始化时多的种子数。"),
        "max_rise": metric("largest rise", "最大增幅", "The largest number of dead units, over recorded epochs and "
                           "seeds, above the seed's count at initialisation.",
                           "在所有记录轮次和种子中，死亡单元数比该种子初始化时多出的最大值。"),
        "seeds_first_layer_dead": metric("seeds with a dead first-layer unit", "第一层有死亡单元的种子数",
                                         "Seeds with at least one dead unit in the first hidden layer at the end.",
                                         "训练结束时第一隐藏层至少有一个死亡单元的种子数。"),
        "seeds_dead_at_end": metric("seeds with dead units at the end", "结束时有死亡单元的种子数",
                                    "Seeds with at least one dead unit at the end.", "训练结束时至少有一个死亡单元的种子数。"),
        "dead_final_min": metric("fewest dead at the end", "结束时最少死亡数", "The smallest count of dead units at "
                                 "the end, over seeds.", "各种子训练结束时死亡单元数的最小值。"),
        "dead_final_max": metric("most dead at the end", "结束时最多死亡数", "The largest count of dead units at the "
                                 "end, over seeds.", "各种子训练结束时死亡单元数的最大值。"),
        "came_back_first_layer": metric("came back, first layer", "恢复的单元（第一层）",
                                        "First-layer units inactive at one recorded epoch and active at a later one, "
                                        "summed over seeds.", "在某个记录轮次不活跃、之后又活跃的第一层单元数，对种子求和。"),
        "seeds_first_layer_back": metric("seeds where one came back", "有第一层单元恢复的种子数",
                                         "Seeds in which at least one first-layer unit came back that way.",
                                         "至少有一个第一层单元以这种方式恢复的种子数。"),
        "came_back_deeper": metric("came back, deeper layers", "恢复的单元（更深层）",
                                   "The same for the units of the deeper hidden layers.", "更深隐藏层中的同类单元数。"),
    },
)
