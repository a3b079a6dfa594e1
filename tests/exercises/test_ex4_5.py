"""4-5: parameters against depth at a fixed neuron budget, asserted on the numbers."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from app.exercises import ex4_5_depth_params as ex
from app.nn.network import init_network, parameter_count


def count(**kw):
    return ex.parameter_count_experiment(ex.CountParams(**kw))


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
    r = count()
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


def test_depth_at_budget_tiny_and_deterministic():
    kw = {"n_hidden": 4, "epochs": 5, "n_seeds": 2, "n_train": 20}
    a, b = depth(**kw), depth(**kw)
    assert a.metrics == b.metrics
    assert list(a.metrics["params_by_layers"]) == ["1", "2", "4"]
    assert set(a.figures) == {"loss_vs_layers", "boundaries"}
    assert a.metrics["diverged"] is False


def test_depth_at_budget_defaults_show_the_phenomenon():
    m = depth().metrics
    params, acc = m["params_by_layers"], m["accuracy_by_layers"]
    assert list(params) == ["1", "2", "3", "4", "6", "8", "12", "24"]
    assert params == {str(L): parameter_count(ex.sizes_for(2, 24, L))["total"] for L in (1, 2, 3, 4, 6, 8, 12, 24)}
    # A middle depth learns the spiral best; one unit per layer cannot (parallel straight boundaries).
    assert m["best_accuracy_layers"] in (2, 3, 4)
    assert max(acc.values()) > 0.9
    assert acc["24"] < 0.6
    # More parameters is not better: L=2 has the most, yet L=1 with half as many is not far below a deep net with more.
    assert params["2"] > params["1"] and acc["1"] > acc["12"]
    assert m["diverged"] is False


def test_depth_cost_refuses_the_costliest_request():
    worst = ex.DepthParams(n_hidden=96, max_layers=96, epochs=3000, n_seeds=16, n_train=1000)
    assert ex.depth_cost(worst) > 2
    assert ex.depth_cost(ex.DepthParams()) < 2
