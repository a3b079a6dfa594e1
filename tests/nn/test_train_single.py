"""One network trained full batch (app.nn.single) against the general path: the same run to rounding, for
every depth, activation, output, loss, optimiser and penalty; and the cases it must leave alone."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from app.nn.data import circles, xor
from app.nn.network import init_network
from app.nn.train import train

training = importlib.import_module("app.nn.train")  # the module (app.nn exports its function `train`)

CASES = [
    ((2, 1), "tanh", "linear", "mse", "sgd", 0.0, 0.0),
    ((2, 3, 1), "relu", "linear", "mse", "sgd", 0.0, 0.0),
    ((2, 4, 1), "sigmoid", "sigmoid", "mse", "momentum", 0.0, 0.0),
    ((2, 5, 4, 1), "tanh", "linear", "bce", "adam", 0.01, 0.0),
    ((2, 4, 4, 4, 1), "elu", "linear", "bce", "sgd", 0.01, 0.01),
    ((2, 6, 1), "gelu", "linear", "mse", "adam", 0.0, 0.05),
    ((2, 3, 3, 1), "swish", "sigmoid", "mse", "sgd", 0.1, 0.1),
]


def _run(sizes, hidden, output, loss, optimizer, l2_w, l2_b, X, Y, general: bool, monkeypatch):
    if general:
        monkeypatch.setattr(training, "single_applies", lambda *a: False)
    else:
        used = []
        real = training.Single
        monkeypatch.setattr(training, "Single", lambda *a: used.append(1) or real(*a))
    net = init_network(sizes, hidden, output, seeds=[7])
    heavy = optimizer == "momentum"  # plain sgd with momentum
    rec = train(net, X, Y, loss=loss, optimizer="sgd" if heavy else optimizer, eta=0.05, momentum=0.9 if heavy else 0.0,
                epochs=60, l2_weights=l2_w, l2_biases=l2_b, n_snapshots=5)
    if not general:
        assert used, "the case should run on app.nn.single"
    monkeypatch.undo()
    return rec


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c[:5])))
def test_one_network_steps_as_the_general_path(case, monkeypatch):
    X, Y = circles(40, seed=3)
    single = _run(*case, X, Y, general=False, monkeypatch=monkeypatch)
    general = _run(*case, X, Y, general=True, monkeypatch=monkeypatch)
    np.testing.assert_allclose(single.losses, general.losses, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(single.penalties, general.penalties, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(single.grad_norms, general.grad_norms, rtol=1e-10, atol=1e-300)
    for a, b in zip(single.net.params(), general.net.params(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    for sa, sb in zip(single.snapshots, general.snapshots, strict=True):
        for a, b in zip(sa.params(), sb.params(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    assert np.isfinite(single.losses).all() and abs(single.losses[0, -1] - single.losses[0, 0]) > 1e-6  # it moved


@pytest.mark.parametrize("case", CASES[1:4], ids=lambda c: "-".join(map(str, c[:5])))
@pytest.mark.parametrize("batch_size", [1, 7])
def test_one_network_in_shuffled_mini_batches_steps_as_the_general_path(case, batch_size, monkeypatch):
    sizes, hidden, output, loss, optimizer, l2_w, l2_b = case
    X, Y = circles(40, seed=3)
    runs, real = [], training.Single
    for general in (False, True):
        if general:
            monkeypatch.setattr(training, "single_applies", lambda *a: False)
        else:
            monkeypatch.setattr(training, "Single", lambda *a: runs.append("single") or real(*a))
        heavy = optimizer == "momentum"
        runs.append(train(init_network(sizes, hidden, output, seeds=[7]), X, Y, loss=loss,
                          optimizer="sgd" if heavy else optimizer, eta=0.05, momentum=0.9 if heavy else 0.0,
                          epochs=8, batch_size=batch_size, seeds=[11], l2_weights=l2_w, l2_biases=l2_b))
        monkeypatch.undo()
    assert runs[0] == "single"
    single, general = runs[1], runs[2]
    np.testing.assert_allclose(single.losses, general.losses, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(single.grad_norms, general.grad_norms, rtol=1e-10, atol=1e-300)
    for a, b in zip(single.net.params(), general.net.params(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kw", [{"record_updates": True}, {"record_path": True}])
def test_recordings_keep_the_general_path(kw, monkeypatch):
    X, Y = xor()
    monkeypatch.setattr(training, "Single", lambda *a: pytest.fail("app.nn.single used"))
    train(init_network((2, 2, 1), "tanh", "linear", seeds=[0]), X, Y, epochs=3, seeds=[0], **kw)
    train(init_network((2, 2, 1), "prelu", "linear", seeds=[0]), X, Y, epochs=3)  # PReLU learns its slopes
    train(init_network((2, 2, 1), "tanh", "linear", seeds=[0, 1]), X, Y, epochs=3)  # an ensemble
