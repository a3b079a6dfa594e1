"""4-5: parameters against depth at a fixed neuron budget, asserted on the numbers."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from pydantic import ValidationError

from app.exercises import ex4_5_depth_params as ex
from app.figures import ex4_5 as figs
from app.nn.network import init_network, parameter_count


def count(**kw):
    return ex.parameter_count_experiment(ex.CountParams(**kw))


COUNT = ex.EXERCISE.experiment("parameter-count")
DEPTH = ex.EXERCISE.experiment("depth-at-budget")
TINY_DEPTH = {"n_hidden": 4, "epochs": 5, "n_seeds": 2, "n_train": 20}


def drawn(exp, lang="en", **kw):
    """The result of `exp` with its figures drawn in `lang` (as the API sends it)."""
    return exp.drawn(exp.params(**kw), lang)


def test_the_books_numbers():
    r = count(n_hidden=120, input_dim=10, max_layers=6)
    assert r.data["layers"] == [1, 2, 3, 4, 5, 6]
    assert r.data["formula"] == [1441, 4381, 3761, 3151, 2689, 2341]
    assert r.data["counted"] == r.data["formula"] == r.data["built"]
    assert r.metrics["all_match"] is True
    assert r.metrics["best_layers"] == 2
    assert r.metrics["l_star"] == pytest.approx(240 / 131)


@pytest.mark.parametrize("n_hidden", [1, 2, 6, 12, 30, 64, 120, 360, 1000])
@pytest.mark.parametrize("input_dim", [1, 2, 10, 100, 784])
def test_formula_equals_count_for_many_networks(n_hidden, input_dim):
    r = count(n_hidden=n_hidden, input_dim=input_dim, max_layers=1000)
    assert r.metrics["all_match"] is True
    for L, P in zip(r.data["layers"], r.data["formula"], strict=True):
        sizes = ex.sizes_for(input_dim, n_hidden, L)
        assert parameter_count(sizes)["total"] == P
        assert ex.formula(n_hidden, input_dim, L) == pytest.approx(P, rel=1e-12)


def test_counted_from_real_arrays():
    net = init_network(ex.sizes_for(10, 120, 3), "relu", "linear", [0])
    total = sum(W[0].size for W in net.W) + sum(b[0].size for b in net.b)
    assert total == 3761
    assert ex.count_built(ex.sizes_for(10, 120, 3)) == parameter_count(ex.sizes_for(10, 120, 3))


@pytest.mark.parametrize(("n_hidden", "input_dim"), [(120, 10), (1000, 3), (60, 29), (24, 2), (100_000, 10_000)])
def test_p_falls_from_two_layers_on(n_hidden, input_dim):
    r = count(n_hidden=n_hidden, input_dim=input_dim, max_layers=1000)
    P = dict(zip(r.data["layers"], r.data["formula"], strict=True))
    after = [P[L] for L in r.data["layers"] if L >= 2]
    assert all(a > b for a, b in zip(after, after[1:], strict=False))
    assert r.metrics["l_star"] < 2
    # Between 1 and 2 the sign is that of N − 2M₀ − 2.
    if 2 in P:
        assert np.sign(P[2] - P[1]) == np.sign(n_hidden - 2 * input_dim - 2)


def test_continuous_curve_peaks_at_l_star():
    r = count()
    L, P = np.asarray(r.data["curve_layers"]), np.asarray(r.data["curve_params"])
    assert abs(L[np.argmax(P)] - r.metrics["l_star"]) < (L[1] - L[0])
    assert r.metrics["params_at_l_star"] >= P.max() - 1e-9


def test_huge_budget_is_counted_without_allocating():
    r = count(n_hidden=100_000, input_dim=10_000, max_layers=1000)
    assert r.metrics["all_match"] is True and r.metrics["networks_built"] == 0
    assert r.data["formula"][0] == 10_000 * 100_000 + 100_000 + 100_001


def test_split_adds_up():
    r = drawn(COUNT)
    parts = np.sum([r.data[k] for k in ex.PARTS], axis=0)
    assert parts.tolist() == r.data["formula"]
    assert set(r.figures) == {"params_vs_layers", "breakdown"}


def test_bounds():
    with pytest.raises(ValidationError):
        ex.CountParams(n_hidden=0)
    with pytest.raises(ValidationError):
        ex.CountParams(input_dim=10_001)


def depth(**kw):
    return ex.depth_at_budget(ex.DepthParams(**kw))


@functools.cache
def depth_metrics(**kw):
    """The metrics of one depth-at-budget run, computed once per test session."""
    return depth(**kw).metrics


def test_depth_at_budget_tiny_and_deterministic():
    a, b = drawn(DEPTH, **TINY_DEPTH), drawn(DEPTH, **TINY_DEPTH)
    assert a.metrics == b.metrics and a.figures == b.figures
    assert list(a.metrics["params_by_layers"]) == ["1", "2", "4"]
    assert set(a.figures) == {"loss_vs_layers", "boundaries"}
    assert a.metrics["diverged"] is False


def test_depth_at_budget_defaults_show_the_phenomenon():
    m = depth_metrics()
    params = m["params_by_layers"]
    assert list(params) == ["1", "2", "3", "4", "6", "8", "12", "24"]
    assert params == {str(L): parameter_count(ex.sizes_for(2, 24, L))["total"] for L in (1, 2, 3, 4, 6, 8, 12, 24)}
    assert params["1"] == 97 and params["2"] == 205
    assert m["diverged"] is False


SEEDS = range(5)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_ranking_of_depths_holds_over_seeds(seed):
    """The page: two layers of 12 learn best, one wide layer (fewer parameters) trails, 8×3 on stay near chance."""
    m = depth_metrics(seed=seed)
    acc = m["accuracy_by_layers"]
    assert m["best_accuracy_layers"] == 2 and acc["2"] > 0.9
    assert acc["1"] < acc["2"] and m["params_by_layers"]["1"] < m["params_by_layers"]["2"]
    assert acc["8"] < 0.6 and acc["12"] < 0.6 and acc["24"] <= 0.55


@pytest.mark.parametrize("seed", SEEDS)
def test_try_this_claims_hold_over_seeds(seed):
    tanh = depth_metrics(seed=seed, activation="tanh")
    t = tanh["accuracy_by_layers"]
    assert tanh["best_accuracy_layers"] in (2, 3)  # "two or three layers do best"
    assert t["1"] < t[str(tanh["best_accuracy_layers"])] - 0.15 and t["24"] <= 0.55
    base = depth_metrics(seed=seed)["accuracy_by_layers"]
    longer = depth_metrics(seed=seed, epochs=400)["accuracy_by_layers"]
    assert longer["1"] > base["1"] and longer["1"] >= longer["2"] - 0.05  # one wide layer nearly catches up
    assert longer["12"] < 0.6  # the deep, narrow ones do not
    easy = depth_metrics(seed=seed, turns=0.75)["accuracy_by_layers"]
    assert min(easy[str(L)] for L in (1, 2, 3, 4)) >= 0.95 and easy["4"] > base["4"]


# ---------------------------------------------------------------- every inequality on the page

BUDGETS = [(N, M0) for N in (1, 2, 12, 60, 120, 1000, 100_000) for M0 in (1, 2, 10, 29, 100, 10_000)]


@pytest.mark.parametrize(("N", "M0"), BUDGETS)
def test_l_star_is_below_2_and_p_falls_after_it(N, M0):
    ls = ex.l_star(N, M0)
    assert ls < 2  # N + M₀ + 1 > N
    L = np.linspace(1, 50, 4901)
    dP = -N * (M0 + N + 1) / L**2 + 2 * N**2 / L**3
    assert (dP[L > ls + 1e-9] < 0).all() and (dP[L < ls - 1e-9] > 0).all()  # one peak, at L*
    # The derivative on the page is that of the formula (centred differences).
    h = 1e-6
    fd = (ex.formula(N, M0, L + h) - ex.formula(N, M0, L - h)) / (2 * h)
    np.testing.assert_allclose(fd, dP, rtol=1e-5, atol=1e-6 * N * N)


@pytest.mark.parametrize(("N", "M0"), BUDGETS)
def test_one_versus_two_layers(N, M0):
    """P(2) − P(1) = N/4·(N − 2M₀ − 2): P rises from one to two layers exactly when N > 2M₀ + 2."""
    if N % 2:
        return
    diff = sum(ex.formula_parts(N, M0, 2).values()) - sum(ex.formula_parts(N, M0, 1).values())
    assert 4 * diff == N * (N - 2 * M0 - 2)
    assert (diff > 0) == (N > 2 * M0 + 2)


@pytest.mark.parametrize(("N", "M0"), BUDGETS)
def test_the_deepest_network_has_the_fewest_parameters(N, M0):
    if N > 1000:
        return
    P = {L: sum(ex.formula_parts(N, M0, L).values()) for L in ex.divisors(N, N)}
    assert P[N] == M0 + 2 * N + 1 == P[1] - M0 * (N - 1)
    assert P[N] == min(P.values())
    assert (P[N] < P[1]) == (N > 1)
    after = [P[L] for L in sorted(P) if L >= 2]
    assert all(a > b for a, b in zip(after, after[1:], strict=False))  # falls from L = 2 on
    assert max(P, key=P.get) in (1, 2)  # only 1 and 2 compete for the maximum


@pytest.mark.parametrize("N", [2, 12, 120, 1000])
def test_hidden_to_hidden_weights_peak_at_two_layers(N):
    """(L − 1)N²/L² rises from 0 at L = 1 to N²/4 at L = 2 and shrinks from there on (not for all L)."""
    H = {L: ex.formula_parts(N, 10, L)["hidden_weights"] for L in ex.divisors(N, N)}
    assert H[1] == 0 and H[2] * 4 == N * N and max(H.values()) == H[2]
    after = [H[L] for L in sorted(H) if L >= 2]
    assert all(a > b for a, b in zip(after, after[1:], strict=False))
    L = np.linspace(1, 40, 3901)
    h = (L - 1) * N**2 / L**2
    assert (np.diff(h[L <= 2]) > 0).all() and (np.diff(h[L >= 2]) < 0).all()
    # The input block and the output weights shrink like 1/L; the biases stay N + 1.
    parts = [ex.formula_parts(N, 10, L) for L in sorted(H)]
    assert all(p["input_weights"] * L == 10 * N and p["output_weights"] * L == N and p["biases"] == N + 1
               for p, L in zip(parts, sorted(H), strict=True))


def test_the_try_this_budgets():
    equal = count(n_hidden=60, input_dim=29).metrics["params_by_layers"]
    assert equal["1"] == equal["2"] == 1861  # N = 2M₀ + 2
    many = count(n_hidden=120, input_dim=100).metrics
    p = many["params_by_layers"]
    assert many["best_layers"] == 1 and p["2"] < p["1"] and 1 < many["l_star"] < 2  # the curve still peaks past 1
    assert 1.999 < count(n_hidden=100_000, input_dim=10, max_layers=50).metrics["l_star"] < 2


def test_every_figure_has_a_summary_in_each_language():
    import re

    for lang in ("en", "zh"):
        shown = {**drawn(COUNT, lang).figures, **drawn(DEPTH, lang, **TINY_DEPTH).figures}
        assert set(shown) == {"params_vs_layers", "breakdown", "loss_vs_layers", "boundaries"}
        for key, fig in shown.items():
            summary = fig["layout"]["meta"]["summary"]
            assert summary and (re.search(r"[\u4e00-\u9fff]", summary) is not None) == (lang == "zh"), (key, summary)
            assert key not in summary
    r = drawn(COUNT)
    s = r.figures["params_vs_layers"]["layout"]["meta"]["summary"]
    assert "L = 1: 1441, L = 2: 4381" in s and "L* = 1.8321" in s and "(P ≈ 4411)" in s
    assert round(r.metrics["params_at_l_star"]) == 4411  # the summary's peak is the metric
    assert "falls" in drawn(COUNT, input_dim=300).figures["params_vs_layers"]["layout"]["meta"]["summary"]


def test_the_surfaces_come_with_the_result():
    """Each depth's p(class 1) surface is computed with the numbers (views); the figure module evaluates no
    network."""
    r = depth(**TINY_DEPTH)
    gx, gy, surfaces = r.views["surfaces"]
    assert list(surfaces) == r.data["layers"]
    assert all(Z.shape == (len(gy), len(gx)) and ((Z >= 0) & (Z <= 1)).all() for Z in surfaces.values())
    assert not any(getattr(v, "__module__", "").startswith("app.nn") for v in vars(figs).values())


def test_depth_cost_refuses_the_costliest_request():
    worst = ex.DepthParams(n_hidden=96, max_layers=96, epochs=3000, n_seeds=16, n_train=1000)
    assert ex.depth_cost(worst) > 2
    assert ex.depth_cost(ex.DepthParams()) < 2
