"""4-2: XOR with two hidden ReLU units, asserted on the numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.exercises import ex4_2_handcrafted as hc
from app.exercises import ex4_2_xor as ex
from app.exercises.base import finite_or_none
from app.figures import ex4_2 as figs
from app.nn.activations import sigmoid
from app.nn.network import init_network
from tests.exercises.replay_checks import check_replay

# Five disjoint windows of 200 seeds (the seeds experiment's default window is the first).
WINDOWS = (0, 200, 400, 600, 800)

FIGURES = {
    "handcrafted": {"decision_surface", "hidden_space", "network"},
    "train": {"loss", "decision_surface", "hidden_space", "replay"},
    "seeds": {"final_loss_histogram"},
    "width-sweep": {"success_vs_width"},
}
TINY = {"handcrafted": {}, "train": {"epochs": 30}, "seeds": {"epochs": 30, "n_seeds": 3},
        "width-sweep": {"epochs": 30, "n_seeds": 3}}


def drawn(run, params, lang="en"):
    """The result of the experiment whose run is `run`, with its figures drawn in `lang`."""
    exp = next(e for e in ex.EXERCISE.experiments if e.run is run)
    return exp.drawn(params, lang)


def test_handcrafted_default_solves_xor_exactly():
    r = hc.handcrafted(hc.HandcraftedParams())
    np.testing.assert_array_equal(r.metrics["outputs"], [0.0, 1.0, 1.0, 0.0])
    assert r.metrics["solves_xor"] is True
    # (0,0) and (1,1) collapse onto the same hidden point: that is why one line then separates them.
    np.testing.assert_array_equal(r.data["hidden"], [[0, 0], [0, 1], [1, 0], [0, 0]])


SECOND = {"w1_11": 1, "w1_12": 1, "w1_21": 1, "w1_22": 1, "b1_1": 0, "b1_2": -1, "w2_1": 1, "w2_2": -2, "b2": 0}


def test_the_second_solution_of_the_brief_also_solves_xor():
    r = hc.handcrafted(hc.HandcraftedParams(**SECOND))
    np.testing.assert_array_equal(r.metrics["outputs"], [0.0, 1.0, 1.0, 0.0])
    assert r.metrics["solves_xor"] is True
    np.testing.assert_array_equal(r.data["hidden"], [[0, 0], [1, 0], [1, 0], [2, 1]])


def test_second_solution_puts_2_1_on_the_side_of_0_0():
    """In hidden space the line w₂ᵀh + b₂ = 0.5 (h₁ − 2h₂ = 0.5) has (0,0) and (2,1) on one side and
    (1,0) alone on the other."""
    r = hc.handcrafted(hc.HandcraftedParams(**SECOND))
    h = r.data["hidden"]
    side = np.sign(h @ np.array([SECOND["w2_1"], SECOND["w2_2"]]) + SECOND["b2"] - 0.5)
    assert side[0] == side[3] == -1  # (0,0) → h = (0,0) and (1,1) → h = (2,1): h₁ − 2h₂ = 0 < 0.5
    assert side[1] == side[2] == 1  # (0,1), (1,0) → h = (1,0): h₁ − 2h₂ = 1 > 0.5


def test_controls_carry_the_pages_symbols():
    """W₁ entries, b₁ the hidden bias vector (two entries), w₂ the output weights, b₂ the scalar output bias."""
    props = hc.HandcraftedParams.model_json_schema()["properties"]
    labels = {k: v["x-label"]["en"].split(" ")[0] for k, v in props.items() if k != "lang"}
    assert labels == {"w1_11": "W₁[1,1]", "w1_12": "W₁[1,2]", "w1_21": "W₁[2,1]", "w1_22": "W₁[2,2]",
                      "b1_1": "b₁[1]", "b1_2": "b₁[2]", "w2_1": "w₂[1]", "w2_2": "w₂[2]", "b2": "b₂"}
    assert "output bias" in props["b2"]["x-label"]["en"] and "输出偏置" in props["b2"]["x-label"]["zh"]
    # b₁'s second entry is h₂'s bias: setting it shifts only h₂.
    net = hc.HandcraftedParams(b1_2=-1).network()
    np.testing.assert_array_equal(net.b[0][0, 0], [0.0, -1.0])
    assert hc.HandcraftedParams(b2=0.25).network().b[1][0, 0, 0] == 0.25


@pytest.mark.parametrize(("change", "outputs"), [({"w2_2": 0}, [0, 0, 1, 0]), ({"b2": 0.6}, [0.6, 1.6, 1.6, 0.6])])
def test_broken_handcrafted_networks_fail(change, outputs):
    r = hc.handcrafted(hc.HandcraftedParams(**change))
    np.testing.assert_allclose(r.metrics["outputs"], outputs)
    assert r.metrics["solves_xor"] is False


def test_network_figure_writes_every_weight_and_bias():
    p = hc.HandcraftedParams(w1_11=2.5, b1_2=-1, w2_2=-3)
    fig = hc.HANDCRAFTED.drawn(p).figures["network"]
    texts = {a["text"] for a in fig["layout"]["annotations"]}
    assert {"W₁[1,1] = 2.5", "W₁[1,2] = -1", "W₁[2,1] = -1", "W₁[2,2] = 1", "b₁[1] = 0", "b₁[2] = -1",
            "w₂[1] = 1", "w₂[2] = -3", "b₂ = 0"} <= texts
    summary = fig["layout"]["meta"]["summary"]
    assert summary == "Weights and biases: W₁ = [[2.5, −1], [−1, 1]], b₁ = [0, −1], w₂ = [1, −3], b₂ = 0."
    widths = [s["line"]["width"] for s in fig["layout"]["shapes"]]
    colors = [s["line"]["color"] for s in fig["layout"]["shapes"]]
    assert len(fig["layout"]["shapes"]) == 6
    assert widths[0] > widths[3]  # |w11| = 2.5 > |w22| = 1
    assert colors[0] != colors[1]  # positive and negative in two colours


def test_solved_thresholds_outputs_and_bce_logits():
    assert hc.solved(np.array([[0.1, 0.9, 0.51, 0.49]]), "mse")[0]
    assert not hc.solved(np.array([[0.1, 0.5, 0.9, 0.1]]), "mse")[0]  # 0.5 is not above 0.5
    assert hc.solved(np.array([[-3.0, 2.0, 0.1, -0.1]]), "bce")[0]  # σ(logit) > 0.5 ⇔ logit > 0
    assert not hc.solved(np.array([[0.3, 2.0, 2.0, 0.3]]), "bce")[0]


def test_dead_unit_means_no_positive_preactivation_on_any_input():
    net = init_network((2, 2, 1), "relu", "linear", [0])
    net.W[0][0] = [[-1.0, 1.0], [-2.0, 0.0]]  # unit 1: z = −x₁ − 2x₂ ≤ 0 everywhere; unit 2: z = x₁
    net.b[0][0] = 0.0
    np.testing.assert_array_equal(ex.dead_units(net), [[True, False]])
    net.b[0][0, 0, 0] = 1e-9  # z(0,0) > 0: alive
    np.testing.assert_array_equal(ex.dead_units(net), [[False, False]])


@pytest.mark.parametrize("name", list(FIGURES))
def test_tiny_runs_name_their_figures(name):
    exp = ex.EXERCISE.experiment(name)
    r = exp.drawn(exp.params(**TINY[name]))
    assert set(r.figures) == FIGURES[name]
    assert set(r.metrics) <= set(exp.metrics) | {"diverged", "stalled"}


def test_the_output_over_hidden_space_comes_with_the_result():
    """The hidden-space figure's shading is computed with the numbers (views), not by the figure module:
    the output unit w₂ᵀh + b₂ over the (h₁, h₂) plane, σ of it with bce; none for more than two units."""
    for loss in ("mse", "bce"):
        r = ex.train_one(ex.TrainParams(loss=loss, epochs=200))
        plane = r.views["hidden_plane"]
        g1, g2, Z = plane["surface"]
        logit = r.data["w2"][0] * g1[None, :] + r.data["w2"][1] * g2[:, None] + r.data["b2"]
        np.testing.assert_allclose(Z, sigmoid(logit) if loss == "bce" else logit, rtol=1e-12, atol=1e-15)
        h = r.data["hidden"]
        assert plane["range_h1"][0] < h[:, 0].min() and h[:, 0].max() < plane["range_h1"][1]
    hand = hc.handcrafted(hc.HandcraftedParams(**SECOND)).views["hidden_plane"]
    g1, g2, Z = hand["surface"]
    np.testing.assert_allclose(Z, g1[None, :] - 2 * g2[:, None], rtol=1e-12, atol=1e-15)  # w₂ = (1, −2), b₂ = 0
    assert ex.train_one(ex.TrainParams(hidden_units=5, epochs=30)).views["hidden_plane"]["surface"] is None
    # The figure module evaluates no network: nothing of the core's network or activations is in it.
    assert not any(getattr(v, "__module__", "").startswith("app.nn") for v in vars(figs).values())


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_has_a_summary_in_each_language(name):
    exp = ex.EXERCISE.experiment(name)
    for lang in ("en", "zh"):
        for key, fig in exp.drawn(exp.params(**TINY[name]), lang).figures.items():
            summary = fig["layout"]["meta"]["summary"]
            assert summary and (re.search(r"[\u4e00-\u9fff]", summary) is not None) == (lang == "zh"), (key, summary)
            assert "nan" not in summary.lower() and ("_" not in key or key not in summary)


def test_summaries_say_what_the_figures_show():
    seeds = drawn(ex.seeds, ex.SeedsParams())
    m = seeds.metrics
    hist = seeds.figures["final_loss_histogram"]["layout"]["meta"]["summary"]
    assert hist.startswith(f"Of 200 seeds, {m['n_solved']} solve XOR") and f"{200 - m['n_solved']} fail" in hist
    width = drawn(ex.width_sweep, ex.WidthSweepParams(n_seeds=20, epochs=300)).figures["success_vs_width"]
    assert width["layout"]["meta"]["summary"].startswith(
        "Share of the 20 seeds that solve XOR, by hidden width: 1: 0 %,")
    train = drawn(ex.train_one, ex.TrainParams(seed=3)).figures
    assert "(0,0), (0,1) and (1,0) coincide" in train["hidden_space"]["layout"]["meta"]["summary"]
    assert "0.667, 0.667, 0.667, 0;" in train["decision_surface"]["layout"]["meta"]["summary"]
    blown = drawn(ex.train_one, ex.TrainParams(lr=10, epochs=300)).figures["loss"]
    assert "no longer finite" in blown["layout"]["meta"]["summary"]


@pytest.mark.parametrize("name", ["train", "seeds", "width-sweep"])
def test_determinism(name):
    exp = ex.EXERCISE.experiment(name)
    p = exp.params(epochs=200, **({} if name == "train" else {"n_seeds": 5}))
    a, b = exp.drawn(p), exp.drawn(p)
    assert finite_or_none(a.metrics) == finite_or_none(b.metrics)
    assert finite_or_none(a.data) == finite_or_none(b.data)
    assert a.figures == b.figures


def test_default_train_run_solves_and_replay_has_enough_frames():
    r = drawn(ex.train_one, ex.TrainParams())
    assert r.metrics["solves_xor"] is True and r.metrics["dead_hidden_units"] == 0
    assert r.metrics["final_loss"] < 1e-20 and r.metrics["diverged"] is False
    check_replay(r.figures["replay"], last_epoch=5000, min_frames=20)


def test_seed_3_loses_a_unit_and_settles_on_the_1_12_plateau():
    """The page's single-seed example: three inputs share one hidden point and get their mean target 2/3."""
    r = ex.train_one(ex.TrainParams(seed=3))
    assert r.metrics["solves_xor"] is False and r.metrics["dead_hidden_units"] == 1
    assert r.metrics["final_loss"] == pytest.approx(1 / 12, rel=1e-9)
    np.testing.assert_allclose(r.metrics["outputs"], [2 / 3, 2 / 3, 2 / 3, 0], atol=1e-6)
    h = r.data["hidden"]
    assert np.allclose(h[0], h[1]) and np.allclose(h[0], h[2]) and not np.allclose(h[0], h[3])
    wide = ex.train_one(ex.TrainParams(seed=3, hidden_units=8))
    assert wide.metrics["solves_xor"] is True and wide.metrics["dead_hidden_units"] == 5


def test_batched_seeds_equal_the_same_seeds_run_one_by_one():
    first, n = 7, 12
    batch = ex.seeds(ex.SeedsParams(seed=first, n_seeds=n, epochs=1500))
    single = [ex.train_one(ex.TrainParams(seed=first + i, epochs=1500)) for i in range(n)]
    losses = np.array([s.metrics["final_loss"] for s in single])
    np.testing.assert_allclose(batch.data["final_loss"], losses, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(batch.data["solved"], [s.metrics["solves_xor"] for s in single])
    assert batch.metrics["n_solved"] == sum(s.metrics["solves_xor"] for s in single)
    assert 0 < batch.metrics["n_solved"] < n  # the seeds mix successes and failures


@pytest.mark.parametrize("first", WINDOWS)
def test_two_units_usually_fail_in_every_window_of_seeds(first):
    """The page's claims about 200 seeds hold in each of five disjoint windows, not only the default one."""
    m = ex.seeds(ex.SeedsParams(seed=first)).metrics
    assert 0.15 <= m["success_rate"] <= 0.30  # 0.18 … 0.27 measured over the five windows
    failures = m["n_dead_unit_failures"] + m["n_other_failures"]
    assert m["n_solved"] + failures == 200
    assert m["n_dead_unit_failures"] > m["n_other_failures"]  # most failures have a dead unit
    # With zero biases a ReLU unit is dead from the start iff both its weights are ≤ 0 (p = 1/4),
    # so about 1 − (3/4)² = 7/16 of the seeds start with a dead unit.
    assert abs(m["n_dead_at_init"] / 200 - 7 / 16) < 0.08
    # Nearly every failure ends on one of the three plateaus; solved runs end far below them.
    assert sum(m["failures_by_plateau"].values()) >= 0.97 * failures
    assert m["median_solved_loss"] < 1e-20
    # LeakyReLU: nothing dies, and the success rate moves only a little.
    leaky = ex.seeds(ex.SeedsParams(seed=first, activation="leaky_relu")).metrics
    assert leaky["n_dead_unit_failures"] == 0 and leaky["n_dead_at_init"] == 0
    assert abs(leaky["success_rate"] - m["success_rate"]) <= 0.07 and leaky["success_rate"] < 0.35
    # 2000 epochs solve (nearly) the same seeds as 5000: the width sweep's shorter default is fair.
    assert abs(ex.seeds(ex.SeedsParams(seed=first, epochs=2000)).metrics["n_solved"] - m["n_solved"]) <= 3


@pytest.mark.parametrize("first", WINDOWS[:3])
def test_tanh_and_eight_units_succeed_far_more_often(first):
    relu = ex.seeds(ex.SeedsParams(seed=first, epochs=2000)).metrics["success_rate"]
    tanh = ex.seeds(ex.SeedsParams(seed=first, epochs=2000, activation="tanh")).metrics["success_rate"]
    eight = ex.seeds(ex.SeedsParams(seed=first, epochs=2000, hidden_units=8)).metrics["success_rate"]
    assert tanh >= relu + 0.4 and eight >= 0.9


@pytest.mark.parametrize("first", (0, 100, 200, 300, 400))
def test_wider_is_more_often_solved_in_every_window(first):
    """The order of the width sweep (the wider, the higher the success rate) holds over five first seeds."""
    rate = ex.width_sweep(ex.WidthSweepParams(seed=first)).metrics["success_rate_by_width"]
    assert list(rate) == ["1", "2", "3", "4", "6", "8", "16"]
    assert rate["1"] == 0.0  # one ReLU unit draws one line
    r = [rate[w] for w in ("1", "2", "3", "4", "6", "8")]
    assert all(a < b for a, b in zip(r, r[1:], strict=False)) and rate["8"] <= rate["16"]
    assert rate["2"] <= 0.35 and rate["8"] >= 0.85


def test_width_sweep_at_5000_epochs_tells_the_same_story():
    rate = ex.width_sweep(ex.WidthSweepParams(epochs=5000, n_seeds=60)).metrics["success_rate_by_width"]
    assert rate["1"] == 0.0 and rate["2"] < rate["4"] < rate["8"] <= rate["16"]


def test_largest_learning_rate_gives_a_result():
    r = ex.train_one(ex.TrainParams(lr=10, epochs=300))
    assert r.metrics["diverged"] is True and r.metrics["solves_xor"] is False
    m = ex.seeds(ex.SeedsParams(lr=10, epochs=300, n_seeds=20)).metrics
    assert m["diverged"] is True and m["n_solved"] == 0


@pytest.mark.parametrize("kw", [{"activation": "sigmoid"}, {"activation": "tanh", "loss": "bce"},
                                {"init": "xavier"}, {"hidden_units": 1}, {"hidden_units": 5, "loss": "bce"}])
def test_other_settings_run(kw):
    r = drawn(ex.train_one, ex.TrainParams(epochs=200, **kw))
    assert len(r.metrics["outputs"]) == 4
    assert set(r.figures) == FIGURES["train"]


def test_he_equals_normal_for_a_2_2_1_network():
    """He is N(0, 2/fan-in) = N(0, 1) when fan-in is 2 in both layers."""
    a = ex.seeds(ex.SeedsParams(init="he", n_seeds=20, epochs=300)).data["final_loss"]
    b = ex.seeds(ex.SeedsParams(init="normal", n_seeds=20, epochs=300)).data["final_loss"]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_too_costly_requests_are_refused_with_the_fields_to_lower(client):
    r = client.get("/api/exercises/4-2/seeds", params={"n_seeds": 2000, "hidden_units": 16, "epochs": 20000})
    assert r.status_code == 422 and "n_seeds" in str(r.json()["detail"])
    r = client.get("/api/exercises/4-2/width-sweep", params={"n_seeds": 1000, "epochs": 20000})
    assert r.status_code == 422 and "epochs" in str(r.json()["detail"])
    # The 5000-epoch sweep the page suggests is within the budget.
    ex.EXERCISE.experiment("width-sweep").check_budget(ex.WidthSweepParams(n_seeds=60, epochs=5000))


def test_out_of_range_weight_is_a_422_naming_it(client):
    r = client.get("/api/exercises/4-2/handcrafted", params={"w1_12": 11})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "w1_12"


def test_the_second_solution_link_types_the_second_solution():
    """The page's "second solution" link sets b₁'s second entry and w₂'s second entry, as the text says."""
    from pathlib import Path
    from urllib.parse import parse_qsl

    root = Path(__file__).resolve().parents[2] / "templates" / "exercises"
    for lang in ("en", "zh"):
        page = (root / f"4-2.{lang}.html").read_text(encoding="utf-8")
        href = re.search(r'href="\?(handcrafted\.w1_11=[^"#]*)#exp-handcrafted"', page).group(1)
        values = {k.split(".", 1)[1]: float(v) for k, v in parse_qsl(href.replace("&amp;", "&"))}
        assert values == SECOND
        assert "far side" not in page and "另一侧。回到" not in page  # (2,1) is on the side of (0,0)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_width_sweep_counts_what_each_width_trained_alone_counts(activation):
    # The sweep trains widths side by side, widened by inert units (sigmoid: one width at a time);
    # each width's networks reach the losses they reach trained alone, to rounding.
    p = ex.WidthSweepParams(activation=activation, epochs=300, n_seeds=12, seed=7)
    seeds = [p.seed + i for i in range(p.n_seeds)]
    alone = [ex._summary(ex._fit(p, w, seeds), p.loss) for w in ex.WIDTHS]
    r = ex.width_sweep(p)
    assert r.data["n_solved"] == [int(s["solved"].sum()) for s in alone]
    side_by_side = [s for g in ex._width_groups(activation) for s in ex._fit_widths(p, g, seeds)]
    for a, b in zip(side_by_side, alone, strict=True):
        np.testing.assert_allclose(a["losses"], b["losses"], rtol=1e-10, atol=1e-15)
        assert np.array_equal(a["dead"], b["dead"]) and np.array_equal(a["dead_at_init"], b["dead_at_init"])
