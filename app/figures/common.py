"""Figures that several exercises share: loss curves, decision surfaces, training replay.

Every builder takes plain arrays and already-translated strings; computation happens elsewhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.figures.encode import typed
from app.figures.theme import color, figure, layout, line, markers
from app.i18n import text, translator

T = {
    "epoch": text("epoch", "轮次"),
    "loss": text("loss", "损失"),
    "diverged_at": text("{name}: diverged", "{name}：发散"),
    "class0": text("class 0", "类别 0"),
    "class1": text("class 1", "类别 1"),
    "output": text("output", "输出"),
}

# float32 holds up to ~3.4e38: a blown-up network's outputs are clipped to this before the cast.
FLOAT32_LIMIT = 1e38

# A log axis may reach up to 10^LOG10_TOP: the largest float64 is about 1.8e308, and a tick placed
# beyond it (10^310, say) is Infinity in the browser and prints as "Infinity^-NaN".
LOG10_TOP = 307.0
FLOAT64_EDGE = 1e307  # the same edge on a linear axis

SURFACE_COLORSCALE = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]


tr = translator(T)  # this module's strings in a language


def loss_curves(epochs: np.ndarray, series: dict[str, np.ndarray], title: str, lang: str, *,
                y_log: bool = True, y_title: str | None = None) -> dict[str, Any]:
    """Loss against epoch, one line per run; a run that blew up ends with an ✕ at its last finite value.

    series: name -> (E+1,) losses, NaN after divergence. Only finite values are drawn (and only positive
    ones on a log axis), and the y range is set from them: a blown-up loss can reach 1e300, where
    the browser's own padding would put ticks past the largest float.
    """
    traces = []
    drawn = []
    for i, (name, y) in enumerate(series.items()):
        y = np.asarray(y, dtype=float)
        ok = np.isfinite(y) & (y > 0) if y_log else np.isfinite(y)
        shown = np.where(ok, y, np.nan)
        drawn.append(shown)
        traces.append(line(epochs, shown, name, i, hovertemplate=f"{name}<br>%{{x}}: %{{y:.4g}}<extra></extra>"))
        if ok.any() and not np.isfinite(y).all():
            last = int(np.flatnonzero(ok)[-1])
            traces.append(markers(epochs[last:last + 1], shown[last:last + 1], tr("diverged_at", lang, name=name), i,
                                  size=12, symbol="x", showlegend=True, cliponaxis=False))
    lay = layout(title, tr("epoch", lang), y_title or tr("loss", lang), y_log=y_log)
    rng = _finite_range(drawn, y_log)
    huge = rng is not None and max(abs(rng[0]), abs(rng[1])) > 1e300
    if rng is not None and (y_log or huge):  # a linear axis keeps its autorange (and any reference line)
        lay["yaxis"].update(range=rng, autorange=False)
    return figure(traces, lay)


def _surface_trace(gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, zmid: float, zrange: tuple[float, float] | None,
                   lang: str) -> dict[str, Any]:
    zmin, zmax = zrange if zrange else (float(np.nanmin(Z)), float(np.nanmax(Z)))
    return {
        "type": "contour", "x": typed(gx), "y": typed(gy), "z": typed(np.clip(Z, -FLOAT32_LIMIT, FLOAT32_LIMIT), "float32"),
        "colorscale": SURFACE_COLORSCALE, "zmin": zmin, "zmax": zmax, "zmid": zmid,
        "contours": {"coloring": "heatmap", "showlines": False}, "ncontours": 30, "line": {"width": 0},
        "colorbar": {"title": {"text": tr("output", lang)}, "thickness": 12},
        "hovertemplate": "x₁=%{x:.2f}, x₂=%{y:.2f}<br>%{z:.3f}<extra></extra>",
    }


def _boundary_trace(gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, level: float) -> dict[str, Any]:
    return {
        "type": "contour", "x": typed(gx), "y": typed(gy), "z": typed(np.clip(Z, -FLOAT32_LIMIT, FLOAT32_LIMIT), "float32"), "showscale": False,
        "contours": {"coloring": "none", "start": level, "end": level, "size": 1.0, "showlabels": False},
        "line": {"color": "#000000", "width": 2.5}, "hoverinfo": "skip", "name": f"{level:g}",
    }


def _point_traces(X: np.ndarray, y: np.ndarray, lang: str, size: float = 7) -> list[dict[str, Any]]:
    out = []
    for cls, key, i in ((0, "class0", 0), (1, "class1", 1)):
        sel = np.asarray(y).ravel() == cls
        out.append(markers(X[sel, 0], X[sel, 1], tr(key, lang), i, size=size,
                           marker={"color": color(i), "size": size, "line": {"color": "#ffffff", "width": 1}}))
    return out


def decision_surface(gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, X: np.ndarray, y: np.ndarray, title: str,
                     lang: str, *, level: float = 0.5, zrange: tuple[float, float] | None = (0.0, 1.0),
                     point_size: float = 7) -> dict[str, Any]:
    """A network's output over a 2-D grid, its `level` contour (the decision boundary) and the data.

    gx: (nx,), gy: (ny,), Z: (ny, nx) outputs; X: (N, 2) inputs, y: (N,) labels in {0, 1}.
    """
    traces = [_surface_trace(gx, gy, Z, level, zrange, lang), _boundary_trace(gx, gy, Z, level),
              *_point_traces(X, y, lang, point_size)]
    lay = layout(title, "x₁", "x₂", hovermode="closest")
    lay["yaxis"]["scaleanchor"] = "x"
    return figure(traces, lay)


def replay(gx: np.ndarray, gy: np.ndarray, Zs: list[np.ndarray], epochs: np.ndarray, X: np.ndarray, y: np.ndarray,
           title: str, lang: str, *, level: float = 0.5, zrange: tuple[float, float] | None = (0.0, 1.0),
           bottom: int = 60) -> dict[str, Any]:
    """The decision surface at several moments of training, as Plotly frames named by epoch.

    Zs: one (ny, nx) output grid per snapshot; epochs: the snapshot epochs. The figure shows the last
    one; the page's replay bar under the figure steps through the frames (see replay_controls).
    """
    fig = decision_surface(gx, gy, Zs[-1], X, y, title, lang, level=level, zrange=zrange)
    names = [str(int(e)) for e in epochs]
    fig["frames"] = [
        {"name": n, "data": [_surface_trace(gx, gy, Z, level, zrange, lang), _boundary_trace(gx, gy, Z, level)],
         "traces": [0, 1]}
        for n, Z in zip(names, Zs, strict=True)
    ]
    replay_controls(fig, names, lang)
    # The legend stays under the plot (the house style): nothing else is there now, and a legend
    # above the plot runs into the title on a phone once it wraps.
    fig["layout"]["margin"] = {"l": 60, "r": 20, "t": 50, "b": bottom}
    return fig


# ---------------------------------------------------------------------------- replays of any figure


def replay_controls(fig: dict[str, Any], names: list[str], lang: str, *, redraw: bool = True,
                    frame_ms: int = 250) -> dict[str, Any]:
    """Declare the figure a replay of its frames `names` (one per recorded epoch, ending on the last).

    The figure draws no controls of its own: the page puts one bar under it (play/pause, step, a
    slider and the epoch shown) and drives the frames by name. layout.meta.replay tells the bar how:
    `redraw=False` suits frames that only move scatter traces; Play shows a frame every `frame_ms`
    milliseconds. The bar's words come from the page's language, so `lang` is not needed here (kept
    for the callers).
    """
    frames = [f["name"] for f in fig.get("frames", [])]
    if frames != list(names):
        raise ValueError("replay_controls: names must be the figure's frame names, in order")
    fig["layout"].pop("sliders", None)
    fig["layout"].pop("updatemenus", None)
    fig["layout"].setdefault("meta", {})["replay"] = {"redraw": redraw, "frame_ms": frame_ms}
    return fig


def surface_replay(gx: np.ndarray, gy: np.ndarray, Zs: list[np.ndarray], epochs: np.ndarray, X: np.ndarray,
                   y: np.ndarray, title: str, lang: str, *, height: int = 520) -> dict[str, Any]:
    """`replay` of probabilities in [0, 1], its axes fitted to the grid."""
    fig = replay(gx, gy, [np.clip(Z, 0.0, 1.0) for Z in Zs], epochs, X, y, title, lang)
    fig["layout"]["xaxis"].update({"constrain": "domain", "range": [float(gx[0]), float(gx[-1])]})
    fig["layout"]["yaxis"].update({"constrain": "domain", "range": [float(gy[0]), float(gy[-1])]})
    fig["layout"]["height"] = height
    # The boundary is the one level 0.5: no automatic levels when a frame's surface does not reach it.
    for trace in [fig["data"][1], *(f["data"][1] for f in fig["frames"])]:
        trace["autocontour"] = False
    return fig


def frame_titles(fig: dict[str, Any], titles: list[str]) -> dict[str, Any]:
    """Give every frame of a replay its own title (e.g. a number at that epoch); the figure keeps the last."""
    base = fig["layout"]["title"]
    for frame, t in zip(fig["frames"], titles, strict=True):
        frame["layout"] = {"title": {**base, "text": t}}
    fig["layout"]["title"] = {**base, "text": titles[-1]}
    return fig


def _finite_range(arrays: list[np.ndarray], log: bool) -> list[float] | None:
    """The y range of the finite values (positive ones on a log axis, in log10 units there), padded
    by 5 % of their span (at most one decade on a log axis), within 10^LOG10_TOP (±FLOAT64_EDGE on a
    linear axis) so that no tick lands beyond the largest float."""
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]) if arrays else np.zeros(0)
    vals = vals[np.isfinite(vals) & ((vals > 0) if log else True)]
    if not vals.size:
        return None
    lo, hi = float(vals.min()), float(vals.max())
    if log:
        lo, hi = float(np.log10(lo)), float(np.log10(hi))
        pad = min(0.05 * (hi - lo), 1.0) if hi > lo else 0.5
        return [lo - pad, min(hi + pad, LOG10_TOP)]
    pad = 0.05 * hi - 0.05 * lo if hi > lo else 0.5  # (hi - lo itself may overflow)
    return [max(lo - pad, -FLOAT64_EDGE), min(hi + pad, FLOAT64_EDGE)]


def replay_lines(x: np.ndarray, curves: np.ndarray, epochs: np.ndarray, title: str, x_title: str, y_title: str,
                 lang: str, *, names: list[str], colors: list[int] | None = None, dashes: list[str | None] | None = None,
                 widths: list[float] | None = None, mode: str = "lines", static: list[dict[str, Any]] | None = None,
                 y_log: bool = False, y_range: list[float] | None = None, height: int = 460) -> dict[str, Any]:
    """Curves over x at several moments of training, as Plotly frames named by epoch (see replay_controls).

    curves: (F, K, n), K curves at each of the F frames; epochs: (F,) the frames' epochs, named by them.
    static: traces drawn under the curves in every frame (data, target). The y range is fixed over all
    frames (y_range, in log10 units on a log axis, or the finite values' span), so motion is comparable.
    """
    curves = np.clip(np.asarray(curves, dtype=float), -FLOAT32_LIMIT, FLOAT32_LIMIT)  # blown-up runs fit float32
    F, K, _ = curves.shape
    colors = colors or list(range(K))
    dashes = dashes or [None] * K
    widths = widths or [2.5] * K
    static = static or []
    traces = [*static]
    for k in range(K):
        tr_k = line(x, curves[-1, k], names[k], colors[k], dash=dashes[k], width=widths[k], mode=mode)
        tr_k["y"] = typed(curves[-1, k], "float32")
        traces.append(tr_k)
    lay = layout(title, x_title, y_title, y_log=y_log, hovermode="closest")
    rng = y_range or _finite_range([curves], y_log)
    if rng is not None:
        lay["yaxis"]["range"] = rng
        lay["yaxis"]["autorange"] = False
    lay["margin"] = {"l": 60, "r": 20, "t": 50, "b": 60}  # the legend under the plot, as in `replay`
    lay["height"] = height
    fig = figure(traces, lay)
    names_f = [str(int(e)) for e in epochs]
    idx = list(range(len(static), len(static) + K))
    fig["frames"] = [{"name": n, "data": [{"y": typed(curves[f, k], "float32")} for k in range(K)], "traces": idx}
                     for f, n in enumerate(names_f)]
    return replay_controls(fig, names_f, lang)
