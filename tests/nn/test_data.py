"""Datasets: shapes, determinism, balance."""

import numpy as np
import pytest

from app.nn.data import DATASETS, circles, noisy_sine, teacher_neuron, xor


def test_xor():
    X, Y = xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(Y[:, 0], [0, 1, 1, 0])


@pytest.mark.parametrize("name", list(DATASETS))
def test_classification_sets(name):
    X, Y = DATASETS[name](101, 3)
    assert X.shape == (101, 2) and Y.shape == (101, 1)
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert set(np.unique(Y)) == {0.0, 1.0}
    assert Y.sum() in (50, 51)
    X2, Y2 = DATASETS[name](101, 3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert not np.array_equal(X, DATASETS[name](101, 4)[0])


def test_circles_exactly_balanced_and_radii():
    X, Y = circles(200, seed=0, noise=0.0)
    assert Y.sum() == 100
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[Y[:, 0] == 1], 0.5)
    np.testing.assert_allclose(r[Y[:, 0] == 0], 1.0)


def test_noisy_sine():
    X, Y = noisy_sine(80, seed=1, noise=0.0)
    assert X.shape == (80, 1) and Y.shape == (80, 1)
    assert X.min() >= -np.pi and X.max() <= np.pi
    np.testing.assert_allclose(Y, np.sin(X))


def test_teacher_neuron_shift_moves_inputs_not_labels():
    X0, Y0 = teacher_neuron(500, seed=0, w_star=(2.0, -1.0), shift=0.0)
    X5, Y5 = teacher_neuron(500, seed=0, w_star=(2.0, -1.0), shift=5.0)
    np.testing.assert_allclose(X5, X0 + 5.0)
    np.testing.assert_array_equal(Y0, Y5)
    assert (X5 > 0).all() and set(np.unique(Y0)) == {0.0, 1.0}
    # labels follow the teacher: positive w*^T x makes label 1 more likely
    z = X0 @ np.array([2.0, -1.0])
    assert Y0[z > 1].mean() > 0.7 and Y0[z < -1].mean() < 0.3
