"""Training on stacked arrays with one flat parameter buffer (app.nn.stacked) against the general path: the same
run to rounding for one network (every depth, activation, output, loss, optimiser and penalty, full batch and
shuffled mini-batches) and for ensembles (shared or per-member inputs, per-member penalties and learning
rates, one shared order or one per member); and the cases it must leave alone."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from app.nn.data import circles, moons, xor
from app.nn.losses import per_member_rates
from app.nn.network import init_network
from app.nn.train import train
from tests.nn.test_train_fast import _assert_records_close

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
        monkeypatch.setattr(training, "stacked_applies", lambda *a: False)
    else:
        used = []
        real = training.Stacked
        monkeypatch.setattr(training, "Stacked", lambda *a: used.append(1) or real(*a))
    net = init_network(sizes, hidden, output, seeds=[7])
    heavy = optimizer == "momentum"  # plain sgd with momentum
    rec = train(net, X, Y, loss=loss, optimizer="sgd" if heavy else optimizer, eta=0.05, momentum=0.9 if heavy else 0.0,
                epochs=60, l2_weights=l2_w, l2_biases=l2_b, n_snapshots=5)
    if not general:
        assert used, "the case should run on app.nn.stacked"
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
    runs, real = [], training.Stacked
    for general in (False, True):
        if general:
            monkeypatch.setattr(training, "stacked_applies", lambda *a: False)
        else:
            monkeypatch.setattr(training, "Stacked", lambda *a: runs.append("stacked") or real(*a))
        heavy = optimizer == "momentum"
        runs.append(train(init_network(sizes, hidden, output, seeds=[7]), X, Y, loss=loss,
                          optimizer="sgd" if heavy else optimizer, eta=0.05, momentum=0.9 if heavy else 0.0,
                          epochs=8, batch_size=batch_size, seeds=[11], l2_weights=l2_w, l2_biases=l2_b))
        monkeypatch.undo()
    assert runs[0] == "stacked"
    single, general = runs[1], runs[2]
    np.testing.assert_allclose(single.losses, general.losses, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(single.grad_norms, general.grad_norms, rtol=1e-10, atol=1e-300)
    for a, b in zip(single.net.params(), general.net.params(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def _both(net, X, Y, monkeypatch, **kw):
    """Train `net` on app.nn.stacked (checked) and on the general path; return both records."""
    used, real = [], training.Stacked
    with monkeypatch.context() as m:
        m.setattr(training, "Stacked", lambda *a: used.append(1) or real(*a))
        stacked = train(net, X, Y, **kw)
    assert used, "the case should run on app.nn.stacked"
    with monkeypatch.context() as m:
        m.setattr(training, "stacked_applies", lambda *a: False)
        general = train(net, X, Y, **kw)
    return stacked, general


def _assert_close(a, b, rtol=1e-10):
    _assert_records_close(a, b, rtol)  # every field; snapshots and net in arrays of their own, not buffer views
    for field in ("losses", "penalties", "grad_norms"):  # to rounding even where they are tiny
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=rtol, atol=1e-300)


ENSEMBLES = {
    # shared inputs, full batch, members from different seeds
    "shared-full-sgd": ({"sizes": (2, 5, 1), "hidden": "tanh", "members": 4},
                        {"loss": "mse", "eta": 0.3, "epochs": 40}),
    # 4-8's compare: one order shared by all members (equal seeds), mini-batches, cross-entropy
    "one-order-bce": ({"sizes": (2, 8, 1), "hidden": "sigmoid", "members": 5},
                      {"loss": "bce", "eta": 1.0, "epochs": 6, "batch_size": 16, "seeds": [0] * 5}),
    # an order per member, momentum, two hidden layers, sigmoid output
    "own-orders-momentum": ({"sizes": (2, 4, 3, 1), "hidden": "relu", "output": "sigmoid", "members": 3},
                            {"loss": "mse", "eta": 0.1, "momentum": 0.9, "epochs": 5, "batch_size": 7,
                             "seeds": [1, 2, 3]}),
    # 4-7's fits: one data set per member, Adam, a penalty per member
    "own-data-adam-l2": ({"sizes": (1, 6, 1), "hidden": "tanh", "members": 6, "own_data": True},
                         {"loss": "mse", "optimizer": "adam", "eta": 0.05, "epochs": 60,
                          "l2_weights": [0.0, 0.1, 0.1, 0.0, 0.3, 0.3], "l2_biases": [0.0, 0.0, 0.1, 0.0, 0.0, 0.3]}),
    # one strength for all members, on weights and biases
    "shared-l2": ({"sizes": (2, 4, 1), "hidden": "elu", "members": 3},
                  {"loss": "bce", "optimizer": "adam", "eta": 0.02, "epochs": 30, "l2_weights": 0.01,
                   "l2_biases": 0.02}),
}


@pytest.mark.parametrize("name", ENSEMBLES)
def test_an_ensemble_steps_as_the_general_path(name, monkeypatch):
    arch, kw = ENSEMBLES[name]
    S = arch["members"]
    net = init_network(arch["sizes"], arch["hidden"], arch.get("output", "linear"), seeds=range(10, 10 + S))
    d = arch["sizes"][0]
    if arch.get("own_data"):
        rng = np.random.default_rng(5)
        X = rng.uniform(-3, 3, size=(S, 30, d))
        Y = np.sin(X) + 5.0 + 0.3 * rng.normal(size=(S, 30, 1))
    else:
        X, Y = moons(48, seed=2)
    stacked, general = _both(net, X, Y, monkeypatch, n_snapshots=4, **kw)
    _assert_close(stacked, general)
    assert np.isfinite(stacked.losses).all() and (stacked.losses[:, -1] < stacked.losses[:, 0]).all()  # they learned
    assert np.ptp(stacked.losses[:, -1]) > 0  # and the members differ


def test_per_member_learning_rates_and_a_diverging_member(monkeypatch):
    # 4-3's rate sweep: member s at η·factors[s]; the largest rate blows up and the others go on
    X, Y = moons(40, seed=4)
    net = init_network((2, 6, 1), "relu", "linear", seeds=[3] * 4)
    loss = per_member_rates("mse", np.array([0.1, 1.0, 3.0, 400.0]))
    stacked, general = _both(net, X, Y, monkeypatch, loss=loss, eta=0.1, epochs=30, n_snapshots=3)
    _assert_close(stacked, general)
    assert list(stacked.diverged) == [False, False, False, True]


def test_zero_init_stays_exactly_symmetric(monkeypatch):
    # 4-8: every hidden unit of a zero- or constant-initialised network gets the same gradient, to the bit
    X, Y = circles(64, seed=1)
    net = init_network((2, 6, 1), "sigmoid", "linear", seeds=[0, 0], weight_init="constant",
                       init_kwargs={"constant": 0.5})
    stacked, _ = _both(net, X, Y, monkeypatch, loss="bce", eta=1.0, epochs=5, batch_size=16, seeds=[4, 4])
    W0 = stacked.net.W[0]
    assert (W0 == W0[:, :, :1]).all() and np.ptp(W0) > 0  # moved, and every unit alike


@pytest.mark.parametrize("kw", [{"record_updates": True}, {"record_path": True}])
def test_recordings_keep_the_general_path(kw, monkeypatch):
    X, Y = xor()
    monkeypatch.setattr(training, "Stacked", lambda *a: pytest.fail("app.nn.stacked used"))
    train(init_network((2, 2, 1), "tanh", "linear", seeds=[0]), X, Y, epochs=3, seeds=[0], **kw)
    train(init_network((2, 2, 1), "tanh", "linear", seeds=[0, 1]), X, Y, epochs=3, **kw)
    train(init_network((2, 2, 1), "prelu", "linear", seeds=[0]), X, Y, epochs=3)  # PReLU learns its slopes
