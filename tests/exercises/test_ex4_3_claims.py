"""4-3: every qualitative claim of the page, asserted on the numbers over several seeds (the page quotes the
numbers themselves from results; these tests keep the words around them true), and the page's wording."""

from __future__ import annotations

import functools
import html
import re

import numpy as np
import pytest

from app.exercises import ex4_3_dying_relu as ex
from app.exercises import ex4_3_example as one
from app.exercises import ex4_3_seeds as sd
from app.exercises import ex4_3_units as units

FIVE = range(5)


@functools.cache
def seeds(**kw) -> dict:
    return sd.seeds(sd.SeedsParams(**kw)).metrics


@functools.cache
def dying(**kw) -> dict:
    return ex.dying(ex.DyingParams(**kw)).metrics


@functools.cache
def sweep(**kw) -> dict:
    return ex.lr_sweep(ex.SweepParams(**kw)).metrics


# ---------------------------------------------------------------------------- how units die


def test_the_default_run_kills_units_that_peak_then_settle():
    m = dying()
    assert m["dead_units_initial"] < m["dead_units_final"] < m["dead_units_peak"]
    assert 0 < m["peak_epoch"] < m["settled_epoch"] < 300 and m["dead_by_layer_final"][0] > 0
    assert m["final_loss"] < 0.02 and not m["diverged"]
    assert m["inactive_fraction_final"] == m["dead_fraction_final"]  # for ReLU the two coincide


@pytest.mark.parametrize("first", [0, 10])
def test_relu_units_die_in_every_seed_and_first_layer_units_never_come_back(first):
    m = seeds(seed=first)
    assert m["seeds_diverged"] == 0 and m["seeds_with_deaths"] == m["seeds_run"] == 10
    assert m["seeds_dead_rose"] >= 7 and m["seeds_first_layer_dead"] >= 5
    assert m["came_back_first_layer"] == 0  # fixed inputs and exactly zero gradient: impossible
    assert m["came_back_deeper"] > 0  # second-layer units revive as the first layer changes


def test_with_zero_biases_no_first_layer_unit_is_dead_before_training():
    p = ex.DyingParams()
    X, _, _ = units.load("sine")
    dead, _, _ = units.unit_states(units.make_net("relu", p, 1, list(range(20))), X)
    assert not dead[0].any() and dead[1].any(axis=1).sum() >= 15


@pytest.mark.parametrize("seed", FIVE)
def test_a_negative_initial_bias_kills_most_relu_units_before_training(seed):
    assert dying(bias_init=-1.0, seed=seed)["dead_units_initial"] > 32
    assert dying(bias_init=-1.0, seed=seed, activation="leaky_relu")["dead_units_initial"] == 0


# ---------------------------------------------------------------------------- the remedies


def test_leaky_and_prelu_never_end_with_dead_units():
    for act in ("leaky_relu", "prelu"):
        assert seeds(activation=act, n_seeds=20)["seeds_dead_at_end"] == 0
    assert seeds(activation="prelu", n_seeds=20)["seeds_diverged"] > 0  # "but some of those runs blow up"


def test_inactive_leaky_units_seldom_come_back_in_the_first_layer_and_as_often_as_relu_deeper():
    m = seeds(activation="leaky_relu", n_seeds=20)
    assert m["seeds_first_layer_back"] <= 0.2 * m["seeds_run"]
    leaky, relu = seeds(activation="leaky_relu")["came_back_deeper"], seeds()["came_back_deeper"]
    assert 0.75 < leaky / relu < 1.33  # "about as often"


@pytest.mark.parametrize("first", [0, 20])
def test_elu_needs_a_smaller_rate(first):
    assert seeds(activation="elu", seed=first)["seeds_diverged"] >= 9
    m = seeds(activation="elu", lr=0.05, seed=first, n_seeds=20)
    assert m["seeds_diverged"] == 0 and m["seeds_dead_at_end"] == 0


@pytest.mark.parametrize("seed", FIVE)
def test_elu_blows_up_at_the_default_rate_and_trains_at_the_smaller_one(seed):
    assert dying(activation="elu", seed=seed)["diverged"] is True
    m = dying(activation="elu", lr=0.05, seed=seed)
    assert not m["diverged"] and m["final_loss"] < 0.02 and m["dead_units_final"] == 0


def test_relu_at_the_smaller_rate_keeps_dead_units_without_adding_to_them():
    m = seeds(lr=0.05)
    assert m["seeds_dead_at_end"] > 0 and m["seeds_dead_rose"] <= 1


@pytest.mark.parametrize("seed", FIVE)
def test_softplus_fits_more_slowly_than_relu_here(seed):
    assert dying(activation="softplus", seed=seed)["final_loss"] > 2 * dying(seed=seed)["final_loss"]


@pytest.mark.parametrize("seed", FIVE)
def test_zero_slopes_are_relu(seed):
    r = dying(seed=seed)
    for kw in ({"activation": "leaky_relu", "alpha": 0.0}, {"activation": "elu", "elu_alpha": 0.0}):
        m = dying(seed=seed, **kw)
        assert m["dead_units_final"] == r["dead_units_final"]
        assert m["final_loss"] == pytest.approx(r["final_loss"], rel=1e-9)


@pytest.mark.parametrize("first", [0, 10])
def test_a_ten_times_smaller_rate_hardly_adds_dead_units_yet_some_still_die(first):
    m = seeds(lr=0.03, epochs=1000, seed=first)
    assert m["seeds_dead_rose"] == 0 and m["max_rise"] <= 1 and m["seeds_with_deaths"] > 0


# ---------------------------------------------------------------------------- the sweep


@pytest.mark.parametrize("first", [0, 5, 10, 15, 20])
def test_relu_loses_more_units_at_the_largest_rates_and_leaky_and_elu_none(first):
    m = sweep(seed=first)
    relu = np.asarray(m["dead_fraction_by_activation"]["relu"], dtype=float)
    assert relu[-1] > relu[0] + 0.1 and abs(relu[3] - relu[0]) < 0.05  # flat over the small rates, then up
    assert sum(m["runs_with_dead_units"]["leaky_relu"]) == 0 and sum(m["runs_with_dead_units"]["elu"]) == 0
    assert m["diverged_runs_by_activation"]["elu"][-1] >= 4 and not m["diverged"][0]


def test_the_sweep_to_one():
    m = sweep(lr_max=1.0)
    assert m["dead_fraction_by_activation"]["relu"][-1] > 0.5
    assert sum(m["runs_with_dead_units"]["leaky_relu"]) == 0 and m["diverged_runs_by_activation"]["leaky_relu"][-1] > 0
    assert m["runs_with_dead_units"]["softplus"][-1] > 0
    assert sweep(seed=10)["runs_with_dead_units"]["softplus"][-1] > 0


# ---------------------------------------------------------------------------- the one-unit example


def test_the_one_unit_try_links():
    assert one.one_unit(one.OneUnitParams(lr=1.0)).metrics["loss_after_first_step"] == pytest.approx(0, abs=1e-15)
    m = one.one_unit(one.OneUnitParams(lr=1.5)).metrics
    assert m["b_after"] > m["threshold_after"] and not m["dead_at_end"]  # "above the edge", recovers
    default = one.one_unit(one.OneUnitParams()).metrics["kill_rate"]
    assert one.one_unit(one.OneUnitParams(b0=6.0)).metrics["kill_rate"] < default  # a larger error kills sooner


# ---------------------------------------------------------------------------- the page's words


def _answer(client, lang: str) -> str:
    page = client.get(f"/exercises/4-3?lang={lang}").text
    return page[page.index('<section class="answer"'):page.index('<section class="experiment"')]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_names_no_figure_key_and_uses_the_books_terms(client, lang):
    answer = _answer(client, lang)
    prose = re.sub(r"<[^>]+>", " ", answer)
    for name in ("one-unit", "dying", "seeds", "lr-sweep"):
        exp = ex.EXERCISE.experiment(name)
        figures = exp.drawn(exp.params(epochs=2) if name != "one-unit" else exp.params(), lang).figures
        assert figures
        for key in figures:
            assert "_" not in key or key not in prose, key
    if lang == "zh":
        assert "预激活" not in answer and "净输入" in answer and "死亡ReLU问题" in answer
        assert "举例" in ex.EXERCISE.question["zh"] and ex.EXERCISE.title["zh"] == "死亡ReLU问题"
    else:
        assert "pre-activation" not in answer and "net input" in answer and "example" in ex.EXERCISE.question["en"]


# Numbers the prose may type: parameter values of the links and settings it describes, and constants.
TYPED = {"0", "1", "2", "3", "6", "0.01", "0.03", "0.05", "0.1", "0.3", "1.5", "2.5", "32", "60", "100", "300",
         "745", "1000", "10", "20"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_other_number_in_the_prose_is_quoted(client, lang):
    answer = _answer(client, lang)
    answer = re.sub(r'<span class="quote".*?</span>', " ", answer)
    answer = re.sub(r'<span class="katex.*?</annotation></semantics></math></span>|<math.*?</math>', " ", answer,
                    flags=re.S)
    prose = html.unescape(re.sub(r"<[^>]+>", " ", answer))
    numbers = set(re.findall(r"\d+(?:\.\d+)?", prose.replace("sin(πx)", "")))
    assert numbers <= TYPED, numbers - TYPED
