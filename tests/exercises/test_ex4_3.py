"""4-3: the experiments' mechanics — shapes, determinism, the dead-unit definition, the one-unit example,
ELU's own α, figure summaries. The page's claims over seeds are in test_ex4_3_claims.py."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.exercises import ex4_3_dying_relu as ex
from app.exercises import ex4_3_example as one
from app.exercises import ex4_3_seeds as sd
from app.exercises import ex4_3_units as units
from app.figures import ex4_3 as figs
from app.format import number
from app.nn.train import loss_and_grads, train
from tests.exercises.replay_checks import check_replay, decode, frame_curve

TINY = {"width": 6, "depth": 2, "epochs": 5}
CJK = re.compile(r"[\u4e00-\u9fff]")


def drawn(name: str, lang: str = "en", **kw):
    """Compute and draw one experiment, as the API sends it in `lang`."""
    exp = ex.EXERCISE.experiment(name)
    return exp.drawn(exp.params(**kw), lang)


def dying(lang="en", **kw):
    return drawn("dying", lang, **kw)


def sweep(lang="en", **kw):
    return drawn("lr-sweep", lang, **kw)


def seeds(lang="en", **kw):
    return drawn("seeds", lang, **kw)


def one_unit(lang="en", **kw):
    return drawn("one-unit", lang, **kw)


@pytest.mark.parametrize("activation", units.ActivationName.__args__)
@pytest.mark.parametrize("dataset", ["sine", "moons"])
def test_tiny_runs_of_every_activation_and_dataset(activation, dataset):
    r = dying(activation=activation, dataset=dataset, **TINY)
    assert set(r.figures) == {"dead_units", "loss", "preactivations", "fit", "fit_replay", "unit_map"}
    assert 0 <= r.metrics["dead_fraction_final"] <= r.metrics["inactive_fraction_final"] <= 1
    assert len(r.data["loss"]) == TINY["epochs"] + 1
    assert len(r.data["dead_fraction"]) == len(r.data["snapshot_epoch"])
    m = r.metrics
    assert m["dead_units_initial"] <= m["dead_units_peak"] and m["dead_units_final"] <= m["dead_units_peak"]
    assert sum(m["dead_by_layer_final"]) == m["dead_units_final"] == round(m["dead_fraction_final"] * 12)


def test_tiny_sweep_and_seeds():
    r = sweep(n_lrs=2, n_seeds=2, **TINY)
    assert set(r.figures) == {"dead_vs_lr"}
    assert set(r.metrics["dead_fraction_by_activation"]) == set(ex.SWEEP_ACTIVATIONS)
    assert all(len(v) == 2 for v in r.metrics["dead_fraction_by_activation"].values())
    assert all(len(v) == 2 for v in r.metrics["runs_with_dead_units"].values())
    r = seeds(n_seeds=3, **TINY)
    assert set(r.figures) == {"dead_by_seed", "came_back"}
    assert r.data["dead_units"].shape == (3, len(r.data["snapshot_epoch"]))
    assert r.metrics["seeds_run"] == 3


def test_determinism():
    a, b = dying(**TINY), dying(**TINY)
    assert a.metrics == b.metrics
    np.testing.assert_array_equal(a.data["dead_fraction"], b.data["dead_fraction"])
    a, b = sweep(n_lrs=2, n_seeds=2, **TINY), sweep(n_lrs=2, n_seeds=2, **TINY)
    for act in ex.SWEEP_ACTIVATIONS:
        np.testing.assert_array_equal(a.data[f"dead_fraction_{act}"], b.data[f"dead_fraction_{act}"])
    assert seeds(n_seeds=3, **TINY).metrics == seeds(n_seeds=3, **TINY).metrics


def test_dead_means_exactly_zero_gradient_on_every_input():
    p = ex.DyingParams()
    X, Y, loss = units.load(p.dataset)
    net = units.make_net(p.activation, p, 1, [p.seed])
    final = train(net, X, Y, loss=loss, eta=p.lr, epochs=p.epochs, n_snapshots=2).net
    dead, _, _ = units.unit_states(final, X)
    _, grads = loss_and_grads(final, X, Y, loss)
    for layer, flags in enumerate(dead):
        cols = np.flatnonzero(flags[0])
        assert np.all(grads.dW[layer][0][:, cols] == 0.0) and np.all(grads.db[layer][0, 0, cols] == 0.0)
        alive = np.flatnonzero(~flags[0])
        assert np.all(np.abs(grads.dW[layer][0][:, alive]).sum(axis=0) + np.abs(grads.db[layer][0, 0, alive]) > 0)
    assert dead[0][0].any()  # at least one unit of the first layer died for good


def test_came_back_counts_units_flagged_then_unflagged():
    flags = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 1, 0], [0, 1, 1, 1]], dtype=bool)[:, None, :]
    np.testing.assert_array_equal(units.came_back(flags)[0], [True, True, False, False])


# ---------------------------------------------------------------------------- ELU's own α


def test_elu_has_its_own_alpha_default_one_and_bounded(client):
    assert ex.DyingParams().elu_alpha == 1.0 and ex.SweepParams().elu_alpha == 1.0
    assert sd.SeedsParams().elu_alpha == 1.0
    for bad in (-0.1, 3.5):
        r = client.get("/api/exercises/4-3/dying", params={"activation": "elu", "elu_alpha": bad})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "elu_alpha"
    net = units.make_net("elu", ex.DyingParams(elu_alpha=0.7, alpha=0.2), 1, [0])
    z = np.array([-1.0])
    assert net.hidden.fn(z)[0] == pytest.approx(0.7 * np.expm1(-1.0), rel=1e-12)


def test_elu_ignores_the_leaky_slope_and_alpha_zero_is_relu():
    a = dying(activation="elu", lr=0.05, alpha=0.5, epochs=50).metrics
    b = dying(activation="elu", lr=0.05, alpha=0.01, epochs=50).metrics
    assert a["final_loss"] == pytest.approx(b["final_loss"], rel=1e-12)
    e, r = dying(activation="elu", elu_alpha=0.0).metrics, dying().metrics
    assert e["dead_units_final"] == r["dead_units_final"]
    assert e["final_loss"] == pytest.approx(r["final_loss"], rel=1e-9)


def test_the_sweep_uses_elus_alpha():
    r = sweep(elu_alpha=0.0, n_lrs=2, n_seeds=2, epochs=20)
    np.testing.assert_allclose(r.data["dead_fraction_elu"], r.data["dead_fraction_relu"], rtol=1e-12)
    r = sweep(n_lrs=2, n_seeds=2, epochs=20)
    assert np.all(np.nan_to_num(r.data["dead_fraction_elu"]) == 0.0)


# ---------------------------------------------------------------------------- ensembles equal single runs


def test_a_batched_sweep_equals_separate_runs():
    """Member (rate i, seed k) of the scaled-gradient ensemble is the network trained alone at rate i."""
    p = ex.SweepParams(n_lrs=3, n_seeds=2, epochs=20)
    r = ex.lr_sweep(p)
    X, Y, loss = units.load(p.dataset)
    for i, lr in enumerate(p.lrs()):
        for k in range(p.n_seeds):
            net = units.make_net("relu", p, 1, [p.seed + k])
            rec = train(net, X, Y, loss=loss, eta=float(lr), epochs=p.epochs, n_snapshots=2)
            dead, _, finite = units.unit_states(rec.net, X)
            assert r.data["dead_fraction_relu"][i, k] == pytest.approx(units.fraction(dead, finite)[0])


def test_each_seed_of_the_seeds_experiment_is_the_dying_run():
    r = seeds(n_seeds=3, epochs=20)
    for k in range(3):
        m = dying(seed=k, epochs=20).metrics
        assert r.data["dead_end"][k] == m["dead_units_final"] and r.data["dead_start"][k] == m["dead_units_initial"]


# ---------------------------------------------------------------------------- the one-unit example


def test_the_worked_example_by_hand():
    m = one.one_unit(one.OneUnitParams()).metrics
    # b0 = 3: z = x + 3 > 0 everywhere, every error is 2, so dL/dw = mean(2x) = 0 and dL/db = 2
    assert m["grad_w"] == pytest.approx(0.0, abs=1e-15) and m["grad_b"] == pytest.approx(2.0, rel=1e-12)
    assert m["b_after"] == pytest.approx(3 - 2.5 * 2, rel=1e-12) and m["w_after"] == pytest.approx(1.0, rel=1e-12)
    assert m["threshold_after"] == pytest.approx(-1.0, rel=1e-12) and m["b_after"] < m["threshold_after"]
    assert m["dead_after_first_step"] and m["dead_at_end"]
    assert m["b_final"] == m["b_after"] and m["loss_final"] == m["loss_after_first_step"]
    assert m["loss_final"] == pytest.approx(np.mean(one.Y ** 2) / 2, rel=1e-12)  # the unit outputs 0
    assert m["kill_rate"] == pytest.approx(2.0, rel=1e-12)
    assert not m["diverged"] and not m["stalled"]


def test_the_gradients_match_finite_differences():
    for b0 in (3.0, 0.5, -0.5):
        r = one.run_unit(0.0, b0, 1)

        def loss(w, b):
            return 0.5 * np.mean((np.maximum(w * one.X + b, 0.0) - one.Y) ** 2)

        h = 1e-6
        assert r["gw"][0] == pytest.approx((loss(1 + h, b0) - loss(1 - h, b0)) / (2 * h), abs=1e-8)
        assert r["gb"][0] == pytest.approx((loss(1, b0 + h) - loss(1, b0 - h)) / (2 * h), abs=1e-8)


@pytest.mark.parametrize("b0", [3.0, 6.0, 1.5, 0.5, -2.0])
def test_kill_rate_is_the_smallest_step_that_kills(b0):
    rate = one.one_unit(one.OneUnitParams(b0=b0)).metrics["kill_rate"]
    etas = np.linspace(0.01, 5.0, 500)
    kills = [one.one_unit(one.OneUnitParams(b0=b0, lr=float(e), steps=1)).metrics["dead_after_first_step"]
             for e in etas]
    if rate is None:
        assert not any(kills)
    elif rate == 0.0:
        assert all(kills)
    else:
        assert all(k == (e >= rate) for e, k in zip(etas, kills, strict=True))


def test_a_dead_unit_never_moves_and_a_small_step_fits():
    r = one.one_unit(one.OneUnitParams(b0=-2.0))
    assert r.metrics["kill_rate"] == 0.0 and r.metrics["stalled"] and not r.metrics["diverged"]
    assert np.all(r.data["b"] == -2.0) and np.all(r.data["w"] == 1.0)
    m = one.one_unit(one.OneUnitParams(lr=0.5, steps=200)).metrics
    assert not m["dead_at_end"] and m["loss_final"] < 1e-10


def test_the_largest_rates_give_a_result():
    r = dying(lr=3.0, epochs=50)
    assert r.metrics["diverged"] is True
    check_replay(r.figures["fit_replay"], 50)
    r = sweep(lr_min=1.0, lr_max=3.0, n_lrs=2, n_seeds=2, epochs=20)
    assert r.metrics["diverged"] == [True, True]  # one verdict per learning rate
    r = seeds(lr=3.0, n_seeds=2, epochs=50)
    assert r.metrics["diverged"] is True and r.metrics["seeds_diverged"] == 2 and r.metrics["max_rise"] is None
    m = one.one_unit(one.OneUnitParams(lr=5.0, b0=6.0, steps=500)).metrics
    assert all(v is None or np.isfinite(v) for v in m.values() if not isinstance(v, bool))


def test_lr_max_must_exceed_lr_min(client):
    r = client.get("/api/exercises/4-3/lr-sweep", params={"lr_min": 0.5, "lr_max": 0.1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "lr_max"


def test_costly_requests_are_refused(client):
    r = client.get("/api/exercises/4-3/dying", params={"width": 128, "depth": 4, "epochs": 3000, "activation": "gelu"})
    assert r.status_code == 422
    r = client.get("/api/exercises/4-3/seeds", params={"width": 128, "n_seeds": 20, "epochs": 3000})
    assert r.status_code == 422


# ---------------------------------------------------------------------------- figures


@pytest.mark.parametrize("name", ["one-unit", "dying", "seeds", "lr-sweep"])
def test_every_figure_has_a_summary_in_its_language(name):
    exp = ex.EXERCISE.experiment(name)
    small = {"one-unit": {}, "dying": TINY, "seeds": {**TINY, "n_seeds": 3},
             "lr-sweep": {**TINY, "n_lrs": 2, "n_seeds": 2}}[name]
    for lang in ("en", "zh"):
        for key, fig in exp.drawn(exp.params(**small), lang).figures.items():
            summary = fig["layout"]["meta"]["summary"]
            assert summary and summary.endswith("." if lang == "en" else "。"), (key, summary)
            assert bool(CJK.search(summary)) == (lang == "zh"), (key, summary)
            assert "nan" not in summary.lower() and ("_" not in key or key not in summary)


def test_summaries_quote_the_run():
    r = dying()
    m = r.metrics
    s = r.figures["dead_units"]["layout"]["meta"]["summary"]
    assert f"{m['dead_units_initial']} of {m['hidden_units']}" in s and f"at most {m['dead_units_peak']}" in s
    assert f"(epoch {m['peak_epoch']})" in s and f"{m['dead_units_final']} after 300 epochs" in s
    s = r.figures["fit_replay"]["layout"]["meta"]["summary"]
    assert s.endswith(f"to {number(m['dead_fraction_final'], 'en', pct=True, digits=0)}.") and " %" in s
    s = one_unit("zh").figures["unit_bias"]["layout"]["meta"]["summary"]
    assert "从 3 变为 −2" in s


def test_chinese_figures_say_net_input():
    r = dying(lang="zh", **TINY)
    assert "净输入" in r.figures["preactivations"]["layout"]["title"]["text"]
    assert "预激活" not in str(r.figures)


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
    assert dying(**TINY).figures == dying(**TINY).figures


def test_the_figure_module_evaluates_no_network():
    assert not {"predict", "forward", "train", "Network"} & set(vars(figs))
