"""4-9: vanishing gradients, and why a larger learning rate does not cure them, asserted on the numbers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from app.exercises import ex4_9_vanishing as ex
from app.exercises.base import finite_or_none
from app.nn.network import init_network
from app.nn.train import loss_and_grads, train
from tests.conftest import strict_json
from tests.exercises.replay_checks import check_replay, decode, frame_curve

TINY = {"depth": 3, "width": 4, "epochs": 5}


def vanishing(**kw):
    return ex.vanishing(ex.VanishingParams(**kw))


def learning_rates(**kw):
    return ex.learning_rates(ex.LearningRatesParams(**kw))


def strict(result) -> str:
    return json.dumps(finite_or_none({"m": result.metrics, "d": result.data}), allow_nan=False, sort_keys=True)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("init", ["xavier", "he", "normal"])
def test_tiny_runs_of_both_experiments(activation, init):
    r = vanishing(activation=activation, init=init, **TINY)
    assert len(r.metrics["grad_norms_initial"]) == TINY["depth"] + 1
    assert r.data["grad_norms_by_epoch"].shape == (TINY["depth"] + 1, TINY["epochs"])
    lr = learning_rates(activation=activation, init=init, n_lrs=3, **TINY)
    assert len(lr.metrics["final_loss"]) == len(lr.metrics["diverged"]) == 3


def test_deterministic():
    assert strict(vanishing(**TINY)) == strict(vanishing(**TINY))
    assert vanishing(**TINY).figures == vanishing(**TINY).figures
    assert strict(learning_rates(**TINY)) == strict(learning_rates(**TINY))


def test_figures_are_named_as_the_issue_says():
    assert set(vanishing(**TINY).figures) == {"gradient_norms", "gradient_heatmap", "loss", "gradient_replay"}
    assert set(learning_rates(**TINY).figures) == {"loss_by_lr", "relative_update_by_layer", "cure_comparison"}


def test_sigmoid_depth_10_first_layer_gradient_is_orders_of_magnitude_below_the_last():
    m = vanishing().metrics
    norms = np.asarray(m["grad_norms_initial"])
    assert len(norms) == 11
    assert m["grad_ratio_first_to_last"] < 1e-4
    assert m["grad_ratio_first_to_last"] == pytest.approx(norms[0] / norms[-1])
    # The shrinking is geometric: every layer, going down, gets a smaller gradient.
    assert (np.diff(norms) > 0).all()


def test_gradient_norms_match_the_core_and_the_heatmap_record():
    r = vanishing(epochs=3)
    p = ex.VanishingParams(epochs=3)
    X, Y = p.data()
    _, g = loss_and_grads(p.network(1), X, Y, "bce")
    direct = [np.linalg.norm(d[0]) for d in g.dW]
    np.testing.assert_allclose(r.metrics["grad_norms_initial"], direct, rtol=1e-12)
    np.testing.assert_allclose(r.data["grad_norms_by_epoch"][:, 0], direct, rtol=1e-12)


def test_vanishing_grows_with_depth_and_relu_he_levels_it():
    ratios = [vanishing(depth=d, epochs=1).metrics["grad_ratio_first_to_last"] for d in (2, 5, 10)]
    assert ratios[0] > 100 * ratios[1] and ratios[1] > 100 * ratios[2]
    assert vanishing(activation="relu", init="he", epochs=1).metrics["grad_ratio_first_to_last"] > 1e-2


def test_first_step_update_ratio_is_equal_across_rates_to_floating_point_precision():
    m = learning_rates(epochs=1).metrics
    ratios = np.asarray(m["first_step_update_ratio"])
    assert ratios[0] < 1e-4
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12, atol=0)


def test_relative_updates_scale_with_the_rate_and_keep_their_shape():
    r = learning_rates(epochs=1)
    rel, lrs = r.data["relative_update_by_layer"], r.data["lrs"]
    np.testing.assert_allclose(rel / lrs[:, None], np.broadcast_to(rel[0] / lrs[0], rel.shape), rtol=1e-12)


def test_the_loss_scaling_trick_equals_training_each_rate_alone():
    p = ex.LearningRatesParams(depth=4, width=6, epochs=20, n_lrs=3, lr_min=0.1, lr_max=10)
    r = ex.learning_rates(p)
    X, Y = p.data()
    for lr, row in zip(r.data["lrs"], r.data["loss_by_lr"], strict=True):
        alone = train(p.network(1), X, Y, loss="bce", eta=float(lr), epochs=p.epochs).losses[0]
        np.testing.assert_allclose(row, alone, rtol=1e-9)


def test_first_step_is_the_update_sgd_applies():
    p = ex.LearningRatesParams(depth=3, width=5, n_lrs=2, lr_min=0.1, lr_max=1.0, epochs=1)
    r = ex.learning_rates(p)
    X, Y = p.data()
    for lr, norms in zip(r.data["lrs"], r.data["first_step_update_norms"], strict=True):
        rec = train(p.network(1), X, Y, loss="bce", eta=float(lr), epochs=1, record_updates=True)
        applied = [np.linalg.norm(d[0]) for d in rec.updates[0][:p.depth + 1]]
        np.testing.assert_allclose(norms, applied, rtol=1e-12)


def test_larger_rates_do_not_help_and_the_largest_diverge():
    m = learning_rates().metrics
    finals = np.asarray(m["final_loss"], dtype=float)
    assert m["diverged"][-1] is True and m["diverged"][-2] is True
    # the small rates sit on the ln 2 plateau: stalled, a different verdict from diverged
    assert m["stalled"][0] is True and m["diverged"][0] is False
    # No rate gets the sigmoid network meaningfully below a coin toss.
    assert m["best_final_loss"] > math.log(2) - 0.01
    assert finals[~np.asarray(m["diverged"])].min() == pytest.approx(m["best_final_loss"])


def test_relu_he_trains_where_sigmoid_stalls():
    for seed in (0, 1, 2):
        m = learning_rates(seed=seed).metrics
        assert m["relu_he_final_loss"] < 0.25 * m["best_final_loss"], seed
    m = learning_rates().metrics
    assert m["relu_he_final_loss"] < 0.05


def test_largest_allowed_rate_gives_valid_json_with_diverged_true():
    r = vanishing(lr=100)
    assert r.metrics["diverged"] is True
    strict(r)
    r = vanishing(lr=100, activation="relu", init="he", epochs=50)
    assert r.metrics["diverged"] is True
    strict(r)
    r = learning_rates(lr_min=100, lr_max=1000, cure_lr=1000, n_lrs=3, epochs=50)
    assert r.metrics["diverged"] == [True, True, True]
    strict(r)


def test_largest_allowed_rate_through_the_api_is_strict_json(client):
    for path, params in (("vanishing", {"lr": 100, "activation": "relu", "init": "he"}),
                         ("learning-rates", {"lr_max": 1000, "cure_lr": 1000, "activation": "relu"})):
        r = client.get(f"/api/exercises/4-9/{path}", params=params)
        assert r.status_code == 200, r.text[:300]
        body = strict_json(r.text)
        diverged = body["metrics"]["diverged"]
        assert diverged is True or diverged[-1] is True


def test_a_run_that_goes_non_finite_is_a_result():
    r = vanishing(activation="relu", init="he", lr=5)
    assert r.metrics["diverged"] is True and math.isnan(r.metrics["final_loss"])
    assert json.loads(strict(r))["m"]["final_loss"] is None


def test_cure_rate_outside_the_sweep_gets_its_own_member():
    r = learning_rates(cure_lr=0.2, **TINY)
    assert len(r.metrics["lrs"]) == 5
    same = r.data["loss_same_network_at_cure_lr"]
    p = ex.LearningRatesParams(cure_lr=0.2, **TINY)
    X, Y = p.data()
    alone = train(init_network(p.sizes(), "sigmoid", "linear", [0], weight_init="xavier"), X, Y, loss="bce",
                  eta=0.2, epochs=TINY["epochs"]).losses[0]
    np.testing.assert_allclose(same, alone, rtol=1e-9)


def test_lr_max_must_exceed_lr_min():
    with pytest.raises(ValueError, match="lr_max"):
        ex.LearningRatesParams(lr_min=1, lr_max=1)


def test_api_refuses_lr_max_below_lr_min_naming_the_field(client):
    r = client.get("/api/exercises/4-9/learning-rates", params={"lr_min": 10, "lr_max": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lr_max"


def test_costly_requests_are_refused(client):
    r = client.get("/api/exercises/4-9/vanishing", params={"depth": 30, "width": 64, "epochs": 5000})
    assert r.status_code == 422 and "epochs" in r.text
    r = client.get("/api/exercises/4-9/learning-rates", params={"depth": 30, "width": 64, "epochs": 5000, "n_lrs": 8})
    assert r.status_code == 422


def test_the_gradient_replay_runs_from_the_initial_to_the_final_norms():
    r = vanishing()
    fig = r.figures["gradient_replay"]
    epochs = check_replay(fig, 200, min_frames=20)
    np.testing.assert_array_equal(r.data["replay_epoch"], epochs)
    assert fig["layout"]["yaxis"]["type"] == "log"
    np.testing.assert_array_equal(frame_curve(fig, 0), np.float32(r.data["grad_norms_initial"]))
    np.testing.assert_array_equal(frame_curve(fig, -1), np.float32(r.data["grad_norms_final"]))
    np.testing.assert_array_equal(decode(fig["data"][1]["y"]), frame_curve(fig, -1))
    heat = r.data["grad_norms_by_epoch"]  # (L, E): the frames in between are the recorded norms
    for f, e in enumerate(epochs[:-1]):
        np.testing.assert_array_equal(frame_curve(fig, f), np.float32(heat[:, e]))
    # the first layer's gradient stays orders of magnitude below the last layer's at the start
    first = np.array([frame_curve(fig, f)[0] for f in range(len(epochs))])
    assert np.all(first < 1e-3 * frame_curve(fig, 0)[-1])
