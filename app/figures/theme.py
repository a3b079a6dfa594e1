"""The shared look of every figure: palette, fonts, axes, and small trace builders."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.figures.encode import typed

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'PingFang SC', sans-serif"


# A horizontal legend at the bottom edge of the figure (container coordinates): Plotly then makes room
# for it below the x-axis title. A legend placed at a fraction of the plot's height under the axis
# (y = -0.3) runs into the axis title whenever the plot is short or the legend takes two rows.
LEGEND_BELOW = {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0, "xanchor": "left"}


def color(i: int) -> str:
    """Return the i-th colour of the palette, cycling."""
    return PALETTE[i % len(PALETTE)]


def layout(title: str, x_title: str, y_title: str, *, x_log: bool = False, y_log: bool = False,
           **extra: Any) -> dict[str, Any]:
    """Build a figure layout with the house style.

    What depends on the reader's screen is left to the page (static/js/fflab-util.js, figureFor): the
    dark theme, a title wrapped to the figure's width, log axes labelled at whole decades.
    """
    out: dict[str, Any] = {
        "title": {"text": title, "x": 0.02, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT, "size": 12},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "xaxis": {"title": {"text": x_title}, "type": "log" if x_log else "linear",
                  "zeroline": False, "automargin": True, "exponentformat": "power"},
        "yaxis": {"title": {"text": y_title}, "type": "log" if y_log else "linear",
                  "zeroline": False, "automargin": True, "exponentformat": "power"},
        "legend": dict(LEGEND_BELOW),
        "hovermode": "x unified",
        "template": "plotly_white",
        "autosize": True,
    }
    out.update(extra)
    return out


def legend_below(lay: dict[str, Any]) -> dict[str, Any]:
    """Put the legend under the x-axis title, not on it (the bottom margin grows to hold both)."""
    lay["legend"] = dict(LEGEND_BELOW)
    lay["margin"] = {**lay["margin"], "b": 90}
    return lay


def line(x: np.ndarray, y: np.ndarray, name: str, i: int = 0, *, dash: str | None = None,
         width: float = 2.0, mode: str = "lines", **extra: Any) -> dict[str, Any]:
    """Build a line trace in palette colour `i`."""
    trace: dict[str, Any] = {
        "type": "scatter", "mode": mode, "name": name, "x": typed(x), "y": typed(y),
        "line": {"color": color(i), "width": width},
    }
    if dash:
        trace["line"]["dash"] = dash
    if "markers" in mode:
        trace["marker"] = {"color": color(i), "size": 5}
    trace.update(extra)
    return trace


def markers(x: np.ndarray, y: np.ndarray, name: str, i: int = 0, *, size: float = 5,
            symbol: str = "circle", **extra: Any) -> dict[str, Any]:
    """Build a marker-only trace in palette colour `i`."""
    trace: dict[str, Any] = {
        "type": "scatter", "mode": "markers", "name": name, "x": typed(x), "y": typed(y),
        "marker": {"color": color(i), "size": size, "symbol": symbol},
    }
    trace.update(extra)
    return trace


def figure(traces: list[dict[str, Any]], fig_layout: dict[str, Any]) -> dict[str, Any]:
    """Assemble a figure."""
    return {"data": traces, "layout": fig_layout}


def described(fig: dict[str, Any], summary: str) -> dict[str, Any]:
    """Attach the figure's one-sentence summary for screen readers (what it shows, in numbers).

    The sentence says what a reader should see ("the training loss falls from 0.69 to 0.012 in 2000
    epochs"), not the range of every trace; the page reads it from layout.meta.summary.
    """
    fig["layout"].setdefault("meta", {})["summary"] = summary
    return fig
