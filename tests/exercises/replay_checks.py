"""Checks shared by the exercises' replay tests: frames named by increasing epochs, no controls of
the figure's own (the page draws one replay bar per figure and drives the frames by name)."""

from __future__ import annotations

import base64

import numpy as np

DTYPES = {"f8": np.float64, "f4": np.float32, "i4": np.int32}


def decode(values: dict | list) -> np.ndarray:
    """Return the array of a typed-array dict (or a plain list)."""
    if isinstance(values, list):
        return np.asarray(values, dtype=float)
    a = np.frombuffer(base64.b64decode(values["bdata"]), dtype=DTYPES[values["dtype"]])
    if "shape" in values:
        a = a.reshape([int(n) for n in values["shape"].split(",")])
    return a


def check_replay(fig: dict, last_epoch: int, min_frames: int = 15) -> list[int]:
    """Assert the replay's frames are well formed and that it draws no slider or buttons of its own
    (one set of controls per figure: the page's bar); return the frames' epochs."""
    frames = fig["frames"]
    assert len(frames) >= min_frames
    epochs = [int(f["name"]) for f in frames]
    assert [f["name"] for f in frames] == [str(e) for e in epochs]
    assert epochs[0] == 0 and epochs[-1] == last_epoch
    assert all(a < b for a, b in zip(epochs, epochs[1:], strict=False))
    assert "sliders" not in fig["layout"] and "updatemenus" not in fig["layout"]
    replay = fig["layout"]["meta"]["replay"]
    assert isinstance(replay["redraw"], bool) and replay["frame_ms"] > 0
    # Every frame updates the same traces, and each of them exists in the figure.
    traces = frames[0]["traces"]
    assert all(f["traces"] == traces and len(f["data"]) == len(traces) for f in frames)
    assert all(0 <= t < len(fig["data"]) for t in traces)
    return epochs


def frame_curve(fig: dict, frame: int, k: int = 0) -> np.ndarray:
    """Return the y values of the k-th animated curve in a frame of a replay_lines figure."""
    return decode(fig["frames"][frame]["data"][k]["y"])
