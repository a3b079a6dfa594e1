"""Helpers shared by the training experiments."""

from __future__ import annotations

import numpy as np

from app.exercises.common import dead_in_layer, diverged, outcome
from app.nn.data import xor
from app.nn.network import forward, init_network
from app.nn.train import loss_and_grads


def test_a_dead_unit_gets_exactly_zero_gradient_from_every_input():
    X, Y = xor()
    net = init_network((2, 3, 1), "relu", "linear", seeds=[0])
    net.b[0][0, 0, 1] = -100.0  # unit 1 sits below zero on all four inputs
    dead = dead_in_layer(net, 0, forward(net, X).Z[0])
    assert dead[0, 1]
    _, grads = loss_and_grads(net, X, Y)
    for s, u in zip(*np.nonzero(dead), strict=True):
        assert not grads.dW[0][s, :, u].any() and grads.db[0][s, 0, u] == 0.0


def test_a_blown_up_unit_is_broken_not_dead():
    Z = np.full((1, 4, 2), np.nan)
    Z[0, :, 0] = -1.0
    net = init_network((2, 2, 1), "relu", "linear", seeds=[0])
    assert dead_in_layer(net, 0, Z).tolist() == [[True, False]]


def test_diverged_follows_the_contract():
    assert not diverged(np.array([1.0, 0.5, 0.1]))
    assert diverged(np.array([1.0, np.nan, np.nan]))
    assert diverged(np.array([1.0, 0.9, 1.2]))
    assert not diverged(np.array([1.0, 0.9, 1.05]))  # within mini-batch noise of the start: stalled


def test_outcome_of_several_runs():
    learned, flat, blown = [1.0, 0.5, 0.1], [1.0, 0.99, 1.01], [1.0, 3.0, np.nan]
    assert outcome(np.array([learned, flat])) == {"diverged": False, "stalled": False}
    assert outcome(np.array([flat, flat])) == {"diverged": False, "stalled": True}
    assert outcome([np.array(learned), np.array(blown[:2])]) == {"diverged": True, "stalled": False}
