"""Figures of exercise 4-2: decision surfaces, the hidden space, the 2-2-1 graph, seed and width statistics.

Drawn after the computation, in any language: `handcrafted`, `train`, `seeds` and `width_sweep` build an
experiment's figures from its result (metrics, data, views) and params. Every network output drawn here
(the surfaces, the output over hidden space) comes with the result's views; nothing here evaluates a network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures import common
from app.figures.encode import typed
from app.figures.theme import color, described, figure, layout, line, markers
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "surface": text("Network output over the input plane (black: output = 0.5)",
                    "输入平面上的网络输出（黑线：输出 = 0.5）"),
    "surface_bce": text("σ(output) over the input plane (black: 0.5)", "输入平面上的 σ(输出)（黑线：0.5）"),
    "hidden": text("The four points in hidden space (black: output = 0.5)", "隐藏空间中的四个点（黑线：输出 = 0.5）"),
    "hidden_many": text("The four points in hidden space (first two of {h} units)",
                        "隐藏空间中的四个点（{h} 个单元中的前两个）"),
    "network": text("The 2-2-1 network (blue: positive, orange: negative; width ∝ |value|)",
                    "2-2-1 网络（蓝色为正，橙色为负；线宽 ∝ |数值|）"),
    "loss": text("Training loss (log scale)", "训练损失（对数坐标）"),
    "loss_name": text("training loss", "训练损失"),
    "replay": text("Decision surface during training", "训练过程中的决策曲面"),
    "histogram": text("Final loss of {n} seeds", "{n} 个种子的最终损失"),
    "histogram_diverged": text("Final loss of {n} seeds ({k} diverged, not shown)",
                               "{n} 个种子的最终损失（{k} 个发散，未画出）"),
    "log_loss": text("log₁₀ final loss", "log₁₀ 最终损失"),
    "count": text("seeds", "种子数"),
    "solved": text("solved", "成功"),
    "failed": text("failed", "失败"),
    "width": text("Success rate against hidden width ({n} seeds per width)",
                  "成功率与隐藏层宽度（每个宽度 {n} 个种子）"),
    "width_axis": text("hidden units", "隐藏单元数"),
    "rate_axis": text("fraction of seeds", "种子比例"),
    "success": text("solves XOR (95% interval)", "解决异或（95% 区间）"),
    "dead_fail": text("fails with a dead unit", "失败且有死亡单元"),
    "class0": text("XOR = 0", "XOR = 0"),
    "class1": text("XOR = 1", "XOR = 1"),
    # One-sentence summaries for screen readers (described()).
    "output": text("output", "输出"),
    "output_bce": text("σ(output)", "σ(输出)"),
    "sum_surface": text("The {what} at (0,0), (0,1), (1,0), (1,1) is {values}; {k} of 4 points lie on the "
                        "correct side of the 0.5 contour.",
                        "在 (0,0)、(0,1)、(1,0)、(1,1) 处的{what}为 {values}；4 个点中有 {k} 个位于 0.5 等值线的正确一侧。"),
    "sum_hidden": text("In hidden space (h₁, h₂) the inputs (0,0), (0,1), (1,0), (1,1) land at {points}{merged}; "
                       "the network classifies {k} of 4 correctly.",
                       "在隐藏空间 (h₁, h₂) 中，输入 (0,0)、(0,1)、(1,0)、(1,1) 落在 {points}{merged}；"
                       "网络正确分类了 4 个点中的 {k} 个。"),
    "sum_hidden_many": text("In the first two of {h} hidden units the inputs (0,0), (0,1), (1,0), (1,1) land at "
                            "{points}{merged}; the network classifies {k} of 4 correctly.",
                            "在 {h} 个隐藏单元的前两个中，输入 (0,0)、(0,1)、(1,0)、(1,1) 落在 {points}{merged}；"
                            "网络正确分类了 4 个点中的 {k} 个。"),
    "merged": text(" ({names} coincide)", "（{names} 重合）"),
    "sum_network": text("Weights and biases: W₁ = {W1}, b₁ = {b1}, w₂ = {w2}, b₂ = {b2}.",
                        "权重与偏置：W₁ = {W1}，b₁ = {b1}，w₂ = {w2}，b₂ = {b2}。"),
    "sum_loss": text("The training loss goes from {a} at epoch 0 to {b} at epoch {n}.",
                     "训练损失从第 0 轮的 {a} 变为第 {n} 轮的 {b}。"),
    "sum_loss_blowup": text("The training loss starts at {a} and is no longer finite after epoch {e}.",
                            "训练损失从 {a} 开始，在第 {e} 轮之后不再是有限值。"),
    "sum_replay": text("The decision surface at {f} moments from epoch 0 to {n}; at the end {k} of the 4 points "
                       "lie on the correct side of 0.5.",
                       "从第 0 轮到第 {n} 轮共 {f} 个时刻的决策曲面；最终 4 个点中有 {k} 个位于 0.5 的正确一侧。"),
    "sum_hist": text("Of {n} seeds, {k} solve XOR (median final loss {ms}) and {f} fail (median final loss {mf}).",
                     "{n} 个种子中有 {k} 个解决了异或（最终损失中位数 {ms}），{f} 个失败（最终损失中位数 {mf}）。"),
    "sum_width": text("Share of the {n} seeds that solve XOR, by hidden width: {pairs}.",
                      "各隐藏层宽度下解决异或的种子比例（每个宽度 {n} 个种子）：{pairs}。"),
}

POSITIVE, NEGATIVE, ZERO = color(0), color(1), "#999999"
LOSS_FLOOR = 1e-32  # an exactly zero loss is drawn in the lowest bin


_t = translator(T)


def _and(names: list[str], lang: str) -> str:
    """Join names as a list in prose: "a, b and c" / "a、b 与 c"."""
    sep, last = (", ", " and ") if lang == "en" else ("、", " 与 ")
    return names[0] if len(names) == 1 else sep.join(names[:-1]) + last + names[-1]


def _clean(values: np.ndarray) -> np.ndarray:
    """Round to 6 decimals for a summary, as the outputs metric does (1e-15 is 0 to a reader)."""
    return np.round(np.asarray(values, dtype=float), 6) + 0.0


def _correct(values: np.ndarray, y: np.ndarray) -> int:
    """Count the points whose value (output, or σ of the logit) is on the right side of 0.5."""
    with np.errstate(invalid="ignore"):
        return int(((np.asarray(values) > 0.5) == (np.asarray(y) > 0.5)).sum())


def decision_surface(gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, X: np.ndarray, y: np.ndarray, values: np.ndarray,
                     lang: str, *, bce: bool = False) -> dict[str, Any]:
    """The output (or σ of the logit) over [−0.5, 1.5]² with its 0.5 contour and the four XOR points.

    values: (4,) the output (or σ of the logit) at the four points, for the summary.
    """
    title = _t("surface_bce" if bce else "surface", lang)
    fig = _square(common.decision_surface(gx, gy, Z, X, y, title, lang, point_size=12))
    what = _t("output_bce" if bce else "output", lang)
    values_s = ", ".join(number(v, lang, sig=3) for v in _clean(values))
    return described(fig, _t("sum_surface", lang, what=what, values=values_s, k=_correct(values, y)))


def _square(fig: dict[str, Any]) -> dict[str, Any]:
    """Keep the unit square square by shrinking the plot area, not by widening the x range."""
    fig["layout"]["xaxis"].update({"constrain": "domain", "range": [-0.5, 1.5]})
    fig["layout"]["yaxis"].update({"constrain": "domain", "range": [-0.5, 1.5]})
    return fig


def _labels(px: np.ndarray, py: np.ndarray, labels: tuple[str, ...]) -> list[dict[str, Any]]:
    """Write each input's name beside its point; points that coincide share one label."""
    groups: dict[tuple[float, float], list[str]] = {}
    for x, y, name in zip(px, py, labels, strict=True):
        if np.isfinite(x) and np.isfinite(y):
            groups.setdefault((round(float(x), 6), round(float(y), 6)), []).append(name)
    return [{"x": x, "y": y, "text": " = ".join(names), "showarrow": False, "xanchor": "left", "yanchor": "bottom",
             "xshift": 8, "yshift": 4, "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 12}}
            for (x, y), names in groups.items()]


def _hidden_summary(h1: np.ndarray, h2: np.ndarray, labels: tuple[str, ...], H: int, values: np.ndarray,
                    y: np.ndarray, lang: str) -> str:
    points = ", ".join(f"({number(a, lang, sig=3)}, {number(b, lang, sig=3)})"
                       for a, b in zip(_clean(h1), _clean(h2), strict=True))
    merged = "".join(_t("merged", lang, names=_and(a["text"].split(" = "), lang))
                     for a in _labels(h1, h2, labels) if " = " in a["text"])
    key = "sum_hidden_many" if H > 2 else "sum_hidden"
    return _t(key, lang, h=H, points=points, merged=merged, k=_correct(values, y))


def hidden_space(hidden: np.ndarray, y: np.ndarray, plane: dict[str, Any], labels: tuple[str, ...],
                 values: np.ndarray, lang: str) -> dict[str, Any]:
    """The four inputs at their hidden coordinates (h₁, h₂) and, for ≤ 2 units, the output's 0.5 line.

    hidden: (4, H); plane: computed with the result (ex4_2_handcrafted.hidden_plane), the axis ranges
    range_h1, range_h2 and surface (g1, g2, Z), the output (mse) or σ(output) (bce) over the (h₁, h₂)
    plane, or None when there is none to draw; values: (4,) output or σ(logit) at the four inputs, for
    the summary.
    """
    H = hidden.shape[1]
    h1 = hidden[:, 0]
    h2 = hidden[:, 1] if H >= 2 else np.zeros_like(h1)
    r1, r2 = plane["range_h1"], plane["range_h2"]
    pts = np.column_stack([h1, h2])
    if plane["surface"] is not None:
        g1, g2, Z = plane["surface"]
        fig = common.decision_surface(g1, g2, Z, pts, y, _t("hidden", lang), lang, point_size=12)
        del fig["layout"]["yaxis"]["scaleanchor"]
    else:
        traces = [markers(pts[y == k, 0], pts[y == k, 1], _t(f"class{k}", lang), k, size=12,
                          marker={"color": color(k), "size": 12, "line": {"color": "#ffffff", "width": 1}})
                  for k in (0, 1)]
        title = _t("hidden_many", lang, h=H) if H > 2 else _t("hidden", lang)
        fig = figure(traces, layout(title, "h₁", "h₂", hovermode="closest"))
    fig["layout"]["annotations"] = _labels(h1, h2, labels)
    fig["layout"]["xaxis"].update({"title": {"text": "h₁"}, "range": list(r1)})
    fig["layout"]["yaxis"].update({"title": {"text": "h₂"}, "range": list(r2)})
    return described(fig, _hidden_summary(h1, h2, labels, H, values, y, lang))


# Node positions of the 2-2-1 graph (data coordinates).
_NODES = {"x1": (0.0, 0.8), "x2": (0.0, 0.2), "h1": (1.0, 0.8), "h2": (1.0, 0.2), "y": (2.0, 0.5)}
# (parameter name, from, to, label symbol as on the page, where along the edge its label sits)
# (the crossing edges meet halfway: their labels sit a quarter of the way, clear of the h nodes on a phone)
_EDGES = (("w1_11", "x1", "h1", "W₁[1,1]", 0.5), ("w1_12", "x2", "h1", "W₁[1,2]", 0.25),
          ("w1_21", "x1", "h2", "W₁[2,1]", 0.25), ("w1_22", "x2", "h2", "W₁[2,2]", 0.5),
          ("w2_1", "h1", "y", "w₂[1]", 0.5), ("w2_2", "h2", "y", "w₂[2]", 0.5))
_BIASES = (("b1_1", "h1", "b₁[1]", 0.17), ("b1_2", "h2", "b₁[2]", -0.17), ("b2", "y", "b₂", -0.17))


def _value_color(value: float) -> str:
    return POSITIVE if value > 0 else NEGATIVE if value < 0 else ZERO


def network(weights: dict[str, float], lang: str) -> dict[str, Any]:
    """The 2-2-1 graph: every weight on its edge (colour by sign, width by |value|), biases by their nodes.

    weights: the handcrafted parameters by name (w1_11 … w1_22, b1_1, b1_2, w2_1, w2_2, b2).
    """
    shapes, notes = [], []
    for key, a, b, sym, t in _EDGES:
        w = float(weights[key])
        (x0, y0), (x1, y1) = _NODES[a], _NODES[b]
        shapes.append({"type": "line", "layer": "below", "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                       "line": {"color": _value_color(w), "width": 1 + 1.1 * min(abs(w), 10),
                                "dash": "dot" if w == 0 else "solid"}, "opacity": 0.75})
        notes.append({"x": x0 + t * (x1 - x0), "y": y0 + t * (y1 - y0), "text": f"{sym} = {w:g}",
                      "showarrow": False, "bgcolor": "rgba(255,255,255,0.9)", "borderpad": 2,
                      "font": {"color": _value_color(w), "size": 13}})
    for key, node, sym, dy in _BIASES:
        bval = float(weights[key])
        x, y = _NODES[node]
        notes.append({"x": x, "y": y + dy, "text": f"{sym} = {bval:g}", "showarrow": False,
                      "font": {"color": _value_color(bval), "size": 13}})
    names = {"x1": "x₁", "x2": "x₂", "h1": "h₁", "h2": "h₂", "y": "y"}
    xs = np.array([p[0] for p in _NODES.values()])
    ys = np.array([p[1] for p in _NODES.values()])
    nodes = markers(xs, ys, "", 7, size=46, mode="markers+text", text=list(names.values()),
                    textfont={"size": 16}, hoverinfo="skip", showlegend=False,
                    marker={"color": "#ffffff", "size": 46, "line": {"color": "#333333", "width": 2}})
    lay = layout(_t("network", lang), "", "", hovermode=False, shapes=shapes, annotations=notes, showlegend=False)
    lay["xaxis"].update({"visible": False, "range": [-0.3, 2.3], "fixedrange": True})
    lay["yaxis"].update({"visible": False, "range": [-0.05, 1.05], "fixedrange": True})
    w = {k: number(v, lang, sig=3) for k, v in weights.items()}
    summary = _t("sum_network", lang, W1=f"[[{w['w1_11']}, {w['w1_12']}], [{w['w1_21']}, {w['w1_22']}]]",
                 b1=f"[{w['b1_1']}, {w['b1_2']}]", w2=f"[{w['w2_1']}, {w['w2_2']}]", b2=w["b2"])
    return described(figure([nodes], lay), summary)


def loss(epochs: np.ndarray, losses: np.ndarray, lang: str) -> dict[str, Any]:
    """The training loss against epoch (log scale; a blow-up is marked)."""
    fig = common.loss_curves(epochs, {_t("loss_name", lang): losses}, _t("loss", lang), lang)
    finite = np.isfinite(losses)
    if finite.all():
        summary = _t("sum_loss", lang, a=number(losses[0], lang, sig=3), b=number(losses[-1], lang, sig=3),
                     n=int(epochs[-1]))
    else:
        last = int(np.flatnonzero(finite)[-1]) if finite.any() else 0
        summary = _t("sum_loss_blowup", lang, a=number(losses[0], lang, sig=3), e=int(epochs[last]))
    return described(fig, summary)


def replay(gx: np.ndarray, gy: np.ndarray, Zs: list[np.ndarray], epochs: np.ndarray, X: np.ndarray, y: np.ndarray,
           values: np.ndarray, lang: str) -> dict[str, Any]:
    """The decision surface at geometrically spaced epochs, with a slider and a play button.

    values: (4,) the final output (or σ of the logit) at the four points, for the summary.
    """
    fig = _square(common.replay(gx, gy, Zs, epochs, X, y, _t("replay", lang), lang))
    fig["layout"]["height"] = 520
    return described(fig, _t("sum_replay", lang, f=len(Zs), n=int(epochs[-1]), k=_correct(values, y)))


def final_loss_histogram(final_loss: np.ndarray, solved: np.ndarray, dead: np.ndarray, lang: str) -> dict[str, Any]:
    """Histogram of log₁₀ final loss over seeds, stacked: solved and failed in two colours."""
    finite = np.isfinite(final_loss)
    logs = np.log10(np.maximum(final_loss[finite], LOSS_FLOOR))
    ok = solved[finite]
    width = 0.5
    if logs.size:
        lo, hi = np.floor(logs.min() / width) * width, np.ceil(logs.max() / width) * width
        edges = np.arange(lo, max(hi, lo + width) + width / 2, width)
    else:
        edges = np.array([-1.0, -0.5])
    centres = (edges[:-1] + edges[1:]) / 2
    traces = []
    for name, sel, i in (("solved", ok, 2), ("failed", ~ok, 1)):
        counts, _ = np.histogram(logs[sel], bins=edges)
        traces.append({"type": "bar", "name": _t(name, lang), "x": typed(centres), "y": typed(counts, "int32"),
                       "width": width * 0.95, "marker": {"color": color(i)},
                       "hovertemplate": f"{_t(name, lang)}: %{{y}}<extra></extra>"})
    n, k = len(final_loss), int((~finite).sum())
    title = _t("histogram_diverged", lang, n=n, k=k) if k else _t("histogram", lang, n=n)
    lay = layout(title, _t("log_loss", lang), _t("count", lang), barmode="stack", hovermode="x unified")
    lay["legend"] = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"}

    def median(sel: np.ndarray) -> str:
        v = final_loss[sel & finite]
        return number(np.median(v), lang, sig=2) if v.size else "—"

    summary = _t("sum_hist", lang, n=n, k=int(solved.sum()), f=int((~solved).sum()), ms=median(solved),
                 mf=median(~solved))
    return described(figure(traces, lay), summary)


def _wilson(k: np.ndarray, n: int, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval (lower, upper) of k successes in n trials."""
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return mid - half, mid + half


def success_vs_width(widths: np.ndarray, n_solved: np.ndarray, n_dead_fail: np.ndarray, n: int,
                     lang: str) -> dict[str, Any]:
    """Success rate with its 95% Wilson interval, and the share of seeds failing with a dead unit."""
    rate = n_solved / n
    lo, hi = _wilson(n_solved, n)
    ok = line(widths, rate, _t("success", lang), 2, mode="lines+markers",
              error_y={"type": "data", "symmetric": False, "array": (hi - rate).tolist(),
                       "arrayminus": (rate - lo).tolist(), "color": color(2)})
    dead = line(widths, n_dead_fail / n, _t("dead_fail", lang), 1, mode="lines+markers", dash="dash")
    lay = layout(_t("width", lang, n=n), _t("width_axis", lang), _t("rate_axis", lang), x_log=True)
    lay["xaxis"].update({"tickvals": widths.tolist(), "ticktext": [str(w) for w in widths]})
    lay["yaxis"].update({"range": [0, 1.05], "tickformat": ".0%"})
    lay["legend"] = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"}
    pairs = ", ".join(f"{w}: {number(float(r), lang, pct=True, digits=0)}"
                      for w, r in zip(widths.tolist(), rate, strict=True))
    return described(figure([ok, dead], lay), _t("sum_width", lang, n=n, pairs=pairs))


# ---------------------------------------------------------------------------- each experiment's figures

def handcrafted(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The handcrafted network: its output surface, the hidden space and the 2-2-1 graph."""
    d, v = result.data, result.views
    gx, gy, Z = v["surface"]
    return {
        "decision_surface": decision_surface(gx, gy, Z, d["inputs"], d["targets"], d["outputs"], lang),
        "hidden_space": hidden_space(d["hidden"], d["targets"], v["hidden_plane"], v["labels"], d["outputs"], lang),
        "network": network(p.weights(), lang),
    }


def train(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """One trained network: its loss, output surface, hidden space and the replay of its surface."""
    d, v = result.data, result.views
    X, y, shown = v["inputs"], v["targets"], d["outputs"]
    gx, gy, Z = v["surface"]
    rx, ry, Zs = v["replay"]
    return {
        "loss": loss(d["epoch"], d["loss"], lang),
        "decision_surface": decision_surface(gx, gy, Z, X, y, shown, lang, bce=p.loss == "bce"),
        "hidden_space": hidden_space(d["hidden"], y, v["hidden_plane"], v["labels"], shown, lang),
        "replay": replay(rx, ry, Zs, d["replay_epochs"], X, y, shown, lang),
    }


def seeds(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """Many seeds: the histogram of their final losses."""
    d = result.data
    return {"final_loss_histogram": final_loss_histogram(d["final_loss"], d["solved"], d["dead_unit"], lang)}


def width_sweep(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The width sweep: success rate against hidden width."""
    d = result.data
    return {"success_vs_width": success_vs_width(np.array(d["width"]), np.array(d["n_solved"]),
                                                 np.array(d["n_dead_unit_failures"]), p.n_seeds, lang)}
