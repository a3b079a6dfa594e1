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
VANISHING, LEARNING_RATES = (ex.EXERCISE.experiment(n) for n in ("vanishing", "learning-rates"))


def vanishing(**kw):
    return ex.vanishing(ex.VanishingParams(**kw))


def learning_rates(**kw):
    return ex.learning_rates(ex.LearningRatesParams(**kw))


def drawn_vanishing(lang="en", **kw):
    """The vanishing result with its figures, in `lang`."""
    return VANISHING.drawn(ex.VanishingParams(**kw), lang)


def drawn_learning_rates(lang="en", **kw):
    return LEARNING_RATES.drawn(ex.LearningRatesParams(**kw), lang)


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
    assert drawn_vanishing(**TINY).figures == drawn_vanishing(**TINY).figures
    assert strict(learning_rates(**TINY)) == strict(learning_rates(**TINY))


def test_figures_are_named_as_the_issue_says():
    assert set(drawn_vanishing(**TINY).figures) == {"gradient_norms", "gradient_heatmap", "loss", "gradient_replay"}
    assert set(drawn_learning_rates(**TINY).figures) == {"loss_by_lr", "relative_update_by_layer", "cure_comparison"}


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
    r = drawn_vanishing()
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


# ------------------------------------------------------------------ the page's claims, over seeds

SEEDS = range(5)
LN2 = math.log(2)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_sigmoid_stack_vanishes_and_settles_on_ln2(seed):
    m = vanishing(seed=seed).metrics
    initial, final = np.asarray(m["grad_norms_initial"]), np.asarray(m["grad_norms_final"])
    assert m["grad_ratio_first_to_last"] < 1e-4 and (np.diff(initial) > 0).all()
    assert m["mean_gain_per_layer"] <= 0.26  # about a quarter or less per layer
    assert m["mean_gain_per_layer"] == pytest.approx(m["grad_ratio_first_to_last"] ** (1 / 10), rel=1e-12)
    assert 0.5 < final[0] / initial[0] < 2  # the first layer's gradient hardly changes
    assert initial[-1] / final[-1] > 1e3  # the last layer's collapses as the output settles
    assert abs(m["final_loss"] - LN2) < 1e-3 and m["diverged"] is False
    assert m["saturated_share_final"] == 0.0  # at the defaults the gradient vanishes through σ′ ≤ ¼ alone
    assert m["first_step_ratio"] == pytest.approx(m["grad_ratio_first_to_last"], rel=1e-12)  # sgd: the same


@pytest.mark.parametrize("seed", SEEDS)
def test_a_rate_scales_every_layer_alike_and_the_large_rates_blow_up(seed):
    r = learning_rates(seed=seed)
    m = r.metrics
    ratios = np.asarray(m["first_step_update_ratio"])
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12, atol=0)
    lrs = np.asarray(m["lrs"])
    np.testing.assert_allclose(np.asarray(m["relative_step_first"]) / lrs, m["relative_step_first"][0] / lrs[0],
                               rtol=1e-12)
    np.testing.assert_allclose(np.asarray(m["relative_step_last"]) / lrs, m["relative_step_last"][0] / lrs[0],
                               rtol=1e-12)
    assert m["relative_step_first"][-1] < 1e-3 < 1 < m["relative_step_last"][-1]
    assert m["diverged"][-1] is True and m["diverged"][-2] is True and m["diverged"][0] is False
    assert m["best_final_loss"] > LN2 - 0.01  # no rate takes the loss below ln 2
    assert m["relu_he_final_loss"] < 0.15 and m["relu_he_final_loss"] < 0.25 * m["best_final_loss"]


def test_adam_evens_out_the_steps_but_does_not_cure_the_stack():
    left, stayed = 0, 0
    for seed in SEEDS:
        sgd = vanishing(seed=seed).metrics
        adam = vanishing(seed=seed, optimizer="adam", lr=0.01).metrics
        assert adam["first_step_ratio"] > 0.05 and adam["first_step_ratio"] > 1e4 * sgd["first_step_ratio"], seed
        assert adam["grad_ratio_first_to_last"] == pytest.approx(sgd["grad_ratio_first_to_last"], rel=1e-12)
        assert adam["final_loss"] > 0.45, seed  # nowhere near ReLU + He
        left += adam["final_loss"] < 0.65
        stayed += abs(adam["final_loss"] - LN2) < 1e-3
        big = vanishing(seed=seed, optimizer="adam", lr=0.1).metrics
        assert big["saturated_share_final"] > 0.1 and big["grad_norms_final"][0] < 1e-9, seed
        assert abs(big["final_loss"] - LN2) < 1e-3, seed
    assert left >= 1 and stayed >= 1  # "at some seeds … and not at others"
    assert abs(vanishing(optimizer="adam", lr=0.01, seed=2).metrics["final_loss"] - LN2) < 1e-3  # the page's link


def test_adams_first_step_is_eta_g_over_abs_g_plus_eps():
    p = ex.VanishingParams(depth=4, width=6, epochs=1, optimizer="adam", lr=0.01)
    X, Y = p.data()
    _, g = loss_and_grads(p.network(1), X, Y, "bce")
    steps = [np.linalg.norm(0.01 * d[0] / (np.abs(d[0]) + 1e-8)) for d in g.dW]
    r = ex.vanishing(p)
    np.testing.assert_allclose(r.data["first_step_norms"], steps, rtol=1e-12)
    assert r.metrics["first_step_ratio"] == pytest.approx(steps[0] / steps[-1], rel=1e-12)


def test_saturated_share_counts_net_inputs_where_the_derivative_is_tiny():
    p = ex.VanishingParams(depth=2, width=4)
    X, _ = p.data()
    net = p.network(1)
    assert ex.saturated_share(net, X, "sigmoid") == 0.0
    big = net.copy()
    for W in big.W:
        W *= 1e4
    from app.nn.activations import sigmoid
    from app.nn.network import forward
    Z = forward(big, X).Z[:-1]
    expected = np.mean(np.concatenate([(sigmoid(z) * (1 - sigmoid(z)) < 0.0025).ravel() for z in Z]))
    assert expected > 0.8 and ex.saturated_share(big, X, "sigmoid") == pytest.approx(expected, rel=1e-12)
    relu = p.network(1, "relu", "he")
    Z = forward(relu, X).Z[:-1]
    expected = np.mean(np.concatenate([(z <= 0).ravel() for z in Z]))
    assert ex.saturated_share(relu, X, "relu") == pytest.approx(expected, rel=1e-12)


def test_try_this_claims_over_seeds():
    for seed in SEEDS:
        relu = vanishing(seed=seed, activation="relu", init="he").metrics
        assert relu["grad_ratio_first_to_last"] > 0.05 and relu["final_loss"] < 0.15, seed
        tanh = vanishing(seed=seed, activation="tanh").metrics
        assert tanh["mean_gain_per_layer"] > 0.8 and tanh["final_loss"] < LN2 - 0.02, seed
        shallow, deep = (vanishing(seed=seed, depth=d, epochs=1).metrics for d in (3, 20))
        assert shallow["mean_gain_per_layer"] <= 0.3 and deep["mean_gain_per_layer"] <= 0.3, seed
        assert deep["grad_ratio_first_to_last"] < 1e-9 * shallow["grad_ratio_first_to_last"], seed
        hot = vanishing(seed=seed, lr=50).metrics
        assert hot["diverged"] is True and hot["saturated_share_final"] > 0.1, seed
        assert hot["grad_norms_final"][0] < 1e-10, seed
        assert hot["grad_ratio_first_to_last"] == pytest.approx(vanishing(seed=seed, epochs=1).metrics[
            "grad_ratio_first_to_last"], rel=1e-12)
        eight = learning_rates(seed=seed, lr_min=0.001, lr_max=1000, n_lrs=8).metrics
        np.testing.assert_allclose(eight["first_step_update_ratio"], eight["first_step_update_ratio"][0], rtol=1e-12)
        assert abs(eight["best_final_loss"] - LN2) < 1e-3, seed
        sweep = learning_rates(seed=seed, activation="relu", init="he").metrics
        np.testing.assert_allclose(sweep["first_step_update_ratio"], sweep["first_step_update_ratio"][0], rtol=1e-12)
        assert sweep["final_loss"][0] < 0.15 and sweep["diverged"][-1] is True, seed


def test_a_shallow_sigmoid_sweep_leaves_ln2_at_some_seeds_only():
    finals = [learning_rates(seed=s, depth=3, epochs=1000).metrics["final_loss"][2] for s in range(6)]
    assert sum(f < 0.6 for f in finals) >= 2 and sum(abs(f - LN2) < 0.01 for f in finals) >= 1
    assert abs(finals[3] - LN2) < 0.01  # the page's "not at others" link


def test_the_active_side_derivatives_the_page_quotes():
    from app.nn.activations import get_activation
    z = np.array([0.0, 1.0, math.sqrt(2), 50.0])
    gelu = get_activation("gelu").der(z)
    assert gelu[0] == pytest.approx(0.5) and gelu[1] == pytest.approx(1.08, abs=0.005)  # not 1
    assert gelu[2] == pytest.approx(1.13, abs=0.005) and gelu[3] == pytest.approx(1.0)
    grid = np.linspace(0, 10, 10001)
    assert get_activation("gelu").der(grid).max() == pytest.approx(1.13, abs=0.005)
    for name in ("relu", "leaky_relu", "elu", "prelu"):
        np.testing.assert_array_equal(get_activation(name).der(np.array([0.5, 1.0, 3.0])), 1.0)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_has_a_summary_from_the_numbers(lang):
    v, lr = drawn_vanishing(lang), drawn_learning_rates(lang)
    for name, fig in {**v.figures, **lr.figures}.items():
        summary = fig["layout"].get("meta", {}).get("summary")
        assert isinstance(summary, str) and len(summary) > 20, name
        if lang == "zh":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in summary), name
    assert "8.5 × 10⁻⁷" in v.figures["gradient_norms"]["layout"]["meta"]["summary"]
    by_lr = lr.figures["loss_by_lr"]["layout"]["meta"]["summary"]
    assert by_lr.count("diverged" if lang == "en" else "发散") == sum(lr.metrics["diverged"])
    assert "14" in lr.figures["relative_update_by_layer"]["layout"]["meta"]["summary"]
    blown = drawn_vanishing(lang, activation="relu", init="he", lr=5).figures["loss"]["layout"]["meta"]["summary"]
    assert "non-finite" in blown or "非有限" in blown


def test_page_prose_is_fixed_and_names_no_figure_keys():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "templates" / "exercises"
    en, zh = ((root / f"4-9.{lang}.html").read_text(encoding="utf-8") for lang in ("en", "zh"))
    assert "derivative is 1 on the active side" not in en and "1.08" in en and "1.08" in zh
    assert "‖W‖ near 1" not in en and "average gain" in en and "平均增益" in zh
    assert "Adam" in en and "Adam" in zh
    keys = set(drawn_vanishing(**TINY).figures) | set(drawn_learning_rates(**TINY).figures)
    for key in (k for k in keys if "_" in k):
        assert key not in en and key not in zh, key
    assert "<code>" not in en and "<code>" not in zh  # metrics are named by their labels, not their keys
