"""Figures of exercise 4-6: the constructed interpolant, its hinges, its error against width, a trained net.

Drawn after the computation (ex4_6_universal), in any language: `construct` and `train` take an
experiment's Result and params and build its figures from the numbers it holds; what needs a network
(the hinges' partial sums, the replay's curves) comes computed in the Result's views.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import loss_curves, replay_lines
from app.figures.theme import color, described, figure, layout, line, markers
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

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
    # One-sentence summaries for screen readers (layout.meta.summary).
    "approx_sum": text("The network with {n} ReLU units meets f at its {k} knots; its largest distance from f is {sup}, "
                       "its RMS error {rms}.",
                       "含 {n} 个 ReLU 单元的网络在 {k} 个节点处与 f 重合；它与 f 的最大距离为 {sup}，均方根误差为 {rms}。"),
    "hinges_sum": text("Partial sums after 1 to {n} units: each unit bends the curve at its knot by its output weight "
                       "(the largest bend, {v}, at x = {at}); the sum of all {n} meets f at its {k} knots.",
                       "前 1 到 {n} 个单元的部分和：每个单元以其输出权重在自己的节点处折弯曲线（最大的折弯为 {v}，"
                       "在 x = {at} 处）；全部 {n} 个单元之和在 {k} 个节点处与 f 重合。"),
    "error_sum": text("The sup error goes from {s0} with 1 unit to {s1} with {N} units (log-log slope {ss} from 16 units "
                      "on); the RMS error from {r0} to {r1} (slope {rs}).",
                      "最大误差从 1 个单元时的 {s0} 变为 {N} 个单元时的 {s1}（从 16 个单元起双对数斜率为 {ss}）；"
                      "均方根误差从 {r0} 变为 {r1}（斜率 {rs}）。"),
    "fit_sum": text("With {n} units each, the trained network's largest distance from f is {tr}, the constructed "
                    "network's {co}.",
                    "各用 {n} 个单元时，训练的网络与 f 的最大距离为 {tr}，构造的网络为 {co}。"),
    "replay_sum": text("Over {E} epochs of training, the trained curve's largest distance from f goes from {d0} to {d1}.",
                       "训练 {E} 轮中，训练的网络曲线与 f 的最大距离从 {d0} 变为 {d1}。"),
    "loss_sum": text("The training loss goes from {l0} at epoch 0 to {l1} at epoch {E}.",
                     "训练损失从第 0 轮的 {l0} 变为第 {E} 轮的 {l1}。"),
}

# Exact zeros (a linear target is represented exactly) cannot sit on a log axis.
LOG_FLOOR = 1e-16


_t = translator(T)


def _ramp(t: float) -> str:
    """Return a colour between light blue (t = 0) and the palette's dark blue (t = 1)."""
    lo, hi = np.array([198, 219, 239]), np.array([8, 48, 107])
    r, g, b = (lo + (hi - lo) * t).round().astype(int)
    return f"rgb({r},{g},{b})"


def approximation(x, y, g, knots, knot_values, n: int, sup: float, rms: float, lang: str) -> dict[str, Any]:
    """Return the `approximation` figure: target, network output, knots; sup and RMS error for the summary."""
    traces = [line(x, y, _t("target", lang), 7, width=1.5),
              line(x, g, _t("network", lang), 1, width=2.5)]
    size = 7 if len(knots) <= 65 else 4
    traces.append(markers(knots, knot_values, _t("knots", lang), 0, size=size))
    fig = figure(traces, layout(_t("approx_title", lang, n=n), _t("x", lang), _t("y", lang)))
    return described(fig, _t("approx_sum", lang, n=n, k=len(knots), sup=number(sup, lang, sig=3),
                             rms=number(rms, lang, sig=3)))


def hinges(x, y, knots, partial: np.ndarray, drawn: np.ndarray, v: np.ndarray, n: int, lang: str) -> dict[str, Any]:
    """Return the `hinges` figure: the partial sums of the first k+1 units, light to dark.

    drawn: the k to draw; partial: (n+1, len(drawn)), column j the sum of the bias and the first
    drawn[j]+1 units at the knots (exact, since each partial sum is linear between knots); v (n,): the
    output weights.
    """
    traces = [line(x, y, _t("target", lang), 7, width=1, dash="dot")]
    last = len(drawn) - 1
    for j, k in enumerate(drawn):
        final = k == n - 1
        name = _t("all_units", lang, n=n) if final else _t("partial", lang, k=int(k) + 1)
        tr = line(knots, partial[:, j], name, 1 if final else 0, width=3 if final else 1.5,
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
    big = int(np.argmax(np.abs(v)))
    return described(figure(traces, lay), _t("hinges_sum", lang, n=n, k=n + 1, v=number(float(v[big]), lang, sig=3),
                                             at=number(float(knots[big]), lang, sig=3)))


def error_vs_units(units, sup, rms, n: int, n_sup: float, n_rms: float, slopes: tuple[float | None, float | None],
                   lang: str) -> dict[str, Any]:
    """Return the `error_vs_units` figure: sup and RMS error for 1 … 1024 units with slope guides.

    slopes: the log-log slopes of the sup and the RMS error from 16 units on (None when f is exact).
    """
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
             visible=True if slopes[1] is not None and slopes[1] > -1.25 else "legendonly"),
        markers(np.array([n, n], dtype=float), np.maximum([n_sup, n_rms], LOG_FLOOR), _t("this", lang, n=n), 4,
                size=13, symbol="star", marker={"color": color(4), "size": 13, "symbol": "star",
                                                "line": {"color": "#000000", "width": 1}}),
    ]
    lay = layout(_t("error_title", lang), _t("units", lang), _t("error", lang), x_log=True, y_log=True,
                 hovermode="closest")
    lay["xaxis"]["dtick"] = math.log10(2.0)  # one tick per doubling
    lay["xaxis"]["tickformat"] = "d"
    summary = _t("error_sum", lang, s0=number(sup[0], lang, sig=3), s1=number(sup[-1], lang, sig=3), N=int(u[-1]),
                 ss=number(slopes[0], lang, digits=2), r0=number(rms[0], lang, sig=3),
                 r1=number(rms[-1], lang, sig=3), rs=number(slopes[1], lang, digits=2))
    return described(figure(traces, lay), summary)


def fit(x, y, trained, constructed, n: int, sup: float | None, construct_sup: float, lang: str) -> dict[str, Any]:
    """Return the `fit` figure: target, trained and constructed networks of n units; both sup errors for the summary."""
    traces = [line(x, y, _t("target", lang), 7, width=1.5),
              line(x, trained, _t("trained", lang), 1, width=2.5),
              line(x, constructed, _t("constructed", lang), 0, width=2, dash="dash")]
    fig = figure(traces, layout(_t("fit_title", lang, n=n), _t("x", lang), _t("y", lang)))
    return described(fig, _t("fit_sum", lang, n=n, tr=number(sup, lang, sig=3), co=number(construct_sup, lang, sig=3)))


def fit_replay(x, y, curves: np.ndarray, epochs: np.ndarray, n: int, lang: str) -> dict[str, Any]:
    """Return the `fit_replay` figure: the trained network's output at ~25 epochs over the target.

    curves: (F, 1, len(x)); the y range is the target's, padded, so early wild curves run off the top.
    """
    lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
    pad = 0.3 * (hi - lo) if hi > lo else 1.0
    fig = replay_lines(x, curves, epochs, _t("replay_title", lang, n=n), _t("x", lang), _t("y", lang), lang,
                       names=[_t("trained", lang)], colors=[1], static=[line(x, y, _t("target", lang), 7, width=1.5)],
                       y_range=[lo - pad, hi + pad])
    with np.errstate(all="ignore"):
        dist = np.max(np.abs(curves[:, 0, :] - y), axis=1)  # (F,) at the replay's points
    return described(fig, _t("replay_sum", lang, E=int(epochs[-1]), d0=number(dist[0], lang, sig=3),
                             d1=number(dist[-1], lang, sig=3)))


def loss(epochs, losses, lang: str) -> dict[str, Any]:
    """Return the `loss` figure."""
    fig = loss_curves(epochs, {_t("adam", lang): losses}, _t("loss_title", lang), lang)
    return described(fig, _t("loss_sum", lang, l0=number(losses[0], lang, sig=3), l1=number(losses[-1], lang, sig=3),
                             E=int(epochs[-1])))


# ---------------------------------------------------------------------------------------------
# The experiments' figures, from their results


def construct(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The figures of the construct experiment.

    views: "partial_units" the k drawn in `hinges`, "partial_sums" (n+1, len) their partial sums at the knots.
    """
    m, d, v = result.metrics, result.data, result.views
    x, y, knots = d["x"], d["target"], d["knots"]
    return {
        "approximation": approximation(x, y, d["approximation"], knots, d["knot_values"], p.units, m["sup_error"],
                                       m["rms_error"], lang),
        "hinges": hinges(x, y, knots, v["partial_sums"], v["partial_units"], d["output_weights"], p.units, lang),
        "error_vs_units": error_vs_units(d["sweep_units"], d["sweep_sup_error"], d["sweep_rms_error"], p.units,
                                         m["sup_error"], m["rms_error"], (m["sup_slope"], m["rms_slope"]), lang),
    }


def train(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The figures of the train experiment.

    views: "replay_x" and "replay_target" the replay's points and f there, "replay_curves" (F, 1, len)
    the trained network's output there at the epochs data["replay_epoch"].
    """
    m, d, v = result.metrics, result.data, result.views
    return {
        "fit": fit(d["x"], d["target"], d["trained"], d["constructed"], p.units, m["sup_error"],
                   m["construct_sup_error"], lang),
        "fit_replay": fit_replay(v["replay_x"], v["replay_target"], v["replay_curves"], d["replay_epoch"], p.units,
                                 lang),
        "loss": loss(d["epoch"], d["loss"], lang),
    }
