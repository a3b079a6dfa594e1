"""4-6 — The universal approximation theorem holds for ReLU.

Experiments: construct (the network of the constructive proof: n ReLU hinges at equally spaced
knots whose sum is the piecewise-linear interpolant; its sup and RMS errors; their decay with n),
train (the same width trained by Adam from a random start, beside the construction).

A target may be a formula typed by the reader, parsed and evaluated by app/exercises/formula.py
(a whitelist parser over Python's `ast` and a NumPy evaluator; nothing is ever passed to eval).
The figures are drawn afterwards, in any language, by app.figures.ex4_6 from the Result; what they
need of a network (the hinges' partial sums, the replay's curves) is computed here, into `views`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import ValidationInfo, field_validator

from app.exercises import work
from app.exercises.base import Exercise, Experiment, Metric, Params, Result, greater_than, param
from app.exercises.common import frame_indices, outcome
from app.exercises.formula import (  # noqa: F401  (FUNCTIONS, MAX_DEPTH: the formula rules, for tests)
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPRESSION_LENGTH,
    FormulaError,
    check_finite,
    evaluate,
    parse_formula,
)
from app.figures import ex4_6 as figs
from app.i18n import text
from app.nn.network import Network, forward, init_network
from app.nn.train import train as train_network

# ---------------------------------------------------------------------------------------------
# Targets and grids
# ---------------------------------------------------------------------------------------------

Target = Literal["sin", "abs", "step", "gaussian", "sawtooth", "cubic", "expression"]

TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "abs": np.abs,
    "step": lambda x: np.where(x >= 0, 1.0, 0.0),  # Heaviside, jump 1 at x = 0
    "gaussian": lambda x: np.exp(-x * x),
    "sawtooth": lambda x: x - 2.0 * np.floor((x + 1.0) / 2.0),  # period 2, jumps of 2 at odd integers
    "cubic": lambda x: x**3,
}

SWEEP_UNITS = tuple(2**k for k in range(11))  # 1 … 1024
# The sup error is also measured this fraction of a piece to either side of every knot (see one_sided_points).
HAIR = 1e-9
HINGES_DRAWN = 16
TRAIN_POINTS = 256
REPLAY_SNAPSHOTS = 201
REPLAY_FRAMES = 25
REPLAY_POINTS = 257


def dense_grid(a: float, b: float, n: int) -> tuple[np.ndarray, int]:
    """Return the error grid for n pieces, (n·m + 1,), and m, its points per piece (even).

    Knots are every m-th point, so x[::m] are exactly the knots x₀ … xₙ and the midpoint of every
    piece is on the grid. At least 2049 points, at least 4 per piece. The RMS error is taken at the
    midpoints of the grid's intervals (the midpoint rule), which never fall on a knot, so a jump there
    costs its exact share of the integral.
    """
    m = max(4, 2 * math.ceil(1024 / n))
    return np.linspace(a, b, n * m + 1), m


def one_sided_points(knots: np.ndarray) -> np.ndarray:
    """Return the points a hair (HAIR of a piece) left of x₁ … xₙ and right of x₀ … xₙ₋₁, (2n,).

    A target that jumps at a knot (the step at 0 when n is even) meets the interpolant there, but
    just beside the knot the error comes arbitrarily close to the whole jump: the sup is a one-sided
    limit that no grid point attains, and the grid would report 1 − 1/m, drifting with m. Measured
    a hair from the knot, the error is within HAIR of that limit for every n.
    """
    h = np.diff(knots)
    return np.concatenate([knots[1:] - HAIR * h, knots[:-1] + HAIR * h])


def loglog_slope(units: np.ndarray, err: np.ndarray) -> float | None:
    """Return the log-log slope of err against units ≥ 16 (the asymptotic regime); None if an error is ~0."""
    big = np.asarray(units) >= 16
    e = np.asarray(err)[big]
    if big.sum() < 2 or not (np.isfinite(e).all() and (e > 1e-12).all()):
        return None  # f is (nearly) represented exactly: rounding noise has no slope
    return float(np.polyfit(np.log(np.asarray(units)[big]), np.log(e), 1)[0])


def target_function(target: str, expression: str) -> Callable[[np.ndarray], np.ndarray]:
    """Return f as a vectorised function of x."""
    if target == "expression":
        tree = parse_formula(expression)
        return lambda x: evaluate(tree, x)
    return TARGETS[target]


def formula_validator(grids: Callable[[float, float, int], list]) -> Any:
    """Return the validator of `expression`: it must parse, and be finite at every point in grids(a, b, n).

    Declared after x_min, x_max and units, so that it sees them; the 422 names `expression`.
    """

    def check(cls: type, expression: str, info: ValidationInfo) -> str:
        d = info.data
        if {"x_min", "x_max", "units"} <= set(d):
            problem = _not_finite(grids, expression, d["x_min"], d["x_max"], d["units"])
            if problem is not None:
                raise FormulaError(problem.en, problem.zh, problem.column)
        else:
            parse_formula(expression)
        return expression

    return field_validator("expression")(classmethod(check))


@functools.lru_cache(maxsize=512)
def _not_finite(grids: Callable[[float, float, int], list], expression: str, a: float, b: float,
                n: int) -> FormulaError | None:
    """The refusal of a formula that is not finite at one of the points grids(a, b, n), else None.

    Kept per query: every request validates its parameters, one answered from the result cache too,
    and evaluating the formula at every point the experiment uses costs more than the rest of that
    answer. A formula that does not parse raises at once (and is not kept)."""
    tree = parse_formula(expression)
    try:
        for x in grids(a, b, n):
            check_finite(tree, x)
    except FormulaError as e:
        return e
    return None


def _error_points(a: float, b: float, n: int) -> list[np.ndarray]:
    x, m = dense_grid(a, b, n)
    return [x, (x[:-1] + x[1:]) / 2, one_sided_points(x[::m])]


def construct_grids(a: float, b: float, units: int) -> list[np.ndarray]:
    """Return every set of points where `construct` evaluates the target."""
    return [pts for n in sorted({units, *SWEEP_UNITS}) for pts in _error_points(a, b, n)]


def train_grids(a: float, b: float, units: int) -> list[np.ndarray]:
    """Return every set of points where `train` evaluates the target."""
    return [*_error_points(a, b, units), np.linspace(a, b, TRAIN_POINTS)]


# ---------------------------------------------------------------------------------------------
# The construction
# ---------------------------------------------------------------------------------------------

def interpolant_network(knots: np.ndarray, values: np.ndarray) -> Network:
    """Build the one-hidden-layer ReLU network whose output is the piecewise-linear interpolant.

    knots x₀ < … < xₙ (n+1,), values f(xᵢ) (n+1,). Hidden unit i = ReLU(1·x − xᵢ) for i < n, output
    weights sᵢ − sᵢ₋₁ with sᵢ the slope on [xᵢ, xᵢ₊₁] and s₋₁ = 0, output bias f(x₀). On [x₀, xₙ]:
    g(x) = f(x₀) + Σᵢ (sᵢ − sᵢ₋₁)·ReLU(x − xᵢ).
    """
    n = len(knots) - 1
    slopes = np.diff(values) / np.diff(knots)
    net = init_network((1, n, 1), "relu", "linear", seeds=[0], weight_init="zeros")
    net.W[0][0, 0, :] = 1.0
    net.b[0][0, 0, :] = -knots[:-1]
    net.W[1][0, :, 0] = np.diff(slopes, prepend=0.0)
    net.b[1][0, 0, 0] = values[0]
    return net


def run_network(net: Network, x: np.ndarray, max_elements: int = 1 << 15) -> np.ndarray:
    """Return the first member's output at the points x (N,), in chunks that bound the hidden layer."""
    rows = max(1, max_elements // max(net.sizes[1:-1] or (1,)))
    out = [forward(net, x[i:i + rows, None]).A[-1][0, :, 0] for i in range(0, len(x), rows)]
    return np.concatenate(out)


def construction(f: Callable[[np.ndarray], np.ndarray], a: float, b: float, n: int) -> dict[str, Any]:
    """Build the n-unit network for f on [a, b], run it on the error grid, and measure its errors.

    sup: over the grid and a hair beside every knot, where a jump of f is missed by any grid.
    rms: (1/(b − a) ∫ (f − g)²)^½ by the midpoint rule on the grid's intervals.
    """
    x, m = dense_grid(a, b, n)
    y = f(x)
    knots = x[::m]
    net = interpolant_network(knots, y[::m])
    g = run_network(net, x)
    beside = one_sided_points(knots)
    # The network is linear between grid points (kinks at the knots): off the grid, interpolate its values.
    sup = max(float(np.abs(g - y).max()), float(np.abs(np.interp(beside, x, g) - f(beside)).max()))
    rms = float(np.sqrt(np.mean(((g[:-1] + g[1:]) / 2 - f((x[:-1] + x[1:]) / 2)) ** 2)))
    return {"x": x, "y": y, "g": g, "m": m, "knots": knots, "net": net, "sup": sup, "rms": rms}


def _thin(n_points: int, limit: int = 1025) -> slice:
    return slice(None, None, max(1, math.ceil((n_points - 1) / (limit - 1))))


class IntervalParams(Params):
    """Target and interval, shared by both experiments."""

    target: Target = param("sin", text("Target f", "目标函数 f"),
                           text("The function to approximate; 'expression' uses the formula typed below.",
                                "要逼近的函数；选 expression 时使用下方输入的公式。"))
    x_min: float = param(-math.pi, text("x min", "x 最小值"), text("Left end a of the interval [a, b].",
                         "区间 [a, b] 的左端点 a。"), ge=-10, le=10, step=0.1)
    x_max: float = param(math.pi, text("x max", "x 最大值"),
                         text("Right end b of the interval; must exceed x min.", "区间的右端点 b，必须大于 x 最小值。"),
                         ge=-10, le=10, step=0.1)

    _after_min = greater_than("x_max", "x_min")


_EXPRESSION_LABEL = text("Formula f(x)", "公式 f(x)")
_EXPRESSION_HELP = text(
    "Used when the target is 'expression': a formula in x with numbers, + - * / **, pi, e and "
    "sin cos tan exp log sqrt abs tanh, e.g. sin(2*x) + abs(x)/2. It must be finite on the interval.",
    "目标选 expression 时使用：关于 x 的公式，可用数字、+ - * / **、pi、e 以及 sin cos tan exp log sqrt abs tanh，"
    "例如 sin(2*x) + abs(x)/2。它在区间上必须取有限值。")
DEFAULT_EXPRESSION = "sin(2*x) + abs(x)/2"


class ConstructParams(IntervalParams):
    units: int = param(8, text("Hidden units n", "隐藏单元数 n"),
                       text("ReLU units of the construction = linear pieces on the interval.",
                            "构造中的 ReLU 单元数，即区间上的线性段数。"), ge=1, le=1024)
    expression: str = param(DEFAULT_EXPRESSION, _EXPRESSION_LABEL, _EXPRESSION_HELP,
                            max_length=MAX_EXPRESSION_LENGTH)

    _valid_formula = formula_validator(construct_grids)


def construct(p: ConstructParams) -> Result:
    """Build the constructive proof's network for the target, run it, and sweep the width."""
    f = target_function(p.target, p.expression)
    c = construction(f, p.x_min, p.x_max, p.units)
    net, knots = c["net"], c["knots"]
    sweep = [c if n == p.units else construction(f, p.x_min, p.x_max, n) for n in SWEEP_UNITS]
    sweep_sup = np.array([s["sup"] for s in sweep])
    sweep_rms = np.array([s["rms"] for s in sweep])

    # Partial sums f(x₀) + Σ_{i≤k} vᵢ ReLU(x − xᵢ): linear between knots, so exact at the knots alone.
    hidden = forward(net, knots[:, None]).A[1][0]  # (n+1, n)
    v, b2 = net.W[1][0, :, 0], float(net.b[1][0, 0, 0])
    partial = b2 + np.cumsum(hidden * v, axis=1)  # column k: the first k+1 units
    # The `hinges` figure draws at most HINGES_DRAWN of them, evenly spread, always the last (all units).
    drawn = np.unique(np.round(np.linspace(0, p.units - 1, min(p.units, HINGES_DRAWN))).astype(int))

    s = _thin(len(c["x"]))
    x, y, g = c["x"][s], c["y"][s], c["g"][s]
    units = np.array(SWEEP_UNITS)
    slopes = loglog_slope(units, sweep_sup), loglog_slope(units, sweep_rms)
    metrics = {"sup_error": c["sup"], "rms_error": c["rms"], "units": p.units,
               "sup_slope": slopes[0], "rms_slope": slopes[1]}
    data = {
        "x": x, "target": y, "approximation": g, "knots": knots, "knot_values": c["y"][::c["m"]],
        "hidden_weights": net.W[0][0, 0, :], "hidden_biases": net.b[0][0, 0, :],
        "output_weights": v, "output_bias": b2,
        "sweep_units": units, "sweep_sup_error": sweep_sup, "sweep_rms_error": sweep_rms,
    }
    return Result(metrics, data, views={"partial_units": drawn, "partial_sums": partial[:, drawn]})


# ---------------------------------------------------------------------------------------------
# Training the same width
# ---------------------------------------------------------------------------------------------

class TrainParams(IntervalParams):
    units: int = param(16, text("Hidden units n", "隐藏单元数 n"),
                       text("Width of the one hidden ReLU layer (trained and constructed alike).",
                            "唯一 ReLU 隐藏层的宽度（训练的与构造的相同）。"), ge=1, le=256)
    epochs: int = param(800, text("Epochs", "训练轮数"),
                        text("Full-batch Adam steps on the training points.", "在训练点上做全批量 Adam 更新的步数。"),
                        ge=1, le=20000)
    lr: float = param(0.05, text("Learning rate η", "学习率 η"), text("Adam's step size.", "Adam 的步长。"),
                      ge=1e-4, le=1.0, scale="log")
    seed: int = param(0, text("Seed", "随机种子"), text("Seed of the random initial weights.", "初始权重的随机种子。"),
                      ge=0, le=2**31 - 1)
    expression: str = param(DEFAULT_EXPRESSION, _EXPRESSION_LABEL, _EXPRESSION_HELP,
                            max_length=MAX_EXPRESSION_LENGTH)

    _valid_formula = formula_validator(train_grids)


def train(p: TrainParams) -> Result:
    """Train an n-unit ReLU network by Adam from a random start; compare with the construction."""
    f = target_function(p.target, p.expression)
    a, b = p.x_min, p.x_max
    X = np.linspace(a, b, TRAIN_POINTS)
    Y = f(X)
    # He weights; biases uniform on ±max|x| so the initial kinks −b/w fall around the interval.
    net0 = init_network((1, p.units, 1), "relu", "linear", seeds=[p.seed], weight_init="he",
                        bias_init="uniform", init_kwargs={"limit": max(abs(a), abs(b))})
    rec = train_network(net0, X[:, None], Y[:, None], optimizer="adam", eta=p.lr, epochs=p.epochs,
                        n_snapshots=REPLAY_SNAPSHOTS, record_grad_norms=False)
    c = construction(f, a, b, p.units)
    trained = run_network(rec.net, c["x"])
    err = np.abs(trained - c["y"])
    sup = float(err.max())
    losses = rec.losses[0]
    final = float(losses[-1])
    metrics = {"sup_error": sup if np.isfinite(sup) else None,
               "final_loss": final if np.isfinite(final) else None,
               "construct_sup_error": c["sup"], **outcome(losses)}
    s = _thin(len(c["x"]))
    epochs = np.arange(p.epochs + 1)
    e = _thin(len(epochs), 1001)
    data = {"x": c["x"][s], "target": c["y"][s], "trained": trained[s], "constructed": c["g"][s],
            "train_x": X, "epoch": epochs[e], "loss": losses[e]}
    # The replay: the trained curve at ~25 recorded epochs, on at most REPLAY_POINTS of the fit's points.
    frames = frame_indices(rec.snapshot_epochs, REPLAY_FRAMES)
    keep = np.unique(np.linspace(0, len(c["x"][s]) - 1, min(len(c["x"][s]), REPLAY_POINTS)).round().astype(int))
    xr, yr = c["x"][s][keep], c["y"][s][keep]
    with np.errstate(all="ignore"):
        curves = np.stack([run_network(rec.snapshots[i], xr) for i in frames])[:, None, :]
    data["replay_epoch"] = rec.snapshot_epochs[frames]
    return Result(metrics, data, views={"replay_x": xr, "replay_target": yr, "replay_curves": curves})


def _construction_work(units: int) -> work.Work:
    """The work of `construction`: the n-unit network run on the error grid and its midpoints (dense_grid:
    at least 2049 points, 4 per piece) and beside the knots, then its errors and sums (about one pass more)."""
    points = 2 * max(2049, 4 * units + 1) + 2 * (units + 1)
    return work.evaluation(1, points, (1, units, 1), times=2)


def _construct_cost(p: ConstructParams) -> float:
    """The construction at n units and at every width of the sweep, and the partial sums at the knots."""
    return work.seconds(sum((_construction_work(n) for n in {p.units, *SWEEP_UNITS}), work.Work())
                        + work.evaluation(1, p.units + 1, (1, p.units, 1), times=2))


def _train_cost(p: TrainParams) -> float:
    """Adam on the training points with REPLAY_SNAPSHOTS kept, the construction beside it, and the replay."""
    sizes = (1, p.units, 1)
    return work.seconds(work.training(1, TRAIN_POINTS, sizes, p.epochs, None, "relu", optimizer="adam",
                                      snapshots=min(REPLAY_SNAPSHOTS, p.epochs + 1))
                        + _construction_work(p.units)
                        + work.evaluation(REPLAY_FRAMES, REPLAY_POINTS, sizes))


EXERCISE = Exercise(
    id="4-6",
    title=text("Universal approximation with ReLU", "ReLU 的通用近似性"),
    question=text(
        "Show that the universal approximation theorem (the book's Theorem 4.1, stated for continuous functions "
        "on the unit cube [0, 1]^D) also holds when the hidden units use ReLU: a network with one hidden layer "
        "of ReLU units and a linear output can approximate any continuous function on [0, 1]^D to any accuracy.",
        "证明通用近似定理（书中定理 4.1，针对单位超立方体 [0, 1]^D 上的连续函数）对 ReLU 激活函数同样成立："
        "由一个使用 ReLU 激活函数的隐藏层和线性输出层组成的网络，可以以任意精度逼近 [0, 1]^D 上的任意连续函数。",
    ),
    experiments=(
        Experiment(
            name="construct",
            title=text("The constructive proof, hinge by hinge", "构造性证明：一个折线单元接一个"),
            summary=text(
                "n ReLU units ReLU(x − xᵢ) at equally spaced knots, added with weights sᵢ − sᵢ₋₁ (the change of "
                "slope) on top of the bias f(x₀): the network's output is the piecewise-linear interpolant of f. "
                "For a smooth f the sup error falls like 1/n²; for a step it never falls below half the jump.",
                "在等距节点处放 n 个 ReLU 单元 ReLU(x − xᵢ)，以斜率变化 sᵢ − sᵢ₋₁ 为输出权重、f(x₀) 为输出偏置相加："
                "网络的输出就是 f 的分段线性插值。对光滑的 f，最大误差按 1/n² 下降；对阶跃函数，它始终不低于跳跃的一半。",
            ),
            params=ConstructParams,
            run=construct,
            draw=figs.construct,
            metrics={
                "sup_error": Metric(text("sup error", "最大误差"),
                                    text("max |f − network| on a dense grid of the interval and a hair beside every knot.",
                                         "区间上稠密网格处、以及紧挨每个节点两侧处 |f − 网络| 的最大值。")),
                "rms_error": Metric(text("RMS error", "均方根误差"),
                                    text("Root-mean-square of f − network on the same grid: the L² error.",
                                         "同一网格上 f − 网络 的均方根，即 L² 误差。")),
                "units": Metric(text("hidden units", "隐藏单元数"),
                                text("n ReLU units, n linear pieces, n + 1 knots.", "n 个 ReLU 单元，n 段直线，n + 1 个节点。")),
                "sup_slope": Metric(text("log-log slope of the sup error", "最大误差的双对数斜率"),
                                    text("Slope of log(sup error) against log(units) from 16 to 1024 units: −2 for a "
                                         "smooth f; empty when f is represented exactly.",
                                         "16 到 1024 个单元上 log(最大误差) 对 log(单元数) 的斜率：光滑的 f 为 −2；"
                                         "f 被精确表示时为空。")),
                "rms_slope": Metric(text("log-log slope of the RMS error", "均方根误差的双对数斜率"),
                                    text("The same slope for the RMS error: −2 for a smooth f, −1/2 at a jump.",
                                         "均方根误差的同一斜率：光滑的 f 为 −2，有跳跃时为 −1/2。")),
            },
            cost=_construct_cost,
            cost_fields=("units",),
        ),
        Experiment(
            name="train",
            title=text("The same width, trained by gradient descent", "同样宽度，用梯度下降训练"),
            summary=text(
                "A one-hidden-layer ReLU network of the same width, started at random and trained by Adam on the "
                "same target, beside the construction. Training places its kinks where it likes; it usually needs "
                "many steps to come close to the construction's error.",
                "同样宽度的单隐藏层 ReLU 网络，从随机初值出发，用 Adam 在同一目标上训练，与构造的网络对照。训练自己决定折点位置；"
                "通常要很多步才能接近构造网络的误差。",
            ),
            params=TrainParams,
            run=train,
            draw=figs.train,
            metrics={
                "sup_error": Metric(text("sup error, trained", "最大误差（训练）"),
                                    text("max |f − trained network| on a dense grid.", "稠密网格上 |f − 训练网络| 的最大值。")),
                "final_loss": Metric(text("final loss", "最终损失"),
                                     text("Half the mean squared error on the training points.", "训练点上均方误差的一半。")),
                "construct_sup_error": Metric(text("sup error, constructed", "最大误差（构造）"),
                                              text("The construction with the same number of units.",
                                                   "相同单元数的构造网络的最大误差。")),
            },
            cost=_train_cost,
            cost_fields=("epochs", "units"),
        ),
    ),
)
