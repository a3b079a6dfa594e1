"""4-7: why biases are not regularised, asserted on the numbers (the neuron, the sweep, the figures).

The network's claims, over seeds, are in test_ex4_7_seeds.py.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from pydantic import ValidationError

from app.exercises import ex4_7_bias_regularization as ex
from app.exercises import ex4_7_fits as fits
from app.exercises import ex4_7_seeds as sd
from tests.exercises.replay_checks import check_replay, decode, frame_curve

SEEDS = range(5)
BIAS, SWEEP, SEEDS_EXP = (ex.EXERCISE.experiment(n) for n in ("bias-regularization", "offset-sweep", "seeds"))


def bias(**kw):
    return ex.bias_regularization(ex.BiasParams(**kw))


def sweep(**kw):
    return ex.offset_sweep(ex.CommonParams(**kw))


def drawn_bias(lang="en", **kw):
    """The bias-regularization result with its figures, in `lang`."""
    return BIAS.drawn(ex.BiasParams(**kw), lang)


FAST_NET = {"model": "network", "epochs": 20, "width": 3, "n_train": 8}


def test_tiny_runs_and_determinism():
    for kw in ({"n_train": 3}, FAST_NET, {**FAST_NET, "activation": "relu", "target": "sine"}):
        a, b = drawn_bias(**kw), drawn_bias(**kw)
        assert a.metrics == b.metrics
        assert set(a.figures) == {"fits", "test_error", "biases", "fits_replay"}
        assert a.figures == b.figures
        s1, s2 = (SWEEP.drawn(ex.CommonParams(**kw)) for _ in range(2))
        assert s1.metrics == s2.metrics and set(s1.figures) == {"error_vs_offset"}
        assert list(s1.data["offset"]) == list(np.arange(-10.0, 11.0))
        r1, r2 = (SEEDS_EXP.drawn(sd.SeedsParams(**kw, n_seeds=3)) for _ in range(2))
        assert r1.metrics == r2.metrics and set(r1.figures) == {"error_by_seed"}


@pytest.mark.parametrize("seed", SEEDS)
def test_neuron_matches_the_closed_form(seed):
    m = bias(seed=seed).metrics
    assert m["closed_form_gap"] < 1e-10
    # b = (ȳ − w x̄)/(1 + λ) with the core's convention ½·mean(e²) + (λ/2)·b².
    x, y0 = fits.make_data(ex.BiasParams(seed=seed))
    y = y0[:, 0] + 5.0
    w, b = fits.closed_form(x[:, 0], y[None], 0.1, 0.1)[0]
    assert b == pytest.approx((y.mean() - w * x.mean()) / 1.1, abs=1e-12)
    assert m["output_bias_weights_and_biases"] == pytest.approx(b, abs=1e-10)
    # On the symmetric test grid the fit's drop is exactly the drop of the bias, close to offset·λ/(1+λ) when the
    # sample's x̄ is near 0 (with x̄ ≈ 0.6 the weights-only bias also absorbs w·x̄ and the gap grows to ~10 %).
    b_wo = fits.closed_form(x[:, 0], y[None], 0.1, 0.0)[0, 1]
    assert m["shift"] == pytest.approx(b_wo - b, rel=1e-9)
    assert m["shift"] == pytest.approx(m["shift_predicted"], rel=0.03 + 0.2 * abs(x.mean()))


@pytest.mark.parametrize("seed", SEEDS)
def test_neuron_bias_penalty_hurts_and_buys_no_smoothness(seed):
    m = bias(seed=seed).metrics
    assert m["test_mse_weights_and_biases"] > 5 * m["test_mse_weights_only"]
    assert m["mean_abs_slope_weights_and_biases"] == pytest.approx(m["mean_abs_slope_weights_only"], rel=0.1)
    assert m["mean_abs_slope_none"] == pytest.approx(1.0, rel=0.1)
    far = bias(seed=seed, offset=20).metrics
    assert far["test_mse_weights_and_biases"] > 50 * far["test_mse_weights_only"]
    x = fits.make_data(ex.BiasParams(seed=seed))[0]
    assert far["shift"] == pytest.approx(20 * 0.1 / 1.1, rel=0.03 + 0.2 * abs(x.mean()))
    near = bias(seed=seed, offset=0).metrics  # nothing to pull away: the fits nearly coincide
    assert near["test_mse_weights_and_biases"] == pytest.approx(near["test_mse_weights_only"], abs=0.005)


def test_neuron_bias_penalty_tilts_the_line_by_the_sign_of_c_times_xbar():
    """The bias penalty makes the line steeper when c·x̄ > 0 and flatter when c·x̄ < 0: no smoothness of its own."""
    r = sd.seeds(sd.SeedsParams(model="neuron", n_seeds=40))
    ratio = np.asarray(r.data["mean_abs_slope_weights_and_biases"]) / np.asarray(r.data["mean_abs_slope_weights_only"])
    xbar = np.array([fits.make_data(ex.BiasParams(), s)[0].mean() for s in r.data["seed"]])
    clear = np.abs(xbar) > 0.01
    assert clear.sum() >= 35
    np.testing.assert_array_equal(np.sign(ratio - 1)[clear], np.sign(5.0 * xbar)[clear])
    np.testing.assert_array_less(np.abs(ratio - 1), 0.15)


@pytest.mark.parametrize("seed", SEEDS)
def test_neuron_lambda_one_halves_the_bias_and_flattens_the_weights_only_fit(seed):
    m = bias(seed=seed, lam=1).metrics
    assert m["output_bias_weights_and_biases"] / m["output_bias_weights_only"] == pytest.approx(0.5, abs=0.05)
    assert m["mean_abs_slope_weights_only"] < 0.9 * m["mean_abs_slope_none"]


@pytest.mark.parametrize("seed", SEEDS)
def test_sweep_weights_only_is_flat_and_the_closed_form_is_exact(seed):
    r = sweep(seed=seed)
    wo, wb = np.asarray(r.data["test_mse_weights_only"]), np.asarray(r.data["test_mse_weights_and_biases"])
    assert r.metrics["test_mse_weights_only_spread"] < 1e-10 and np.ptp(wo) < 1e-10
    assert wb[-1] > 50 * wb[10] and wb[0] > 50 * wb[10]  # grows like offset²
    pred = np.asarray(r.data["test_mse_weights_and_biases_predicted"])
    assert r.metrics["prediction_gap"] < 1e-9
    # The parabola against an independent path: solve the normal equations at every offset.
    p = ex.CommonParams(seed=seed)
    x, y0 = fits.make_data(p)
    grid = fits.grid_points()[:, 0]
    Y = y0[:, 0][None] + ex.SWEEP_OFFSETS[:, None]
    wbs = fits.closed_form(x[:, 0], Y, 0.1, 0.1)
    truth = fits.clean("line", grid)[None] + ex.SWEEP_OFFSETS[:, None]
    direct = np.mean((wbs[:, :1] * grid + wbs[:, 1:] - truth) ** 2, axis=1)
    np.testing.assert_allclose(pred, direct, rtol=1e-9)
    # The offset-0 entry is the bias-regularization experiment's at offset 0.
    assert wb[10] == pytest.approx(bias(seed=seed, offset=0).metrics["test_mse_weights_and_biases"], rel=1e-9)


def test_sweep_prediction_reduces_to_the_symmetric_formula_when_x_is_centred():
    x = np.linspace(-2.0, 2.0, 9)  # x̄ = 0
    y0 = 0.7 * x + np.sin(3 * x) * 0.1
    grid = np.linspace(-np.pi, np.pi, 201)
    c = np.arange(-3.0, 4.0)
    lam = 0.3
    pred, alpha = fits.sweep_prediction(x, y0, grid, grid * 0.7, lam, lam, c)
    assert alpha == pytest.approx((lam / (1 + lam)) ** 2, rel=1e-12)
    w0, b0 = fits.closed_form(x, y0[None], lam, lam)[0]
    r = w0 * grid + b0 - 0.7 * grid
    sym = np.mean(r**2) + (c * lam / (1 + lam)) ** 2 - 2 * c * lam / (1 + lam) * np.mean(r)
    np.testing.assert_allclose(pred, sym, rtol=1e-12, atol=1e-15)


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
    with pytest.raises(ValidationError):
        sd.SeedsParams(n_seeds=41)
    assert ex.sweep_cost(ex.CommonParams(model="network")) < 2
    assert ex.bias_cost(ex.BiasParams(model="network")) < 2
    assert sd.seeds_cost(sd.SeedsParams()) < 2
    assert ex.sweep_cost(ex.CommonParams(model="network", width=64, n_train=500)) > 2
    assert sd.seeds_cost(sd.SeedsParams(n_seeds=40)) > 2
    assert sd.SeedsParams().model == "network" and list(sd.SeedsParams.model_fields)[0] == "model"


@pytest.mark.parametrize("kw", [{}, {"model": "network", "epochs": 300}])
def test_the_fits_replay_ends_on_the_three_final_fits(kw):
    r = drawn_bias(**kw)
    fig = r.figures["fits_replay"]
    x, _ = fits.make_data(ex.BiasParams(**kw))
    steps = [fits.neuron_epochs(x[:, 0], *fits.penalty_strengths(0.1, k))[0] for k in fits.PENALTIES]
    last = max(steps) if not kw else 300
    epochs = check_replay(fig, last, min_frames=20)
    np.testing.assert_array_equal(r.data["replay_epoch"], epochs)
    for i, k in enumerate(fits.PENALTIES):
        np.testing.assert_array_equal(frame_curve(fig, -1, i), r.data[f"fit_{k}"].astype(np.float32))
        np.testing.assert_array_equal(decode(fig["data"][2 + i]["y"]), frame_curve(fig, -1, i))
    if not kw:  # the neuron starts at zero: a flat line at y = 0
        assert np.all(frame_curve(fig, 0, 0) == 0)


def _summary(fig):
    return fig["layout"]["meta"]["summary"]


def test_every_figure_has_a_summary_in_both_languages_with_its_numbers():
    for lang in ("en", "zh"):
        runs = [BIAS.drawn(ex.BiasParams(), lang),
                BIAS.drawn(ex.BiasParams(**FAST_NET), lang),
                SWEEP.drawn(ex.CommonParams(), lang),
                SWEEP.drawn(ex.CommonParams(**FAST_NET), lang),
                SEEDS_EXP.drawn(sd.SeedsParams(model="neuron"), lang)]
        for r in runs:
            for name, fig in r.figures.items():
                s = _summary(fig)
                assert isinstance(s, str) and len(s) > 20, name
                assert bool(re.search(r"[\u4e00-\u9fff]", s)) == (lang == "zh"), (name, s)
                assert "nan" not in s.lower() and "e-" not in s, (name, s)
        neuron, _, neuron_sweep, _, seeds = runs
        m = neuron.metrics
        assert f"{m['test_mse_weights_and_biases']:.3g}" in _summary(neuron.figures["test_error"])
        assert f"{m['output_bias_weights_and_biases']:.3g}" in _summary(neuron.figures["biases"])
        assert f"{neuron_sweep.metrics['test_mse_weights_and_biases_at_10']:.3g}" in _summary(
            neuron_sweep.figures["error_vs_offset"])
        assert str(seeds.metrics["lowest_error_count_none"]) in _summary(seeds.figures["error_by_seed"])
