""""Open in the playground": every link an exercise page shows is followed (through the API) and the
playground reproduces the exercise's key metric there.

4-2: the share of seeds that solve XOR (100 seeds: the same to within 2 seeds — the same weights, summed in
another order, for 5000 steps) and one network's final loss (relative 1e-6); 4-9: the first/last gradient
norm ratio at the first step (relative 1e-6), on both data sets and for three activations; 4-8 (full batch
on circles): the distinct hidden units (1 from zeros or a constant), the accuracy and the loss, exactly;
4-3 dying and 4-7 bias-regularization travel as the reader's points at 0.01: on those points the playground
computes what the exercise computes (the dead units exactly; the learned biases to 1e-9), and against the
exercise's own points the dead units are within 2 of 64 and the biases within 0.005 (the neuron: a shift of
at most 0.005 in x and y) or 0.02 (the network, measured up to 0.007). Every other experiment has no link,
and its page shows none.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import numpy as np
import pytest

from app.exercises import ex4_3_dying_relu, ex4_7_bias_regularization
from app.exercises.ex4_3_units import load as dying_data
from app.exercises.ex4_7_fits import make_data
from app.exercises.ex4_8_zero_init import N_SAMPLES, count_distinct
from app.exercises.ex4_8_zero_init import load as zero_init_data
from app.exercises.playground.experiment import TRAIN
from app.exercises.playground.links import ZERO_INIT_POINTS, playground_link, playground_query
from app.exercises.playground.params import PlaygroundParams
from app.exercises.playground.run import data_split
from app.exercises.registry import EXERCISES

API = "/api/playground/train"


def _settings(link: str) -> dict[str, str]:
    """Return a link's train.* settings (an empty value, such as layers= for no hidden layer, kept)."""
    url = urlparse(link)
    assert url.path == "/playground" and url.fragment == "exp-train"
    pairs = parse_qsl(url.query, keep_blank_values=True)
    query = {k[len("train."):]: v for k, v in pairs}
    assert len(query) == len(pairs) and all(k for k in query)
    return query


def _follow(client, link: str, **changes: str) -> dict:
    """Follow a link to the playground page through the API: its train.* settings as the query (with
    `changes`, as a reader's click would make them). The result's data hold the first network's weights
    and biases at its recorded epochs, the last being the end of training."""
    r = client.get(API, params={**_settings(link), **changes})
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
    assert {("4-2", "train"), ("4-2", "seeds"), ("4-3", "dying")} <= mapped
    assert playground_query("4-9", "vanishing", EXERCISES["4-9"].experiment("vanishing").params(depth=6)) is not None
    largest = [("4-3", "dying", {"depth": 4, "epochs": 3000}),  # the exercises' largest runs that map
               ("4-7", "bias-regularization", {"model": "network", "width": 32, "epochs": 5000, "offset": 1,
                                               "n_train": 200, "noise": 0.1, "lam": 1.0}),
               ("4-8", "initialization", {"width": 32, "epochs": 2000, "batch_size": 256, "init": "he"})]
    for exercise, experiment, extra in largest:
        query = playground_query(exercise, experiment, EXERCISES[exercise].experiment(experiment).params(**extra))
        TRAIN.check_budget(TRAIN.params.model_validate(query))
    # over the playground's budget (GELU's erf is slow): no link rather than a link to a refusal
    dying = EXERCISES["4-3"].experiment("dying").params
    assert playground_query("4-3", "dying", dying(depth=4, epochs=3000, activation="gelu")) is None
    assert playground_query("4-3", "dying", dying(depth=4, epochs=1000, activation="gelu")) is not None


def test_the_honest_nones():
    xor = EXERCISES["4-2"].experiment("train").params
    assert playground_link("4-2", "train", xor()) is None  # mse on the raw output: not the playground's mse
    assert playground_link("4-2", "train", xor(loss="bce", epochs=6000)) is None
    v = EXERCISES["4-9"].experiment("vanishing").params
    assert playground_link("4-9", "vanishing", v()) is None  # 10 hidden layers: the playground has 6
    assert playground_link("4-9", "vanishing", v(depth=4, dataset="moons")) is None
    dying = EXERCISES["4-3"].experiment("dying").params
    assert playground_link("4-3", "dying", dying(width=64)) is None  # the playground's layers stop at 32
    assert playground_link("4-3", "dying", dying(bias_init=-1.0)) is None  # its biases start at 0 or small
    assert playground_link("4-3", "dying", dying(activation="elu", elu_alpha=0.0)) is None  # its ELU α ≥ 0.01
    assert playground_link("4-3", "dying", dying(activation="relu", elu_alpha=0.0)) is not None  # ELU's α unused
    for name in ("one-unit", "lr-sweep", "seeds"):
        assert playground_link("4-3", name, EXERCISES["4-3"].experiment(name).params()) is None
    fit = EXERCISES["4-7"].experiment("bias-regularization").params
    assert playground_link("4-7", "bias-regularization", fit()) is None  # offset 5: targets beyond the code's 6
    assert (make_data(fit())[1] + fit().offset).max() > 6.0
    assert playground_link("4-7", "bias-regularization", fit(offset=2.0)) is not None
    assert playground_link("4-7", "bias-regularization", fit(offset=2.0, lam=2.0)) is None  # L2 stops at λ = 1
    assert playground_link("4-7", "bias-regularization", fit(offset=2.0, n_train=201)) is None  # 200 points
    assert playground_link("4-7", "bias-regularization", fit(offset=2.0, model="network", epochs=6000)) is None
    for name in ("offset-sweep", "seeds"):
        assert playground_link("4-7", name, EXERCISES["4-7"].experiment(name).params()) is None
    zero = EXERCISES["4-8"].experiment("initialization").params
    assert playground_link("4-8", "initialization", zero()) is None  # batches of 16: another batch order
    assert playground_link("4-8", "initialization", zero(batch_size=255)) is None
    for dataset in ("moons", "xor"):
        assert playground_link("4-8", "initialization", zero(batch_size=256, dataset=dataset)) is None
    assert playground_link("4-8", "initialization", zero(batch_size=256, width=64)) is None
    assert playground_link("4-8", "initialization", zero(batch_size=256, lr=12.0)) is None
    assert playground_link("4-8", "initialization", zero(batch_size=256, init="constant", constant=-0.5)) is None
    assert playground_link("4-8", "initialization", zero(batch_size=256, constant=-0.5)) is not None  # zeros
    assert playground_link("4-8", "compare", EXERCISES["4-8"].experiment("compare").params(batch_size=256)) is None


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


def test_the_zero_init_data_are_the_playgrounds_circles():
    p = PlaygroundParams.model_validate(playground_query(
        "4-8", "initialization", EXERCISES["4-8"].experiment("initialization").params(batch_size=256)))
    X, Y = zero_init_data("circles")
    d = data_split(p)
    assert ZERO_INIT_POINTS == N_SAMPLES and np.array_equal(d.X, X) and np.array_equal(d.Y, Y)


@pytest.mark.parametrize(("init", "activation"), [("zeros", "sigmoid"), ("zeros", "relu"), ("constant", "tanh"),
                                                  ("constant", "relu"), ("normal", "sigmoid"), ("he", "relu")])
def test_the_zero_init_link_reproduces_the_network(client, init, activation):
    p = {"init": init, "activation": activation, "batch_size": 256, "epochs": 200}
    link = playground_link("4-8", "initialization", EXERCISES["4-8"].experiment("initialization").params(**p))
    body, want = _follow(client, link), _exercise(client, "4-8", "initialization", **p)["metrics"]
    got, data = body["metrics"], body["data"]
    # the first layer's units at the end (w1, w2, b), as 4-8 counts them
    units = np.column_stack([np.asarray(data["weights"][0][-1]).T, data["biases"][0][-1]])
    assert count_distinct(units) == want["distinct_hidden_units_final"] == (1 if init in ("zeros", "constant") else 8)
    assert got["train_accuracy"] == want["accuracy"]  # the same network to the last bit
    assert got["train_loss"] == want["final_loss"]


def _dying_on(X: np.ndarray, Y: np.ndarray, loss: str, p, monkeypatch) -> dict:
    """Run 4-3's own dying experiment on the points X, Y in place of its data; its metrics."""
    monkeypatch.setattr(ex4_3_dying_relu, "load", lambda dataset: (X, Y, loss))
    return EXERCISES["4-3"].experiment("dying").run(p).metrics


@pytest.mark.parametrize(("dataset", "activation", "seed"), [("sine", "relu", 0), ("sine", "relu", 2),
                                                            ("moons", "relu", 0), ("moons", "relu", 1),
                                                            ("sine", "leaky_relu", 0), ("moons", "elu", 1)])
def test_the_dying_link_reproduces_the_dead_units(client, monkeypatch, dataset, activation, seed):
    p = {"dataset": dataset, "activation": activation, "seed": seed}
    params = EXERCISES["4-3"].experiment("dying").params(**p)
    link = playground_link("4-3", "dying", params)
    got, want = _follow(client, link)["metrics"], _exercise(client, "4-3", "dying", **p)["metrics"]
    # The link's points are 4-3's, rounded to 0.01, in 4-3's order; on them 4-3 computes what the playground does.
    X, Y, loss = dying_data(dataset)
    d = data_split(PlaygroundParams.model_validate(_settings(link)))
    assert np.abs(d.X - X).max() <= 0.005 + 1e-12 and np.abs(d.Y - Y).max() <= 0.005 + 1e-12
    rounded = _dying_on(d.X, d.Y, loss, params, monkeypatch)
    assert got["dead_units_by_layer"] == rounded["dead_by_layer_final"]
    assert got["train_loss"] == pytest.approx(rounded["final_loss"], rel=1e-9)
    # Against 4-3's own points: a unit on the edge of dying may tip (measured: at most 2 of 64).
    assert all(abs(a - b) <= 2 for a, b in zip(got["dead_units_by_layer"], want["dead_by_layer_final"], strict=True))
    assert abs(sum(got["dead_units_by_layer"]) - want["dead_units_final"]) <= 2
    if activation != "relu":  # a gradient gets through the remedies' negative side: none dies, in either
        assert got["dead_units_by_layer"] == want["dead_by_layer_final"] == [0, 0]


def _biases_on(x: np.ndarray, y: np.ndarray, p, monkeypatch) -> dict:
    """Run 4-7's own bias-regularization experiment on the points (x, y) (y with the offset); its metrics."""
    monkeypatch.setattr(ex4_7_bias_regularization, "make_data", lambda params: (x, y - params.offset))
    return EXERCISES["4-7"].experiment("bias-regularization").run(p).metrics


@pytest.mark.parametrize(("model", "target", "offset", "lam", "seed", "tol"), [
    ("neuron", "line", 2.0, 0.1, 0, 0.005), ("neuron", "sine", 4.0, 1.0, 1, 0.005),
    ("neuron", "line", -1.5, 0.5, 3, 0.005), ("network", "sine", 4.0, 0.1, 0, 0.02),
    ("network", "sine", -3.5, 0.1, 0, 0.02)])
def test_the_bias_fit_link_reproduces_the_biases(client, monkeypatch, model, target, offset, lam, seed, tol):
    p = {"model": model, "target": target, "offset": offset, "lam": lam, "seed": seed}
    params = EXERCISES["4-7"].experiment("bias-regularization").params(**p)
    link = playground_link("4-7", "bias-regularization", params)
    assert "train.l2_biases=true" in link  # the link opens the fit with the bias penalised
    api, want = _follow(client, link)["metrics"], _exercise(client, "4-7", "bias-regularization", **p)["metrics"]
    fits = {k: _follow(client, link, l2_biases=b) for k, b in (("weights_and_biases", "true"),
                                                                ("weights_only", "false"))}
    assert api["train_loss"] == fits["weights_and_biases"]["metrics"]["train_loss"]
    bias = {k: float(f["data"]["biases"][-1][-1][0]) for k, f in fits.items()}  # the output unit's, at the end
    # On the link's points (4-7's, rounded to 0.01) 4-7 itself learns the same biases: the neuron by its
    # closed form (the playground's gradient descent lands on it), the network by the same Adam steps.
    d = data_split(PlaygroundParams.model_validate(_settings(link)))
    x, y0 = make_data(params)
    assert np.abs(d.X - x).max() <= 0.005 + 1e-12 and np.abs(d.Y - (y0 + offset)).max() <= 0.005 + 1e-12
    rounded = _biases_on(d.X, d.Y, params, monkeypatch)
    for k, b in bias.items():
        assert b == pytest.approx(rounded[f"output_bias_{k}"], abs=1e-9)
        assert b == pytest.approx(want[f"output_bias_{k}"], abs=tol)  # 4-7's own points
    # The key metric: how far penalising the bias pulls it (the neuron: offset·λ/(1+λ) when x̄ ≈ 0).
    pulled = bias["weights_only"] - bias["weights_and_biases"]
    assert pulled == pytest.approx(want["output_bias_weights_only"] - want["output_bias_weights_and_biases"],
                                   abs=2 * tol)
    if model == "neuron":
        assert abs(pulled) > 0.05 and np.sign(pulled) == np.sign(offset)


def test_the_exercise_page_shows_the_link_only_where_it_exists(client):
    page = client.get("/exercises/4-2", params={"lang": "en", "seeds.loss": "bce"}).text
    links = page.split('class="open-playground"')[1:]
    assert len(links) == 1 and "Open this setting in the playground" in links[0]
    assert "train.points=" in links[0] and "train.n_seeds=100" in links[0]
    assert 'class="open-playground"' not in client.get("/exercises/4-8", params={"lang": "en"}).text
    full = client.get("/exercises/4-8", params={"lang": "en", "initialization.batch_size": "256"}).text
    links = full.split('class="open-playground"')[1:]
    assert len(links) == 1 and "train.n_points=256" in links[0] and "train.init=zeros" in links[0]
    zh = client.get("/exercises/4-9", params={"lang": "zh", "vanishing.depth": "4"}).text
    assert "在游乐场中打开这一设置" in zh
