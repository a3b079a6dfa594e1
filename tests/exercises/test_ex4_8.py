"""4-8: symmetric inits keep hidden units identical; exact zeros freeze tanh/ReLU layers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.exercises import ex4_8_zero_init as ex
from app.exercises.common import surface
from app.nn.activations import get_activation
from app.nn.network import Network
from tests.exercises.replay_checks import check_replay, decode

TINY = {"width": 3, "epochs": 3}


def run(**kw):
    return ex.initialization(ex.InitializationParams(**kw))


@pytest.mark.parametrize("init", ex.INITS)
@pytest.mark.parametrize("dataset", ["circles", "moons", "xor"])
def test_tiny_runs(init, dataset):
    r = run(init=init, dataset=dataset, **TINY)
    assert set(r.figures) == {"unit_weights", "loss", "decision_boundary", "boundary_replay", "similarity"}
    assert r.data["hidden_w1"].shape == (len(r.data["snapshot_epoch"]), TINY["width"])


def test_tiny_compare_and_figure_names():
    r = ex.compare(ex.TrainParams(**TINY))
    assert set(r.figures) == {"loss_by_init", "distinct_units_by_init"}
    assert set(r.metrics["distinct_hidden_units_by_init"]) == set(ex.INITS)


def test_determinism():
    a, b = run(init="normal", **TINY), run(init="normal", **TINY)
    assert a.metrics == b.metrics
    np.testing.assert_array_equal(a.data["hidden_w1"], b.data["hidden_w1"])


@pytest.mark.parametrize("dataset", ["circles", "moons", "xor"])
def test_data_sets_are_exactly_balanced(dataset):
    X, Y = ex.load(dataset)
    assert X.shape == (256, 2) and Y.sum() == 128


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zeros_with_tanh_or_relu_move_nothing_but_the_output_bias(activation):
    r = run(activation=activation)
    m = r.metrics
    assert m["hidden_weights_moved"] is False and m["output_weights_moved"] is False
    assert np.all(r.data["output_weights"] == 0.0)
    assert np.all(r.data["hidden_w1"] == 0) and np.all(r.data["hidden_b"] == 0)
    assert r.data["output_bias"] != 0.0


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_init_with_sigmoid_and_mini_batches_moves_in_lock_step(init):
    r = run(init=init)
    m = r.metrics
    assert m["hidden_weights_moved"] is True
    assert m["distinct_hidden_units_initial"] == 1 and m["distinct_hidden_units_final"] == 1
    assert m["accuracy"] <= 0.6  # one unit draws one straight line: no way to enclose a ring
    assert np.all(r.data["similarity"] == 1.0)
    # every unit's whole trajectory is the same, bit for bit
    for key in ("hidden_w1", "hidden_w2", "hidden_b"):
        traj = r.data[key]
        assert np.all(traj == traj[:, :1])


def test_zeros_full_batch_balanced_is_a_fixed_point():
    r = run(batch_size=256)
    m = r.metrics
    assert m["hidden_weights_moved"] is False and m["output_weights_moved"] is False
    assert r.data["output_bias"] == 0.0
    assert np.all(r.data["loss"] == r.data["loss"][0]) and r.data["loss"][0] == pytest.approx(math.log(2), rel=1e-14)
    assert np.all(r.data["hidden_w1"] == 0) and np.all(r.data["hidden_b"] == 0)


@pytest.mark.parametrize("init", ["normal", "xavier", "he"])
def test_random_inits_use_every_unit_and_separate_the_rings(init):
    m = run(init=init).metrics
    assert m["distinct_hidden_units_initial"] == 8 and m["distinct_hidden_units_final"] == 8
    assert m["accuracy"] >= 0.95


def test_compare_members_equal_single_runs():
    r = ex.compare(ex.TrainParams())
    for init in ex.INITS:
        single = run(init=init).metrics
        assert r.metrics["distinct_hidden_units_by_init"][init] == single["distinct_hidden_units_final"]
        assert r.metrics["accuracy_by_init"][init] == single["accuracy"]
        assert r.metrics["final_loss_by_init"][init] == pytest.approx(single["final_loss"], rel=1e-12)
    assert r.metrics["distinct_hidden_units_by_init"] == {"zeros": 1, "constant": 1, "normal": 8, "xavier": 8, "he": 8}


def test_distinct_count_and_similarity_helpers():
    units = np.array([[1.0, 2.0, 0.0], [1.0, 2.0 + 1e-12, 0.0], [0.0, 0.0, 0.0], [-1.0, -2.0, 0.0]])
    assert ex.count_distinct(units) == 3
    sim = ex.cosine_similarity(units)
    assert sim[0, 1] == pytest.approx(1.0) and sim[0, 3] == pytest.approx(-1.0)
    assert sim[2, 2] == 1.0 and sim[0, 2] == 0.0


def test_the_largest_rate_gives_a_result():
    r = run(init="normal", lr=20.0, epochs=20)
    assert isinstance(r.metrics["diverged"], bool)


def test_costly_requests_are_refused(client):
    r = client.get("/api/exercises/4-8/compare", params={"width": 64, "epochs": 2000, "batch_size": 1})
    assert r.status_code == 422


def _final_network(r) -> Network:
    """Rebuild the trained 2-H-1 sigmoid network from the data series (last snapshot = final state)."""
    d = r.data
    W0 = np.stack([d["hidden_w1"][-1], d["hidden_w2"][-1]])[None]
    b0 = d["hidden_b"][-1][None, None]
    W1 = np.asarray(d["output_weights"])[None, :, None]
    b1 = np.array(d["output_bias"]).reshape(1, 1, 1)
    return Network((2, W0.shape[2], 1), get_activation("sigmoid"), get_activation("linear"), [W0, W1], [b0, b1])


@pytest.mark.parametrize("init", ["zeros", "he"])
def test_the_boundary_replay_ends_on_the_trained_network(init):
    r = run(init=init)
    fig = r.figures["boundary_replay"]
    epochs = check_replay(fig, 100, min_frames=20)
    np.testing.assert_array_equal(r.data["replay_epoch"], epochs)
    X, _ = ex.load("circles")
    _, _, pts = ex._grid(X, ex.REPLAY_GRID)
    expected = surface(_final_network(r), pts, ex.REPLAY_GRID, probability=True).astype(np.float32)
    last = decode(fig["frames"][-1]["data"][0]["z"])
    np.testing.assert_allclose(last, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(decode(fig["data"][0]["z"]), last)
    titles = [f["layout"]["title"]["text"] for f in fig["frames"]]
    if init == "zeros":  # the symmetric start never splits: one distinct unit, a flat or straight boundary
        assert all(": 1 distinct hidden unit(s)" in t for t in titles)
    else:
        assert all(": 8 distinct hidden unit(s)" in t for t in titles)


def test_the_boundary_replay_is_deterministic():
    assert run(init="normal", **TINY).figures == run(init="normal", **TINY).figures
