"""Figures of exercise 4-6: the constructed interpolant, its hinges, its error against width, a trained net."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.figures.common import loss_curves, replay_lines
from app.figures.theme import color, figure, layout, line, markers
from app.i18n import text, translator

T = {
    "approx_title": text("f and the network with {n} ReLU units", "f 与 {n} 个 ReLU 单元的网络"),
    "target": text("target f", "目标 f"),
    "network": text("network output", "网络输出"),
    "knots": text("knots (xᵢ, f(xᵢ))", "节点 (xᵢ, f(xᵢ))"),
    "hinges_title": text("Adding the units one by one: f(x₀) + v₀·ReLU(x − x₀) + … + vₖ·ReLU(x − xₖ)",
                         "逐个加入单元：f(x₀) + v₀·ReLU(x − x₀) + … + vₖ·ReLU(x − xₖ)"),
    "hinges_title_cap": text("Adding the units, one line per {step} of the {n}: f(x₀) + v₀·ReLU(x − x₀) + … + vₖ·ReLU(x − xₖ)",
                             "逐个加入单元（{n} 个中每 {step} 个画一条）：f(x₀) + v₀·ReLU(x − x₀) + … + vₖ·ReLU(x − xₖ)"),
    "partial": text("first {k} unit(s)", "前 {k} 个单元"),
    "all_units": text("all {n} units", "全部 {n} 个单元"),
    "error_title": text("Error against the number of units (log-log)", "误差与单元数（双对数坐标）"),
    "sup": text("sup error", "最大误差"),
    "rms": text("RMS error", "均方根误差"),
    "slope2": text("slope −2 (smooth f: h²·max|f″|/8)", "斜率 −2（光滑 f：h²·max|f″|/8）"),
    "slope_half": text("slope −1/2 (RMS error at a jump)", "斜率 −1/2（有跳跃时的均方根误差）"),
    "this": text("this network (n = {n})", "当前网络（n = {n}）"),
    "units": text("hidden units n", "隐藏单元数 n"),
    "error": text("error", "误差"),
    "fit_title": text("Trained by Adam against constructed, {n} units each", "Adam 训练与构造对照，各 {n} 个单元"),
    "trained": text("trained network", "训练的网络"),
    "constructed": text("constructed network", "构造的网络"),
    "train_points": text("training points", "训练点"),
    "replay_title": text("The trained network during training, {n} units", "训练过程中的网络，{n} 个单元"),
    "loss_title": text("Training loss (half MSE)", "训练损失（均方误差的一半）"),
    "adam": text("Adam", "Adam"),
    "x": text("x", "x"),
    "y": text("value", "值"),
}

# Exact zeros (a linear target is represented exactly) cannot sit on a log axis.
LOG_FLOOR = 1e-16


_t = translator(T)


def _ramp(t: float) -> str:
    """Return a colour between light blue (t = 0) and the palette's dark blue (t = 1)."""
    lo, hi = np.array([198, 219, 239]), np.array([8, 48, 107])
    r, g, b = (lo + (hi - lo) * t).round().astype(int)
    return f"rgb({r},{g},{b})"


def approximation(x, y, g, knots, knot_values, n: int, lang: str) -> dict[str, Any]:
    """Return the `approximation` figure: target, network output, knots."""
    traces = [line(x, y, _t("target", lang), 7, width=1.5),
              line(x, g, _t("network", lang), 1, width=2.5)]
    size = 7 if len(knots) <= 65 else 4
    traces.append(markers(knots, knot_values, _t("knots", lang), 0, size=size))
    return figure(traces, layout(_t("approx_title", lang, n=n), _t("x", lang), _t("y", lang)))


def hinges(x, y, knots, partial: np.ndarray, drawn: np.ndarray, n: int, lang: str) -> dict[str, Any]:
    """Return the `hinges` figure: the partial sums of the first k+1 units, light to dark.

    partial: (n+1, n), column k the sum of the bias and the first k+1 units at the knots (exact, since
    each partial sum is linear between knots). drawn: the columns k to draw.
    """
    traces = [line(x, y, _t("target", lang), 7, width=1, dash="dot")]
    last = len(drawn) - 1
    for j, k in enumerate(drawn):
        final = k == n - 1
        name = _t("all_units", lang, n=n) if final else _t("partial", lang, k=int(k) + 1)
        tr = line(knots, partial[:, k], name, 1 if final else 0, width=3 if final else 1.5,
                  showlegend=bool(final or j == 0))
        if not final:
            tr["line"]["color"] = _ramp(j / max(1, last))
        traces.append(tr)
    if len(drawn) < n:
        title = _t("hinges_title_cap", lang, step=int(drawn[1] - drawn[0]) if len(drawn) > 1 else 1, n=n)
    else:
        title = _t("hinges_title", lang)
    lay = layout(title, _t("x", lang), _t("y", lang), hovermode="closest")
    # A partial sum keeps its last slope beyond its last knot; keep the view on f and let those run off.
    lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
    pad = 0.3 * (hi - lo) if hi > lo else 1.0
    lay["yaxis"]["range"] = [lo - pad, hi + pad]
    return figure(traces, lay)


def error_vs_units(units, sup, rms, n: int, n_sup: float, n_rms: float, lang: str) -> dict[str, Any]:
    """Return the `error_vs_units` figure: sup and RMS error for 1 … 1024 units with slope guides."""
    sup_s, rms_s = np.maximum(sup, LOG_FLOOR), np.maximum(rms, LOG_FLOOR)
    u = np.asarray(units, dtype=float)
    ref = int(np.searchsorted(u, 32))
    # Guides through the errors at n = 32, drawn only where they stay in the data's range.
    top = 3.0 * max(float(sup_s.max()), float(rms_s.max()))
    guide2 = sup_s[ref] * (u / u[ref]) ** -2.0
    guide2[guide2 > top] = np.nan
    guide_half = rms_s[ref] * (u / u[ref]) ** -0.5
    traces = [
        line(u, sup_s, _t("sup", lang), 1, mode="lines+markers"),
        line(u, rms_s, _t("rms", lang), 0, mode="lines+markers"),
        line(u, guide2, _t("slope2", lang), 7, dash="dash", width=1),
        line(u, guide_half, _t("slope_half", lang), 2, dash="dot", width=1,
             visible=True if _slope(u, rms_s) > -1.25 else "legendonly"),
        markers(np.array([n, n], dtype=float), np.maximum([n_sup, n_rms], LOG_FLOOR), _t("this", lang, n=n), 4,
                size=13, symbol="star", marker={"color": color(4), "size": 13, "symbol": "star",
                                                "line": {"color": "#000000", "width": 1}}),
    ]
    lay = layout(_t("error_title", lang), _t("units", lang), _t("error", lang), x_log=True, y_log=True,
                 hovermode="closest")
    lay["xaxis"]["dtick"] = math.log10(2.0)  # one tick per doubling
    lay["xaxis"]["tickformat"] = "d"
    return figure(traces, lay)


def _slope(u: np.ndarray, err: np.ndarray) -> float:
    """Return the log-log slope of err against u over u ≥ 16 (the asymptotic regime)."""
    big = u >= 16
    return float(np.polyfit(np.log(u[big]), np.log(err[big]), 1)[0])


def fit(x, y, trained, constructed, knots, lang: str) -> dict[str, Any]:
    """Return the `fit` figure: target, trained network, constructed network."""
    n = len(knots) - 1
    traces = [line(x, y, _t("target", lang), 7, width=1.5),
              line(x, trained, _t("trained", lang), 1, width=2.5),
              line(x, constructed, _t("constructed", lang), 0, width=2, dash="dash")]
    return figure(traces, layout(_t("fit_title", lang, n=n), _t("x", lang), _t("y", lang)))


def fit_replay(x, y, curves: np.ndarray, epochs: np.ndarray, n: int, lang: str) -> dict[str, Any]:
    """Return the `fit_replay` figure: the trained network's output at ~25 epochs over the target.

    curves: (F, 1, len(x)); the y range is the target's, padded, so early wild curves run off the top.
    """
    lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
    pad = 0.3 * (hi - lo) if hi > lo else 1.0
    return replay_lines(x, curves, epochs, _t("replay_title", lang, n=n), _t("x", lang), _t("y", lang), lang,
                        names=[_t("trained", lang)], colors=[1], static=[line(x, y, _t("target", lang), 7, width=1.5)],
                        y_range=[lo - pad, hi + pad])


def loss(epochs, losses, lang: str) -> dict[str, Any]:
    """Return the `loss` figure."""
    return loss_curves(epochs, {_t("adam", lang): losses}, _t("loss_title", lang), lang)
