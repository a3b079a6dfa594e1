"""Helpers shared by the training experiments."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from app.exercises.common import dead_in_layer, diverged, frame_indices, outcome, surfaces
from app.nn.activations import sigmoid
from app.nn.data import xor
from app.nn.network import forward, init_network, predict
from app.nn.train import loss_and_grads


def test_a_dead_unit_gets_exactly_zero_gradient_from_every_input():
    X, Y = xor()
    net = init_network((2, 3, 1), "relu", "linear", seeds=[0])
    net.b[0][0, 0, 1] = -100.0  # unit 1 sits below zero on all four inputs
    dead = dead_in_layer(net, 0, forward(net, X).Z[0])
    assert dead[0, 1]
    _, grads = loss_and_grads(net, X, Y)
    for s, u in zip(*np.nonzero(dead), strict=True):
        assert not grads.dW[0][s, :, u].any() and grads.db[0][s, 0, u] == 0.0


def test_a_blown_up_unit_is_broken_not_dead():
    Z = np.full((1, 4, 2), np.nan)
    Z[0, :, 0] = -1.0
    net = init_network((2, 2, 1), "relu", "linear", seeds=[0])
    assert dead_in_layer(net, 0, Z).tolist() == [[True, False]]


def test_diverged_follows_the_contract():
    assert not diverged(np.array([1.0, 0.5, 0.1]))
    assert diverged(np.array([1.0, np.nan, np.nan]))
    assert diverged(np.array([1.0, 0.9, 1.2]))
    assert not diverged(np.array([1.0, 0.9, 1.05]))  # within mini-batch noise of the start: stalled


def test_outcome_of_several_runs():
    learned, flat, blown = [1.0, 0.5, 0.1], [1.0, 0.99, 1.01], [1.0, 3.0, np.nan]
    assert outcome(np.array([learned, flat])) == {"diverged": False, "stalled": False}
    assert outcome(np.array([flat, flat])) == {"diverged": False, "stalled": True}
    assert outcome([np.array(learned), np.array(blown[:2])]) == {"diverged": True, "stalled": False}


def test_a_surface_holds_each_members_output_at_its_grid_point():
    net = init_network((2, 5, 1), "tanh", "linear", seeds=[0, 1, 2])
    gx, gy, Z = surfaces(net, (-1.0, -2.0), (3.0, 2.0), 7)
    assert Z.shape == (3, 7, 7) and (gx[0], gx[-1], gy[0], gy[-1]) == (-1.0, 3.0, -2.0, 2.0)
    for s, i, j in [(0, 0, 0), (1, 6, 2), (2, 3, 5)]:  # Z[s, i, j] is member s at (gx[j], gy[i])
        assert Z[s, i, j] == pytest.approx(predict(net, np.array([[gx[j], gy[i]]]))[s, 0, 0], rel=1e-12)
    np.testing.assert_allclose(surfaces(net, (-1.0, -2.0), (3.0, 2.0), 7, probability=True)[2], sigmoid(Z),
                               rtol=1e-12)
    # A replay stacks its snapshots: one network per member gives the same surfaces.
    alone = [surfaces(init_network((2, 5, 1), "tanh", "linear", seeds=[k]), (-1.0, -2.0), (3.0, 2.0), 7)[2][0]
             for k in range(3)]
    np.testing.assert_allclose(Z, np.stack(alone), rtol=1e-12, atol=1e-15)


def test_a_blown_up_member_gives_a_surface_without_warnings():
    net = init_network((2, 3, 1), "relu", "linear", seeds=[0, 1])
    big = net.copy()
    big.W[1][1] = np.inf  # member 1 blew up
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, Z = surfaces(big, (-1.0, -1.0), (1.0, 1.0), 5, probability=True)
    np.testing.assert_allclose(Z[0], sigmoid(surfaces(net, (-1.0, -1.0), (1.0, 1.0), 5)[2][0]), rtol=1e-12)
    # σ(+inf) = 1 where a live unit meets the infinite weight, NaN where a silent one does (0·inf)
    assert (Z[1] == 1.0).any() and (np.isnan(Z[1]) | (Z[1] == 1.0)).all()


def test_replay_frames_run_from_the_first_snapshot_to_the_last_densest_early():
    snap = np.arange(501) * 10  # every 10th of 5000 epochs
    for idx in (frame_indices(snap, 30), frame_indices(snap, 30, geometric=True)):
        assert idx[0] == 0 and idx[-1] == 500 and (np.diff(idx) > 0).all()
        assert (snap[idx] < 2500).sum() > 0.6 * len(idx)  # most frames in the first half of training
    assert len(frame_indices(snap, 30)) == 30  # collisions filled in
    assert len(frame_indices(snap, 30, geometric=True)) < 30  # collisions dropped: 1, 1.4, 1.9, … all fall on 10
    assert frame_indices(np.arange(12), 25).tolist() == list(range(12))  # fewer snapshots than frames: all
    assert frame_indices(np.array([0]), 25, geometric=True).tolist() == [0]


def test_finite_or_none_turns_every_non_finite_number_into_none_and_keeps_the_rest():
    """The array fast path (one tolist when all are finite, an object array otherwise) gives what the
    number-by-number rule gives: floats as Python floats (−0.0 kept), NaN and ±∞ as None, any shape."""
    import json
    import math

    from app.exercises.base import finite_or_none

    def by_number(v):
        if isinstance(v, np.ndarray):
            return [by_number(x) for x in v] if v.ndim else by_number(v.item())
        return v if math.isfinite(v) else None

    rng = np.random.default_rng(0)
    for shape in [(0,), (5,), (3, 4), (2, 3, 2)]:
        a = rng.normal(size=shape)
        b = a.copy().reshape(-1)
        b[::3] = np.resize([np.nan, np.inf, -np.inf, -0.0], b[::3].size)
        for arr in (a, b.reshape(shape), a.astype(np.float32)):
            got = finite_or_none(arr)
            assert got == by_number(arr)
            json.dumps(got, allow_nan=False)  # strict JSON
    assert math.copysign(1, finite_or_none(np.array([-0.0]))[0]) == -1
    assert finite_or_none({"a": np.float64("nan"), "b": (np.int64(3), np.bool_(True))}) == {"a": None, "b": [3, True]}
