"""The house style of figures (app/figures/theme.py): where legends go, and what the page's dark theme
relies on. What only a browser shows (contrast, titles that fit, log ticks) is in
tests/browser/test_looks.py."""

from __future__ import annotations

import numpy as np

from app.figures.common import loss_curves
from app.figures.theme import LEGEND_BELOW, PALETTE, layout, legend_below


def _luminance(hex_colour: str) -> float:
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_a_legend_below_the_plot_sits_at_the_figure_bottom_not_over_the_axis_title():
    for lay in (layout("t", "x", "y"), legend_below(layout("t", "x", "y"))):
        legend = lay["legend"]
        assert legend["yref"] == "container" and legend["y"] == 0.0 and legend["yanchor"] == "bottom"
        assert legend["orientation"] == "h"
    assert legend_below(layout("t", "x", "y"))["margin"]["b"] > layout("t", "x", "y")["margin"]["b"]
    # Every figure gets its own copy: one figure moving its legend leaves the others alone.
    a, b = layout("a", "x", "y"), layout("b", "x", "y")
    a["legend"]["y"] = 1.0
    assert b["legend"] == LEGEND_BELOW


def test_shared_builders_use_the_house_legend():
    fig = loss_curves(np.arange(3), {"run": np.array([1.0, 0.5, 0.25])}, "t", "en")
    assert fig["layout"]["legend"] == LEGEND_BELOW


def test_what_the_dark_theme_turns_around_is_exactly_what_vanishes_on_it():
    """The page mirrors greys (black lines and white fills) and keeps other palette colours: on the dark
    plot (#161b22) black vanishes, while the palette's colours keep at least 3:1 as lines."""
    dark_plot = "#161b22"
    assert _contrast("#000000", dark_plot) < 1.5
    for colour in PALETTE[:-1]:
        assert _contrast(colour, dark_plot) >= 3.0, colour
