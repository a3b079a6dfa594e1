"""4-3: ReLU units die under large steps, LeakyReLU, ELU and Softplus units do not; asserted on the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from app.exercises import ex4_3_dying_relu as ex
from app.nn.train import loss_and_grads, train
from tests.exercises.replay_checks import check_replay, decode, frame_curve

TINY = {"width": 6, "depth": 2, "epochs": 5}


def dying(**kw):
    return ex.dying(ex.DyingParams(**kw))


def sweep(**kw):
    return ex.lr_sweep(ex.SweepParams(**kw))


@pytest.mark.parametrize("activation", ex.ActivationName.__args__)
@pytest.mark.parametrize("dataset", ["sine", "moons"])
def test_tiny_runs_of_every_activation_and_dataset(activation, dataset):
    r = dying(activation=activation, dataset=dataset, **TINY)
    assert set(r.figures) == {"dead_units", "loss", "preactivations", "fit", "fit_replay", "unit_map"}
    assert 0 <= r.metrics["dead_fraction_final"] <= r.metrics["inactive_fraction_final"] <= 1
    assert len(r.data["loss"]) == TINY["epochs"] + 1
    assert len(r.data["dead_fraction"]) == len(r.data["snapshot_epoch"])


def test_tiny_sweep():
    r = sweep(n_lrs=2, n_seeds=2, **TINY)
    assert set(r.figures) == {"dead_vs_lr"}
    assert set(r.metrics["dead_fraction_by_activation"]) == set(ex.SWEEP_ACTIVATIONS)
    assert all(len(v) == 2 for v in r.metrics["dead_fraction_by_activation"].values())


def test_determinism():
    a, b = dying(**TINY), dying(**TINY)
    assert a.metrics == b.metrics
    np.testing.assert_array_equal(a.data["dead_fraction"], b.data["dead_fraction"])
    a, b = sweep(n_lrs=2, n_seeds=2, **TINY), sweep(n_lrs=2, n_seeds=2, **TINY)
    for act in ex.SWEEP_ACTIVATIONS:
        np.testing.assert_array_equal(a.data[f"dead_fraction_{act}"], b.data[f"dead_fraction_{act}"])


def test_defaults_kill_relu_units_while_the_fit_works():
    m = dying().metrics
    assert m["dead_fraction_final"] >= 0.2
    assert m["dead_fraction_final"] >= m["dead_fraction_initial"] + 0.1
    assert m["final_loss"] < 0.02 and not m["diverged"]
    assert m["inactive_fraction_final"] == m["dead_fraction_final"]  # for ReLU the two coincide


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "softplus", "prelu"])
def test_the_same_settings_leave_the_other_activations_without_dead_units(activation):
    m = dying(activation=activation).metrics
    assert m["dead_fraction_initial"] == 0.0
    assert m["dead_fraction_final"] == 0.0
    assert not m["diverged"]


def test_leaky_units_can_be_inactive_without_being_dead():
    m = dying(activation="leaky_relu").metrics
    assert m["inactive_fraction_final"] > 0.1 and m["dead_fraction_final"] == 0.0


def test_leaky_relu_with_zero_slope_is_relu():
    assert dying(activation="leaky_relu", alpha=0.0).metrics == dying().metrics


def test_negative_bias_init_kills_units_before_training():
    assert dying(bias_init=-1.0).metrics["dead_fraction_initial"] > 0.5
    assert dying(bias_init=-1.0, activation="leaky_relu").metrics["dead_fraction_initial"] == 0.0


def test_dead_means_exactly_zero_gradient_on_every_input():
    p = ex.DyingParams()
    X, Y, loss = ex.load(p.dataset)
    net = ex._make_net(p.activation, p, 1, [p.seed])
    final = train(net, X, Y, loss=loss, eta=p.lr, epochs=p.epochs, n_snapshots=2).net
    dead, _, _ = ex.unit_states(final, X)
    _, grads = loss_and_grads(final, X, Y, loss)
    for layer, flags in enumerate(dead):
        cols = np.flatnonzero(flags[0])
        assert cols.size > 0 or layer == 0
        assert np.all(grads.dW[layer][0][:, cols] == 0.0) and np.all(grads.db[layer][0, 0, cols] == 0.0)
        alive = np.flatnonzero(~flags[0])
        assert np.all(np.abs(grads.dW[layer][0][:, alive]).sum(axis=0) + np.abs(grads.db[layer][0, 0, alive]) > 0)
    # at least one unit of the first layer died for good
    assert dead[0][0].any()


def test_sweep_relu_loses_units_where_the_others_lose_none():
    r = sweep()
    frac = r.metrics["dead_fraction_by_activation"]
    relu = np.asarray(frac["relu"])
    assert relu[-1] > relu[0] + 0.1
    for act in ("leaky_relu", "elu", "softplus"):
        v = np.asarray(frac[act], dtype=float)
        assert np.all(v[np.isfinite(v)] == 0.0), act


def test_a_batched_sweep_equals_separate_runs():
    """Member (rate i, seed k) of the scaled-gradient ensemble is the network trained alone at rate i."""
    p = ex.SweepParams(n_lrs=3, n_seeds=2, epochs=20)
    r = ex.lr_sweep(p)
    X, Y, loss = ex.load(p.dataset)
    for i, lr in enumerate(p.lrs()):
        for k in range(p.n_seeds):
            net = ex._make_net("relu", p, 1, [p.seed + k])
            rec = train(net, X, Y, loss=loss, eta=float(lr), epochs=p.epochs, n_snapshots=2)
            dead, _, finite = ex.unit_states(rec.net, X)
            assert r.data["dead_fraction_relu"][i, k] == pytest.approx(ex._fraction(dead, finite)[0])


def test_the_largest_rate_gives_a_result():
    r = dying(lr=3.0, epochs=50)
    assert r.metrics["diverged"] is True
    r = sweep(lr_min=1.0, lr_max=3.0, n_lrs=2, n_seeds=2, epochs=20)
    assert r.metrics["diverged"] == [True, True]  # one verdict per learning rate


def test_the_sweep_at_its_defaults_diverges_only_at_large_rates():
    m = sweep().metrics
    lrs, div = np.asarray(m["learning_rates"]), np.asarray(m["diverged"])
    assert not div[0] and div.any() and not m["stalled"][0]
    assert lrs[div].min() > lrs[~div].max()  # the divergent runs are the large rates


def test_lr_max_must_exceed_lr_min(client):
    r = client.get("/api/exercises/4-3/lr-sweep", params={"lr_min": 0.5, "lr_max": 0.1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lr_max"


def test_costly_requests_are_refused(client):
    r = client.get("/api/exercises/4-3/dying", params={"width": 128, "depth": 4, "epochs": 3000, "activation": "gelu"})
    assert r.status_code == 422


def test_the_fit_replay_ends_on_the_final_fit_and_titles_the_dead_fraction():
    r = dying()
    fig = r.figures["fit_replay"]
    epochs = check_replay(fig, 300)
    np.testing.assert_array_equal(r.data["replay_epoch"], epochs)
    final = decode(r.figures["fit"]["data"][3]["y"])  # the "network after training" curve
    np.testing.assert_array_equal(frame_curve(fig, -1), final.astype(np.float32))
    np.testing.assert_array_equal(decode(fig["data"][-1]["y"]), final.astype(np.float32))
    assert not np.array_equal(frame_curve(fig, 0), frame_curve(fig, -1))
    titles = [f["layout"]["title"]["text"] for f in fig["frames"]]
    dead = dict(zip(r.data["snapshot_epoch"].tolist(), r.data["dead_fraction"].tolist(), strict=True))
    assert titles[-1].endswith(f"{dead[300]:.0%} of the hidden units dead (ReLU)")
    assert titles[0].startswith("Epoch 0: ") and fig["layout"]["title"]["text"] == titles[-1]


def test_the_moons_replay_is_a_decision_surface_ending_on_the_final_one():
    r = dying(dataset="moons")
    fig = r.figures["fit_replay"]
    check_replay(fig, 300)
    last = decode(fig["frames"][-1]["data"][0]["z"])
    assert last.shape == (ex.REPLAY_GRID, ex.REPLAY_GRID)
    np.testing.assert_array_equal(decode(fig["data"][0]["z"]), last)
    assert 0 <= last.min() < 0.5 < last.max() <= 1


def test_the_replay_is_deterministic_and_survives_a_blow_up():
    assert dying(**TINY).figures == dying(**TINY).figures
    r = dying(lr=3.0, epochs=50)
    check_replay(r.figures["fit_replay"], 50)
    assert r.metrics["diverged"] is True
