"""4-1: non-zero-centred inputs slow one neuron down, asserted on the numbers."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from app.exercises import ex4_1_centering as ex
from app.exercises import ex4_1_neuron as neuron
from app.exercises.base import finite_or_none
from app.nn.data import teacher_neuron
from app.nn.network import init_network
from app.nn.train import loss_and_grads
from app.results import dumps
from tests.conftest import strict_json

TINY = {"n_samples": 20, "epochs": 3}
CENTERING, SWEEP = (ex.EXERCISE.experiment(name) for name in ("centering", "shift-sweep"))


@pytest.fixture(scope="module")
def defaults():
    return CENTERING.drawn(ex.CenteringParams())


@pytest.fixture(scope="module")
def sweep():
    return SWEEP.drawn(ex.SweepParams(n_shifts=6, n_seeds=2, epochs=120))


def _problem(n=30, shift=3.0, seed=0):
    X, Y = teacher_neuron(n, seed, (4.0, -1.0), shift)
    A = np.stack([neuron.design(X), neuron.design(X - X.mean(axis=0))])
    return X, Y, A, np.stack([Y[:, 0], Y[:, 0]])


# --- the neuron's numerics against the core -------------------------------------------------


def test_batch_gradient_equals_the_cores():
    X, Y, A, ys = _problem()
    rng = np.random.default_rng(1)
    theta = rng.normal(size=(2, 3))
    net = init_network((2, 1), "linear", "linear", seeds=[0, 0])
    net.W[0][:] = theta[:, :2, None]
    net.b[0][:] = theta[:, 2:, None]
    value, grads = loss_and_grads(net, A[..., :2], ys[..., None], loss="bce")
    delta = 1.0 / (1.0 + np.exp(-np.einsum("snk,sk->sn", A, theta))) - ys
    mine = np.einsum("sn,snk->sk", delta, A) / A.shape[1]
    np.testing.assert_allclose(mine[:, :2], grads.dW[0][:, :, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mine[:, 2], grads.db[0][:, 0, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(neuron.mean_loss(A, ys, theta), value, rtol=1e-12)


def reference_sgd(X, y, lr, epochs, batch_size, shuffle_seed, *, record=False):
    """The loop 4-1 ran itself before it trained with the core: S neurons from θ = 0, each step
    θ ← θ − η · mean over the batch of (σ(θᵀx̃) − y) x̃; each epoch's order from one default_rng(shuffle_seed)
    shared by all members, none for a single batch; the mean loss before training and after each epoch.

    One sample per step for at most 4 members ran on Python floats, in this order of operations: where
    the steps are unstable (a large rate) rounding grows from step to step, and only the same arithmetic
    gives the same numbers to 1e-10.
    """
    A = neuron.design(X)
    S, N, _ = A.shape
    B = min(batch_size, N)
    starts = range(0, N, B)
    rng = np.random.default_rng(shuffle_seed) if len(starts) > 1 else None
    theta = np.zeros((S, 3))
    thetas, losses = [theta], [neuron.mean_loss(A, y, theta)]
    floats = B == 1 and S <= 4
    rows, targets, th = A.tolist(), y.tolist(), theta.tolist()
    with np.errstate(over="ignore"):
        for _ in range(epochs):
            order = rng.permutation(N) if rng is not None else np.arange(N)
            Ae, ye = np.ascontiguousarray(A[:, order].transpose(1, 0, 2)), y[:, order].T  # (N, S, 3), (N, S)
            for i in starts:
                if floats:
                    for s, t in enumerate(th):
                        a0, a1, a2 = rows[s][order[i]]
                        z = a0 * t[0] + a1 * t[1] + a2 * t[2]
                        g = lr * ((1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z)))
                                  - targets[s][order[i]])
                        t[0], t[1], t[2] = t[0] - g * a0, t[1] - g * a1, t[2] - g * a2
                    theta = np.array(th)
                else:
                    a = Ae[i:i + B]
                    p = 1.0 / (1.0 + np.exp(-np.einsum("bsk,sk->bs", a, theta)))
                    theta = theta - lr * np.einsum("bs,bsk->sk", p - ye[i:i + B], a) / len(a)
                if record:
                    thetas.append(theta)
            losses.append(neuron.mean_loss(A, y, theta))
    return neuron.SGDRun(np.stack(losses, axis=1), np.stack(thetas) if record else None)


def _assert_same_numbers(a, b, where):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _assert_same_numbers(a[k], b[k], f"{where}.{k}")
    elif a is None or isinstance(a, bool | int | str):
        assert a == b, where
    else:
        np.testing.assert_allclose(np.asarray(b, dtype=float), np.asarray(a, dtype=float), rtol=1e-10, atol=1e-13,
                                   err_msg=where)


RESULTS_AS_BEFORE = [  # the defaults and three other settings of each experiment
    (CENTERING, {}),
    (CENTERING, {"batch_size": 10, "epochs": 30, "seed": 3, "shift": 6.0}),
    (CENTERING, {"batch_size": 200, "lr": 0.4, "epochs": 300, "shift": 1.5}),
    (CENTERING, {"n_samples": 57, "lr": 2.0, "epochs": 40, "seed": 7, "teacher_w1": -3, "teacher_w2": 2.5}),
    (SWEEP, {}),
    (SWEEP, {"n_shifts": 4, "n_seeds": 1, "epochs": 50, "seed": 11}),
    (SWEEP, {"batch_size": 25, "n_seeds": 3, "epochs": 80, "lr": 0.5, "max_shift": 8}),
    (SWEEP, {"batch_size": 200, "lr": 1.0, "epochs": 400, "n_shifts": 5, "n_seeds": 4}),
]


@pytest.mark.parametrize(("exp", "kw"), RESULTS_AS_BEFORE, ids=[f"{e.name}-{i % 4}" for i, (e, _) in
                                                                 enumerate(RESULTS_AS_BEFORE)])
def test_training_with_the_core_gives_the_results_of_the_exercises_own_loop(monkeypatch, exp, kw):
    p = exp.params(**kw)
    core = exp.run(p)
    monkeypatch.setattr(ex, "train_neurons", reference_sgd)
    own = exp.run(p)
    for part in ("metrics", "data", "views"):
        _assert_same_numbers(getattr(own, part), getattr(core, part), part)


# --- the claims of the exercise --------------------------------------------------------------


def test_all_positive_inputs_with_per_sample_updates_are_always_same_sign(defaults):
    m = defaults.metrics
    assert m["same_sign_fraction_raw"] == 1.0
    assert m["same_sign_fraction_centered"] < 0.7
    u = np.array(defaults.data["updates_raw"])
    assert ((u[:, 0] >= 0) & (u[:, 1] >= 0) | (u[:, 0] <= 0) & (u[:, 1] <= 0)).all()  # quadrants I and III


def test_mini_batches_break_the_sign_constraint():
    m = ex.centering(ex.CenteringParams(batch_size=10, epochs=5)).metrics
    assert m["same_sign_fraction_raw"] < 1.0


def test_the_centred_run_reaches_the_target_in_fewer_epochs(defaults):
    m = defaults.metrics
    assert m["epochs_to_target_centered"] is not None and m["epochs_to_target_raw"] is not None
    assert 5 * m["epochs_to_target_centered"] < m["epochs_to_target_raw"]
    assert m["final_loss_centered"] <= m["optimal_loss"] + 0.01
    assert not m["diverged"]


def test_the_optimal_loss_is_the_same_for_both_parametrisations(defaults):
    d = defaults.data
    assert d["optimal_loss_raw"] == pytest.approx(d["optimal_loss_centered"], abs=1e-13)
    raw, cen = np.asarray(d["optimum_raw"]), np.asarray(d["optimum_centered"])
    np.testing.assert_allclose(raw[:2], cen[:2], rtol=1e-9)
    # centring only moves the bias: b_raw = b_centred − wᵀ mean(x)
    assert raw[2] == pytest.approx(cen[2] - cen[:2] @ np.asarray(d["input_mean"]), rel=1e-9)
    assert defaults.metrics["optimal_loss"] <= min(defaults.metrics["final_loss_raw"],
                                                   defaults.metrics["final_loss_centered"])


def test_newton_reaches_a_stationary_point():
    _, _, A, ys = _problem(n=200)
    theta, loss = neuron.newton_optimum(A, ys)
    p = 1.0 / (1.0 + np.exp(-np.einsum("snk,sk->sn", A, theta)))
    assert np.abs(np.einsum("sn,snk->sk", p - ys, A) / 200).max() < 1e-10
    assert loss[0] == pytest.approx(loss[1], abs=1e-13)


def test_the_condition_number_grows_with_the_shift(sweep, defaults):
    raw = np.asarray(sweep.data["condition_number_raw"])
    cen = np.asarray(sweep.data["condition_number_centered"])
    assert (np.diff(raw) > 0).all()
    assert raw[-1] > 100 * raw[0]
    np.testing.assert_allclose(cen, cen[0], rtol=1e-6)  # centred data do not depend on the shift
    m = defaults.metrics
    assert m["condition_number_raw"] > 100 * m["condition_number_centered"]


def test_epochs_to_target_grow_with_the_shift_only_for_raw_inputs(sweep):
    raw = np.asarray(sweep.data["epochs_to_target_raw"])
    cen = np.asarray(sweep.data["epochs_to_target_centered"])
    assert raw[-1] > 5 * raw[0]
    assert (np.diff(raw) >= 0).all()
    assert np.ptp(cen) == 0 and cen[0] == pytest.approx(raw[0], abs=2)


# --- params, determinism, robustness ------------------------------------------------------------


def test_batch_size_above_n_samples_is_refused_naming_batch_size(client):
    for exp in ("centering", "shift-sweep"):
        r = client.get(f"/api/exercises/4-1/{exp}", params={"n_samples": 50, "batch_size": 51})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"][-1] == "batch_size"
    with pytest.raises(ValidationError, match="batch_size"):
        ex.CenteringParams(n_samples=20, batch_size=21)


@pytest.mark.parametrize(("exp", "extra"), [
    (CENTERING, {"batch_size": 1}),
    (CENTERING, {"batch_size": 20, "shift": 0}),
    (SWEEP, {"n_shifts": 2, "n_seeds": 1}),
])
def test_tiny_params_run_and_are_deterministic(exp, extra):
    p = exp.params(**TINY, **extra)
    a, b = exp.drawn(p, "zh"), exp.drawn(p, "zh")
    one = dumps(finite_or_none({"m": a.metrics, "d": a.data, "f": a.figures}))
    assert one == dumps(finite_or_none({"m": b.metrics, "d": b.data, "f": b.figures}))
    strict_json(one.decode())


@pytest.mark.parametrize(("exp", "extra"), [(CENTERING, {}), (SWEEP, {"n_shifts": 3, "n_seeds": 2})])
def test_the_numbers_are_language_free_and_drawn_in_either_language(exp, extra):
    p = exp.params(**TINY, **extra)
    computed = exp.run(p)
    assert computed.figures == {} and exp.draw is not None
    en, zh = exp.drawn(p, "en"), exp.drawn(p, "zh")
    assert set(en.figures) == set(zh.figures) and en.figures
    for r in (en, zh):
        assert dumps(finite_or_none([r.metrics, r.data])) == dumps(finite_or_none([computed.metrics, computed.data]))
    assert en.figures != zh.figures  # the words differ, the numbers do not


def test_figures_are_named_as_the_issue_says(defaults, sweep):
    assert set(defaults.figures) == {"loss", "trajectory", "update_signs"}
    assert set(sweep.figures) == {"epochs_vs_shift", "condition_vs_shift"}
    traj = defaults.figures["trajectory"]
    assert len(traj["frames"]) >= 10 and "sliders" not in traj["layout"]  # the page's replay bar drives the frames
    assert traj["layout"]["meta"]["replay"]["redraw"] is False
    assert {"shifts", "epochs_to_target_raw", "epochs_to_target_centered", "condition_number_raw",
            "condition_number_centered"} <= set(sweep.data)


def test_largest_learning_rate_and_shift_still_give_json(client):
    r = client.get("/api/exercises/4-1/centering", params={"lr": 10, "shift": 10, "epochs": 20})
    assert r.status_code == 200
    body = strict_json(r.text)
    assert isinstance(body["metrics"]["diverged"], bool)


def test_costly_requests_are_refused(client):
    r = client.get("/api/exercises/4-1/centering", params={"n_samples": 2000, "epochs": 2000})
    assert r.status_code == 422 and "epochs" in r.text
    r = client.get("/api/exercises/4-1/shift-sweep", params={"n_samples": 2000, "epochs": 2000, "n_seeds": 20})
    assert r.status_code == 422


# --- the metrics the page quotes, and the figures' summaries ------------------------------------


def test_the_quoted_metrics_are_consistent(defaults):
    m, d = defaults.metrics, defaults.data
    assert m["optimal_bias_raw"] == pytest.approx(d["optimum_raw"][2], rel=1e-12)
    assert m["optimal_bias_centered"] == pytest.approx(d["optimum_centered"][2], rel=1e-12)
    assert 0 < m["path_straightness_raw"] < m["path_straightness_centered"] <= 1


def test_the_sweep_counts_its_data_sets(sweep):
    m = sweep.metrics
    assert m["data_sets"] == 2 and m["largest_shift"] == 5.0
    hits = np.asarray(sweep.data["epochs_to_target_raw_by_seed"])
    assert m["largest_shift_reached_raw"] == int((hits[:, -1] >= 0).sum())
    assert 0 <= m["largest_shift_centered_faster"] <= m["data_sets"]
    assert m["condition_exponent_raw"] > 3


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_has_a_summary_from_its_numbers(lang):
    r = CENTERING.drawn(ex.CenteringParams(), lang)
    s = SWEEP.drawn(ex.SweepParams(n_shifts=3, n_seeds=2, epochs=60), lang)
    summaries = {k: f["layout"]["meta"]["summary"] for k, f in {**r.figures, **s.figures}.items()}
    assert set(summaries) == {"loss", "trajectory", "update_signs", "epochs_vs_shift", "condition_vs_shift"}
    for key, text in summaries.items():
        assert text.strip() and "{" not in text, key
        assert (re.search(r"[\u4e00-\u9fff]", text) is not None) == (lang == "zh"), key
    m = r.metrics
    for key in ("epochs_to_target_raw", "epochs_to_target_centered"):
        assert f"epoch {m[key]}" in summaries["loss"] or f"第 {m[key]} 轮" in summaries["loss"]
    assert ("100 %" if lang == "en" else "100%") in summaries["update_signs"]
    assert f"{1 / m['path_straightness_raw']:.2g}" in summaries["trajectory"]


def test_the_pages_name_figures_by_what_they_show_not_by_their_keys():
    pages = Path(__file__).resolve().parents[2] / "templates" / "exercises"
    for lang in ("en", "zh"):
        page = (pages / f"4-1.{lang}.html").read_text(encoding="utf-8")
        for key in ("loss", "trajectory", "update_signs", "epochs_vs_shift", "condition_vs_shift"):
            assert f"<em>{key}</em>" not in page.lower() and ("_" not in key or key not in page), (lang, key)
        assert "预激活" not in page and "pre-activation" not in page  # the book's term: 净输入, net input


@pytest.mark.parametrize("seed", range(3))
def test_the_profile_loss_is_the_minimum_over_the_bias(seed):
    # Reference: the same Newton iteration in b with the core's stable sigmoid, run to convergence, and
    # a check that no b on a fine grid does better (the fast tanh form of σ must not move the minimum).
    from app.nn.activations import sigmoid

    rng = np.random.default_rng(seed)
    Xc = rng.normal(size=(120, 2)) * rng.uniform(0.5, 4)
    Xc -= Xc.mean(axis=0)
    y = (rng.random(120) < rng.uniform(0.2, 0.8)).astype(float)
    W = rng.normal(size=(50, 2)) * 4
    got = neuron.profile_loss(Xc, y, W)
    z0 = W @ Xc.T
    c = np.zeros(len(W))
    for _ in range(60):
        p = sigmoid(z0 + c[:, None])
        c -= np.clip((p - y).mean(axis=1) / np.maximum((p * (1 - p)).mean(axis=1), 1e-300), -4, 4)
    z = z0 + c[:, None]
    reference = np.mean(np.logaddexp(0.0, z) - y * z, axis=1)
    np.testing.assert_allclose(got, reference, rtol=1e-9)
    grid = np.linspace(-12, 12, 2401)
    on_grid = np.array([np.mean(np.logaddexp(0.0, z0[m] + grid[:, None]) - y * (z0[m] + grid[:, None]), axis=1).min()
                        for m in range(len(W))])
    assert np.all(got <= on_grid + 1e-12)
