"""Figures of exercise 4-5: parameters against depth, their split, and networks trained at one neuron budget.

`parameter_count` and `depth_at_budget` draw an experiment's figures from its result (metrics, data,
views) and params, in any language, after the computation (Experiment.draw); the trained networks'
surfaces come with the result.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import SURFACE_COLORSCALE
from app.figures.encode import typed
from app.figures.theme import color, described, figure, layout, legend_below, line, markers
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "params_title": text("Parameters P(L) with N = {N}, M₀ = {M0}", "参数个数 P(L)（N = {N}，M₀ = {M0}）"),
    "layers": text("hidden layers L", "隐藏层数 L"),
    "params": text("parameters", "参数个数"),
    "bars": text("P(L), L divides N", "P(L)（L 整除 N）"),
    "counted": text("counted from the network", "由网络计数"),
    "curve": text("P over real L", "L 取实数时的 P"),
    "l_star": text("L* = {v:.3f}", "L* = {v:.3f}"),
    "breakdown_title": text("Where the parameters are", "参数分布在哪里"),
    "input_weights": text("input → first hidden weights", "输入 → 第一隐藏层权重"),
    "hidden_weights": text("hidden → hidden weights", "隐藏层之间的权重"),
    "output_weights": text("last hidden → output weights", "最后隐藏层 → 输出权重"),
    "biases": text("biases (N + 1)", "偏置（N + 1）"),
    "loss_title": text("Same {N} hidden neurons: loss and accuracy by depth", "同样 {N} 个隐藏神经元：各深度的损失与准确率"),
    "arch": text("L layers × N/L units", "L 层 × 每层 N/L 个"),
    "final_loss": text("final training loss", "最终训练损失"),
    "final_loss_seed": text("final loss, each seed", "最终损失（各种子）"),
    "accuracy": text("test accuracy", "测试准确率"),
    "accuracy_seed": text("test accuracy, each seed", "测试准确率（各种子）"),
    "boundaries_title": text("Decision surface per depth (first seed)", "各深度的决策面（第一个种子）"),
    "panel": text("L={L} ({w}/layer) · P={P} · acc {acc:.2f}", "L={L}（每层 {w}）· P={P} · 准确率 {acc:.2f}"),
    "prob": text("p(class 1)", "p(类别 1)"),
    "class0": text("class 0", "类别 0"),
    "class1": text("class 1", "类别 1"),
    # One-sentence summaries for screen readers (described()).
    "sum_params": text("Parameters P(L) for N = {N}, M₀ = {M0}: {pairs}; over real L the curve peaks at L* = {ls} "
                       "(P ≈ {ps}).",
                       "N = {N}、M₀ = {M0} 时的参数个数 P(L)：{pairs}；L 取实数时曲线在 L* = {ls} 处最高（P ≈ {ps}）。"),
    "sum_params_falls": text("Parameters P(L) for N = {N}, M₀ = {M0}: {pairs}; over real L the curve only falls "
                             "(L* = {ls} < 1).",
                             "N = {N}、M₀ = {M0} 时的参数个数 P(L)：{pairs}；L 取实数时曲线一直下降（L* = {ls} < 1）。"),
    "sum_parts": text("L = {L}: input → first {i}, hidden → hidden {h}, last → output {o}, biases {b}",
                      "L = {L}：输入 → 第一层 {i}，隐藏层之间 {h}，最后一层 → 输出 {o}，偏置 {b}"),
    "sum_breakdown": text("Where the parameters are. {parts}.", "参数的分布。{parts}。"),
    "sum_loss": text("Mean test accuracy by depth (L layers × N/L units, {S} seeds): {pairs}; best {best} ({acc}).",
                     "各深度的平均测试准确率（L 层 × 每层 N/L 个，{S} 个种子）：{pairs}；最好的是 {best}（{acc}）。"),
    "sum_boundaries": text("Decision surface of the first seed for each depth, {archs}; mean test accuracy from "
                           "{lo} ({lo_arch}) to {hi} ({hi_arch}).",
                           "各深度第一个种子的决策面，{archs}；平均测试准确率从 {lo}（{lo_arch}）到 {hi}（{hi_arch}）。"),
}


_t = translator(T)

SUMMARY_ITEMS = 8  # a summary lists at most this many depths, then "…"


def _list(items: list[str]) -> str:
    return ", ".join(items if len(items) <= SUMMARY_ITEMS else [*items[:SUMMARY_ITEMS - 1], "…", items[-1]])


def parameter_count(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return `params_vs_layers` (bars at whole L, the continuous curve, L*) and `breakdown` (stacked split)."""
    data, m = result.data, result.metrics
    l_star, n_hidden, input_dim = m["l_star"], p.n_hidden, p.input_dim
    L = np.asarray(data["layers"], dtype=float)
    P = np.asarray(data["formula"], dtype=float)
    counted = np.asarray(data["counted"], dtype=float)
    p_star = float(np.interp(l_star, data["curve_layers"], data["curve_params"])) if l_star >= 1 else None
    traces = [
        {"type": "bar", "name": _t("bars", lang), "x": typed(L), "y": typed(P), "width": 0.6,
         "marker": {"color": color(0), "opacity": 0.75}, "hovertemplate": "L=%{x}: P=%{y}<extra></extra>"},
        markers(L, counted, _t("counted", lang), 1, size=9, symbol="diamond-open",
                hovertemplate="L=%{x}: %{y}<extra></extra>"),
        line(data["curve_layers"], data["curve_params"], _t("curve", lang), 2, width=2,
             hovertemplate="L=%{x:.2f}: P=%{y:.1f}<extra></extra>"),
    ]
    if p_star is not None:
        traces.append(markers([l_star], [p_star], _t("l_star", lang, v=l_star), 3, size=12, symbol="star",
                              hovertemplate="L*=%{x:.3f}: P=%{y:.1f}<extra></extra>"))
    lay = layout(_t("params_title", lang, N=n_hidden, M0=input_dim), _t("layers", lang), _t("params", lang),
                 hovermode="closest")
    params_fig = figure(traces, legend_below(lay))

    stack = []
    for i, key in enumerate(("input_weights", "hidden_weights", "output_weights", "biases")):
        stack.append({"type": "bar", "name": _t(key, lang), "x": typed(L), "y": typed(np.asarray(data[key], float)),
                      "marker": {"color": color(i)}, "hovertemplate": f"{_t(key, lang)}<br>L=%{{x}}: %{{y}}<extra></extra>"})
    blay = layout(_t("breakdown_title", lang), _t("layers", lang), _t("params", lang), barmode="stack",
                  hovermode="closest")

    pairs = _list([f"L = {int(a)}: {int(b)}" for a, b in zip(L, P, strict=True)])
    key = "sum_params" if p_star is not None else "sum_params_falls"
    summary = _t(key, lang, N=n_hidden, M0=input_dim, pairs=pairs, ls=number(l_star, lang, sig=5),
                 ps=number(m["params_at_l_star"], lang, digits=0))
    ends = sorted({0, len(L) - 1})
    parts = ("; " if lang == "en" else "；").join(_t("sum_parts", lang, L=int(L[k]), **{c: int(data[n][k]) for c, n in
                                                             zip("ihob", ("input_weights", "hidden_weights",
                                                                          "output_weights", "biases"), strict=True)})
                      for k in ends)
    return {"params_vs_layers": described(params_fig, summary),
            "breakdown": described(figure(stack, legend_below(blay)), _t("sum_breakdown", lang, parts=parts))}


def _arch_labels(layers: list[int], n_hidden_by_l: dict[int, int]) -> list[str]:
    return [f"{L}×{n_hidden_by_l[L]}" for L in layers]


def depth_at_budget(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return `loss_vs_layers` (loss and accuracy against depth, each seed and the mean) and `boundaries`.

    From data: per depth L the parameters, the final loss and the test accuracy of each seed, and the
    training points; from views: each depth's p(class 1) surface (first seed).
    """
    d, n_hidden = result.data, p.n_hidden
    layers = d["layers"]
    params = dict(zip(layers, d["params"], strict=True))
    final = dict(zip(layers, d["final_loss"], strict=True))  # L -> (S,) per seed
    acc = dict(zip(layers, d["accuracy"], strict=True))
    gx, gy, surfaces = result.views["surfaces"]  # surfaces: L -> (ny, nx)
    X, y = d["x"], d["y"]
    widths = {L: n_hidden // L for L in layers}
    cats = _arch_labels(layers, widths)
    S = len(final[layers[0]])
    seed_x = [c for c in cats for _ in range(S)]
    seed_loss = np.concatenate([final[L] for L in layers])
    seed_acc = np.concatenate([acc[L] for L in layers])
    mean_loss = np.array([np.mean(final[L]) for L in layers])
    mean_acc = np.array([np.mean(acc[L]) for L in layers])
    hover_p = [params[L] for L in layers]
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": _t("final_loss", lang), "x": cats, "y": typed(mean_loss),
         "line": {"color": color(0), "width": 2}, "marker": {"color": color(0), "size": 8},
         "customdata": hover_p, "hovertemplate": "%{x} (P=%{customdata}): %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": _t("final_loss_seed", lang), "x": seed_x, "y": typed(seed_loss),
         "marker": {"color": color(0), "size": 6, "opacity": 0.45}, "hovertemplate": "%{x}: %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": _t("accuracy", lang), "x": cats, "y": typed(mean_acc),
         "yaxis": "y2", "line": {"color": color(1), "width": 2, "dash": "dash"}, "marker": {"color": color(1), "size": 8},
         "customdata": hover_p, "hovertemplate": "%{x} (P=%{customdata}): %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": _t("accuracy_seed", lang), "x": seed_x, "y": typed(seed_acc),
         "yaxis": "y2", "marker": {"color": color(1), "size": 6, "opacity": 0.45, "symbol": "diamond"},
         "hovertemplate": "%{x}: %{y:.3f}<extra></extra>"},
    ]
    lay = layout(_t("loss_title", lang, N=n_hidden), _t("arch", lang), _t("final_loss", lang),
                 hovermode="closest")
    lay["xaxis"]["type"] = "category"
    lay["yaxis"]["rangemode"] = "tozero"
    lay["yaxis2"] = {"title": {"text": _t("accuracy", lang)}, "overlaying": "y", "side": "right", "range": [0.4, 1.02],
                     "tickmode": "linear", "tick0": 0.4, "dtick": 0.1, "tickformat": ".1f",
                     "zeroline": False, "showgrid": False}
    lay["margin"] = {"l": 60, "r": 60, "t": 50, "b": 50}
    loss_fig = figure(traces, legend_below(lay))
    pairs = _list([f"{c}: {number(a, lang, digits=2)}" for c, a in zip(cats, mean_acc, strict=True)])
    best, worst = int(np.argmax(mean_acc)), int(np.argmin(mean_acc))
    boundaries = _boundaries(layers, widths, params, acc, gx, gy, surfaces, X, y, lang)
    hi, lo = number(mean_acc[best], lang, digits=2), number(mean_acc[worst], lang, digits=2)
    return {"loss_vs_layers": described(loss_fig, _t("sum_loss", lang, S=S, pairs=pairs, best=cats[best], acc=hi)),
            "boundaries": described(boundaries, _t("sum_boundaries", lang, archs=_list(cats), lo=lo, lo_arch=cats[worst],
                                                   hi=hi, hi_arch=cats[best]))}


def _boundaries(layers, widths, params, acc, gx, gy, surfaces, X, y, lang) -> dict[str, Any]:
    n = len(layers)
    cols = min(n, max(1, math.ceil(math.sqrt(n))))
    rows = math.ceil(n / cols)
    gap_x, gap_y = 0.04, 0.09
    w = (1.0 - gap_x * (cols - 1)) / cols
    h = (1.0 - gap_y * (rows - 1)) / rows
    traces: list[dict[str, Any]] = []
    lay = layout(_t("boundaries_title", lang), "", "", hovermode="closest", showlegend=False)
    del lay["xaxis"], lay["yaxis"]
    annotations = []
    sel0, sel1 = np.asarray(y) == 0, np.asarray(y) == 1
    for k, L in enumerate(layers):
        r, c = divmod(k, cols)
        suffix = "" if k == 0 else str(k + 1)
        xa, ya = f"x{suffix}", f"y{suffix}"
        x0 = c * (w + gap_x)
        y1 = 1.0 - r * (h + gap_y)
        lay[f"xaxis{suffix}"] = {"domain": [x0, x0 + w], "anchor": ya, "showticklabels": False, "ticks": "", "zeroline": False,
                                 "showgrid": False, "range": [float(gx[0]), float(gx[-1])]}
        lay[f"yaxis{suffix}"] = {"domain": [y1 - h, y1], "anchor": xa, "showticklabels": False, "ticks": "", "zeroline": False,
                                 "showgrid": False, "range": [float(gy[0]), float(gy[-1])], "scaleanchor": xa}
        Z = surfaces[L]
        traces.append({"type": "heatmap", "x": typed(gx), "y": typed(gy), "z": typed(Z, "float32"), "xaxis": xa,
                       "yaxis": ya, "colorscale": SURFACE_COLORSCALE, "zmin": 0.0, "zmax": 1.0,
                       "showscale": k == 0, "colorbar": {"title": {"text": _t("prob", lang)}, "thickness": 10},
                       "hovertemplate": f"L={L}<br>%{{z:.2f}}<extra></extra>"})
        traces.append({"type": "contour", "x": typed(gx), "y": typed(gy), "z": typed(Z, "float32"), "xaxis": xa,
                       "yaxis": ya, "showscale": False, "hoverinfo": "skip",
                       "contours": {"coloring": "none", "start": 0.5, "end": 0.5, "size": 1.0},
                       "line": {"color": "#000000", "width": 1.5}})
        for sel, i in ((sel0, 0), (sel1, 1)):
            traces.append({"type": "scatter", "mode": "markers", "x": typed(X[sel, 0]), "y": typed(X[sel, 1]),
                           "xaxis": xa, "yaxis": ya, "hoverinfo": "skip",
                           "marker": {"color": color(i), "size": 3, "line": {"color": "#ffffff", "width": 0.5}}})
        annotations.append({"text": _t("panel", lang, L=L, w=widths[L], P=params[L], acc=float(np.mean(acc[L]))),
                            "xref": "paper", "yref": "paper", "x": x0 + w / 2, "y": y1 + 0.005, "xanchor": "center",
                            "yanchor": "bottom", "showarrow": False, "font": {"size": 10}})
    lay["annotations"] = annotations
    lay["height"] = 60 + rows * 190
    lay["margin"] = {"l": 10, "r": 10, "t": 60, "b": 10}
    return figure(traces, lay)
