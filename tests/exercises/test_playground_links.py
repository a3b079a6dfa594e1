""""Open in the playground": every link an exercise page shows is followed (through the API) and the
playground reproduces the exercise's key metric there.

4-2: the share of seeds that solve XOR (100 seeds: the same to within 2 seeds — the same weights, summed in
another order, for 5000 steps) and one network's final loss (relative 1e-6); 4-9: the first/last gradient
norm ratio at the first step (relative 1e-6), on both data sets and for three activations. Every other
experiment has no link, and its page shows none.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import pytest

from app.exercises.playground.experiment import TRAIN
from app.exercises.playground.links import playground_link, playground_query
from app.exercises.registry import EXERCISES

API = "/api/playground/train"


def _follow(client, link: str) -> dict:
    """Follow a link to the playground page through the API: its train.* settings as the query."""
    url = urlparse(link)
    assert url.path == "/playground" and url.fragment == "exp-train"
    query = {k[len("train."):]: v for k, v in parse_qsl(url.query, keep_blank_values=True)}
    assert len(query) == len(parse_qsl(url.query)) and all(k for k in query)
    r = client.get(API, params=query)
    assert r.status_code == 200, r.text[:400]
    return r.json()


def _exercise(client, exercise: str, experiment: str, **params) -> dict:
    r = client.get(f"/api/exercises/{exercise}/{experiment}", params=params)
    assert r.status_code == 200, r.text[:400]
    return r.json()


def test_every_experiment_either_maps_to_settings_within_budget_or_to_none():
    mapped = set()
    for ex in EXERCISES.values():
        for exp in ex.experiments:
            for extra in ({}, {"loss": "bce"}):
                try:
                    params = exp.params(**extra)
                except Exception:  # noqa: BLE001 (an experiment without that field)
                    continue
                query = playground_query(ex.id, exp.name, params)
                if query is not None:
                    TRAIN.check_budget(TRAIN.params.model_validate(query))
                    mapped.add((ex.id, exp.name))
    assert {("4-2", "train"), ("4-2", "seeds")} <= mapped
    assert playground_query("4-9", "vanishing", EXERCISES["4-9"].experiment("vanishing").params(depth=6)) is not None


def test_the_honest_nones():
    xor = EXERCISES["4-2"].experiment("train").params
    assert playground_link("4-2", "train", xor()) is None  # mse on the raw output: not the playground's mse
    assert playground_link("4-2", "train", xor(loss="bce", epochs=6000)) is None
    v = EXERCISES["4-9"].experiment("vanishing").params
    assert playground_link("4-9", "vanishing", v()) is None  # 10 hidden layers: the playground has 6
    assert playground_link("4-9", "vanishing", v(depth=4, dataset="moons")) is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_xor_link_reproduces_one_network(client, seed):
    p = {"loss": "bce", "seed": seed, "epochs": 2000}
    link = playground_link("4-2", "train", EXERCISES["4-2"].experiment("train").params(**p))
    got, want = _follow(client, link), _exercise(client, "4-2", "train", **p)
    assert got["metrics"]["train_loss"] == pytest.approx(want["metrics"]["final_loss"], rel=1e-6)
    assert (got["metrics"]["train_accuracy"] == 1.0) == want["metrics"]["solves_xor"]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_the_xor_seeds_link_reproduces_the_success_rate(client, activation):
    p = {"loss": "bce", "activation": activation, "n_seeds": 100}
    link = playground_link("4-2", "seeds", EXERCISES["4-2"].experiment("seeds").params(**p))
    got, want = _follow(client, link), _exercise(client, "4-2", "seeds", **p)
    assert got["metrics"]["networks"] == 100
    assert got["metrics"]["success_rate"] == pytest.approx(want["metrics"]["success_rate"], abs=0.02)


@pytest.mark.parametrize("dataset", ["circles", "spiral"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_the_vanishing_link_reproduces_the_gradient_ratio(client, dataset, activation):
    p = {"depth": 5, "dataset": dataset, "activation": activation, "epochs": 50, "seed": 3}
    link = playground_link("4-9", "vanishing", EXERCISES["4-9"].experiment("vanishing").params(**p))
    got, want = _follow(client, link), _exercise(client, "4-9", "vanishing", **p)
    assert got["metrics"]["grad_ratio_first_to_last"] == pytest.approx(
        want["metrics"]["grad_ratio_first_to_last"], rel=1e-6)


def test_the_exercise_page_shows_the_link_only_where_it_exists(client):
    page = client.get("/exercises/4-2", params={"lang": "en", "seeds.loss": "bce"}).text
    links = page.split('class="open-playground"')[1:]
    assert len(links) == 1 and "Open this setting in the playground" in links[0]
    assert "train.points=" in links[0] and "train.n_seeds=100" in links[0]
    assert 'class="open-playground"' not in client.get("/exercises/4-8", params={"lang": "en"}).text
    zh = client.get("/exercises/4-9", params={"lang": "zh", "vanishing.depth": "4"}).text
    assert "在游乐场中打开这一设置" in zh
