"""4-6: universal approximation with ReLU, asserted on the numbers (the formula parser: test_ex4_6_formula)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from app.exercises import ex4_6_universal as ex
from app.nn.network import Network, forward, init_network
from tests.exercises.replay_checks import check_replay, decode, frame_curve

CONSTRUCT, TRAIN = (ex.EXERCISE.experiment(name) for name in ("construct", "train"))


def construct(lang: str | None = None, **kw):
    """The construct Result; with a language, drawn in it (figures filled in, as the API sends them)."""
    p = ex.ConstructParams(**kw)
    return CONSTRUCT.drawn(p, lang) if lang else ex.construct(p)


def train(lang: str | None = None, **kw):
    """The train Result; with a language, drawn in it."""
    p = ex.TrainParams(**kw)
    return TRAIN.drawn(p, lang) if lang else ex.train(p)


# --- the construction -------------------------------------------------------------------------
@pytest.mark.parametrize(("target", "n"), [("sin", 7), ("step", 16), ("abs", 33)])
def test_errors_from_the_grid_match_the_network_run_off_the_grid(target, n):
    """The sup and RMS errors take the network's values beside the knots and at the midpoints from its
    grid values (it is linear between grid points); running the network there gives the same numbers
    to rounding."""
    f = ex.TARGETS[target]
    c = ex.construction(f, -math.pi, math.pi, n)
    mid = (c["x"][:-1] + c["x"][1:]) / 2
    beside = ex.one_sided_points(c["knots"])
    rms = math.sqrt(float(np.mean((ex.run_network(c["net"], mid) - f(mid)) ** 2)))
    sup = max(float(np.abs(c["g"] - c["y"]).max()), float(np.abs(ex.run_network(c["net"], beside) - f(beside)).max()))
    assert c["rms"] == pytest.approx(rms, rel=1e-12, abs=1e-15)
    assert c["sup"] == pytest.approx(sup, rel=1e-12, abs=1e-15)



def test_sin_with_32_units_has_the_books_error_and_doubling_divides_it_by_four():
    e32 = construct(units=32).metrics["sup_error"]
    e64 = construct(units=64).metrics["sup_error"]
    assert e32 == pytest.approx(0.00479, rel=0.02)
    assert e64 == pytest.approx(0.00120, rel=0.02)
    assert e32 / e64 == pytest.approx(4.0, rel=0.05)


@pytest.mark.parametrize("n", [4, 8, 32, 100, 1024])
def test_sup_error_is_within_the_c2_bound(n):
    h = 2 * math.pi / n
    assert construct(units=n).metrics["sup_error"] <= h**2 / 8 * (1 + 1e-9)


def test_error_vs_units_has_slope_minus_two_for_a_smooth_target():
    r = construct(target="gaussian", x_min=-3, x_max=3)
    assert list(r.data["sweep_units"]) == [2**k for k in range(11)]
    d = r.data
    assert ex.loglog_slope(d["sweep_units"], d["sweep_sup_error"]) == r.metrics["sup_slope"]
    assert r.metrics["sup_slope"] == pytest.approx(-2.0, abs=0.05)
    assert r.metrics["rms_slope"] == pytest.approx(-2.0, abs=0.05)
    assert construct().metrics["sup_slope"] == pytest.approx(-2.0, abs=0.02)  # sin, the default
    m = construct(target="expression", expression="sqrt(abs(x))").metrics  # infinite slope at 0: slower
    assert m["sup_slope"] == pytest.approx(-0.5, abs=0.02)  # √h/4 on the piece beside the knot at 0
    assert construct(target="abs").metrics["sup_slope"] is None  # |x| is exact for even n: no slope


def test_a_step_keeps_its_sup_error_while_its_rms_error_vanishes():
    r = construct(target="step")
    sup, rms = np.asarray(r.data["sweep_sup_error"]), np.asarray(r.data["sweep_rms_error"])
    # n = 1 is odd, 2 … 1024 even: the sweep does not drift with the grid's points per piece.
    np.testing.assert_allclose(sup, [0.5] + [1.0] * 10, atol=2 * ex.HAIR)
    assert rms[-1] < 0.02 and np.all(np.diff(rms[1:]) < 0)
    assert r.metrics["rms_slope"] == pytest.approx(-0.5, abs=0.01)  # a jump: RMS error ~ n^(-1/2)
    assert r.metrics["sup_slope"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("n", [1, 3, 5, 9, 63, 65, 255, 1023])
def test_a_step_with_odd_n_has_its_jump_mid_piece_and_sup_error_one_half(n):
    assert construct(target="step", units=n).metrics["sup_error"] == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize("n", [2, 4, 8, 64, 100, 256, 1024])
def test_a_step_with_even_n_has_a_knot_on_its_jump_and_sup_error_the_whole_jump(n):
    """The sup is a one-sided limit at the knot x = 0: the grid alone sees 1 − 1/m, the hair beside the knot 1."""
    sup = construct(target="step", units=n).metrics["sup_error"]
    assert 1 - 2 * ex.HAIR <= sup <= 1
    c = ex.construction(ex.TARGETS["step"], -math.pi, math.pi, n)
    on_grid = float(np.abs(c["g"] - c["y"]).max())
    assert on_grid == pytest.approx(1 - 1 / c["m"], abs=1e-9)  # what the grid alone would report: it drifts with m


@pytest.mark.parametrize(("a", "b"), [(-3, 3), (-2.5, 1), (-1, 4), (-0.7, 0.9), (-4, 2.2), (-0.3, 5)])
def test_a_jump_anywhere_in_a_piece_keeps_sup_at_least_half_and_rms_slope_near_minus_half(a, b):
    r = construct(target="step", x_min=a, x_max=b)
    assert min(r.data["sweep_sup_error"]) >= 0.5 - 1e-9
    assert r.metrics["rms_slope"] == pytest.approx(-0.5, abs=0.08)


def test_the_rms_error_is_the_midpoint_rule_of_the_l2_norm():
    # x² on [0, 1] with one piece: g(x) = x, and the mean of (x² − x)² over [0, 1] is 1/30.
    c = ex.construction(lambda x: x * x, 0.0, 1.0, 1)
    assert c["rms"] == pytest.approx(math.sqrt(1 / 30), rel=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_the_error_falls_four_times_per_doubling_for_random_smooth_targets(seed):
    rng = np.random.default_rng(seed)
    k, amp, phase = rng.integers(1, 4, 3), rng.normal(size=3), rng.uniform(0, 2 * math.pi, 3)
    a, b = -rng.uniform(1, 4), rng.uniform(1, 4)

    def f(x):
        return sum(amp[i] * np.sin(k[i] * x + phase[i]) for i in range(3))

    sup = np.array([ex.construction(f, a, b, n)["sup"] for n in (32, 64, 128, 256, 512)])
    np.testing.assert_allclose(sup[:-1] / sup[1:], 4.0, rtol=0.05)
    assert ex.loglog_slope(np.array([32, 64, 128, 256, 512]), sup) == pytest.approx(-2.0, abs=0.03)


# --- the reduction to the book's Theorem 4.1 on [0, 1]^D ------------------------------------------


def ramp(t):
    return np.maximum(t, 0.0) - np.maximum(t - 1.0, 0.0)


def test_two_relus_make_a_continuous_bounded_nonconstant_monotone_ramp():
    t = np.linspace(-3, 4, 70001)
    r = ramp(t)
    assert r.min() == 0.0 and r.max() == 1.0  # bounded, and not constant
    assert (np.diff(r) >= 0).all()  # monotonically increasing
    assert np.abs(np.diff(r)).max() <= (t[1] - t[0]) * (1 + 1e-9)  # Lipschitz 1, so continuous
    np.testing.assert_array_equal(ramp(np.array([-1.0, 0.0, 0.25, 1.0, 2.0])), [0, 0, 0.25, 1, 1])


@pytest.mark.parametrize("seed", range(5))
def test_a_ramp_network_of_m_units_is_a_relu_network_of_2m_units_on_the_unit_cube(seed):
    """F(x) = Σ vₘ r(wₘᵀx + bₘ) equals the core's ReLU network with weights (W, W), biases (b, b − 1), (v, −v)."""
    rng = np.random.default_rng(seed)
    D, M = 3, 7
    W, b, v = rng.normal(size=(D, M)), rng.normal(size=M), rng.normal(size=M)
    x = rng.uniform(0, 1, size=(500, D))  # points of [0, 1]^D
    direct = ramp(x @ W + b) @ v
    net = init_network((D, 2 * M, 1), "relu", "linear", seeds=[0], weight_init="zeros")
    net.W[0][0] = np.concatenate([W, W], axis=1)
    net.b[0][0, 0] = np.concatenate([b, b - 1.0])
    net.W[1][0, :, 0] = np.concatenate([v, -v])
    np.testing.assert_allclose(forward(net, x).A[-1][0, :, 0], direct, rtol=1e-12, atol=1e-12)


def test_the_question_states_the_books_scope():
    for lang in ("en", "zh"):
        assert "[0, 1]^D" in ex.EXERCISE.question[lang] and "4.1" in ex.EXERCISE.question[lang]


def test_the_network_is_the_proofs_network_and_computes_the_interpolant():
    r = construct(units=12, target="abs", x_min=-1, x_max=2)
    d = r.data
    knots = np.asarray(d["knots"])
    assert len(knots) == 13 and knots[0] == -1 and knots[-1] == 2
    assert np.all(np.asarray(d["hidden_weights"]) == 1.0)
    np.testing.assert_allclose(d["hidden_biases"], -knots[:-1])
    f_knots = np.abs(knots)
    slopes = np.diff(f_knots) / np.diff(knots)
    np.testing.assert_allclose(d["output_weights"], np.diff(slopes, prepend=0.0), atol=1e-12)
    assert d["output_bias"] == f_knots[0]
    np.testing.assert_allclose(d["approximation"], np.interp(d["x"], knots, f_knots), atol=1e-12)
    assert r.metrics["units"] == 12


def test_interpolant_network_is_a_core_network_whose_forward_pass_interpolates():
    knots = np.linspace(0.0, 1.0, 6)
    net = ex.interpolant_network(knots, knots**2)
    assert isinstance(net, Network) and net.sizes == (1, 5, 1)
    x = np.linspace(0, 1, 101)
    np.testing.assert_allclose(ex.run_network(net, x, max_elements=7), np.interp(x, knots, knots**2), atol=1e-14)


def test_construct_is_deterministic_and_every_target_runs():
    for target in ("sin", "abs", "step", "gaussian", "sawtooth", "cubic", "expression"):
        r = construct("en", target=target, units=3)
        assert set(r.figures) == {"approximation", "hinges", "error_vs_units"}
        assert np.isfinite(r.metrics["sup_error"]) and r.metrics["rms_error"] <= r.metrics["sup_error"]
    a, b = construct("zh", units=5), construct("zh", units=5)
    assert a.metrics == b.metrics and a.figures == b.figures


def test_hinges_cap_the_number_of_lines():
    fig = construct("en", units=1024).figures["hinges"]
    assert len(fig["data"]) == 1 + ex.HINGES_DRAWN


def test_a_typed_formula_equals_the_builtin_target():
    assert construct(target="expression", expression="sin(x)", units=16).metrics == construct(units=16).metrics


# --- training ---------------------------------------------------------------------------------

def test_train_tiny_and_deterministic():
    a, b = train("en", units=2, epochs=3), train("en", units=2, epochs=3)
    assert set(a.metrics) == {"sup_error", "final_loss", "construct_sup_error", "diverged", "stalled"}
    assert set(a.figures) == {"fit", "fit_replay", "loss"}
    assert a.metrics == b.metrics and a.data["loss"].tolist() == b.data["loss"].tolist()
    assert a.figures == b.figures


def test_the_fit_replay_ends_on_the_trained_fit():
    r = train("en")
    fig = r.figures["fit_replay"]
    epochs = check_replay(fig, 800, min_frames=20)
    np.testing.assert_array_equal(r.data["replay_epoch"], epochs)
    x_replay = decode(fig["data"][1]["x"])
    keep = np.searchsorted(r.data["x"], x_replay)
    np.testing.assert_array_equal(r.data["x"][keep], x_replay)  # the replay's points are the fit's
    np.testing.assert_allclose(frame_curve(fig, -1), r.data["trained"][keep].astype(np.float32), rtol=1e-6, atol=1e-6)
    # training moves the curve: the first frame is far from the target, the last close to it
    target = r.data["target"][keep]
    assert np.max(np.abs(frame_curve(fig, 0) - target)) > 3 * np.max(np.abs(frame_curve(fig, -1) - target))


def test_training_at_defaults_learns_but_not_as_well_as_the_construction():
    m = train().metrics
    assert not m["diverged"]
    assert m["construct_sup_error"] == pytest.approx(construct(units=16).metrics["sup_error"])
    r0 = train(epochs=1).data["loss"][0]
    assert m["final_loss"] < 0.05 * r0
    assert m["construct_sup_error"] < m["sup_error"] < 0.5


@pytest.mark.parametrize("seed", range(6))
def test_training_ends_above_the_construction_at_every_seed(seed):
    m = train(seed=seed).metrics
    assert not m["diverged"] and not m["stalled"]
    assert m["construct_sup_error"] < m["sup_error"] < 0.5


@pytest.mark.parametrize("seed", range(5))
def test_training_longer_improves_but_stays_above_the_construction(seed):
    short = train(seed=seed).metrics["sup_error"]
    m = train(seed=seed, epochs=5000, lr=0.01).metrics
    assert m["construct_sup_error"] < m["sup_error"] < short


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_has_a_summary_from_its_numbers(lang):
    c, t = construct(lang), train(lang, epochs=50)
    summaries = {k: f["layout"]["meta"]["summary"] for k, f in {**c.figures, **t.figures}.items()}
    assert set(summaries) == {"approximation", "hinges", "error_vs_units", "fit", "fit_replay", "loss"}
    for key, text in summaries.items():
        assert text.strip() and "{" not in text, key
        assert (re.search(r"[\u4e00-\u9fff]", text) is not None) == (lang == "zh"), key
    assert f"{c.metrics['sup_error']:.3g}" in summaries["approximation"]
    assert f"{t.metrics['sup_error']:.3g}" in summaries["fit"]
    assert f"{c.metrics['sup_slope']:.2f}".replace("-", "−") in summaries["error_vs_units"]


def test_the_pages_name_figures_by_what_they_show_not_by_their_keys():
    pages = Path(__file__).resolve().parents[2] / "templates" / "exercises"
    keys = ("approximation", "hinges", "error_vs_units", "fit", "fit_replay", "loss")
    for lang in ("en", "zh"):
        page = (pages / f"4-6.{lang}.html").read_text(encoding="utf-8")
        for key in keys:
            assert f"<em>{key}</em>" not in page and ("_" not in key or key not in page), (lang, key)


def test_the_largest_learning_rate_gives_a_result():
    r = train(lr=1.0, epochs=200)
    assert isinstance(r.metrics["diverged"], bool)
