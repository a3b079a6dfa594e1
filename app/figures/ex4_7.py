"""Figures of exercise 4-7: the three fits, their test errors, every learned bias, and the offset sweep."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.figures.common import replay_lines
from app.figures.encode import typed
from app.figures.theme import color, figure, layout, legend_below, line, markers
from app.i18n import text, translator

T = {
    "none": text("no penalty", "不惩罚"),
    "weights_only": text("L2 on weights only", "只对权重 L2"),
    "weights_and_biases": text("L2 on weights and biases", "对权重和偏置都 L2"),
    "short_none": text("none", "不惩罚"),
    "short_weights_only": text("W only", "仅权重"),
    "short_weights_and_biases": text("W and b", "权重和偏置"),
    "data": text("training data", "训练数据"),
    "truth": text("noise-free target", "无噪声目标"),
    "fits_title": text("Data and the three fits", "数据与三种拟合"),
    "x": text("x", "x"),
    "y": text("y", "y"),
    "replay_title": text("The three fits during training", "训练过程中的三种拟合"),
    "error_title": text("Test error of each fit", "各拟合的测试误差"),
    "mse": text("test MSE", "测试 MSE"),
    "biases_title": text("Every learned bias, and where the fitted level comes from",
                         "学到的每个偏置，以及拟合的平均水平从何而来"),
    "bias": text("bias value", "偏置值"),
    "out": text("output", "输出"),
    "hidden": text("h{j}", "h{j}"),
    "level": text("mean fitted level", "拟合的平均水平"),
    "level_out": text("output bias", "输出偏置"),
    "level_hidden": text("hidden units Σⱼ vⱼ·mean hⱼ", "隐藏单元 Σⱼ vⱼ·mean hⱼ"),
    "offset_line": text("offset of the data", "数据的偏移"),
    "sweep_title": text("Test error against the offset (λ = {lam:g})", "测试误差随偏移的变化（λ = {lam:g}）"),
    "offset": text("offset of the targets", "目标的偏移"),
    "predicted": text("err(0) + (offset·λ/(1+λ))²", "err(0) + (offset·λ/(1+λ))²"),
}
ORDER = ("none", "weights_only", "weights_and_biases")
DASH = {"none": "dot", "weights_only": None, "weights_and_biases": "dash"}
COLOR = {"none": 7, "weights_only": 0, "weights_and_biases": 1}


_t = translator(T)




def bias_regularization(model: str, x: np.ndarray, y: np.ndarray, grid: np.ndarray, truth: np.ndarray,
                        curves: dict[str, np.ndarray], mse: dict[str, float], biases: dict[str, np.ndarray],
                        levels: dict[str, tuple[float, float]], offset: float, lang: str) -> dict[str, dict]:
    """Return `fits`, `test_error` and `biases`.

    curves: penalty -> (n_test,) fitted values; biases: penalty -> every bias (hidden…, output);
    levels: penalty -> (output bias, level carried by the rest) of the mean fitted value.
    """
    fit_traces = [markers(x, y, _t("data", lang), 4, size=7, hovertemplate="%{x:.2f}, %{y:.3f}<extra></extra>"),
                  line(grid, truth, _t("truth", lang), 5, dash="longdash", width=1.5)]
    for k in ORDER:
        fit_traces.append(line(grid, curves[k], _t(k, lang), COLOR[k], dash=DASH[k], width=2.5))
    fits = figure(fit_traces, legend_below(layout(_t("fits_title", lang), _t("x", lang), _t("y", lang))))

    names = [_t(k, lang) for k in ORDER]
    short = [_t(f"short_{k}", lang) for k in ORDER]
    vals = np.asarray([mse[k] for k in ORDER], dtype=float)
    err = figure([{"type": "bar", "x": names, "y": typed(vals), "marker": {"color": [color(COLOR[k]) for k in ORDER]},
                   "text": [f"{v:.3g}" for v in vals], "textposition": "auto", "showlegend": False,
                   "hovertemplate": "%{x}: %{y:.4g}<extra></extra>"}],
                 layout(_t("error_title", lang), "", _t("mse", lang), hovermode="closest"))
    err["layout"]["xaxis"]["type"] = "category"

    n_hidden = len(biases["none"]) - 1
    labels = [_t("hidden", lang, j=j + 1) for j in range(n_hidden)] + [_t("out", lang)]
    traces = []
    for k in ORDER:
        traces.append({"type": "bar", "name": _t(k, lang), "x": labels, "y": typed(biases[k]),
                       "marker": {"color": color(COLOR[k])}, "legendgroup": k,
                       "hovertemplate": f"{_t(k, lang)}<br>%{{x}}: %{{y:.3f}}<extra></extra>"})
    # Right panel: the mean fitted level split into output bias + hidden units, one stacked bar per fit.
    for part, i, pattern in (("level_out", 0, ""), ("level_hidden", 1, "/")):
        traces.append({"type": "bar", "name": _t(part, lang), "x": short, "y": typed([levels[k][i] for k in ORDER]),
                       "xaxis": "x2", "yaxis": "y2", "marker": {"color": [color(COLOR[k]) for k in ORDER],
                                                               "pattern": {"shape": pattern}, "line": {"color": "#333", "width": 1}},
                       "showlegend": model == "network",
                       "hovertemplate": f"{_t(part, lang)}<br>%{{x}}: %{{y:.3f}}<extra></extra>"})
    traces.append({"type": "scatter", "mode": "lines", "name": _t("offset_line", lang), "x": [short[0], short[-1]],
                   "y": [offset, offset], "xaxis": "x2", "yaxis": "y2", "line": {"color": "#000", "dash": "dot", "width": 1.5},
                   "hoverinfo": "skip"})
    lay = layout(_t("biases_title", lang), "", _t("bias", lang), hovermode="closest", barmode="relative")
    left = 0.62 if model == "network" else 0.38
    lay["xaxis"].update({"domain": [0, left - 0.08], "type": "category"})
    lay["xaxis2"] = {"domain": [left, 1.0], "anchor": "y2", "automargin": True, "type": "category"}
    lay["yaxis2"] = {"anchor": "x2", "title": {"text": _t("level", lang)}, "zeroline": True, "automargin": True}
    lay["yaxis"]["zeroline"] = True
    if model == "network":
        # Left: grouped bars per bias; the relative barmode stacks the right panel's two parts.
        for tr in traces[:3]:
            tr["offsetgroup"] = tr["name"]
    bias_fig = figure(traces, lay)
    return {"fits": fits, "test_error": err, "biases": bias_fig}


def fits_replay(x: np.ndarray, y: np.ndarray, grid: np.ndarray, truth: np.ndarray, curves: np.ndarray,
                epochs: np.ndarray, lang: str) -> dict[str, Any]:
    """Return `fits_replay`: the three fits at ~25 epochs of training; curves (F, 3, n_test) in ORDER."""
    static = [markers(x, y, _t("data", lang), 4, size=7, hovertemplate="%{x:.2f}, %{y:.3f}<extra></extra>"),
              line(grid, truth, _t("truth", lang), 5, dash="longdash", width=1.5)]
    lo, hi = float(min(np.min(y), np.min(truth), 0.0)), float(max(np.max(y), np.max(truth), 0.0))
    pad = 0.15 * (hi - lo) if hi > lo else 1.0
    return replay_lines(grid, curves, epochs, _t("replay_title", lang), _t("x", lang), _t("y", lang), lang,
                        names=[_t(k, lang) for k in ORDER], colors=[COLOR[k] for k in ORDER],
                        dashes=[DASH[k] for k in ORDER], static=static, y_range=[lo - pad, hi + pad])


def offset_sweep(offsets: np.ndarray, wo: np.ndarray, wb: np.ndarray, predicted: np.ndarray | None, model: str,
                 lam: float, lang: str) -> dict[str, dict]:
    """Return `error_vs_offset`: the two penalised fits' test error against the offset."""
    traces = [line(offsets, wo, _t("weights_only", lang), 0, mode="lines+markers"),
              line(offsets, wb, _t("weights_and_biases", lang), 1, mode="lines+markers", dash="dash")]
    if predicted is not None:
        traces.append(line(offsets, predicted, _t("predicted", lang), 7, dash="dot", width=1.5))
    return {"error_vs_offset": figure(traces, legend_below(layout(_t("sweep_title", lang, lam=lam), _t("offset", lang),
                                                                   _t("mse", lang), hovermode="x unified")))}
