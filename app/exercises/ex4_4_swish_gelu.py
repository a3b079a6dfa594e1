"""4-4 — Derivatives of Swish and GELU, checked against finite differences.

Experiments: derivative (any activation of the core, analytic f′ against a centred finite
difference), swish-family (Swish as β moves between x/2 and ReLU), gelu-approximations (exact
GELU against its tanh and sigmoid approximations). Each computes its numbers here; the figures are
drawn from the result afterwards, in any language (app.figures.ex4_4).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from app.exercises.base import Exercise, Experiment, Metric, Params, Result, greater_than, param
from app.exercises.ex4_4_check import CHECK_GELU, CHECK_SWISH
from app.figures import ex4_4 as figs
from app.i18n import text
from app.nn.activations import get_activation

FunctionName = Literal[
    "swish", "gelu", "gelu_tanh", "gelu_sigmoid", "sigmoid", "tanh", "relu", "leaky_relu", "prelu",
    "elu", "softplus", "hard_sigmoid", "hard_tanh", "linear",
]

# Step of the centred difference (f(x+h) − f(x−h)) / 2h: truncation error ~h²·f‴/6 ≈ 1e-10,
# rounding error ~ε·|f|/h ≈ 1e-11, so both stay far below any mistake in a formula.
FD_STEP = 1e-5

# Points where f is not differentiable; the analytic value there is a convention (ReLU′(0) = 0).
KINKS: dict[str, tuple[float, ...]] = {
    "relu": (0.0,), "leaky_relu": (0.0,), "prelu": (0.0,), "elu": (0.0,),
    "hard_sigmoid": (-2.5, 2.5), "hard_tanh": (-1.0, 1.0),
}

SWISH_BETAS = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0)

# Reference values, computed independently of this code (mpmath, 50 digits); the page quotes them.
REFERENCE = {"swish_prime_1_3_beta_1_7": 1.0980185722642861, "gelu_prime_minus_0_7": 0.023385898866340155}


class RangeParams(Params):
    """An interval of x and how densely to sample it."""

    x_min: float = param(-6.0, text("x min", "x 最小值"), text("Left end of the plotted interval.",
                         "绘图区间的左端点。"), ge=-50, le=50, step=0.5)
    x_max: float = param(6.0, text("x max", "x 最大值"), text("Right end of the plotted interval; must exceed x min.",
                         "绘图区间的右端点，必须大于 x 最小值。"), ge=-50, le=50, step=0.5)
    points: int = param(401, text("Points", "采样点数"), text("Number of grid points on the interval.",
                        "区间上的采样点个数。"), ge=2, le=2001)

    _after_min = greater_than("x_max", "x_min")

    def grid(self) -> np.ndarray:
        """Return the sample points, shape (points,)."""
        return np.linspace(self.x_min, self.x_max, self.points)


class DerivativeParams(RangeParams):
    function: FunctionName = param("swish", text("Function", "函数"),
                                   text("The activation whose derivative is checked.", "要检验其导数的激活函数。"))
    beta: float = param(1.0, text("β (Swish)", "β（Swish）"),
                        text("Swish's β: 0 gives x/2, large β approaches ReLU.", "Swish 的 β：0 时为 x/2，β 越大越接近 ReLU。"),
                        ge=0, le=20, step=0.1)
    alpha: float = param(0.01, text("α (Leaky ReLU, PReLU, ELU)", "α（Leaky ReLU、PReLU、ELU）"),
                         text("Slope or scale for negative inputs.", "负半轴的斜率或尺度。"), ge=0, le=1, step=0.01)
    x_probe: float = param(1.3, text("Probe x", "探测点 x"),
                           text("A point where f′ is printed to full precision.", "在该点以全精度给出 f′ 的值。"),
                           ge=-50, le=50, step=0.1)


def derivative(p: DerivativeParams) -> Result:
    """Compare an activation's analytic derivative with a centred finite difference."""
    act = get_activation(p.function, alpha=p.alpha, beta=p.beta)
    x = p.grid()
    f, df = act.fn(x), act.der(x)
    df_numeric = (act.fn(x + FD_STEP) - act.fn(x - FD_STEP)) / (2 * FD_STEP)
    error = np.abs(df - df_numeric)
    near_kink = np.zeros_like(x, dtype=bool)
    for k in KINKS.get(p.function, ()):
        near_kink |= np.abs(x - k) < 2 * FD_STEP
    probe = np.array([p.x_probe])
    probe_numeric = (act.fn(probe + FD_STEP) - act.fn(probe - FD_STEP)) / (2 * FD_STEP)
    metrics = {
        "max_abs_error": float(error[~near_kink].max()) if (~near_kink).any() else 0.0,
        "points_at_kinks": int(near_kink.sum()),
        "function_latex": act.latex,
        "derivative_latex": act.der_latex,
        "probe_x": p.x_probe,
        "f_at_probe": float(act.fn(probe)[0]),
        "df_at_probe": float(act.der(probe)[0]),
        "df_numeric_at_probe": float(probe_numeric[0]),
    }
    data = {"x": x, "f": f, "df_analytic": df, "df_numeric": df_numeric, "abs_error": error}
    return Result(metrics, data, views={"near_kink": near_kink})


def swish_family(p: RangeParams) -> Result:
    """Compute Swish and its derivative for several β, with ReLU for reference.

    views: betas, the β of the curves in data (swish_beta_{β}, swish_derivative_beta_{β}).
    """
    x = p.grid()
    relu = get_activation("relu")
    curves = {b: get_activation("swish", beta=b) for b in SWISH_BETAS}
    f = {b: a.fn(x) for b, a in curves.items()}
    df = {b: a.der(x) for b, a in curves.items()}
    gaps = {b: float(np.abs(f[b] - relu.fn(x)).max()) for b in SWISH_BETAS}
    # Swish′(x; β) = g(βx): for β > 0 the dip sits at x = t*/β (t* ≈ −2.40, where g′ = 0), unless the
    # interval cuts it off, when the minimum moves to an end of the interval. β = 0: Swish′ ≡ ½, no dip.
    metrics = {"max_gap_to_relu": {f"{b:g}": g for b, g in gaps.items()},
               "min_derivative": {f"{b:g}": float(df[b].min()) for b in SWISH_BETAS},
               "dip_x": {f"{b:g}": float(x[np.argmin(df[b])]) if b > 0 else None for b in SWISH_BETAS}}
    data = {"x": x, "relu": relu.fn(x), "relu_derivative": relu.der(x),
            **{f"swish_beta_{b:g}": f[b] for b in SWISH_BETAS},
            **{f"swish_derivative_beta_{b:g}": df[b] for b in SWISH_BETAS}}
    return Result(metrics, data, views={"betas": SWISH_BETAS})


def gelu_approximations(p: RangeParams) -> Result:
    """Compare exact GELU with its tanh and sigmoid approximations, values and derivatives.

    views: derivative_error, |f′ − GELU′| of each approximation on the grid (by name).
    """
    x = p.grid()
    names = ("gelu", "gelu_tanh", "gelu_sigmoid")
    acts = {n: get_activation(n) for n in names}
    f = {n: acts[n].fn(x) for n in names}
    df = {n: acts[n].der(x) for n in names}
    err = {n: np.abs(f[n] - f["gelu"]) for n in names[1:]}
    derr = {n: np.abs(df[n] - df["gelu"]) for n in names[1:]}
    metrics = {
        "max_error_tanh": float(err["gelu_tanh"].max()),
        "max_error_sigmoid": float(err["gelu_sigmoid"].max()),
        "max_derivative_error_tanh": float(derr["gelu_tanh"].max()),
        "max_derivative_error_sigmoid": float(derr["gelu_sigmoid"].max()),
    }
    data = {"x": x, **f, **{f"{n}_derivative": df[n] for n in names},
            "error_tanh": err["gelu_tanh"], "error_sigmoid": err["gelu_sigmoid"]}
    return Result(metrics, data, views={"derivative_error": derr})


_ERR = text("max |analytic − numeric|", "最大 |解析 − 数值|")
EXERCISE = Exercise(
    id="4-4",
    title=text("Derivatives of Swish and GELU", "Swish 与 GELU 的导数"),
    question=text(
        "Derive the derivatives of the Swish function x·σ(βx) and of the GELU function x·Φ(x).",
        "推导 Swish 函数 x·σ(βx) 和 GELU 函数 x·Φ(x) 的导数。",
    ),
    experiments=(
        Experiment(
            name="derivative",
            title=text("Analytic derivative against finite differences", "解析导数与有限差分对照"),
            summary=text(
                "Pick a function: its formula for f′ is drawn as a line, the centred finite difference "
                "(f(x+h) − f(x−h))/2h as dots. A wrong formula shows up as dots off the line.",
                "选择一个函数：f′ 的解析式画成曲线，中心差分 (f(x+h) − f(x−h))/2h 画成圆点。公式若有错，圆点就会偏离曲线。",
            ),
            params=DerivativeParams,
            run=derivative,
            draw=figs.derivative,
            metrics={
                "max_abs_error": Metric(_ERR, text("Largest gap between formula and finite difference, kinks aside.",
                                                   "公式与有限差分之间的最大差距（不计折点）。")),
                "points_at_kinks": Metric(text("grid points at kinks", "落在折点上的采样点"),
                                          text("Left out of the error: f′ is undefined there.",
                                               "这些点不计入误差：那里 f′ 没有定义。")),
                "function_latex": Metric(text("f(x)", "f(x)"), text("The formula of the function.", "函数的表达式。")),
                "derivative_latex": Metric(text("f′(x)", "f′(x)"), text("The formula checked against the dots.",
                                                                    "与圆点对照的导数公式。")),
                "probe_x": Metric(text("probe x", "探测点 x"), text("Where f and f′ are printed below.",
                                                                 "下面给出 f 与 f′ 的位置。")),
                "f_at_probe": Metric(text("f(x)", "f(x)"), text("The function at the probe.", "函数在探测点的值。")),
                "df_at_probe": Metric(text("f′(x), formula", "f′(x)，解析式"),
                                      text("The analytic derivative at the probe.", "探测点处的解析导数。"),
                                      full_precision=True),
                "df_numeric_at_probe": Metric(text("f′(x), finite difference", "f′(x)，有限差分"),
                                              text("The centred difference at the probe.", "探测点处的中心差分。"),
                                              full_precision=True),
            },
        ),
        Experiment(
            name="swish-family",
            title=text("The Swish family as β varies", "β 变化时的 Swish 函数族"),
            summary=text(
                "β = 0 gives the straight line x/2; as β grows, Swish bends towards ReLU and its derivative "
                "towards a step, overshooting 1 just right of 0 and dipping below 0 on the left.",
                "β = 0 时是直线 x/2；β 增大时 Swish 逐渐弯向 ReLU，导数趋向阶跃函数，在 0 的右侧略超过 1，左侧略低于 0。",
            ),
            params=RangeParams,
            run=swish_family,
            draw=figs.swish_family,
            metrics={
                "max_gap_to_relu": Metric(text("max |Swish − ReLU| by β", "各 β 下的最大 |Swish − ReLU|"),
                                          text("Shrinks like 0.28/β on a wide interval.", "在足够宽的区间上约按 0.28/β 缩小。")),
                "min_derivative": Metric(text("min Swish′ by β", "各 β 下 Swish′ 的最小值"),
                                         text("On the interval. For β > 0 it is −0.0998 whenever the interval contains "
                                              "x = −2.40/β: Swish is not monotone.",
                                              "区间上的最小值。β > 0 时，只要区间包含 x = −2.40/β，它就是 −0.0998："
                                              "Swish 不是单调函数。")),
                "dip_x": Metric(text("where Swish′ is lowest, by β", "各 β 下 Swish′ 最小值的位置"),
                                text("The grid point of the minimum: −2.40/β when the interval contains it, else an end "
                                     "of the interval (β = 0: none, Swish′ is constant).",
                                     "最小值所在的采样点：区间包含 −2.40/β 时就在那里，否则在区间端点"
                                     "（β = 0 时没有，Swish′ 是常数）。")),
            },
        ),
        Experiment(
            name="gelu-approximations",
            title=text("GELU and its two approximations", "GELU 及其两种近似"),
            summary=text(
                "Exact GELU uses the normal CDF Φ. The tanh formula is accurate to about 5·10⁻⁴, the cheaper "
                "x·σ(1.702x) to about 2·10⁻².",
                "精确的 GELU 用到标准正态分布函数 Φ。tanh 近似的误差约 5·10⁻⁴，更省计算的 x·σ(1.702x) 误差约 2·10⁻²。",
            ),
            params=RangeParams,
            run=gelu_approximations,
            draw=figs.gelu_approximations,
            metrics={
                "max_error_tanh": Metric(text("max error, tanh form", "tanh 近似的最大误差"),
                                         text("Largest |GELU_tanh − GELU| on the interval.", "区间上 |GELU_tanh − GELU| 的最大值。")),
                "max_error_sigmoid": Metric(text("max error, sigmoid form", "sigmoid 近似的最大误差"),
                                            text("Largest |x·σ(1.702x) − GELU| on the interval.",
                                                 "区间上 |x·σ(1.702x) − GELU| 的最大值。")),
                "max_derivative_error_tanh": Metric(text("max f′ error, tanh form", "tanh 近似导数的最大误差"),
                                                    text("How far its derivative strays from GELU′.",
                                                         "其导数与 GELU′ 的最大偏差。")),
                "max_derivative_error_sigmoid": Metric(text("max f′ error, sigmoid form", "sigmoid 近似导数的最大误差"),
                                                       text("How far its derivative strays from GELU′.",
                                                            "其导数与 GELU′ 的最大偏差。")),
            },
        ),
        CHECK_SWISH,
        CHECK_GELU,
    ),
)
