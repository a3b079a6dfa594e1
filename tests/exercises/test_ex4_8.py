"""4-8: symmetric inits keep hidden units identical; exact zeros freeze tanh/ReLU layers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from app.exercises import ex4_8_zero_init as ex
from app.exercises.common import surfaces
from app.figures import ex4_8 as figs
from app.nn.activations import get_activation
from app.nn.network import Network
from tests.exercises.replay_checks import check_replay, decode

TINY = {"width": 3, "epochs": 3}
INITIALIZATION, COMPARE = (ex.EXERCISE.experiment(n) for n in ("initialization", "compare"))


def run(**kw):
    return ex.initialization(ex.InitializationParams(**kw))


def drawn(lang="en", **kw):
    """The initialization result with its figures, in `lang`."""
    return INITIALIZATION.drawn(ex.InitializationParams(**kw), lang)


def drawn_compare(lang="en", **kw):
    return COMPARE.drawn(ex.TrainParams(**kw), lang)


@pytest.mark.parametrize("init", ex.INITS)
@pytest.mark.parametrize("dataset", ["circles", "moons", "xor"])
def test_tiny_runs(init, dataset):
    r = drawn(init=init, dataset=dataset, **TINY)
    assert set(r.figures) == {"unit_weights", "loss", "decision_boundary", "boundary_replay", "similarity"}
    assert r.data["hidden_w1"].shape == (len(r.data["snapshot_epoch"]), TINY["width"])


def test_tiny_compare_and_figure_names():
    r = drawn_compare(**TINY)
    assert set(r.figures) == {"loss_by_init", "distinct_units_by_init"}
    assert set(r.metrics["distinct_hidden_units_by_init"]) == set(ex.INITS)


def test_determinism():
    a, b = run(init="normal", **TINY), run(init="normal", **TINY)
    assert a.metrics == b.metrics
    np.testing.assert_array_equal(a.data["hidden_w1"], b.data["hidden_w1"])


@pytest.mark.parametrize("dataset", ["circles", "moons", "xor"])
def test_data_sets_are_exactly_balanced(dataset):
    X, Y = ex.load(dataset)
    assert X.shape == (256, 2) and Y.sum() == 128


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zeros_with_tanh_or_relu_move_nothing_but_the_output_bias(activation):
    r = run(activation=activation)
    m = r.metrics
    assert m["hidden_weights_moved"] is False and m["output_weights_moved"] is False
    assert np.all(r.data["output_weights"] == 0.0)
    assert np.all(r.data["hidden_w1"] == 0) and np.all(r.data["hidden_b"] == 0)
    assert r.data["output_bias"] != 0.0


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_init_with_sigmoid_and_mini_batches_moves_in_lock_step(init):
    r = run(init=init)
    m = r.metrics
    assert m["hidden_weights_moved"] is True
    assert m["distinct_hidden_units_initial"] == 1 and m["distinct_hidden_units_final"] == 1
    assert m["accuracy"] <= 0.6  # one unit draws one straight line: no way to enclose a ring
    assert np.all(r.data["similarity"] == 1.0)
    # every unit's whole trajectory is the same, bit for bit
    for key in ("hidden_w1", "hidden_w2", "hidden_b"):
        traj = r.data[key]
        assert np.all(traj == traj[:, :1])


def test_zeros_full_batch_balanced_is_a_fixed_point():
    r = run(batch_size=256)
    m = r.metrics
    assert m["hidden_weights_moved"] is False and m["output_weights_moved"] is False
    assert r.data["output_bias"] == 0.0
    assert np.all(r.data["loss"] == r.data["loss"][0]) and r.data["loss"][0] == pytest.approx(math.log(2), rel=1e-14)
    assert np.all(r.data["hidden_w1"] == 0) and np.all(r.data["hidden_b"] == 0)


@pytest.mark.parametrize("init", ["normal", "xavier", "he"])
def test_random_inits_use_every_unit_and_separate_the_rings(init):
    m = run(init=init).metrics
    assert m["distinct_hidden_units_initial"] == 8 and m["distinct_hidden_units_final"] == 8
    assert m["accuracy"] >= 0.95


def test_compare_members_equal_single_runs():
    r = ex.compare(ex.TrainParams())
    for init in ex.INITS:
        single = run(init=init).metrics
        assert r.metrics["distinct_hidden_units_by_init"][init] == single["distinct_hidden_units_final"]
        assert r.metrics["accuracy_by_init"][init] == single["accuracy"]
        assert r.metrics["final_loss_by_init"][init] == pytest.approx(single["final_loss"], rel=1e-12)
    assert r.metrics["distinct_hidden_units_by_init"] == {"zeros": 1, "constant": 1, "normal": 8, "xavier": 8, "he": 8}


def test_distinct_count_and_similarity_helpers():
    units = np.array([[1.0, 2.0, 0.0], [1.0, 2.0 + 1e-12, 0.0], [0.0, 0.0, 0.0], [-1.0, -2.0, 0.0]])
    assert ex.count_distinct(units) == 3
    sim = ex.cosine_similarity(units)
    assert sim[0, 1] == pytest.approx(1.0) and sim[0, 3] == pytest.approx(-1.0)
    assert sim[2, 2] == 1.0 and sim[0, 2] == 0.0


def test_the_largest_rate_gives_a_result():
    r = run(init="normal", lr=20.0, epochs=20)
    assert isinstance(r.metrics["diverged"], bool)


def test_costly_requests_are_refused(client):
    r = client.get("/api/exercises/4-8/compare", params={"width": 64, "epochs": 2000, "batch_size": 1})
    assert r.status_code == 422


def _final_network(r) -> Network:
    """Rebuild the trained 2-H-1 sigmoid network from the data series (last snapshot = final state)."""
    d = r.data
    W0 = np.stack([d["hidden_w1"][-1], d["hidden_w2"][-1]])[None]
    b0 = d["hidden_b"][-1][None, None]
    W1 = np.asarray(d["output_weights"])[None, :, None]
    b1 = np.array(d["output_bias"]).reshape(1, 1, 1)
    return Network((2, W0.shape[2], 1), get_activation("sigmoid"), get_activation("linear"), [W0, W1], [b0, b1])


@pytest.mark.parametrize("init", ["zeros", "he"])
def test_the_boundary_replay_ends_on_the_trained_network(init):
    r = drawn(init=init)
    fig = r.figures["boundary_replay"]
    epochs = check_replay(fig, 100, min_frames=20)
    np.testing.assert_array_equal(r.data["replay_epoch"], epochs)
    X, _ = ex.load("circles")
    expected = surfaces(_final_network(r), *ex.plane(X), ex.REPLAY_GRID, probability=True)[2][0].astype(np.float32)
    last = decode(fig["frames"][-1]["data"][0]["z"])
    np.testing.assert_allclose(last, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(decode(fig["data"][0]["z"]), last)
    titles = [f["layout"]["title"]["text"] for f in fig["frames"]]
    if init == "zeros":  # the symmetric start never splits: one distinct unit, a flat or straight boundary
        assert all(": 1 distinct hidden unit(s)" in t for t in titles)
    else:
        assert all(": 8 distinct hidden unit(s)" in t for t in titles)


def test_the_boundary_replay_is_deterministic():
    assert drawn(init="normal", **TINY).figures == drawn(init="normal", **TINY).figures


# ------------------------------------------------------------------ the page's claims, over seeds

SEEDS = range(5)
LN2 = math.log(2)


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_init_stays_on_the_ln2_plateau_and_stalls(seed):
    """The default run: one distinct unit, the loss wanders a little above ln 2, stalled (never diverged)."""
    r = run(seed=seed)
    m, loss = r.metrics, r.data["loss"]
    assert m["stalled"] is True and m["diverged"] is False
    assert m["distinct_hidden_units_initial"] == 1 and m["distinct_hidden_units_final"] == 1
    assert loss.min() >= LN2 - 1e-3 and abs(m["final_loss"] - LN2) < 0.02 and np.median(loss) < LN2 + 0.01
    assert 0.4 <= m["accuracy"] <= 0.6  # near chance: no straight line separates two rings


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_symmetric_inits_keep_the_units_identical_over_seeds(init, activation):
    for seed in SEEDS:
        r = drawn(init=init, activation=activation, seed=seed)
        assert r.metrics["distinct_hidden_units_final"] == 1, seed
        for key in ("hidden_w1", "hidden_w2", "hidden_b"):  # identical at every recorded epoch
            traj = r.data[key]
            assert np.all(traj == traj[:, :1]), (seed, key)
        titles = [f["layout"]["title"]["text"] for f in r.figures["boundary_replay"]["frames"]]
        assert all(": 1 distinct hidden unit(s)" in t for t in titles), seed


@pytest.mark.parametrize("init", ["normal", "xavier", "he"])
def test_random_inits_separate_the_units_over_seeds(init):
    for seed in SEEDS:
        r = run(init=init, seed=seed)
        m = r.metrics
        assert m["distinct_hidden_units_initial"] == 8 and m["distinct_hidden_units_final"] == 8, seed
        assert m["accuracy"] >= 0.95, seed  # the inner ring enclosed
        off = r.data["similarity"][~np.eye(8, dtype=bool)]
        assert off.min() < 0.9, seed


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zeros_with_tanh_or_relu_leave_zero_units_over_seeds(activation):
    for seed in SEEDS:
        r = run(activation=activation, seed=seed)
        m = r.metrics
        assert m["hidden_weights_moved"] is False and m["output_weights_moved"] is False, seed
        assert m["zero_hidden_units_final"] == 8 and r.data["output_bias"] != 0.0, seed
        assert m["stalled"] is True and m["diverged"] is False, seed


def test_full_batch_fixed_points_hold_at_every_seed():
    for seed in SEEDS:
        m = run(batch_size=256, seed=seed).metrics
        assert m["hidden_weights_moved"] is False and m["final_loss"] == pytest.approx(LN2, rel=1e-14)
        c = run(init="constant", batch_size=256, seed=seed).metrics
        assert c["hidden_weights_moved"] is True and c["distinct_hidden_units_final"] == 1


def test_one_unit_suffices_on_the_moons_but_not_on_xor_over_seeds():
    for seed in SEEDS:
        moons = ex.compare(ex.TrainParams(dataset="moons", seed=seed)).metrics["accuracy_by_init"]
        xor = ex.compare(ex.TrainParams(dataset="xor", seed=seed)).metrics["accuracy_by_init"]
        assert 0.8 <= moons["zeros"] <= 0.9, seed
        assert xor["zeros"] <= 0.55 and xor["normal"] >= 0.95, seed


# ------------------------------------------------------------------ the similarity convention


def test_cosine_similarity_of_zero_vectors_is_a_stated_convention():
    units = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    sim = ex.cosine_similarity(units)
    assert sim[0, 1] == 1.0 and sim[0, 0] == 1.0  # two zero vectors: the same unit, 1 by convention
    assert sim[0, 2] == 0.0 and sim[3, 1] == 0.0  # a zero vector against a non-zero one: 0 by convention
    assert sim[2, 3] == pytest.approx(1.0, rel=1e-15)  # a true cosine
    np.testing.assert_array_equal(ex.zero_units(units), [True, True, False, False])
    assert "convention" in ex.cosine_similarity.__doc__ and "0/0" in ex.cosine_similarity.__doc__


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_similarity_figure_says_where_the_convention_fills_a_cell(lang):
    fig = drawn(lang, activation="tanh").figures["similarity"]
    notes = np.array(fig["data"][0]["customdata"])
    assert notes.shape == (8, 8) and all(n for n in notes.ravel())  # every cell is 0/0 here
    assert "{customdata}" in fig["data"][0]["hovertemplate"]
    assert ("convention" if lang == "en" else "约定") in fig["layout"]["meta"]["summary"]
    fig = drawn(lang).figures["similarity"]  # sigmoid: equal non-zero vectors, true cosines
    assert not any(n for n in np.array(fig["data"][0]["customdata"]).ravel())
    mixed = figs.similarity(np.eye(3), np.array([True, False, False]), lang)
    notes = np.array(mixed["data"][0]["customdata"])
    assert notes[0, 0] and notes[0, 1] and notes[1, 0] and not notes[1, 2]


# ------------------------------------------------------------------ figure summaries and the page's words


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_has_a_summary_from_the_numbers(lang):
    r = drawn(lang, init="normal")
    c = drawn_compare(lang)
    for name, fig in {**r.figures, **c.figures}.items():
        summary = fig["layout"].get("meta", {}).get("summary")
        assert isinstance(summary, str) and len(summary) > 20, name
        assert ("epoch" in summary or "unit" in summary or "loss" in summary or "probab" in summary
                or "similarit" in summary) if lang == "en" else any("\u4e00" <= ch <= "\u9fff" for ch in summary)
    acc = f"{100 * r.metrics['accuracy']:.0f}"
    assert acc in r.figures["decision_boundary"]["layout"]["meta"]["summary"]
    assert f"{r.data['loss'][-1]:.3g}" in r.figures["loss"]["layout"]["meta"]["summary"]
    assert "normal 8 → 8" in c.figures["distinct_units_by_init"]["layout"]["meta"]["summary"]


TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "exercises"


def test_page_prose_uses_the_books_terms_and_no_figure_keys():
    en = (TEMPLATES / "4-8.en.html").read_text(encoding="utf-8")
    zh = (TEMPLATES / "4-8.zh.html").read_text(encoding="utf-8")
    assert "对称权重现象" in zh
    keys = set(drawn(**TINY).figures) | set(drawn_compare(**TINY).figures)
    for key in (k for k in keys if "_" in k):
        assert key not in en and key not in zh, key
    for colloquial in ("瞎猜", "抛硬币", "平局"):
        assert colloquial not in zh
    assert "diverged" not in en and "发散" not in zh


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_says_stalled_where_the_status_line_does(client, lang):
    page = client.get(f"/exercises/4-8?lang={lang}").text
    assert ("<em>stalled</em>" if lang == "en" else "<em>停滞</em>") in page
