"""Axis ranges from finite values only, and replays that leave their controls to the page.

A blown-up run's loss reaches 1e303 on a log axis; the browser's own padding put a tick past the
largest float there ("Infinity^-NaN"). Replays carry frames named by epoch and no slider or
buttons of their own (the page draws one bar per figure).
"""

from __future__ import annotations

import numpy as np
import pytest

from app.exercises import ex4_2_xor
from app.exercises.registry import EXERCISES
from app.figures.common import LOG10_TOP, loss_curves, replay_controls, replay_lines
from tests.exercises.replay_checks import check_replay, decode, frame_curve

LARGEST_FLOAT_LOG10 = np.log10(np.finfo(float).max)  # ≈ 308.25


def _drawn(fig: dict, axis: str = "y") -> np.ndarray:
    vals = [decode(t[axis]).astype(float).ravel() for t in fig["data"] if isinstance(t.get(axis), (dict, list))]
    return np.concatenate(vals) if vals else np.zeros(0)


def _assert_log_range_holds(fig: dict) -> None:
    y = _drawn(fig)
    assert not np.isinf(y).any()
    shown = np.log10(y[np.isfinite(y) & (y > 0)])
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert fig["layout"]["yaxis"]["autorange"] is False
    assert np.isfinite([lo, hi]).all() and hi <= LOG10_TOP < LARGEST_FLOAT_LOG10
    assert lo <= shown.min() and shown.max() <= hi


def test_a_blown_up_loss_gets_a_finite_log_range_below_the_largest_float():
    losses = np.array([0.12, 8.7e7, 3.0e17, 5.7e303, np.nan, np.nan])
    fig = loss_curves(np.arange(6), {"run": losses}, "t", "en")
    _assert_log_range_holds(fig)
    assert fig["data"][1]["cliponaxis"] is False  # the ✕ near the top edge is drawn whole


def test_infinite_and_non_positive_losses_are_not_drawn():
    losses = np.array([1.0, 0.0, -1.0, 10.0, np.inf, np.nan])
    fig = loss_curves(np.arange(6), {"run": losses}, "t", "en")
    y = decode(fig["data"][0]["y"])
    assert np.isnan(y[[1, 2, 4, 5]]).all() and y[[0, 3]].tolist() == [1.0, 10.0]
    assert decode(fig["data"][1]["x"]).tolist() == [3.0]  # ✕ at the last value drawn
    _assert_log_range_holds(fig)
    linear = loss_curves(np.arange(6), {"run": losses}, "t", "en", y_log=False)
    assert not np.isinf(decode(linear["data"][0]["y"])).any()
    assert "range" not in linear["layout"]["yaxis"]  # a linear axis keeps its autorange


def test_a_huge_linear_loss_gets_a_range_inside_the_floats():
    fig = loss_curves(np.arange(3), {"run": np.array([1.0, 1e306, 1.7e308])}, "t", "en", y_log=False)
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert np.isfinite([lo, hi]).all() and lo < 1.0 and hi < np.finfo(float).max


def test_loss_ranges_of_ordinary_runs_hold_every_value_with_a_little_room():
    losses = 0.7 * np.exp(-np.linspace(0, 5, 101))
    fig = loss_curves(np.arange(101), {"a": losses, "b": 2 * losses}, "t", "en")
    _assert_log_range_holds(fig)
    lo, hi = fig["layout"]["yaxis"]["range"]
    span = np.log10(1.4) - np.log10(losses[-1])
    np.testing.assert_allclose([lo, hi], [np.log10(losses[-1]) - 0.05 * span, np.log10(1.4) + 0.05 * span],
                               rtol=1e-12)


def test_xor_at_learning_rate_10_diverges_and_its_loss_axis_stays_finite():
    r = ex4_2_xor.EXERCISE.experiment("train").drawn(ex4_2_xor.TrainParams(lr=10), "en")
    assert r.metrics["diverged"] is True
    fig = r.figures["loss"]
    _assert_log_range_holds(fig)
    assert fig["layout"]["yaxis"]["range"][1] > 300  # the blow-up is shown, not clipped away


def test_replay_controls_checks_its_frames_and_leaves_no_plotly_controls():
    fig = {"data": [{"y": [0, 1]}], "layout": {"sliders": [{}], "updatemenus": [{}]},
           "frames": [{"name": "0"}, {"name": "5"}]}
    replay_controls(fig, ["0", "5"], "zh", redraw=False, frame_ms=200)
    assert fig["layout"] == {"meta": {"replay": {"redraw": False, "frame_ms": 200}}}
    with pytest.raises(ValueError):
        replay_controls(fig, ["0", "6"], "en")


def test_replay_lines_frames_hold_each_epochs_curves():
    curves = np.stack([np.full((2, 4), float(f)) for f in range(20)])
    fig = replay_lines(np.arange(4.0), curves, np.arange(0, 200, 10), "t", "x", "y", "en", names=["a", "b"])
    assert check_replay(fig, 190, min_frames=20) == list(range(0, 200, 10))
    assert frame_curve(fig, 3, 1).tolist() == [3.0] * 4
    assert fig["layout"]["margin"]["b"] <= 80  # no room kept for a slider that is not there


def _defaults():
    for ex in EXERCISES.values():
        for e in ex.experiments:
            yield pytest.param(ex.id, e, id=f"{ex.id}-{e.name}")


@pytest.mark.parametrize(("exercise", "experiment"), list(_defaults()))
def test_every_figure_at_its_defaults_has_one_set_of_controls_and_finite_log_ranges(exercise, experiment):
    figures = experiment.run(experiment.params()).figures  # the figures' structure does not depend on the language
    for name, fig in figures.items():
        lay = fig["layout"]
        assert "sliders" not in lay and "updatemenus" not in lay, name
        if fig.get("frames"):
            epochs = [float(f["name"]) for f in fig["frames"]]
            assert epochs == sorted(epochs) and len(set(epochs)) == len(epochs), name
            assert "replay" in lay.get("meta", {}), name
        for key in ("yaxis", "xaxis"):
            axis = lay.get(key, {})
            if axis.get("type") == "log" and "range" in axis:
                assert np.isfinite(axis["range"]).all() and max(axis["range"]) <= LOG10_TOP, name
        _assert_fixed_log_range_shows_everything(fig, name)


def _assert_fixed_log_range_shows_everything(fig: dict, name: str) -> None:
    """A log y axis with a fixed range (set from the data by the builder) must still hold what was
    added to the figure afterwards: every trace's values and every reference line on that axis."""
    axis = fig["layout"].get("yaxis", {})
    if axis.get("type") != "log" or axis.get("autorange", True) is not False:
        return
    lo, hi = axis["range"]
    values = [decode(t["y"]).astype(float).ravel() for t in fig["data"]
              if t.get("yaxis", "y") == "y" and isinstance(t.get("y"), (dict, list))]
    values += [np.array([s["y0"], s["y1"]], dtype=float) for s in fig["layout"].get("shapes", [])
               if s.get("yref") == "y"]
    v = np.concatenate(values) if values else np.zeros(0)
    v = np.log10(v[np.isfinite(v) & (v > 0)])
    assert v.size == 0 or (lo - 1e-9 <= v.min() and v.max() <= hi + 1e-9), (name, lo, hi, v.min(), v.max())
