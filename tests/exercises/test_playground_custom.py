"""The playground's own data and formula curve: the points code, pasted CSV, the formula data set.

The code round-trips every point of the grid it encodes; every refusal names the point or the row; a
drawn data set trains like the same points given as rows; a formula curve is fitted like the built-in
curve it spells.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from app.exercises.playground.custom import (
    ALPHABET,
    MAX_LINK_POINTS,
    decode_points,
    encode_points,
    parse_csv,
)
from app.exercises.playground.params import PlaygroundParams as P
from app.exercises.playground.run import data_split, train_playground
from app.i18n import Refusal


def xor_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X = np.round(np.random.default_rng(seed).uniform(-1, 1, (n, 2)), 2)
    return X, (X[:, 0] * X[:, 1] < 0).astype(float)


def rows(X: np.ndarray, y: np.ndarray) -> str:
    return "\n".join(",".join(f"{v:g}" for v in (*x, t)) for x, t in zip(X, y, strict=True))


def refusal(field: str, **kw) -> str:
    with pytest.raises(ValidationError) as e:
        P(**kw)
    errors = e.value.errors()
    assert [err["loc"] for err in errors] == [(field,)], errors
    said = errors[0]["ctx"]["error"]
    assert said.zh != said.en
    return said.en


# ---------------------------------------------------------------------------- the points code


def test_the_code_round_trips_the_corners_and_random_points():
    X = np.array([[-6, -6], [6, 6], [-6, 6], [0, 0], [0.01, -0.01], [5.99, -5.99]])
    c = np.array([0, 1, 1, 0, 1, 0])
    code = encode_points(X, c)
    assert len(code) == 4 * len(X) and set(code) <= set(ALPHABET)
    back, cb = decode_points(code)
    np.testing.assert_allclose(back, X, atol=1e-9)
    assert (cb == c).all()
    X, y = xor_points(MAX_LINK_POINTS, seed=3)
    back, cb = decode_points(encode_points(X, y))
    np.testing.assert_allclose(back, X, atol=1e-9)
    assert (cb == y).all()


def test_the_code_rounds_to_the_grid_and_clips_to_the_square():
    back, _ = decode_points(encode_points(np.array([[0.123, 9.0]]), np.array([1])))
    np.testing.assert_allclose(back, [[0.12, 6.0]])


@pytest.mark.parametrize(("code", "words"), [
    ("AAA", "point 1 is cut off"),
    ("AAAAAAA", "point 2 is cut off"),
    ("AAAAAA*A", "point 2: “*”"),
    ("////", "point 1: “/”"),
    ("____", "point 1 lies outside"),  # u = 4095 > 1200
    ("AAAA" * (MAX_LINK_POINTS + 1), "at most 200 points"),
])
def test_a_bad_code_is_refused_naming_the_point(code, words):
    with pytest.raises(Refusal) as e:
        decode_points(code)
    assert words in str(e.value) and e.value.zh


def test_custom_points_are_checked_for_count_and_classes():
    X, y = xor_points(40)
    assert "at least 4" in refusal("points", dataset="custom")
    assert "class 0" in refusal("points", dataset="custom", points=encode_points(X, np.zeros(40)))
    assert "cut off" in refusal("points", dataset="custom", points=encode_points(X, y)[:-1])
    # a curve's points have no class: one class is fine; other data sets ignore the points
    P(dataset="custom_curve", points=encode_points(X, np.zeros(40)))
    P(dataset="xor", points=encode_points(X, np.zeros(40)))


def test_a_drawn_set_is_split_by_the_data_seed_like_the_generated_ones():
    X, y = xor_points(50)
    p = P(dataset="custom", points=encode_points(X, y), test_fraction=0.2, data_seed=4)
    d = data_split(p)
    assert p.n_data() == 50 and d.n_train == 40 == p.n_train()
    order = np.lexsort(d.X.T)
    np.testing.assert_allclose(d.X[order], X[np.lexsort(X.T)])  # the same points, shuffled
    assert not np.array_equal(d.X, X)
    np.testing.assert_array_equal(data_split(p).X, d.X)
    assert not np.array_equal(data_split(p.model_copy(update={"data_seed": 5})).X, d.X)


def test_a_curve_reads_the_points_as_x_and_y():
    x = np.linspace(-1, 1, 30)
    p = P(dataset="custom_curve", points=encode_points(np.column_stack([x, x**2]), np.ones(30)))
    X, y = p.custom_data()
    assert X.shape == (30, 1)
    np.testing.assert_allclose(y, np.round(x**2, 2), atol=1e-9)


# ---------------------------------------------------------------------------- pasted rows


def test_csv_rows_with_a_header_comments_and_any_separator():
    X, y = parse_csv("x1,x2,label\n# a comment\n\n0.5, -1, 1\n2\t3\t0\n-1;1e-3;1\n4 5 0\n", 3)
    np.testing.assert_allclose(X, [[0.5, -1], [2, 3], [-1, 1e-3], [4, 5]])
    assert y.tolist() == [1, 0, 1, 0]
    X, y = parse_csv("x,y\n1,2\n3,4\n", 2)
    assert X.shape == (2, 1) and y.tolist() == [2, 4]


@pytest.mark.parametrize(("csv", "columns", "words"), [
    ("1,2,0\n1,2\n", 3, "row 2 has 2 fields"),
    ("x1,x2,label\n1,2,0\n1,abc,1\n", 3, "row 3: x₂ “abc” is not a number"),
    ("1,2,0\n1,nan,1\n", 3, "row 2: x₂ is nan"),
    ("1,inf\n", 2, "row 1: y is inf"),
    ("1,2,0\n1,2,0.5\n", 3, "row 2: the label is 0.5"),
    ("1,2,0\n1,2e9,1\n", 3, "row 2: x₂ = 2e9 is outside"),
    ("1,2\n" * 1001, 2, "row 1001: at most 1000 rows"),
])
def test_a_bad_row_is_refused_naming_it(csv, columns, words):
    with pytest.raises(Refusal) as e:
        parse_csv(csv, columns)
    assert words in str(e.value), str(e.value)
    assert "行" in e.value.zh


def test_pasted_rows_need_a_custom_set_both_classes_and_no_points():
    X, y = xor_points(20)
    assert "custom" in refusal("csv", dataset="xor", csv=rows(X, y))
    assert "class 1" in refusal("csv", dataset="custom", csv=rows(X, np.ones(20)))
    assert "3 rows" in refusal("csv", dataset="custom", csv=rows(X[:3], y[:3]))
    assert "not both" in refusal("points", dataset="custom", csv=rows(X, y), points=encode_points(X, y))


def test_the_same_points_drawn_or_pasted_train_the_same_network():
    X, y = xor_points(60, seed=2)
    kw = {"dataset": "custom", "layers": "8", "activation": "relu", "epochs": 150}
    drawn = train_playground(P(points=encode_points(X, y), **kw))
    pasted = train_playground(P(csv=rows(X, y), **kw))
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert drawn.metrics[key] == pytest.approx(pasted.metrics[key], rel=1e-9, abs=1e-12), key
    assert drawn.metrics["train_accuracy"] >= 0.9


def test_a_large_pasted_curve_is_fitted():
    x = np.linspace(-1, 1, 600)
    p = P(dataset="custom_curve", csv="x,y\n" + rows(x[:, None], x**3), epochs=300, layers="8,8")
    r = train_playground(p)
    assert p.n_data() == 600 and r.metrics["train_r2"] > 0.8
    assert r.views["target"] is None


# ---------------------------------------------------------------------------- the formula curve


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_formula_curve_is_the_built_in_curve_it_spells(seed):
    kw = {"epochs": 200, "noise": 0.05, "data_seed": seed, "seed": seed}
    built_in = train_playground(P(dataset="cubic", **kw))
    spelled = train_playground(P(dataset="formula", formula="x**3", **kw))
    np.testing.assert_allclose(spelled.data["y_train"], built_in.data["y_train"], rtol=1e-12, atol=1e-12)
    assert spelled.metrics["train_r2"] == pytest.approx(built_in.metrics["train_r2"], rel=1e-9)


@pytest.mark.parametrize(("formula", "words"), [
    ("x +* 2", "at column 4"),
    ("2x", "at column 1"),
    ("sin(x", "never closed"),
    ("log(x)", "not finite"),
    ("__import__('os')", "not allowed"),
    ("", "empty"),
])
def test_a_bad_formula_is_refused_naming_the_field_and_column(formula, words):
    with pytest.raises(ValidationError) as e:
        P(dataset="formula", formula=formula)
    errors = e.value.errors()
    assert [err["loc"] for err in errors] == [("formula",)]
    assert words in errors[0]["ctx"]["error"].message("en")
