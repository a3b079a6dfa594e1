"""Optimisers: they minimise a quadratic, and Adam's first step has size eta."""

import numpy as np
import pytest

from app.nn.optimizers import SGD, Adam, get_optimizer

A = np.array([1.0, 10.0])  # f(theta) = 0.5 sum A theta^2, minimum at 0


def _minimise(opt, steps: int) -> np.ndarray:
    theta = np.array([[3.0, -2.0]])
    for _ in range(steps):
        opt.step([theta], [A * theta])
    return theta


def test_sgd_with_momentum_minimises_a_quadratic():
    assert np.abs(_minimise(SGD(0.05, momentum=0.9), 300)).max() < 1e-4


def test_plain_sgd_update_is_minus_eta_g():
    theta = np.array([1.0, 2.0])
    deltas = SGD(0.1).step([theta], [np.array([0.5, -1.0])])
    np.testing.assert_allclose(deltas[0], [-0.05, 0.1])
    np.testing.assert_allclose(theta, [0.95, 2.1])


def test_adam_minimises_a_quadratic():
    assert np.abs(_minimise(Adam(0.05), 2000)).max() < 1e-3


def test_adam_first_step_has_size_eta():
    theta = np.array([[1.0, 2.0, -3.0], [0.1, 5.0, 0.0]])
    g = np.array([[1e-3, 50.0, -2.0], [7.0, -0.2, 1.0]])
    deltas = Adam(0.01).step([theta], [g])
    np.testing.assert_allclose(np.abs(deltas[0]), 0.01, rtol=1e-4)
    np.testing.assert_allclose(np.sign(deltas[0]), -np.sign(g))


def test_state_is_per_array_and_per_element():
    a, b = np.zeros((2, 1, 1)), np.zeros((2, 1, 1))
    opt = SGD(0.1, momentum=0.5)
    opt.step([a, b], [np.ones_like(a), -np.ones_like(b)])
    opt.step([a, b], [np.ones_like(a), -np.ones_like(b)])
    np.testing.assert_allclose(a, -(0.1 + 0.15))
    np.testing.assert_allclose(b, 0.1 + 0.15)


def test_get_optimizer():
    assert isinstance(get_optimizer("sgd", 0.1, momentum=0.9), SGD)
    assert isinstance(get_optimizer("adam", 0.1), Adam)
    with pytest.raises(ValueError, match="unknown optimizer"):
        get_optimizer("rmsprop", 0.1)
