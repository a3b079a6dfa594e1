"""Figures that several exercises share: loss curves, decision surfaces, training replay.

Every builder takes plain arrays and already-translated strings; computation happens elsewhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.figures.encode import typed
from app.figures.theme import color, figure, layout, line, markers
from app.i18n import pick, text

T = {
    "epoch": text("epoch", "轮次"),
    "loss": text("loss", "损失"),
    "diverged_at": text("{name}: diverged", "{name}：发散"),
    "class0": text("class 0", "类别 0"),
    "class1": text("class 1", "类别 1"),
    "output": text("output", "输出"),
    "play": text("Play", "播放"),
    "pause": text("Pause", "暂停"),
    "epoch_prefix": text("epoch ", "轮次 "),
}

# float32 holds up to ~3.4e38; a blown-up network's outputs are clipped far below that before the cast.
F32_LIMIT = 1e30

SURFACE_COLORSCALE = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#b2182b"]]


def tr(key: str, lang: str, **kw: Any) -> str:
    """Translate one of this module's strings."""
    return pick(T[key], lang).format(**kw)


def loss_curves(epochs: np.ndarray, series: dict[str, np.ndarray], title: str, lang: str, *,
                y_log: bool = True, y_title: str | None = None) -> dict[str, Any]:
    """Loss against epoch, one line per run; a run that blew up ends with an ✕ at its last finite value.

    series: name -> (E+1,) losses, NaN after divergence. Non-positive values are dropped on a log axis.
    """
    traces = []
    for i, (name, y) in enumerate(series.items()):
        y = np.asarray(y, dtype=float)
        shown = np.where(y > 0, y, np.nan) if y_log else y
        traces.append(line(epochs, shown, name, i, hovertemplate=f"{name}<br>%{{x}}: %{{y:.4g}}<extra></extra>"))
        finite = np.isfinite(y)
        if not finite.all() and finite.any():
            last = int(np.flatnonzero(finite)[-1])
            traces.append(markers(epochs[last:last + 1], shown[last:last + 1], tr("diverged_at", lang, name=name), i,
                                  size=12, symbol="x", showlegend=True))
    return figure(traces, layout(title, tr("epoch", lang), y_title or tr("loss", lang), y_log=y_log))


def _surface_trace(gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, zmid: float, zrange: tuple[float, float] | None,
                   lang: str) -> dict[str, Any]:
    zmin, zmax = zrange if zrange else (float(np.nanmin(Z)), float(np.nanmax(Z)))
    return {
        "type": "contour", "x": typed(gx), "y": typed(gy), "z": typed(np.clip(Z, -F32_LIMIT, F32_LIMIT), "float32"),
        "colorscale": SURFACE_COLORSCALE, "zmin": zmin, "zmax": zmax, "zmid": zmid,
        "contours": {"coloring": "heatmap", "showlines": False}, "ncontours": 30,
        "colorbar": {"title": {"text": tr("output", lang)}, "thickness": 12},
        "hovertemplate": "x₁=%{x:.2f}, x₂=%{y:.2f}<br>%{z:.3f}<extra></extra>",
    }


def _boundary_trace(gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, level: float) -> dict[str, Any]:
    return {
        "type": "contour", "x": typed(gx), "y": typed(gy), "z": typed(np.clip(Z, -F32_LIMIT, F32_LIMIT), "float32"), "showscale": False,
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
           title: str, lang: str, *, level: float = 0.5, zrange: tuple[float, float] | None = (0.0, 1.0)) -> dict[str, Any]:
    """The decision surface at several moments of training, as Plotly frames with a slider and play button.

    Zs: one (ny, nx) output grid per snapshot; epochs: the snapshot epochs.
    """
    fig = decision_surface(gx, gy, Zs[-1], X, y, title, lang, level=level, zrange=zrange)
    names = [str(int(e)) for e in epochs]
    fig["frames"] = [
        {"name": n, "data": [_surface_trace(gx, gy, Z, level, zrange, lang), _boundary_trace(gx, gy, Z, level)],
         "traces": [0, 1]}
        for n, Z in zip(names, Zs, strict=True)
    ]
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}}
    fig["layout"]["sliders"] = [{
        "active": len(names) - 1, "currentvalue": {"prefix": tr("epoch_prefix", lang)}, "pad": {"t": 45},
        "x": 0.32, "len": 0.68, "y": 0, "yanchor": "top",
        "steps": [{"label": n, "method": "animate", "args": [[n], step_args]} for n in names],
    }]
    fig["layout"]["updatemenus"] = [{
        "type": "buttons", "direction": "left", "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
        "pad": {"t": 65, "r": 10}, "showactive": False,
        "buttons": [
            {"label": tr("play", lang), "method": "animate",
             "args": [None, {"mode": "immediate", "fromcurrent": True, "frame": {"duration": 250, "redraw": True},
                             "transition": {"duration": 0}}]},
            {"label": tr("pause", lang), "method": "animate", "args": [[None], step_args]},
        ],
    }]
    fig["layout"]["legend"] = {"orientation": "h", "y": 1.02, "yanchor": "bottom"}
    fig["layout"]["margin"] = {"l": 60, "r": 20, "t": 70, "b": 110}
    return fig
