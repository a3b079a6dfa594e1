"""A tiny network's step on Python floats (app.nn.tiny) against NumPy's (app.nn.stacked and the general
path): the same run to rounding, for each hidden activation, both losses and several seeds, a diverging run
included; and the cases it must leave to NumPy."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from app.nn import tiny
from app.nn.data import circles, xor
from app.nn.network import init_network
from app.nn.train import train

training = importlib.import_module("app.nn.train")  # the module (app.nn exports its function `train`)

CASES = [(sizes, hidden, loss) for sizes in [(2, 2, 1), (2, 3, 1)] for hidden in tiny.HIDDEN
         for loss in ("mse", "bce")]


def _run(sizes, hidden, loss, seed, path: str, monkeypatch, eta=0.3, epochs=400):
    X, Y = xor()
    if loss == "bce":
        Y = (Y > 0.5).astype(float)
    used = []
    if path == "general":
        monkeypatch.setattr(training, "stacked_applies", lambda *a: False)
    elif path == "stacked":
        monkeypatch.setattr(training, "tiny_applies", lambda *a: False)
    else:
        real = training.Tiny
        monkeypatch.setattr(training, "Tiny", lambda *a: used.append(1) or real(*a))
    rec = train(init_network(sizes, hidden, "linear", seeds=[seed]), X, Y, loss=loss, eta=eta, epochs=epochs,
                n_snapshots=7)
    monkeypatch.undo()
    if path == "tiny":
        assert used, "the case should run on app.nn.tiny"
    return rec


def _same(a, b) -> None:
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-9, atol=1e-15)  # a perfect fit: losses near 0
    np.testing.assert_allclose(a.penalties, b.penalties, rtol=0, atol=0)
    np.testing.assert_allclose(a.grad_norms, b.grad_norms, rtol=1e-9, atol=1e-13)  # gradients of order 1 at the start
    np.testing.assert_array_equal(a.diverged, b.diverged)
    np.testing.assert_array_equal(a.snapshot_epochs, b.snapshot_epochs)
    for sa, sb in zip([*a.snapshots, a.net], [*b.snapshots, b.net], strict=True):
        for pa, pb in zip(sa.params(), sb.params(), strict=True):
            np.testing.assert_allclose(pa, pb, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_a_tiny_network_steps_as_numpy_does(case, seed, monkeypatch):
    floats = _run(*case, seed, "tiny", monkeypatch)
    _same(floats, _run(*case, seed, "stacked", monkeypatch))
    _same(floats, _run(*case, seed, "general", monkeypatch))
    assert abs(floats.losses[0, -1] - floats.losses[0, 0]) > 1e-6  # it moved


def test_a_diverging_run_diverges_alike(monkeypatch):
    floats = _run((2, 3, 1), "relu", "mse", 1, "tiny", monkeypatch, eta=40.0, epochs=200)
    numpy = _run((2, 3, 1), "relu", "mse", 1, "stacked", monkeypatch, eta=40.0, epochs=200)
    assert floats.diverged.all() and numpy.diverged.all()
    np.testing.assert_array_equal(np.isnan(floats.losses), np.isnan(numpy.losses))
    np.testing.assert_allclose(floats.losses, numpy.losses, rtol=1e-9)


@pytest.mark.parametrize("kw", [{"optimizer": "adam"}, {"optimizer": "sgd", "momentum": 0.9},
                                {"l2_weights": 0.01}, {"l2_biases": 0.01}])
def test_what_plain_sgd_without_penalty_does_not_cover_stays_with_numpy(kw, monkeypatch):
    X, Y = xor()
    monkeypatch.setattr(training, "Tiny", lambda *a: pytest.fail("app.nn.tiny used"))
    train(init_network((2, 2, 1), "tanh", "linear", seeds=[0]), X, Y, epochs=3, **kw)


@pytest.mark.parametrize("sizes,hidden,output,n", [
    ((2, 2, 2, 1), "tanh", "linear", 4),     # two hidden layers
    ((2, 2, 1), "tanh", "sigmoid", 4),       # a sigmoid output
    ((2, 2, 1), "gelu", "linear", 4),        # an activation without a float form here
    ((2, 8, 1), "tanh", "linear", 40),       # too much work for floats
])
def test_other_networks_stay_with_numpy(sizes, hidden, output, n, monkeypatch):
    X, Y = circles(n, seed=0) if n > 4 else xor()
    monkeypatch.setattr(training, "Tiny", lambda *a: pytest.fail("app.nn.tiny used"))
    train(init_network(sizes, hidden, output, seeds=[0]), X, Y, epochs=3)
