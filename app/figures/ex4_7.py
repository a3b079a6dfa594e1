"""Figures of exercise 4-7: the three fits, their test errors, every learned bias, the offset sweep, the seeds.

Drawn after the computation, in any language: `bias_regularization`, `offset_sweep` and `seeds` build an
experiment's figures from its result (metrics, data, views) and params. The fits drawn here, the replay's
included, come with the result; nothing here evaluates a model. Every figure carries a one-sentence summary
with its key numbers (theme.described), in its language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import replay_lines
from app.figures.encode import typed
from app.figures.theme import color, described, figure, layout, legend_below, line, markers
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

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
    "predicted": text("closed form: err(0) + 2c·mean(rg) + c²·mean(g²)", "闭式解：err(0) + 2c·mean(rg) + c²·mean(g²)"),
    "seeds_title": text("Test error of the three fits, seed by seed", "三种拟合的测试误差，逐个种子"),
    "seed_line": text("one seed", "单个种子"),
    "mean_sd": text("mean ± standard deviation", "均值 ± 标准差"),
    # One-sentence summaries for screen readers.
    "sum_fits": text("Mean level on [−π, π] of the target {data} and of the fits: no penalty {a}, weights only {b}, "
                     "weights and biases {c}.",
                     "[−π, π] 上的平均水平：目标 {data}；拟合：不惩罚 {a}，只惩罚权重 {b}，权重和偏置都惩罚 {c}。"),
    "sum_error": text("Test MSE: no penalty {a}, weights only {b}, weights and biases {c}.",
                      "测试 MSE：不惩罚 {a}，只惩罚权重 {b}，权重和偏置都惩罚 {c}。"),
    "sum_bias_neuron": text("The learned bias is {a} without penalty, {b} with the weights penalised, {c} with the "
                            "bias penalised too; the data's offset is {offset}.",
                            "学到的偏置：不惩罚 {a}，只惩罚权重 {b}，连偏置也惩罚 {c}；数据的偏移为 {offset}。"),
    "sum_bias_network": text("Output bias {a}, {b}, {c} (no penalty, weights only, weights and biases); the hidden "
                             "units carry {ha}, {hb}, {hc} of the level; the data's offset is {offset}.",
                             "输出偏置依次为 {a}、{b}、{c}（不惩罚、只惩罚权重、权重和偏置都惩罚）；隐藏单元承担的水平依次为 "
                             "{ha}、{hb}、{hc}；数据的偏移为 {offset}。"),
    "sum_replay": text("Over {epochs} epochs the fits move from a mean level of {start} to {a} (no penalty), {b} "
                       "(weights only) and {c} (weights and biases).",
                       "在 {epochs} 轮训练中，拟合的平均水平从 {start} 变为 {a}（不惩罚）、{b}（只惩罚权重）和 {c}（权重和偏置都惩罚）。"),
    "sum_sweep": text("From offset −10 to 10 the weights-only error stays between {wo_lo} and {wo_hi}; the "
                      "weights-and-biases error goes from {wb0} at offset 0 to {wb10} at ±10.",
                      "偏移从 −10 到 10：只惩罚权重的误差保持在 {wo_lo} 与 {wo_hi} 之间；权重和偏置都惩罚的误差从偏移 0 处的 "
                      "{wb0} 增至 ±10 处的 {wb10}。"),
    "sum_sweep_flat": text("From offset −10 to 10 the weights-only error stays at {wo_lo}; the weights-and-biases "
                           "error goes from {wb0} at offset 0 to {wb10} at ±10.",
                           "偏移从 −10 到 10：只惩罚权重的误差始终为 {wo_lo}；权重和偏置都惩罚的误差从偏移 0 处的 {wb0} "
                           "增至 ±10 处的 {wb10}。"),
    "sum_sweep_pred": text(" Largest gap to the closed form: {gap}.", "与闭式解的最大差距：{gap}。"),
    "sum_sweep_exact": text(" It lies on the closed-form parabola (gaps below 10⁻⁹).", "它落在闭式解的抛物线上（差距小于 10⁻⁹）。"),
    "sum_seeds": text("Over {n} seeds the test MSE is {a} without penalty, {b} with weights only and {c} with "
                      "weights and biases (mean ± sd); lowest error in {la}, {lb} and {lc} seeds.",
                      "在 {n} 个种子上，测试 MSE（均值 ± 标准差）：不惩罚 {a}，只惩罚权重 {b}，权重和偏置都惩罚 {c}；"
                      "误差最低的种子数依次为 {la}、{lb}、{lc}。"),
}
ORDER = ("none", "weights_only", "weights_and_biases")
DASH = {"none": "dot", "weights_only": None, "weights_and_biases": "dash"}
COLOR = {"none": 7, "weights_only": 0, "weights_and_biases": 1}


_t = translator(T)


def _tiny0(v: float) -> float:
    """Return v for a summary, 0 when below 10⁻⁹ in size: the mean over the symmetric grid of an odd function
    (the line target without offset) or the error of an exact fit of noise-free data is 0 up to rounding,
    not 10⁻¹⁷."""
    v = float(v)
    return 0.0 if abs(v) < 1e-9 else v


def fits_errors_biases(model: str, x: np.ndarray, y: np.ndarray, grid: np.ndarray, truth: np.ndarray,
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
    means = {k: number(_tiny0(np.mean(curves[k])), lang, sig=3) for k in ORDER}
    described(fits, _t("sum_fits", lang, data=number(_tiny0(np.mean(truth)), lang, sig=3), a=means["none"],
                       b=means["weights_only"],
                       c=means["weights_and_biases"]))

    names = [_t(k, lang) for k in ORDER]
    short = [_t(f"short_{k}", lang) for k in ORDER]
    vals = np.asarray([mse[k] for k in ORDER], dtype=float)
    err = figure([{"type": "bar", "x": names, "y": typed(vals), "marker": {"color": [color(COLOR[k]) for k in ORDER]},
                   "text": [f"{v:.3g}" for v in vals], "textposition": "auto", "showlegend": False,
                   "hovertemplate": "%{x}: %{y:.4g}<extra></extra>"}],
                 layout(_t("error_title", lang), "", _t("mse", lang), hovermode="closest"))
    err["layout"]["xaxis"]["type"] = "category"
    described(err, _t("sum_error", lang, a=number(_tiny0(vals[0]), lang, sig=3),
                       b=number(_tiny0(vals[1]), lang, sig=3), c=number(_tiny0(vals[2]), lang, sig=3)))

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
    out = {k: number(_tiny0(levels[k][0]), lang, sig=3) for k in ORDER}
    shift = number(_tiny0(offset), lang, sig=3)
    if model == "network":
        hid = {k: number(_tiny0(levels[k][1]), lang, sig=3) for k in ORDER}
        summary = _t("sum_bias_network", lang, a=out["none"], b=out["weights_only"], c=out["weights_and_biases"],
                     ha=hid["none"], hb=hid["weights_only"], hc=hid["weights_and_biases"], offset=shift)
    else:
        summary = _t("sum_bias_neuron", lang, a=out["none"], b=out["weights_only"], c=out["weights_and_biases"],
                     offset=shift)
    described(bias_fig, summary)
    return {"fits": fits, "test_error": err, "biases": bias_fig}


def fits_replay(x: np.ndarray, y: np.ndarray, grid: np.ndarray, truth: np.ndarray, curves: np.ndarray,
                epochs: np.ndarray, lang: str) -> dict[str, Any]:
    """Return `fits_replay`: the three fits at ~25 epochs of training; curves (F, 3, n_test) in ORDER."""
    static = [markers(x, y, _t("data", lang), 4, size=7, hovertemplate="%{x:.2f}, %{y:.3f}<extra></extra>"),
              line(grid, truth, _t("truth", lang), 5, dash="longdash", width=1.5)]
    lo, hi = float(min(np.min(y), np.min(truth), 0.0)), float(max(np.max(y), np.max(truth), 0.0))
    pad = 0.15 * (hi - lo) if hi > lo else 1.0
    fig = replay_lines(grid, curves, epochs, _t("replay_title", lang), _t("x", lang), _t("y", lang), lang,
                       names=[_t(k, lang) for k in ORDER], colors=[COLOR[k] for k in ORDER],
                       dashes=[DASH[k] for k in ORDER], static=static, y_range=[lo - pad, hi + pad])
    end = np.mean(curves[-1], axis=-1)
    a, b, c = (number(_tiny0(v), lang, sig=3) for v in end)
    return described(fig, _t("sum_replay", lang, epochs=int(epochs[-1]),
                              start=number(_tiny0(np.mean(curves[0, 0])), lang, sig=3), a=a, b=b, c=c))


def error_vs_offset(offsets: np.ndarray, wo: np.ndarray, wb: np.ndarray, predicted: np.ndarray | None,
                    lam: float, lang: str) -> dict[str, dict]:
    """Return `error_vs_offset`: the two penalised fits' test error against the offset (and the neuron's closed form)."""
    traces = [line(offsets, wo, _t("weights_only", lang), 0, mode="lines+markers"),
              line(offsets, wb, _t("weights_and_biases", lang), 1, mode="lines+markers", dash="dash")]
    if predicted is not None:
        traces.append(line(offsets, predicted, _t("predicted", lang), 7, dash="dot", width=1.5))
    fig = figure(traces, legend_below(layout(_t("sweep_title", lang, lam=lam), _t("offset", lang),
                                             _t("mse", lang), hovermode="x unified")))
    top = np.abs(offsets) == np.max(np.abs(offsets))
    flat = np.ptp(wo) <= 1e-9 * max(float(np.max(np.abs(wo))), 1e-300)
    summary = _t("sum_sweep_flat" if flat else "sum_sweep", lang, wo_lo=number(_tiny0(np.min(wo)), lang, sig=3),
                 wo_hi=number(_tiny0(np.max(wo)), lang, sig=3), wb0=number(_tiny0(wb[offsets == 0][0]), lang, sig=3),
                 wb10=number(_tiny0(np.mean(wb[top])), lang, sig=3))
    if predicted is not None:
        gap = float(np.max(np.abs(predicted - wb)))
        summary += _t("sum_sweep_exact", lang) if gap < 1e-9 else _t("sum_sweep_pred", lang, gap=number(gap, lang, sig=2))
    return {"error_vs_offset": described(fig, summary)}


def error_by_seed(seed_list: list[int], mse: dict[str, np.ndarray], lowest: dict[str, int],
                  lang: str) -> dict[str, dict]:
    """Return `error_by_seed`: each seed's three test errors joined by a thin line, and their mean ± sd.

    mse: penalty -> (n_seeds,) test MSE; lowest: penalty -> in how many seeds that fit has the lowest error.
    A line that crosses another shows two seeds ranking the fits differently.
    """
    names = [_t(k, lang) for k in ORDER]
    table = np.stack([mse[k] for k in ORDER], axis=1)  # (n_seeds, 3)
    traces = []
    for i, s in enumerate(seed_list):
        traces.append({"type": "scatter", "mode": "lines+markers", "x": names, "y": typed(table[i]),
                       "name": _t("seed_line", lang), "legendgroup": "seeds", "showlegend": i == 0,
                       "line": {"color": "rgba(120,120,120,0.45)", "width": 1}, "marker": {"size": 5},
                       "hovertemplate": f"seed {s}<br>%{{x}}: %{{y:.4g}}<extra></extra>"})
    mean, sd = table.mean(axis=0), table.std(axis=0, ddof=1) if len(seed_list) > 1 else np.zeros(3)
    traces.append({"type": "scatter", "mode": "markers", "x": names, "y": typed(mean), "name": _t("mean_sd", lang),
                   "error_y": {"type": "data", "array": typed(sd), "visible": True, "color": color(1), "thickness": 2},
                   "marker": {"color": color(1), "size": 11, "symbol": "diamond"},
                   "hovertemplate": "%{x}: %{y:.4g}<extra></extra>"})
    lay = legend_below(layout(_t("seeds_title", lang), "", _t("mse", lang), hovermode="closest"))
    lay["xaxis"]["type"] = "category"
    fig = figure(traces, lay)
    ms = [f"{number(_tiny0(m), lang, sig=3)} ± {number(_tiny0(d), lang, sig=2)}" for m, d in zip(mean, sd, strict=True)]
    return {"error_by_seed": described(fig, _t("sum_seeds", lang, n=len(seed_list), a=ms[0], b=ms[1], c=ms[2],
                                                la=lowest["none"], lb=lowest["weights_only"],
                                                lc=lowest["weights_and_biases"]))}


# ---------------------------------------------------------------------------- each experiment's figures

def bias_regularization(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The three fits of one model: data and fits, test errors, every bias, and the fits' replay."""
    m, d = result.metrics, result.data
    x, y, grid, truth = d["x_train"], d["y_train"], d["x_test"], d["target"]
    figures = fits_errors_biases(
        p.model, x, y, grid, truth, {k: d[f"fit_{k}"] for k in ORDER}, {k: m[f"test_mse_{k}"] for k in ORDER},
        {k: d[f"biases_{k}"] for k in ORDER}, {k: (d[f"level_output_bias_{k}"], d[f"level_hidden_{k}"]) for k in ORDER},
        p.offset, lang)
    figures["fits_replay"] = fits_replay(x, y, grid, truth, result.views["replay"], d["replay_epoch"], lang)
    return figures


def offset_sweep(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The sweep: both penalised fits' test error against the offset (the neuron's closed form dotted)."""
    d = result.data
    return error_vs_offset(d["offset"], d["test_mse_weights_only"], d["test_mse_weights_and_biases"],
                           d.get("test_mse_weights_and_biases_predicted"), p.lam, lang)


def seeds(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The seeds: each seed's three test errors, their mean ± sd, and how often each fit is best."""
    m, d = result.metrics, result.data
    return error_by_seed(list(d["seed"]), {k: d[f"test_mse_{k}"] for k in ORDER},
                         {k: m[f"lowest_error_count_{k}"] for k in ORDER}, lang)
