"""Shared figure builders: typed arrays, blown-up values, replay frames."""

from __future__ import annotations

import base64

import numpy as np

from app.figures.common import decision_surface, loss_curves, replay
from app.figures.encode import typed


def test_typed_arrays_round_trip():
    a = np.array([[1.5, -2.0, np.nan], [0.0, 1e-300, 3.0]])
    t = typed(a)
    back = np.frombuffer(base64.b64decode(t["bdata"]), dtype=np.float64).reshape(2, 3)
    np.testing.assert_array_equal(back, a)
    assert t["shape"] == "2, 3" and t["dtype"] == "f8"


def test_a_blown_up_surface_is_drawn_without_overflow():
    gx = gy = np.linspace(-1, 1, 5)
    Z = np.full((5, 5), 1e300)
    Z[0, 0] = np.nan
    fig = decision_surface(gx, gy, Z, np.zeros((2, 2)), np.array([0, 1]), "t", "en")
    z = np.frombuffer(base64.b64decode(fig["data"][0]["z"]["bdata"]), dtype=np.float32)
    assert np.isfinite(z[1:]).all() and np.isnan(z[0])


def test_loss_curve_marks_where_a_run_blew_up():
    losses = np.array([1.0, 0.5, 2.0, np.nan, np.nan])
    fig = loss_curves(np.arange(5), {"run": losses}, "t", "en")
    marker = fig["data"][1]
    assert marker["marker"]["symbol"] == "x"
    x = np.frombuffer(base64.b64decode(marker["x"]["bdata"]), dtype=np.float64)
    assert x.tolist() == [2.0]


def test_replay_frames_are_named_by_epoch_and_end_at_the_final_state():
    gx = gy = np.linspace(0, 1, 3)
    Zs = [np.full((3, 3), v) for v in (0.1, 0.5, 0.9)]
    fig = replay(gx, gy, Zs, np.array([0, 10, 20]), np.zeros((1, 2)), np.array([1]), "t", "en")
    assert [f["name"] for f in fig["frames"]] == ["0", "10", "20"]
    assert fig["data"][0]["z"] == fig["frames"][-1]["data"][0]["z"]
    # One set of controls per figure: the page's bar, not a Plotly slider and buttons as well.
    assert "sliders" not in fig["layout"] and "updatemenus" not in fig["layout"]
    assert fig["layout"]["meta"]["replay"] == {"redraw": True, "frame_ms": 250}
