"""4-5 — Parameters against depth under a fixed budget of hidden neurons.

Experiments: parameter-count (the formula P(L) against the arrays of networks the core builds, for every
L dividing N, with the continuous curve over real L), depth-at-budget (networks with the same N hidden
neurons at every L dividing N, trained on a 2-D spiral: fewer parameters, better or worse?).

Architecture: input of dimension M₀, L hidden layers of N/L units each, one output unit, fully
connected, one bias per non-input unit:
    P(L) = M₀·N/L + (L−1)(N/L)² + N/L + (N+1).

Each experiment computes its numbers here (the trained networks' surfaces too, in the result's views);
the figures are drawn from the result afterwards, in any language (app.figures.ex4_5).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from app.exercises import work
from app.exercises.base import COMMON_METRICS, Exercise, Experiment, Params, Result, metric, param
from app.exercises.common import outcome, surfaces
from app.exercises.ex4_5_check import CHECK_PARAMETERS
from app.figures import ex4_5 as figs
from app.i18n import text
from app.nn.data import spiral
from app.nn.network import init_network, parameter_count, predict
from app.nn.train import train

# Networks up to this many parameters are also built for real (init_network) and their arrays counted.
BUILD_LIMIT = 200_000
CURVE_POINTS = 241
PARTS = ("input_weights", "hidden_weights", "output_weights", "biases")


def divisors(n: int, upto: int) -> list[int]:
    """Return the divisors L of n with L ≤ upto, ascending."""
    return [d for d in range(1, min(n, upto) + 1) if n % d == 0]


def formula(n_hidden: float, input_dim: float, layers: np.ndarray | float) -> np.ndarray | float:
    """Return P(L) = M₀·N/L + (L−1)(N/L)² + N/L + (N+1), for whole or real L."""
    width = n_hidden / layers
    return input_dim * width + (layers - 1) * width**2 + width + n_hidden + 1


def formula_parts(n_hidden: int, input_dim: int, layers: int) -> dict[str, int]:
    """Return the four terms of P(L) for a whole L that divides N."""
    w = n_hidden // layers
    return {"input_weights": input_dim * w, "hidden_weights": (layers - 1) * w * w, "output_weights": w,
            "biases": n_hidden + 1}


def l_star(n_hidden: float, input_dim: float) -> float:
    """Return the maximiser of P over real L: dP/dL = −N(M₀+N+1)/L² + 2N²/L³ = 0 ⇒ L* = 2N/(N+M₀+1)."""
    return 2 * n_hidden / (n_hidden + input_dim + 1)


def sizes_for(input_dim: int, n_hidden: int, layers: int) -> tuple[int, ...]:
    """Return the layer sizes (M₀, N/L, …, N/L, 1) of the architecture with L hidden layers."""
    return (input_dim, *([n_hidden // layers] * layers), 1)


def count_built(sizes: tuple[int, ...]) -> dict[str, int]:
    """Build the network with the core and count the entries of its arrays, split like parameter_count."""
    net = init_network(sizes, "relu", "linear", [0])
    w = [int(W[0].size) for W in net.W]
    biases = sum(int(b[0].size) for b in net.b)
    split = {"input_weights": w[0], "hidden_weights": sum(w[1:-1]), "output_weights": w[-1], "biases": biases}
    return {**split, "total": sum(split.values())}


# ---------------------------------------------------------------- parameter-count

class CountParams(Params):
    n_hidden: int = param(120, text("Hidden neurons N", "隐藏神经元总数 N"),
                          text("The budget of hidden neurons, shared evenly by the L hidden layers.",
                               "隐藏神经元的总预算，由 L 个隐藏层平均分配。"), ge=1, le=100_000)
    input_dim: int = param(10, text("Input dimension M₀", "输入维数 M₀"),
                           text("Size of the input vector (not the output: the network has one output unit).",
                                "输入向量的维数（不是输出维数：网络只有一个输出神经元）。"), ge=1, le=10_000)
    max_layers: int = param(12, text("Largest L", "最大层数 L"),
                            text("Every L up to this value that divides N is shown.",
                                 "显示不超过该值且整除 N 的每个 L。"), ge=1, le=1000)


def parameter_count_experiment(p: CountParams) -> Result:
    """Compare P(L) with the parameters of the networks the core builds, for every L dividing N."""
    N, M0 = p.n_hidden, p.input_dim
    layers = divisors(N, p.max_layers)
    rows = []
    for L in layers:
        sizes = sizes_for(M0, N, L)
        by_shapes = parameter_count(sizes)
        built = count_built(sizes) if by_shapes["total"] <= BUILD_LIMIT else None
        parts = formula_parts(N, M0, L)
        # The formula's terms in exact integers (N/L is whole because L divides N).
        rows.append({"L": L, "formula": sum(parts.values()), "parts": parts, "shapes": by_shapes, "built": built})
    match = all(
        r["shapes"]["total"] == r["formula"]
        and all(r["shapes"][k] == r["parts"][k] for k in PARTS)
        and (r["built"] is None or r["built"] == r["shapes"])
        for r in rows
    )

    hi = max(2.0, float(min(p.max_layers, N)))
    curve_L = np.linspace(1.0, hi, CURVE_POINTS)
    curve_P = formula(N, M0, curve_L)
    best = max(rows, key=lambda r: r["formula"])["L"]
    ls = l_star(N, M0)
    metrics = {
        "params_by_layers": {str(r["L"]): int(r["formula"]) for r in rows},
        "all_match": bool(match),
        "best_layers": int(best),
        "l_star": ls,
        "params_at_l_star": float(formula(N, M0, ls)),
        "networks_built": sum(r["built"] is not None for r in rows),
    }
    data = {
        "layers": layers,
        "width": [N // L for L in layers],
        "formula": [r["formula"] for r in rows],
        "counted": [r["shapes"]["total"] for r in rows],
        "built": [None if r["built"] is None else r["built"]["total"] for r in rows],
        **{k: [r["shapes"][k] for r in rows] for k in PARTS},
        "curve_layers": curve_L,
        "curve_params": curve_P,
    }
    return Result(metrics, data)


def count_cost(p: CountParams) -> float:
    """Tiny: the shapes of at most max_layers networks, and the small ones built (their arrays drawn)."""
    built = [sizes_for(p.input_dim, p.n_hidden, L) for L in divisors(p.n_hidden, p.max_layers)]
    return work.seconds(sum((work.arrays(1, s) for s in built if parameter_count(s)["total"] <= BUILD_LIMIT),
                            work.Work()))


# ---------------------------------------------------------------- depth-at-budget

class DepthParams(Params):
    n_hidden: int = param(24, text("Hidden neurons N", "隐藏神经元总数 N"),
                          text("The same budget of hidden neurons for every depth L (L must divide N).",
                               "每种深度 L 使用相同的隐藏神经元预算（L 须整除 N）。"), ge=1, le=96)
    max_layers: int = param(24, text("Largest L", "最大层数 L"),
                            text("Train every L up to this value that divides N.",
                                 "训练不超过该值且整除 N 的每个 L。"), ge=1, le=96)
    activation: Literal["relu", "tanh"] = param("relu", text("Hidden activation", "隐藏层激活函数"),
                                                text("ReLU layers start with He initialisation, tanh with Xavier.",
                                                     "ReLU 层用 He 初始化，tanh 层用 Xavier 初始化。"))
    epochs: int = param(120, text("Epochs", "训练轮数"),
                        text("Full-batch Adam steps, the same for every depth.", "全批量 Adam 的步数，各深度相同。"),
                        ge=1, le=3000)
    lr: float = param(0.05, text("Learning rate", "学习率"), text("Adam's step size.", "Adam 的步长。"),
                      ge=1e-4, le=1.0, scale="log")
    n_seeds: int = param(3, text("Seeds", "随机种子数"),
                         text("Networks per depth, trained at once from different initialisations.",
                              "每种深度同时训练的网络个数（初始化不同）。"), ge=1, le=16)
    n_train: int = param(200, text("Training points", "训练样本数"),
                         text("Points of the two-arm spiral used for training.", "用于训练的双螺旋样本数。"),
                         ge=20, le=1000)
    turns: float = param(1.5, text("Spiral turns", "螺旋圈数"),
                         text("More turns make the task harder.", "圈数越多，任务越难。"), ge=0.25, le=3, step=0.25)
    seed: int = param(0, text("Seed", "随机种子"), text("Seeds the data and the initialisations.",
                                                        "决定数据与初始化的随机性。"), ge=0, le=2**31 - 1)


TEST_POINTS = 400
SURFACE_N = 41


def depth_layers(p: DepthParams) -> list[int]:
    """Return the depths trained: divisors of N up to max_layers."""
    return divisors(p.n_hidden, p.max_layers)


def depth_at_budget(p: DepthParams) -> Result:
    """Train, for every L dividing N, n_seeds networks with L hidden layers of N/L units on a spiral.

    views: surfaces (gx, gy, {L: Z}), p(class 1) of each depth's first seed over [−1.25, 1.25]².
    """
    X, Y = spiral(p.n_train, p.seed, turns=p.turns)
    Xt, Yt = spiral(TEST_POINTS, p.seed + 1, turns=p.turns)
    seeds = [int(s) for s in np.random.SeedSequence(p.seed).generate_state(p.n_seeds)]
    init = "he" if p.activation == "relu" else "xavier"
    layers = depth_layers(p)
    losses, final, acc, params, first_seed, runs = {}, {}, {}, {}, {}, []
    for L in layers:
        sizes = (2, *([p.n_hidden // L] * L), 1)
        net = init_network(sizes, p.activation, "linear", seeds, weight_init=init)
        rec = train(net, X, Y, loss="bce", epochs=p.epochs, eta=p.lr, optimizer="adam",
                    record_grad_norms=False, n_snapshots=2)
        correct = (predict(rec.net, Xt)[..., 0] > 0) == (Yt[:, 0] > 0.5)
        losses[L] = rec.losses
        final[L] = rec.losses[:, -1]
        acc[L] = correct.mean(axis=1)
        params[L] = parameter_count(sizes)["total"]
        gx, gy, Z = surfaces(rec.net, (-1.25, -1.25), (1.25, 1.25), SURFACE_N, probability=True)
        first_seed[L] = Z[0]
        runs.append(rec.losses)
    mean_loss = {L: float(np.mean(v)) if np.isfinite(v).all() else float("nan") for L, v in final.items()}
    metrics = {
        "params_by_layers": {str(L): params[L] for L in layers},
        "final_loss_by_layers": {str(L): mean_loss[L] for L in layers},
        "accuracy_by_layers": {str(L): float(np.mean(acc[L])) for L in layers},
        "best_accuracy_layers": int(max(layers, key=lambda L: (np.mean(acc[L]), -L))),
        **outcome(np.concatenate(runs)),
    }
    data = {
        "layers": layers,
        "width": [p.n_hidden // L for L in layers],
        "params": [params[L] for L in layers],
        "final_loss": [final[L] for L in layers],
        "final_loss_mean": [mean_loss[L] for L in layers],
        "accuracy": [acc[L] for L in layers],
        "accuracy_mean": [float(np.mean(acc[L])) for L in layers],
        "epoch": np.arange(p.epochs + 1),
        "x": X, "y": Y[:, 0],
    }
    return Result(metrics, data, views={"surfaces": (gx, gy, first_seed)})


def depth_cost(p: DepthParams) -> float:
    """Every depth's ensemble trained by Adam, its test accuracy and its first seed's surface."""
    total = work.Work()
    for L in depth_layers(p):
        sizes = (2, *([p.n_hidden // L] * L), 1)
        total = total + (work.training(p.n_seeds, p.n_train, sizes, p.epochs, None, p.activation, optimizer="adam",
                                         loss="bce")
                         + work.evaluation(p.n_seeds, TEST_POINTS + SURFACE_N**2, sizes, activation=p.activation))
    return work.seconds(total)


# ---------------------------------------------------------------- the exercise

EXERCISE = Exercise(
    id="4-5",
    title=text("Parameters vs depth", "参数数量与隐藏层数"),
    question=text(
        "A fully connected network has N hidden neurons in total, spread evenly over L hidden layers, "
        "plus one output neuron, on inputs of dimension M₀. How does its number of parameters change with L?",
        "一个全连接网络共有 N 个隐藏神经元，平均分布在 L 个隐藏层中，另有一个输出神经元，输入维数为 M₀。"
        "参数数量如何随层数 L 变化？",
    ),
    experiments=(
        Experiment(
            name="parameter-count",
            title=text("The formula against the arrays of real networks", "公式与真实网络的参数个数对照"),
            summary=text(
                "For every L that divides N, the formula P(L) is compared with the parameters of the network the "
                "core builds (counted from its weight and bias shapes, and from the arrays themselves when the "
                "network is small). The line is P over real L: it peaks at L* = 2N/(N+M₀+1) < 2.",
                "对每个整除 N 的 L，把公式 P(L) 与核心代码构建出的网络的参数个数对照（按权重和偏置的形状计数，"
                "网络较小时还直接数数组元素）。曲线是 L 取实数时的 P，它在 L* = 2N/(N+M₀+1) < 2 处取最大值。",
            ),
            params=CountParams,
            run=parameter_count_experiment,
            draw=figs.parameter_count,
            cost=count_cost,
            cost_fields=("max_layers",),
            metrics={
                "params_by_layers": metric("parameters by L", "各 L 的参数个数",
                                           "P(L) for every L shown (the formula, equal to the count when all match).",
                                           "所示每个 L 的 P(L)（公式值；全部一致时即计数值）。"),
                "all_match": metric("formula = count", "公式 = 计数",
                                    "P(L) equals the counted parameters, term by term, for every L shown.",
                                    "对所示的每个 L，P(L) 与计数结果逐项相等。"),
                "best_layers": metric("L with the most parameters", "参数最多的 L",
                                      "Among the L that divide N (up to the largest L).", "在整除 N 的 L 中（不超过最大层数）。"),
                "l_star": metric("L*", "L*", "2N/(N+M₀+1): where P is largest when L may be any real number.",
                                 "2N/(N+M₀+1)：L 取任意实数时 P 最大的位置。"),
                "params_at_l_star": metric("P(L*)", "P(L*)", "The peak of the continuous curve.", "连续曲线的峰值。"),
                "networks_built": metric("networks built", "实际构建的网络",
                                         "How many of the networks were small enough to allocate and count entry by entry.",
                                         "有多少个网络足够小，可以实际分配并逐个数参数。"),
            },
        ),
        Experiment(
            name="depth-at-budget",
            title=text("Same neuron budget, different depths, one task", "同样的神经元预算，不同深度，同一任务"),
            summary=text(
                "N hidden neurons are arranged as L layers of N/L units for every L dividing N, and each network is "
                "trained on the same spiral with the same epochs and seeds. Parameters, loss and held-out accuracy "
                "side by side: having more parameters does not decide the outcome.",
                "把 N 个隐藏神经元排成 L 层、每层 N/L 个（L 取 N 的每个因数），在同一个螺旋数据集上用相同的轮数和种子训练。"
                "参数个数、损失和测试准确率并排给出：参数多并不决定结果。",
            ),
            params=DepthParams,
            run=depth_at_budget,
            draw=figs.depth_at_budget,
            cost=depth_cost,
            cost_fields=("epochs", "n_seeds", "n_train", "max_layers"),
            metrics={
                **COMMON_METRICS,
                "params_by_layers": metric("parameters by L", "各 L 的参数个数", "P(L) for M₀ = 2.", "M₀ = 2 时的 P(L)。"),
                "final_loss_by_layers": metric("final loss by L", "各 L 的最终损失",
                                               "Training cross-entropy after the last epoch, mean over seeds.",
                                               "最后一轮后的训练交叉熵，对种子取平均。"),
                "accuracy_by_layers": metric("test accuracy by L", "各 L 的测试准确率",
                                             "On 400 fresh spiral points, mean over seeds.", "在 400 个新的螺旋样本上，对种子取平均。"),
                "best_accuracy_layers": metric("L with the best accuracy", "准确率最高的 L",
                                               "Mean test accuracy over seeds decides.", "按各种子的平均测试准确率决定。"),
            },
        ),
        CHECK_PARAMETERS,
    ),
)
