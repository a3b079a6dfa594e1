"""The member-minor fast path of train() gives the numbers of the reference (S, N, n) path."""

import importlib

import numpy as np
import pytest

from app.nn.data import moons, xor
from app.nn.losses import per_member_rates
from app.nn.network import init_network
from app.nn.train import TrainRecord, _use_fast_path, train

train_module = importlib.import_module("app.nn.train")  # app.nn re-exports the function `train`

SEEDS = list(range(40))


def _run(monkeypatch, fast: bool, net, X, Y, **kw) -> TrainRecord:
    monkeypatch.setattr(train_module, "FAST_MIN_MEMBERS", 1 if fast else 10**9)
    return train(net, X, Y, **kw)


def _assert_records_close(a: TrainRecord, b: TrainRecord, rtol: float = 1e-9) -> None:
    np.testing.assert_allclose(a.losses, b.losses, rtol=rtol, atol=1e-13)
    np.testing.assert_allclose(a.penalties, b.penalties, rtol=rtol, atol=1e-13)
    np.testing.assert_allclose(a.grad_norms, b.grad_norms, rtol=rtol, atol=1e-13)
    np.testing.assert_array_equal(a.snapshot_epochs, b.snapshot_epochs)
    np.testing.assert_array_equal(a.diverged, b.diverged)
    np.testing.assert_array_equal(a.diverged_epoch, b.diverged_epoch)
    assert len(a.snapshots) == len(b.snapshots)
    for na, nb in zip([*a.snapshots, a.net], [*b.snapshots, b.net], strict=True):
        assert na.sizes == nb.sizes and na.alpha is None and nb.alpha is None
        for p, q in zip(na.params(), nb.params(), strict=True):
            assert p.shape == q.shape and p.flags.c_contiguous
            np.testing.assert_allclose(p, q, rtol=rtol, atol=1e-12)
    assert (a.path is None) == (b.path is None)
    if a.path is not None:
        np.testing.assert_allclose(a.path, b.path, rtol=rtol, atol=1e-12)
    assert (a.updates is None) == (b.updates is None)
    if a.updates is not None:
        assert len(a.updates) == len(b.updates)
        for ua, ub in zip(a.updates, b.updates, strict=True):
            for p, q in zip(ua, ub, strict=True):
                assert p.shape == q.shape
                np.testing.assert_allclose(p, q, rtol=rtol, atol=1e-13)


CASES = [
    ((2, 2, 1), "relu", "linear", xor, {"eta": 0.1, "epochs": 60}),
    ((2, 5, 3, 1), "tanh", "sigmoid", lambda: moons(30, seed=1), {"eta": 0.5, "epochs": 20}),
    ((2, 4, 1), "sigmoid", "linear", lambda: moons(24, seed=2),
     {"loss": "bce", "optimizer": "adam", "eta": 0.01, "l2_weights": 0.01, "l2_biases": 0.02, "epochs": 15}),
    ((2, 3, 3, 1), "gelu", "linear", lambda: moons(21, seed=3),
     {"batch_size": 7, "momentum": 0.9, "eta": 0.05, "epochs": 6, "record_updates": True, "n_snapshots": 4,
      "record_path": True}),
    ((2, 2, 1), "relu", "linear", xor, {"epochs": 0}),
    ((2, 3, 1), "leaky_relu", "linear", xor, {"epochs": 12, "record_grad_norms": False, "l2_weights": 0.1}),
]


@pytest.mark.parametrize(("sizes", "hidden", "output", "data", "kw"), CASES)
def test_fast_path_matches_reference(monkeypatch, sizes, hidden, output, data, kw):
    X, Y = data()
    net = init_network(sizes, hidden, output, seeds=SEEDS)
    fast = _run(monkeypatch, True, net, X, Y, **kw)
    ref = _run(monkeypatch, False, net, X, Y, **kw)
    _assert_records_close(fast, ref)


def test_fast_path_two_outputs_and_divergence(monkeypatch):
    X, _ = moons(20, seed=4)
    Y = np.c_[X[:, :1] > 0, X[:, 1:] > 0].astype(float)
    net = init_network((2, 4, 2), "relu", "linear", seeds=SEEDS, weight_init="normal", init_kwargs={"std": 3.0})
    kw = {"eta": 30.0, "epochs": 25}
    fast = _run(monkeypatch, True, net, X, Y, **kw)
    ref = _run(monkeypatch, False, net, X, Y, **kw)
    assert fast.diverged.any()
    _assert_records_close(fast, ref)


def test_fast_path_member_equals_separate_run(monkeypatch):
    X, Y = xor()
    net = init_network((2, 2, 1), "relu", "linear", seeds=SEEDS)
    rec = _run(monkeypatch, True, net, X, Y, epochs=200)
    for i in (0, 17, 39):
        one = train(net.member(i), X, Y, epochs=200)
        np.testing.assert_allclose(rec.losses[i], one.losses[0], rtol=1e-9, atol=1e-13)
        for p, q in zip(rec.net.member(i).params(), one.net.params(), strict=True):
            np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-12)


def test_fast_path_is_deterministic_and_leaves_input_alone(monkeypatch):
    X, Y = xor()
    net = init_network((2, 2, 1), "relu", "linear", seeds=SEEDS)
    before = [p.copy() for p in net.params()]
    a = _run(monkeypatch, True, net, X, Y, epochs=30)
    b = _run(monkeypatch, True, net, X, Y, epochs=30)
    np.testing.assert_array_equal(a.losses, b.losses)
    for p, q in zip(a.net.params(), b.net.params(), strict=True):
        np.testing.assert_array_equal(p, q)
    for p, q in zip(net.params(), before, strict=True):
        np.testing.assert_array_equal(p, q)


def test_fast_path_is_driven_by_the_loss_object(monkeypatch):
    """Any Loss works on either layout: per-member learning rates (a derived loss) included."""
    X, Y = moons(24, seed=5)
    net = init_network((2, 3, 1), "tanh", "linear", seeds=SEEDS)
    loss = per_member_rates("bce", np.linspace(0.1, 1.0, len(SEEDS)))
    fast = _run(monkeypatch, True, net, X, Y, loss=loss, eta=0.5, epochs=10)
    ref = _run(monkeypatch, False, net, X, Y, loss=loss, eta=0.5, epochs=10)
    _assert_records_close(fast, ref)


def test_train_imports_nothing_private_from_other_modules():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(train_module.__file__).read_text(encoding="utf-8"))
    private = [a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for a in node.names if a.name.startswith("_")]
    assert private == []


def test_fast_path_chosen_only_where_it_applies():
    X, Y = xor()
    big = init_network((2, 2, 1), "relu", "linear", seeds=range(1000))
    assert _use_fast_path(big, X, Y, shuffle=False)
    assert not _use_fast_path(big, X, Y, shuffle=True)
    assert not _use_fast_path(big.select(range(4)), X, Y, shuffle=False)
    assert _use_fast_path(init_network((2, 8, 1), "relu", "linear", seeds=range(100)), *moons(200, seed=0), False)
    assert not _use_fast_path(big, np.broadcast_to(X, (1000, 4, 2)), Y, shuffle=False)
    prelu = init_network((2, 2, 1), "prelu", "linear", seeds=range(100))
    assert not _use_fast_path(prelu, X, Y, shuffle=False)
    wide = init_network((2, 8, 8, 1), "relu", "linear", seeds=range(64))
    Xw, Yw = moons(50, seed=0)
    assert not _use_fast_path(wide, Xw, Yw, shuffle=False)
