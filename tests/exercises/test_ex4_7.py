"""4-7: why biases are not regularised, asserted on the numbers."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from app.exercises import ex4_7_bias_regularization as ex
from tests.exercises.replay_checks import check_replay, decode, frame_curve


def bias(**kw):
    return ex.bias_regularization(ex.BiasParams(**kw))


def sweep(**kw):
    return ex.offset_sweep(ex.CommonParams(**kw))


FAST_NET = {"model": "network", "epochs": 20, "width": 3, "n_train": 8}


def test_tiny_runs_and_determinism():
    for kw in ({"n_train": 3}, FAST_NET, {**FAST_NET, "activation": "relu", "target": "sine"}):
        a, b = bias(**kw), bias(**kw)
        assert a.metrics == b.metrics
        assert set(a.figures) == {"fits", "test_error", "biases", "fits_replay"}
        assert a.figures == b.figures
        s1, s2 = sweep(**kw), sweep(**kw)
        assert s1.metrics == s2.metrics and set(s1.figures) == {"error_vs_offset"}
        assert list(s1.data["offset"]) == list(np.arange(-10.0, 11.0))


def test_neuron_matches_the_closed_form():
    m = bias().metrics
    assert m["closed_form_gap"] < 1e-10
    # b = (ȳ − w x̄)/(1 + λ) with the core's convention ½·mean(e²) + (λ/2)·b².
    x, y0 = ex.make_data(ex.BiasParams())
    y = y0[:, 0] + 5.0
    w, b = ex.closed_form(x[:, 0], y[None], 0.1, 0.1)[0]
    assert b == pytest.approx((y.mean() - w * x.mean()) / 1.1, abs=1e-12)
    assert m["output_bias_weights_and_biases"] == pytest.approx(b, abs=1e-10)


def test_neuron_large_offset_bias_penalty_is_clearly_worse():
    m = bias(offset=20).metrics
    assert m["test_mse_weights_and_biases"] > 50 * m["test_mse_weights_only"]
    assert m["test_mse_weights_and_biases"] > 1.0
    assert m["shift"] == pytest.approx(20 * 0.1 / 1.1, rel=0.05)


def test_neuron_offset_zero_the_two_are_close():
    m = bias(offset=0).metrics
    assert m["test_mse_weights_and_biases"] == pytest.approx(m["test_mse_weights_only"], abs=0.005)


def test_neuron_slopes_about_equal():
    m = bias().metrics
    assert m["mean_abs_slope_weights_and_biases"] == pytest.approx(m["mean_abs_slope_weights_only"], rel=0.1)
    assert m["mean_abs_slope_none"] == pytest.approx(1.0, rel=0.1)


def test_weights_only_error_does_not_depend_on_the_offset():
    r = sweep()
    wo, wb = np.asarray(r.data["test_mse_weights_only"]), np.asarray(r.data["test_mse_weights_and_biases"])
    assert r.metrics["test_mse_weights_only_spread"] < 1e-10
    assert np.ptp(wo) < 1e-10
    # The bias penalty's error grows like offset²: ≈ err(0) + (cλ/(1+λ))².
    assert wb[-1] > 50 * wb[10] and wb[0] > 50 * wb[10]
    pred = np.asarray(r.data["test_mse_weights_and_biases_predicted"])
    assert wb[-1] == pytest.approx(pred[-1], rel=0.2)
    # And the offset-0 entry is the bias-regularization experiment's at offset 0.
    assert wb[10] == pytest.approx(bias(offset=0).metrics["test_mse_weights_and_biases"], rel=1e-9)


def test_network_penalised_output_bias_is_smaller():
    m = bias(model="network").metrics
    assert m["output_bias_weights_and_biases"] < m["output_bias_weights_only"]
    assert m["output_bias_weights_only"] > 0.8 * 5.0
    # The hidden units carry the rest of the level.
    level = m["output_bias_weights_and_biases"] + m["offset_in_hidden_weights_and_biases"]
    assert level == pytest.approx(5.0, abs=0.5)
    assert m["offset_in_hidden_weights_and_biases"] > 2.0
    # Smaller damage than for the neuron, and no smoothness bought.
    assert m["test_mse_weights_and_biases"] < 0.1
    assert m["mean_abs_slope_weights_and_biases"] == pytest.approx(m["mean_abs_slope_weights_only"], rel=0.15)
    assert m["diverged"] is False


def test_largest_learning_rate_still_gives_a_result():
    r = bias(model="network", lr=1.0, epochs=200)
    assert isinstance(r.metrics["diverged"], bool)


def test_bounds_and_costs():
    with pytest.raises(ValidationError):
        ex.BiasParams(offset=21)
    with pytest.raises(ValidationError):
        ex.CommonParams(model="tree")
    with pytest.raises(ValidationError):
        ex.CommonParams(offset=5)  # the sweep chooses the offsets itself
    assert ex.sweep_cost(ex.CommonParams(model="network")) < 2
    assert ex.bias_cost(ex.BiasParams(model="network")) < 2
    assert ex.sweep_cost(ex.CommonParams(model="network", width=64, n_train=500)) > 2


@pytest.mark.parametrize("kw", [{}, {"model": "network", "epochs": 300}])
def test_the_fits_replay_ends_on_the_three_final_fits(kw):
    r = bias(**kw)
    fig = r.figures["fits_replay"]
    x, _ = ex.make_data(ex.BiasParams(**kw))
    last = max(ex.neuron_epochs(x[:, 0], *ex.penalty_strengths(0.1, k))[0] for k in ex.PENALTIES) if not kw else 300
    epochs = check_replay(fig, last, min_frames=20)
    np.testing.assert_array_equal(r.data["replay_epoch"], epochs)
    for i, k in enumerate(ex.PENALTIES):
        np.testing.assert_array_equal(frame_curve(fig, -1, i), r.data[f"fit_{k}"].astype(np.float32))
        np.testing.assert_array_equal(decode(fig["data"][2 + i]["y"]), frame_curve(fig, -1, i))
    if not kw:  # the neuron starts at zero: a flat line at y = 0
        assert np.all(frame_curve(fig, 0, 0) == 0)
