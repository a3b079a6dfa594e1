"""Checks shared by the exercises' replay tests: frames named by increasing epochs, a slider over them."""

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
    """Assert the replay's frames and slider are well formed; return the frames' epochs."""
    frames = fig["frames"]
    assert len(frames) >= min_frames
    epochs = [int(f["name"]) for f in frames]
    assert [f["name"] for f in frames] == [str(e) for e in epochs]
    assert epochs[0] == 0 and epochs[-1] == last_epoch
    assert all(a < b for a, b in zip(epochs, epochs[1:], strict=False))
    steps = fig["layout"]["sliders"][0]["steps"]
    assert [s["label"] for s in steps] == [f["name"] for f in frames]
    assert fig["layout"]["sliders"][0]["active"] == len(frames) - 1
    return epochs


def frame_curve(fig: dict, frame: int, k: int = 0) -> np.ndarray:
    """Return the y values of the k-th animated curve in a frame of a replay_lines figure."""
    return decode(fig["frames"][frame]["data"][k]["y"])
