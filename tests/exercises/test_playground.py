"""The playground's computation checked against first principles, over several seeds each.

A linear activation gives a linear boundary whatever the depth; zero initialisation keeps the units of a
layer identical; no hidden layer cannot separate XOR, a feature x₁x₂ or one hidden layer of 8 ReLU units
can; a deep sigmoid stack's gradient norm falls toward the input; an ensemble member trains exactly as
its solo run. Plus the params model's refusals, the budget, and what a diverging run reports.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from pydantic import ValidationError

from app.exercises.base import TooCostly
from app.exercises.playground.custom import encode_points
from app.exercises.playground.data import CUSTOM, features, make_data, split
from app.exercises.playground.experiment import PLAYGROUND, PLAYGROUNDS, TRAIN
from app.exercises.playground.params import PlaygroundParams as P
from app.exercises.playground.params import parse_layers
from app.exercises.playground.run import TRAJECTORY_FLOATS, build_network, quantiles, train_playground
from app.exercises.registry import EXERCISES
from app.figures.playground import draw as draw_all
from app.figures.playground import histogram
from app.figures.playground_units import unit
from app.results import encode
from tests.exercises.replay_checks import decode
from tests.exercises.test_playground_custom import xor_points

SEEDS = range(5)


def run(**kw):
    return train_playground(P(**kw))


# ---------------------------------------------------------------------------- the params model


def test_the_playground_is_its_own_registry_not_one_of_the_nine():
    assert "playground" not in EXERCISES and PLAYGROUNDS["playground"] is PLAYGROUND
    assert PLAYGROUND.experiment("train") is TRAIN


@pytest.mark.parametrize(("raw", "widths", "canonical"), [("4,4", (4, 4), "4,4"), (" 8 , 2 ", (8, 2), "8,2"),
                                                          ("", (), ""), ("32", (32,), "32"), ("1,1,1,1,1,1", (1,) * 6,
                                                                                             "1,1,1,1,1,1")])
def test_layers_parse_to_widths_and_are_kept_canonical(raw, widths, canonical):
    p = P(layers=raw)
    assert p.widths() == widths and p.layers == canonical and p.sizes() == (2, *widths, 1)


@pytest.mark.parametrize("raw", ["4,x", "0", "33", "4,,4", "1,1,1,1,1,1,1", "-2", "4.5", "²", "٣", "1e3"])
def test_bad_layers_are_refused_naming_the_field(raw):
    with pytest.raises(ValidationError) as e:
        P(layers=raw)
    assert [err["loc"] for err in e.value.errors()] == [("layers",)]
    with pytest.raises(ValueError):
        parse_layers(raw)


def test_features_loss_and_their_refusals():
    assert P(features="x1x2, x1").feature_names() == ("x1", "x1x2")  # canonical order
    assert P(dataset="sine", features="x1,x2,sinx1").feature_names() == ("x1", "sinx1")  # a curve has no x₂
    for kw, field in [({"features": "x3"}, "features"), ({"features": ""}, "features"),
                      ({"dataset": "sine", "features": "x2,x2sq"}, "features"),
                      ({"dataset": "step", "loss": "bce"}, "loss")]:
        with pytest.raises(ValidationError) as e:
            P(**kw)
        assert [err["loc"] for err in e.value.errors()] == [(field,)], kw
    assert P().loss_name() == "bce" and P().output() == "linear"
    assert P(loss="mse").output() == "sigmoid" and P(dataset="abs").loss_name() == "mse"


def test_every_dataset_and_feature_computes():
    for ds in ("xor", "circles", "moons", "spiral", "gaussians", "checkerboard"):
        X, Y = make_data(ds, 100, 0.1, 3)
        assert X.shape == (100, 2) and set(np.unique(Y)) == {0.0, 1.0} and np.isfinite(X).all()
        assert np.abs(X).max() < 2.0
    for ds in ("sine", "step", "abs", "cubic"):
        X, Y = make_data(ds, 50, 0.0, 3)
        assert X.shape == (50, 1) and np.abs(X).max() <= 1.0
    d = split("circles", 100, 0.1, 0, 0.3)
    assert len(d.X_train) == 70 and len(d.X_test) == 30
    F = features(np.array([[0.5, -2.0]]), ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"))
    assert np.allclose(F, [[0.5, -2.0, 0.25, 4.0, -1.0, 1.0, 0.0]], atol=1e-12)


def test_a_run_is_deterministic_and_its_result_is_strict_json():
    p = P(epochs=30, n_seeds=3, batch_size=16)
    a, b = encode(PLAYGROUND, TRAIN, p), encode(PLAYGROUND, TRAIN, p)
    assert a == b
    for lang in ("en", "zh"):
        body = json.loads(gzip.decompress(a[lang]), parse_constant=pytest.fail)
        assert set(body["figures"]) == {"surface", "neurons", "unit", "loss", "gradients", "dead_units", "seeds",
                                        "histogram"}
        for name, fig in body["figures"].items():
            assert fig["layout"]["meta"]["summary"], name
            assert all(t["type"] in ("scatter", "heatmap", "contour", "bar") for t in fig["data"])


# ---------------------------------------------------------------------------- first principles


@pytest.mark.parametrize("layers", ["", "8", "8,8,8"])
def test_a_linear_activation_gives_a_linear_boundary_whatever_the_depth(layers):
    for s in SEEDS:
        r = run(activation="linear", layers=layers, seed=s, data_seed=s, epochs=50)
        gx, gy, Z = r.views["gx"], r.views["gy"], r.views["logits"]  # (F, n, n): the logit over the plane
        xx, yy = np.meshgrid(gx, gy)
        A = np.column_stack([np.ones(xx.size), xx.ravel(), yy.ravel()])
        for z in Z:
            coef, *_ = np.linalg.lstsq(A, z.ravel(), rcond=None)
            assert np.allclose(A @ coef, z.ravel(), rtol=1e-9, atol=1e-9 * (1 + np.abs(z).max()))


@pytest.mark.parametrize(("activation", "optimizer", "batch"), [("sigmoid", "adam", 1000), ("tanh", "sgd", 16),
                                                                ("sigmoid", "momentum", 32)])
def test_zero_initialisation_keeps_every_unit_of_a_layer_identical(activation, optimizer, batch):
    for s in SEEDS:
        r = run(init="zeros", activation=activation, optimizer=optimizer, batch_size=batch, layers="4,3",
                seed=s, data_seed=s, epochs=40, lr=0.1)
        W, b = r.views["W"], r.views["b"]
        for layer in range(len(W) - 1):  # each hidden layer: its units' incoming weights and biases agree
            assert np.array_equal(W[layer], np.repeat(W[layer][:, :1], W[layer].shape[1], axis=1))
            assert np.all(b[layer] == b[layer][0])
            tiles = r.views["thumbs"][layer + 1]
            assert np.array_equal(tiles, np.broadcast_to(tiles[:1], tiles.shape))
        if activation == "sigmoid":  # not trivially: the weights into and out of the layers did move
            assert np.abs(W[0]).max() > 0 and np.abs(W[-1]).max() > 0


def test_the_zero_initialisation_link_shows_identical_units_that_moved():
    for s in SEEDS:
        r = run(init="zeros", activation="sigmoid", seed=s, data_seed=s)  # the page's try-this link
        for tiles in r.views["thumbs"][1:-1]:
            assert np.array_equal(tiles, np.broadcast_to(tiles[:1], tiles.shape))
        assert np.abs(r.views["W"][0]).max() > 0


def test_no_hidden_layer_cannot_separate_xor_but_the_feature_x1x2_can():
    for s in SEEDS:
        plain = run(dataset="xor", layers="", seed=s, data_seed=s, epochs=500)
        assert plain.metrics["train_accuracy"] < 0.8 and plain.metrics["test_accuracy"] < 0.8
        for names in ("x1,x2,x1x2", "x1x2"):  # the page's link, and the feature's help: x1x2 alone
            product = run(dataset="xor", layers="", features=names, seed=s, data_seed=s)
            assert product.metrics["test_accuracy"] >= 0.9, (s, names)


def test_one_hidden_layer_of_eight_relu_units_solves_xor_for_most_seeds():
    for s in SEEDS:
        r = run(dataset="xor", layers="8", activation="relu", n_seeds=10, seed=10 * s, data_seed=s)
        assert r.metrics["success_rate"] >= 0.6, s
    link = run(dataset="xor", layers="8", activation="relu", n_seeds=20)  # the page's try-this link
    assert link.metrics["success_rate"] > 0.5


def test_a_deep_sigmoid_stack_shows_the_gradient_norm_falling_toward_the_input():
    for s in SEEDS:
        r = run(activation="sigmoid", layers="8,8,8,8,8,8", seed=s, data_seed=s)
        g = r.data["grad_norms"][:, 0]  # at the first step, layer 1 … output
        assert np.all(np.diff(g[:-1]) > 0), g  # every hidden layer gets less than the one above it
        assert r.metrics["grad_ratio_first_to_last"] < 0.01


@pytest.mark.parametrize("kw", [
    {"n_seeds": 3, "batch_size": 16, "optimizer": "adam", "bias_init": "small", "l2": 1e-3},
    {"n_seeds": 8, "optimizer": "momentum", "activation": "relu", "init": "he"},  # member-minor layout
    {"n_seeds": 3, "activation": "prelu", "dataset": "sine", "batch_size": 8, "l2": 1e-2, "l2_biases": True},
])
def test_an_ensemble_member_equals_its_solo_run(kw):
    ens = run(seed=5, epochs=60, **kw)
    for i in range(kw["n_seeds"]):
        solo = run(seed=5 + i, epochs=60, **{**kw, "n_seeds": 1})
        for key in ("train_loss_by_seed", "test_loss_by_seed"):
            np.testing.assert_allclose(ens.data[key][i], solo.data[key][0], rtol=1e-10, atol=0)
        if i == 0:
            for a, b in zip(ens.views["W"], solo.views["W"], strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_build_network_draws_member_i_as_the_network_of_seed_plus_i():
    p = P(n_seeds=4, seed=7, bias_init="small", init="normal", init_scale=0.5)
    ens = build_network(p, p.seeds())
    for i in range(4):
        solo = build_network(P(seed=7 + i, bias_init="small", init="normal", init_scale=0.5), [7 + i])
        for a, b in zip(ens.params(), solo.params(), strict=True):
            assert np.array_equal(a[i], b[0])


@pytest.mark.parametrize("kw", [{"layers": "3,2", "bias_init": "small"}, {"layers": "32,32,32", "epochs": 20}])
def test_the_weight_trajectories_run_from_the_initial_to_the_final_weights(kw):
    p = P(seed=3, **kw)
    r = train_playground(p)
    d = r.data
    assert d["weight_epoch"][0] == 0 and d["weight_epoch"][-1] == p.epochs
    per_network = sum(w.size + b.size for w, b in zip(r.views["W"], r.views["b"], strict=True))
    sent = sum(w.size + b.size for w, b in zip(d["weights"], d["biases"], strict=True))
    assert sent <= max(TRAJECTORY_FLOATS, 2 * per_network)  # the first and the last epoch at least
    start = build_network(p, [3])
    for layer, (w, b) in enumerate(zip(d["weights"], d["biases"], strict=True)):
        np.testing.assert_array_equal(w[0], start.W[layer][0])
        np.testing.assert_array_equal(b[0], start.b[layer][0, 0])
        np.testing.assert_allclose(w[-1], r.views["W"][layer], rtol=1e-12, atol=0)
        np.testing.assert_allclose(b[-1], r.views["b"][layer], rtol=1e-12, atol=0)
    fig = unit(r, p, "en", layer=1, j=1)  # the second unit of the second layer
    np.testing.assert_array_equal(decode(fig["data"][0]["y"]), d["weights"][1][:, 0, 1])
    np.testing.assert_array_equal(decode(fig["data"][-1]["y"]), d["biases"][1][:, 1])


def test_the_neuron_map_replays_the_units_at_some_of_the_surfaces_epochs():
    p = P(layers="4,3", epochs=80)
    r = train_playground(p)
    fig = draw_all(r, p, "en")["neurons"]
    names = [int(f["name"]) for f in fig["frames"]]
    assert names[-1] == 80 and names[0] == 0 and set(names) <= set(r.data["replay_epoch"].tolist())
    last = fig["frames"][-1]
    for i, trace in zip(last["traces"], last["data"], strict=True):
        assert trace == fig["data"][i]  # the figure shows the end, as its last frame
    first = fig["frames"][0]["data"]
    assert first[-1]["x"] == {"dtype": "f4", "bdata": ""}  # dead units are crossed out at the end only
    assert first != last["data"]  # the units changed
    big = P(layers="32,32,32,32,32,32", epochs=5, n_points=100)
    assert "frames" not in draw_all(train_playground(big), big, "en")["neurons"]  # too large to replay: the end


def test_the_seed_chart_says_how_each_seed_fails():
    p = P(n_seeds=12, dataset="xor", layers="2", activation="relu", init="normal", init_scale=2.0, epochs=60)
    r = train_playground(p)
    fig = draw_all(r, p, "en")["seeds"]
    dead = np.asarray(r.data["dead_units_by_seed"])
    assert dead.any()  # a narrow ReLU layer with large weights: some seeds end with dead units
    shown = {s: c for t in fig["data"] for s, c in zip(t["x"], t["customdata"], strict=True)}
    assert shown == {str(s): int(n) for s, n in zip(r.data["seed"], dead, strict=True)}
    assert f"{int((dead > 0).sum())} end with dead hidden units" in fig["layout"]["meta"]["summary"]


@pytest.mark.parametrize("kw", [{"n_seeds": 20, "dataset": "xor", "layers": "4", "activation": "relu"},
                                {"n_seeds": 12, "dataset": "sine", "layers": "4", "test_fraction": 0.0}])
def test_the_histogram_counts_every_network_and_its_successes(kw):
    p = P(epochs=60, **kw)
    r = train_playground(p)
    fig = histogram(r, p, "zh")
    reached, below = (decode(t["y"]).sum() for t in fig["data"][:2])
    assert reached + below == p.n_seeds
    assert reached == round(r.metrics["success_rate"] * p.n_seeds)
    assert decode(fig["data"][2]["y"]).sum() == p.n_seeds  # every final loss finite here


# ---------------------------------------------------------------------------- outcomes, budget, numbers


def test_a_diverging_run_is_a_result_without_nan():
    p = P(dataset="cubic", optimizer="sgd", lr=10, activation="relu", init="he", layers="16,16", epochs=300,
          n_seeds=4)
    r = train_playground(p)
    assert r.metrics["diverged"] is True and r.metrics["diverged_runs"] >= 1
    body = json.loads(gzip.decompress(encode(PLAYGROUND, TRAIN, p)["en"]), parse_constant=pytest.fail)
    assert body["metrics"]["diverged"] is True and body["metrics"]["train_loss"] is None
    assert all(f["layout"]["meta"]["summary"] for f in body["figures"].values())


def test_the_defaults_learn_the_rings():
    r = run()
    assert r.metrics["test_accuracy"] >= 0.9 and not r.metrics["diverged"] and not r.metrics["stalled"]


def test_too_costly_settings_are_refused_naming_what_to_lower():
    TRAIN.check_budget(P())
    with pytest.raises(TooCostly) as e:
        TRAIN.check_budget(P(epochs=5000, n_seeds=100, layers="32,32,32,32,32,32", n_points=1000))
    assert "epochs" in e.value.fields and "n_seeds" in e.value.fields


def test_quantiles_match_numpy_on_the_finite_values():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(9, 5))
    A[rng.uniform(size=A.shape) < 0.3] = np.nan
    A[:, 0] = np.nan  # a column with nothing finite stays NaN
    q = quantiles(A)
    assert np.isnan(q[:, 0]).all()
    for j in range(1, 5):
        col = A[:, j][np.isfinite(A[:, j])]
        np.testing.assert_allclose(q[:, j], np.percentile(col, [10, 50, 90]), rtol=1e-12)


def test_the_largest_network_answers_in_a_small_result():
    p = P(layers="32,32,32,32,32,32", epochs=5, n_points=100)
    body = encode(PLAYGROUND, TRAIN, p)["en"]
    assert len(body) < 300_000  # gzipped, thumbnails and all


def _corners():
    schema = P.model_json_schema()["properties"]
    for name, prop in schema.items():
        if "enum" in prop:
            yield from ({name: v} for v in prop["enum"])
        elif prop.get("type") in ("number", "integer"):
            yield from ({name: prop[k]} for k in ("minimum", "maximum") if k in prop)
        elif prop.get("type") == "boolean":
            yield {name: True}


@pytest.mark.parametrize("corner", list(_corners()), ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_every_choice_and_bound_of_every_knob_runs_or_is_refused_as_too_costly(corner):
    kw = {"epochs": 20, **corner}
    if kw.get("dataset") in ("sine", "step", "abs", "cubic"):
        kw["loss"] = "auto"
    if kw.get("dataset") in CUSTOM:  # the reader's own points: a few of both classes
        kw["points"] = encode_points(*xor_points(30))
    p = P(**kw)
    try:
        TRAIN.check_budget(p)
    except TooCostly:
        return
    body = json.loads(gzip.decompress(encode(PLAYGROUND, TRAIN, p)["zh"]), parse_constant=pytest.fail)
    assert body["params"] == p.state() and len(body["figures"]) == 8
