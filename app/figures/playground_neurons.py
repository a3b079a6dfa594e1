"""The playground's neuron map: every unit's output over the input plane, arranged by layer, with the weights.

As in TensorFlow Playground: one column per layer (the input features, each hidden layer, the output),
one small tile per unit showing its output over the plane (or along x for a curve), each tile scaled to
its own largest |value| so that its shape shows; edges between the tiles coloured by the weight's sign
and as wide as its magnitude. Dead units are crossed out. The tiles of a column are one heatmap of
8-bit values (0 is the gap between tiles, drawn transparent), so even a 6 × 32 network stays small.
Nothing here evaluates a network: the tiles come with the result's views.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from app.figures.common import replay_controls
from app.figures.theme import described, figure, layout
from app.format import number
from app.i18n import text, translator

T = {
    "title": text("Every unit's output over the input plane, by layer", "每个单元在输入平面上的输出（按层排列）"),
    "title_1d": text("Every unit's output along x, by layer", "每个单元沿 x 的输出（按层排列）"),
    "input": text("input", "输入"),
    "layer": text("layer {i}", "第 {i} 层"),
    "output": text("output", "输出"),
    "unit": text("{col}, unit {j}", "{col}，单元 {j}"),
    "bias": text("bias {b}", "偏置 {b}"),
    "range": text("output from {lo} to {hi}", "输出从 {lo} 到 {hi}"),
    "dead": text("dead", "死亡"),
    "at": text("{title}, epoch {e}", "{title}，第 {e} 轮"),
    "positive": text("positive weight", "正权重"),
    "negative": text("negative weight", "负权重"),
    "s_map": text("{units} hidden units in {layers} layers, each tile the unit's output scaled to its own range (red "
                  "positive, blue negative); {dead} dead. Edges: red positive, blue negative weights, wider for "
                  "larger |w| (largest {wmax}).",
                  "{layers} 层共 {units} 个隐藏单元，每个小图是该单元的输出，按其自身范围缩放（红为正，蓝为负）；"
                  "其中 {dead} 个死亡。连线：红为正权重、蓝为负权重，|w| 越大线越宽（最大 {wmax}）。"),
    "s_none": text("No hidden layer: the input features feed the output unit directly (largest |w| {wmax}).",
                   "没有隐藏层：输入特征直接连到输出单元（最大 |w| 为 {wmax}）。"),
    "s_more": text(" The {k} strongest connections of each layer are drawn.", "每层只画出最强的 {k} 条连线。"),
}
_t = translator(T)

PITCH = 3.0  # columns are this far apart (tiles are 1 wide)
ROW = 1.25  # rows of tiles are this far apart (tiles are 1 high)
MAX_EDGES = 120  # the strongest connections drawn per layer
WIDTHS = (0.6, 1.4, 2.6, 4.2)  # line widths of the four magnitude classes
EDGE_TRACES = 2 * len(WIDTHS)  # one per sign and width class
POSITIVE, NEGATIVE = "#b2182b", "#2166ac"
# 0 is the gap (transparent); 1 … 255 run from −1 (blue) through 128 = 0 (white) to +1 (red).
COLORSCALE = [[0.0, "rgba(0,0,0,0)"], [1 / 255, NEGATIVE], [128 / 255, "#f7f7f7"], [1.0, POSITIVE]]


def _u8(z: np.ndarray) -> dict[str, Any]:
    a = np.ascontiguousarray(z, dtype=np.uint8)
    return {"dtype": "u1", "bdata": base64.b64encode(a.tobytes()).decode("ascii"), "shape": f"{a.shape[0]}, {a.shape[1]}"}


def _f4(values: list[float]) -> dict[str, Any]:
    a = np.asarray(values, dtype=np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(a.tobytes()).decode("ascii")}


def _scaled(tile: np.ndarray) -> np.ndarray:
    """Map a tile to 1 … 255 by its own largest |value| (0 stays 128); a non-finite tile is all 128."""
    with np.errstate(all="ignore"):
        peak = float(np.max(np.abs(tile))) if np.isfinite(tile).all() else np.nan
        if not np.isfinite(peak) or peak == 0:
            return np.full(tile.shape, 128, dtype=np.uint8)
        return np.clip(np.round(128 + 127 * tile / peak), 1, 255).astype(np.uint8)


def _top(n: int, m: int) -> float:
    """Return the y of the top of the first of n tiles in a column of room for m (tiles centred)."""
    return (m - n) * ROW / 2


def _state(thumbs: list[np.ndarray], W: list[np.ndarray], b: list[np.ndarray], dead: list[np.ndarray] | None,
           feature_labels: list[str], names: list[str], m: int, lang: str) -> tuple[list[dict], list, bool]:
    """The traces of the map at one moment: EDGE_TRACES edge traces, a heatmap per column, the hover markers,
    the dead units' crosses (none when `dead` is None) — always that many, in that order, so that the
    replay's frames can replace them by index. Return (traces, the tiles' centres per column, truncated)."""
    heatmaps: list[dict[str, Any]] = []
    centres: list[list[tuple[float, float]]] = []
    hover_x, hover_y, hover_text, hover_unit, dead_x, dead_y = [], [], [], [], [], []
    n_cols = len(thumbs)
    for c, tiles in enumerate(thumbs):
        n, t = tiles.shape[0], tiles.shape[-1]
        tiles = tiles if tiles.ndim == 3 else np.broadcast_to(tiles[:, None, :], (n, t, t))
        gap = int(round((ROW - 1.0) * t))
        z = np.zeros((n * (t + gap) - gap, t), dtype=np.uint8)
        for j in range(n):
            # the y axis points down the screen: a tile's first row is its top, the largest x₂
            z[j * (t + gap): j * (t + gap) + t] = _scaled(tiles[j])[::-1]
        top, x0 = _top(n, m), c * PITCH
        heatmaps.append({"type": "heatmap", "z": _u8(z), "x0": x0 + 0.5 / t, "dx": 1.0 / t,
                         "y0": top + 0.5 / t, "dy": 1.0 / t, "zmin": 0, "zmax": 255, "colorscale": COLORSCALE,
                         "showscale": False, "hoverinfo": "skip", "zsmooth": False})
        col = []
        for j in range(n):
            cx, cy = x0 + 0.5, top + j * ROW + 0.5
            col.append((cx, cy))
            label = feature_labels[j] if c == 0 else _t("unit", lang, col=names[c], j=j + 1)
            parts = [label]
            with np.errstate(all="ignore"):
                lo, hi = float(np.min(tiles[j])), float(np.max(tiles[j]))
            parts.append(_t("range", lang, lo=number(lo, lang, sig=3), hi=number(hi, lang, sig=3)))
            if c > 0:
                parts.append(_t("bias", lang, b=number(float(b[c - 1][j]), lang, sig=3)))
            if dead is not None and 0 < c < n_cols - 1 and dead[c - 1][j]:
                parts.append(_t("dead", lang))
                dead_x.append(cx)
                dead_y.append(cy)
            hover_x.append(cx)
            hover_y.append(cy)
            hover_text.append("<br>".join(parts))
            hover_unit.append([c, j])  # a click on a unit (c > 0) shows its weights (fflab-playground-units.js)
        centres.append(col)
    edges, truncated = _edges(W, centres, lang)
    hover = {"type": "scatter", "mode": "markers", "x": _f4(hover_x), "y": _f4(hover_y), "text": hover_text,
             "customdata": hover_unit, "hovertemplate": "%{text}<extra></extra>", "showlegend": False,
             "marker": {"size": 18, "color": "rgba(0,0,0,0)", "symbol": "square"}}
    crosses = {"type": "scatter", "mode": "markers", "x": _f4(dead_x), "y": _f4(dead_y), "name": _t("dead", lang),
               "hoverinfo": "skip", "showlegend": bool(dead_x),
               "marker": {"symbol": "x-thin", "size": 16, "color": "#000000", "line": {"width": 2, "color": "#000000"}}}
    return [*edges, *heatmaps, hover, crosses], centres, truncated


def neuron_map(thumbs: list[np.ndarray], W: list[np.ndarray], b: list[np.ndarray], dead: list[np.ndarray],
               feature_labels: list[str], lang: str, frames: list[tuple[int, list, list, list]] | None = None
               ) -> dict[str, Any]:
    """Build the map. thumbs: per column (features, hidden layers…, output) (n, t, t) or (n, t) outputs;
    W[l]: (n_in, n_out) and b[l]: (n_out,) of the drawn network at the end; dead: per hidden layer (n,) bools.
    frames: (epoch, thumbs, W, b) of earlier moments and, last, of the end (thumbs, W, b above), for a replay
    (the input column, which training does not change, is drawn once; dead units are crossed out at the end
    only)."""
    m = max(t.shape[0] for t in thumbs)
    n_cols = len(thumbs)
    names = [_t("input", lang), *(_t("layer", lang, i=i) for i in range(1, n_cols - 1)), _t("output", lang)]
    traces, centres, truncated = _state(thumbs, W, b, dead, feature_labels, names, m, lang)
    title = _t("title_1d" if thumbs[0].ndim == 2 else "title", lang)
    lay = layout(title, "", "", hovermode="closest")
    lay["xaxis"].update(visible=False, range=[-1.6, (n_cols - 1) * PITCH + 1.2])
    lay["yaxis"].update(visible=False, autorange=False, range=[m * ROW + 0.1, -0.9], scaleanchor="x")
    lay["annotations"] = [{"x": c * PITCH + 0.5, "y": -0.45, "xref": "x", "yref": "y", "text": names[c],
                           "showarrow": False, "font": {"size": 12}} for c in range(n_cols)]
    lay["annotations"] += [{"x": -0.1, "y": y, "xref": "x", "yref": "y", "text": feature_labels[j], "xanchor": "right",
                            "showarrow": False, "font": {"size": 11}} for j, (_, y) in enumerate(centres[0])]
    lay["margin"] = {"l": 50, "r": 10, "t": 50, "b": 40}
    lay["height"] = int(min(900, max(320, 110 + m * ROW * 30)))
    fig = figure(traces, lay)
    if frames and len(frames) > 1:
        changing = [i for i in range(len(traces)) if i != EDGE_TRACES]  # all but the input column's heatmap
        fig["frames"] = []
        for k, (epoch, f_thumbs, f_W, f_b) in enumerate(frames):
            # the last frame is the end of training, drawn above (with its dead units crossed out)
            state = traces if k == len(frames) - 1 else _state(f_thumbs, f_W, f_b, None, feature_labels, names,
                                                               m, lang)[0]
            at = {"title": {**lay["title"], "text": _t("at", lang, title=title, e=int(epoch))}}
            fig["frames"].append({"name": str(int(epoch)), "data": [state[i] for i in changing], "traces": changing,
                                  "layout": at})
        replay_controls(fig, [f["name"] for f in fig["frames"]], lang)
        lay["title"] = fig["frames"][-1]["layout"]["title"]
    hidden = thumbs[1:-1]
    units = sum(h.shape[0] for h in hidden)
    wmax = max((float(np.max(np.abs(w))) for w in W if np.isfinite(w).all()), default=float("nan"))
    if hidden:
        said = _t("s_map", lang, units=units, layers=len(hidden), dead=int(sum(int(np.sum(d)) for d in dead)),
                  wmax=number(wmax, lang, sig=3))
    else:
        said = _t("s_none", lang, wmax=number(wmax, lang, sig=3))
    return described(fig, said + (_t("s_more", lang, k=MAX_EDGES) if truncated else ""))


def _edges(W: list[np.ndarray], centres: list[list[tuple[float, float]]], lang: str) -> tuple[list[dict], bool]:
    """Return the edge traces (one per sign and width class, segments split by NaN) and whether some were left out."""
    groups: dict[tuple[bool, int], tuple[list[float], list[float]]] = {}
    truncated = False
    for layer, w in enumerate(W):
        if not np.isfinite(w).all():
            continue
        mag = np.abs(w)
        peak = float(mag.max()) if mag.size else 0.0
        if peak == 0:
            continue
        order = np.argsort(-mag, axis=None, kind="stable")
        truncated |= order.size > MAX_EDGES
        for flat in order[:MAX_EDGES]:
            i, j = np.unravel_index(flat, w.shape)
            k = min(len(WIDTHS) - 1, int(len(WIDTHS) * mag[i, j] / peak))
            xs, ys = groups.setdefault((bool(w[i, j] > 0), k), ([], []))
            (x0, y0), (x1, y1) = centres[layer][i], centres[layer + 1][j]
            xs += [x0 + 0.5, x1 - 0.5, np.nan]
            ys += [y0, y1, np.nan]
    traces = []
    for positive in (False, True):  # every sign and width class, empty or not: a fixed number of traces
        for k, width in enumerate(WIDTHS):
            xs, ys = groups.get((positive, k), ([], []))
            traces.append({"type": "scatter", "mode": "lines", "x": _f4(xs), "y": _f4(ys), "hoverinfo": "skip",
                           "name": _t("positive" if positive else "negative", lang), "showlegend": False,
                           "line": {"color": POSITIVE if positive else NEGATIVE, "width": width}, "opacity": 0.7})
    return traces, truncated
