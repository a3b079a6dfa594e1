"""4-1: every qualitative claim of the page, asserted over at least five seeds (not only the default)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from app.exercises import ex4_1_centering as ex

SEEDS = range(5)
SWEEP_SEEDS = (0, 5, 10, 15, 20)  # data sets seed … seed + 4 each
FULL_BATCH = {"batch_size": 200, "lr": 0.4}


def centering(**kw):
    return ex.centering(ex.CenteringParams(**kw)).metrics


@functools.cache
def _sweep(items: tuple) -> ex.Result:
    return ex.shift_sweep(ex.SweepParams(**dict(items)))


def sweep(**kw):
    """Run the sweep once per set of params in this module (several tests read the default one)."""
    return _sweep(tuple(sorted(kw.items())))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shift", [1.0, 3.0, 6.0])
def test_per_sample_updates_on_positive_inputs_all_share_one_sign(seed, shift):
    m = centering(seed=seed, shift=shift, epochs=5)
    assert m["same_sign_fraction_raw"] == 1.0  # exactly: Δw = −ηδx with every xᵢ > 0
    assert m["same_sign_fraction_centered"] < 0.7  # centred inputs take both signs


@pytest.mark.parametrize("seed", SEEDS)
def test_the_raw_path_zig_zags(seed):
    """In its first epoch the raw path walks many times the distance it gains; the centred one far less."""
    m = centering(seed=seed, epochs=1)
    assert m["path_straightness_raw"] < 0.25 * m["path_straightness_centered"]
    assert m["path_straightness_raw"] < 0.15


@pytest.mark.parametrize("seed", SEEDS)
def test_centring_converges_faster(seed):
    m = centering(seed=seed)
    cen, raw = m["epochs_to_target_centered"], m["epochs_to_target_raw"]
    assert cen is not None and (raw is None or raw >= 4 * cen)
    assert m["condition_number_raw"] > 100 * m["condition_number_centered"]
    assert not m["diverged"] and not m["stalled"]


def test_mixed_sign_mini_batch_updates_grow_rarer_with_the_shift():
    for seed in SEEDS:
        fractions = [centering(seed=seed, batch_size=10, shift=s, epochs=20, n_samples=100)["same_sign_fraction_raw"]
                     for s in (1, 3, 8)]
        assert all(a < b for a, b in zip(fractions, fractions[1:], strict=False)), (seed, fractions)
        assert fractions[-1] < 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_full_batch_raw_runs_need_many_times_the_epochs(seed):
    m = centering(seed=seed, epochs=2000, **FULL_BATCH)
    assert m["epochs_to_target_raw"] >= 5 * m["epochs_to_target_centered"]


@pytest.mark.parametrize("seed", SEEDS)
def test_without_a_shift_the_runs_almost_coincide(seed):
    m = centering(seed=seed, shift=0)
    assert abs(m["epochs_to_target_raw"] - m["epochs_to_target_centered"]) <= 1


@pytest.mark.parametrize("seed", SEEDS)
def test_a_cancelling_teacher_removes_the_conditioning_gap_of_full_batch_descent(seed):
    m = centering(seed=seed, teacher_w1=2, teacher_w2=-2, epochs=500, **FULL_BATCH)
    assert m["condition_number_raw"] > 100 * m["condition_number_centered"]  # κ is still large
    assert m["epochs_to_target_raw"] <= 1.2 * m["epochs_to_target_centered"]


@pytest.mark.parametrize("seed", SWEEP_SEEDS)
def test_a_cancelling_teacher_keeps_the_sign_constraint_of_per_sample_updates(seed):
    m = sweep(seed=seed, teacher_w1=2, teacher_w2=-2, n_shifts=2).metrics  # shift 5, as on the page
    assert m["largest_shift_epochs_raw"] > 1.5 * m["largest_shift_epochs_centered"]


@pytest.mark.parametrize("seed", SWEEP_SEEDS)
def test_the_condition_number_grows_like_the_fourth_power_of_the_shift(seed):
    r = sweep(seed=seed)
    raw, cen = (np.asarray(r.data[k]) for k in ("condition_number_raw", "condition_number_centered"))
    assert (np.diff(raw) > 0).all()
    np.testing.assert_allclose(cen, cen[0], rtol=1e-6)
    assert 3.4 < r.metrics["condition_exponent_raw"] < 4.1  # → 4 as the shift grows


@pytest.mark.parametrize("seed", SWEEP_SEEDS)
def test_epochs_to_target_climb_with_the_shift_only_for_raw_inputs(seed):
    r = sweep(seed=seed)
    m, d = r.metrics, r.data
    raw = np.where(d["epochs_to_target_raw_by_seed"] >= 0, d["epochs_to_target_raw_by_seed"], 200)
    cen = d["epochs_to_target_centered_by_seed"]
    assert (raw[:, -1] > 5 * raw[:, 0]).all()  # every data set
    assert (cen == cen[:, :1]).all() and (cen >= 0).all()
    assert m["largest_shift_centered_faster"] == m["data_sets"] == 5
    assert (np.diff(np.asarray(d["epochs_to_target_raw"])) >= 0).all()


@pytest.mark.parametrize("seed", SWEEP_SEEDS)
def test_only_raw_runs_at_large_shifts_diverge(seed):
    """A diverged sweep is one whose raw runs at the largest shifts jump; the centred runs never diverge."""
    m = sweep(seed=seed).metrics
    assert m["diverged"] == (m["diverged_raw_runs"] > 0)  # so no centred run diverged
    assert sweep(seed=seed, max_shift=3, n_shifts=7).metrics["diverged_raw_runs"] == 0


def test_the_full_batch_sweep_shows_the_same_picture():
    d = sweep(batch_size=200, lr=0.3, epochs=2000, n_shifts=3).data  # shifts 0, 2.5, 5; five data sets
    raw = np.where(d["epochs_to_target_raw_by_seed"] >= 0, d["epochs_to_target_raw_by_seed"], 2000)
    cen = d["epochs_to_target_centered_by_seed"]
    assert (np.diff(raw, axis=1) > 0).all() and (raw[:, -1] > 5 * raw[:, 0]).all()
    assert (cen == cen[:, :1]).all()
