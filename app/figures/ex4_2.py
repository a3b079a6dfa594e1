"""Figures of exercise 4-2: decision surfaces, the hidden space, the 2-2-1 graph, seed and width statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.figures import common
from app.figures.encode import typed
from app.figures.theme import color, figure, layout, line, markers
from app.i18n import text, translator
from app.nn.activations import sigmoid

T = {
    "surface": text("Network output over the input plane (black: output = 0.5)",
                    "输入平面上的网络输出（黑线：输出 = 0.5）"),
    "surface_bce": text("σ(output) over the input plane (black: 0.5)", "输入平面上的 σ(输出)（黑线：0.5）"),
    "hidden": text("The four points in hidden space (black: output = 0.5)", "隐藏空间中的四个点（黑线：输出 = 0.5）"),
    "hidden_many": text("The four points in hidden space (first two of {h} units)",
                        "隐藏空间中的四个点（{h} 个单元中的前两个）"),
    "network": text("The 2-2-1 network (blue: positive, red: negative; width ∝ |value|)",
                    "2-2-1 网络（蓝色为正，红色为负；线宽 ∝ |数值|）"),
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
}

POSITIVE, NEGATIVE, ZERO = color(0), color(1), "#999999"
LOSS_FLOOR = 1e-32  # an exactly zero loss is drawn in the lowest bin


_t = translator(T)


def decision_surface(gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, X: np.ndarray, y: np.ndarray, lang: str, *,
                     bce: bool = False) -> dict[str, Any]:
    """The output (or σ of the logit) over [−0.5, 1.5]² with its 0.5 contour and the four XOR points."""
    title = _t("surface_bce" if bce else "surface", lang)
    return _square(common.decision_surface(gx, gy, Z, X, y, title, lang, point_size=12))


def _square(fig: dict[str, Any]) -> dict[str, Any]:
    """Keep the unit square square by shrinking the plot area, not by widening the x range."""
    fig["layout"]["xaxis"].update({"constrain": "domain", "range": [-0.5, 1.5]})
    fig["layout"]["yaxis"].update({"constrain": "domain", "range": [-0.5, 1.5]})
    return fig


def _axis_range(a: np.ndarray) -> tuple[float, float]:
    lo, hi = min(float(a.min()), 0.0), max(float(a.max()), 1.0)
    pad = 0.15 * (hi - lo)
    return lo - pad, hi + pad


def _labels(px: np.ndarray, py: np.ndarray, labels: tuple[str, ...]) -> list[dict[str, Any]]:
    """Write each input's name beside its point; points that coincide share one label."""
    groups: dict[tuple[float, float], list[str]] = {}
    for x, y, name in zip(px, py, labels, strict=True):
        if np.isfinite(x) and np.isfinite(y):
            groups.setdefault((round(float(x), 6), round(float(y), 6)), []).append(name)
    return [{"x": x, "y": y, "text": " = ".join(names), "showarrow": False, "xanchor": "left", "yanchor": "bottom",
             "xshift": 8, "yshift": 4, "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 12}}
            for (x, y), names in groups.items()]


def hidden_space(hidden: np.ndarray, y: np.ndarray, v: np.ndarray, c: float, level: float,
                 labels: tuple[str, ...], loss: str, lang: str) -> dict[str, Any]:
    """The four inputs at their hidden coordinates (h₁, h₂) and, for ≤ 2 units, the output's 0.5 line.

    hidden: (4, H); v: (H,) output weights; c: output bias; level: the raw output on the boundary
    (0.5 for mse, 0 for a bce logit). The shading is the output (mse) or σ(output) (bce) over the plane.
    """
    H = hidden.shape[1]
    h1 = hidden[:, 0]
    h2 = hidden[:, 1] if H >= 2 else np.zeros_like(h1)
    finite = bool(np.isfinite(hidden).all())
    r1 = _axis_range(h1) if finite else (-0.5, 1.5)
    r2 = _axis_range(h2) if finite else (-0.5, 1.5)
    pts = np.column_stack([h1, h2])
    if H <= 2 and finite and np.isfinite(v).all() and np.isfinite(c):
        g1, g2 = np.linspace(*r1, 41), np.linspace(*r2, 41)
        vv = np.r_[v, 0.0] if H == 1 else v
        Z = vv[0] * g1[None, :] + vv[1] * g2[:, None] + c
        if loss == "bce":
            Z = sigmoid(Z)
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
    return fig


# Node positions of the 2-2-1 graph (data coordinates).
_NODES = {"x1": (0.0, 0.8), "x2": (0.0, 0.2), "h1": (1.0, 0.8), "h2": (1.0, 0.2), "y": (2.0, 0.5)}
# (weight name, from, to, label symbol, where along the edge its label sits)
_EDGES = (("w11", "x1", "h1", "w₁₁", 0.72), ("w12", "x2", "h1", "w₁₂", 0.72), ("w21", "x1", "h2", "w₂₁", 0.72),
          ("w22", "x2", "h2", "w₂₂", 0.72), ("v1", "h1", "y", "v₁", 0.5), ("v2", "h2", "y", "v₂", 0.5))
_BIASES = (("b1", "h1", "b₁", 0.17), ("b2", "h2", "b₂", -0.17), ("c", "y", "c", -0.17))


def _value_color(value: float) -> str:
    return POSITIVE if value > 0 else NEGATIVE if value < 0 else ZERO


def network(weights: dict[str, float], lang: str) -> dict[str, Any]:
    """The 2-2-1 graph: every weight on its edge (colour by sign, width by |value|), biases by their nodes."""
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
    return figure([nodes], lay)


def loss(epochs: np.ndarray, losses: np.ndarray, lang: str) -> dict[str, Any]:
    """The training loss against epoch (log scale; a blow-up is marked)."""
    return common.loss_curves(epochs, {_t("loss_name", lang): losses}, _t("loss", lang), lang)


def replay(gx: np.ndarray, gy: np.ndarray, Zs: list[np.ndarray], epochs: np.ndarray, X: np.ndarray, y: np.ndarray,
           lang: str) -> dict[str, Any]:
    """The decision surface at geometrically spaced epochs, with a slider and a play button."""
    fig = _square(common.replay(gx, gy, Zs, epochs, X, y, _t("replay", lang), lang))
    fig["layout"]["height"] = 520
    return fig


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
    return figure(traces, lay)


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
    return figure([ok, dead], lay)
