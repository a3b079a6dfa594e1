"""4-7: the network's claims over at least ten seeds (the seeds experiment), and the seeds experiment itself."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from app.exercises import ex4_7_bias_regularization as ex
from app.exercises import ex4_7_seeds as sd


@functools.cache
def seeds(**kw):
    return sd.seeds(sd.SeedsParams(**kw))


def col(r, name):
    return np.asarray(r.data[name], dtype=float)


@pytest.mark.parametrize("first", [0, 10])
def test_tanh_units_stay_near_linear_and_carry_the_level(first):
    r = seeds(seed=first)
    assert r.metrics["diverged"] is False and r.metrics["stalled"] is False
    # Both penalised: the hidden units carry most of the level, every net input stays in tanh's near-linear range.
    assert np.all(col(r, "hidden_share_weights_and_biases") > 0.6)
    assert np.all(col(r, "max_net_input_weights_and_biases") < 1.2)
    assert r.metrics["max_net_input_max_weights_and_biases"] < 1.2
    # Without any penalty the weights grow and some net inputs go deep into saturation.
    assert np.all(col(r, "max_net_input_none") > 2.5)
    # The output bias stops near 1, where its marginal cost λb meets the hidden route's ≈ λ.
    b = col(r, "output_bias_weights_and_biases")
    assert np.all((b > 1.0) & (b < 1.3))


def test_the_output_bias_stops_near_one_whatever_lambda():
    for lam in (1.0, 0.01):
        b = col(seeds(lam=lam, n_seeds=5), "output_bias_weights_and_biases")
        assert np.all((b > 1.0) & (b < 1.3)), (lam, b)


@pytest.mark.parametrize("first", [0, 10])
def test_the_bias_penalty_costs_about_lambda_v_c(first):
    r = seeds(seed=first)
    extra = col(r, "penalty_weights_and_biases") - col(r, "penalty_weights_only")
    route = col(r, "bias_route_penalty_weights_and_biases")
    np.testing.assert_array_less(np.abs(extra / route - 1), 0.15)
    # Far below what the output bias alone would pay, (λ/2)·offset².
    assert np.all(extra < 0.5 * 0.5 * 0.1 * 5.0**2)


@pytest.mark.parametrize("first", [0, 10])
def test_network_bias_penalty_hurts_a_little_and_buys_no_smoothness(first):
    r, neuron = seeds(seed=first), seeds(seed=first, model="neuron", n_seeds=10)
    wo, wb = col(r, "test_mse_weights_only"), col(r, "test_mse_weights_and_biases")
    assert r.metrics["bias_penalty_worse_count"] == r.metrics["n_seeds"]
    assert np.all(wb > wo)
    assert np.all(wb < col(neuron, "test_mse_weights_and_biases"))  # much less damage than for the neuron
    # No fit comes out flatter with the biases penalised; the tanh network's is even a little steeper.
    ratio = col(r, "mean_abs_slope_weights_and_biases") / col(r, "mean_abs_slope_weights_only")
    assert np.all((ratio > 1.0) & (ratio < 1.25))
    # The penalised output bias is smaller than the weights-only one at every seed.
    assert np.all(col(r, "output_bias_weights_and_biases") < col(r, "output_bias_weights_only"))


def test_the_network_ranking_changes_with_the_seed():
    r = seeds()
    table = np.stack([col(r, f"test_mse_{k}") for k in ex.PENALTIES], axis=1)
    best = set(np.argmin(table, axis=1).tolist())
    assert len(best) > 1  # the page must speak of counts, not of one order
    assert r.metrics["lowest_error_count_weights_and_biases"] == 0
    assert sum(r.metrics[f"lowest_error_count_{k}"] for k in ex.PENALTIES) == r.metrics["n_seeds"]
    assert sum(r.metrics[f"highest_error_count_{k}"] for k in ex.PENALTIES) == r.metrics["n_seeds"]
    for k in ex.PENALTIES:
        assert r.metrics[f"test_mse_mean_{k}"] == pytest.approx(np.mean(col(r, f"test_mse_{k}")), rel=1e-12)
        assert r.metrics[f"test_mse_sd_{k}"] == pytest.approx(np.std(col(r, f"test_mse_{k}"), ddof=1), rel=1e-12)


def test_neuron_bias_penalty_is_worst_at_every_seed():
    r = seeds(model="neuron", n_seeds=40)
    assert r.metrics["highest_error_count_weights_and_biases"] == 40
    assert r.metrics["bias_penalty_worse_count"] == 40
    assert "diverged" not in r.metrics  # closed forms: no training run to judge


def test_relu_hidden_units_carry_the_level_even_with_only_weights_penalised():
    r = seeds(activation="relu")
    assert np.all(col(r, "hidden_share_weights_only") > 0.5)
    assert np.all(col(r, "hidden_share_weights_and_biases") > 0.6)


@pytest.mark.parametrize("model", ["neuron", "network"])
def test_seed_s_is_the_bias_regularization_experiment_at_seed_s(model):
    kw = {"model": model, "epochs": 200, "width": 4, "n_train": 12}
    r = sd.seeds(sd.SeedsParams(**kw, seed=3, n_seeds=3))
    assert list(r.data["seed"]) == [3, 4, 5]
    for i, s in enumerate(r.data["seed"]):
        m = ex.bias_regularization(ex.BiasParams(**kw, seed=s)).metrics
        for k in ex.PENALTIES:
            assert r.data[f"test_mse_{k}"][i] == pytest.approx(m[f"test_mse_{k}"], rel=1e-8)
            assert r.data[f"output_bias_{k}"][i] == pytest.approx(m[f"output_bias_{k}"], rel=1e-8, abs=1e-12)
        if model == "network":
            assert r.data["hidden_weights_and_biases"][i] == pytest.approx(m["offset_in_hidden_weights_and_biases"],
                                                                          rel=1e-8)
            assert r.data["penalty_weights_and_biases"][i] == pytest.approx(m["penalty_weights_and_biases"], rel=1e-8)


def test_network_sweep_grows_far_less_than_the_neuron_over_seeds():
    for seed in range(5):
        net = ex.offset_sweep(ex.CommonParams(model="network", seed=seed)).metrics
        neuron = ex.offset_sweep(ex.CommonParams(seed=seed)).metrics
        assert net["diverged"] is False
        assert net["test_mse_weights_and_biases_at_10"] < 0.25 * neuron["test_mse_weights_and_biases_at_10"]
        assert net["test_mse_weights_and_biases_at_10"] > net["test_mse_weights_and_biases_at_0"]
