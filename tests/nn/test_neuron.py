"""The single-neuron kernel of train() (app.nn.neuron) gives the numbers of the general path; paths are recorded."""

import importlib

import numpy as np
import pytest

from app.nn import neuron
from app.nn.data import moons, teacher_neuron, xor
from app.nn.losses import LOSSES, get_loss, per_member_rates
from app.nn.network import init_network
from app.nn.optimizers import get_optimizer
from app.nn.train import MAX_PATH_VALUES, TrainRecord, train
from tests.nn.test_train_fast import _assert_records_close

train_module = importlib.import_module("app.nn.train")  # app.nn re-exports the function `train`


def _general(monkeypatch, *args, **kw) -> TrainRecord:
    """Train on the general path: the kernel switched off."""
    with monkeypatch.context() as m:
        m.setattr(train_module, "neuron_applies", lambda *a: False)
        return train(*args, **kw)


def _kernel(monkeypatch, *args, **kw) -> TrainRecord:
    """Train through the kernel, failing if train does not take it."""
    calls, epoch = [], neuron.NeuronSGD.epoch

    def counted(self, *a):
        calls.append(1)
        return epoch(self, *a)

    with monkeypatch.context() as m:
        m.setattr(neuron.NeuronSGD, "epoch", counted)
        rec = train(*args, **kw)
    assert calls, "train did not use the neuron kernel"
    return rec


def _assert_paths_close(a: TrainRecord, b: TrainRecord) -> None:
    assert a.path is not None and b.path is not None and a.path.shape == b.path.shape
    np.testing.assert_allclose(a.path, b.path, rtol=1e-10, atol=1e-12)


# --- δ in the kernel's forms against the losses' gradients ---------------------------------------


@pytest.mark.parametrize("name", ["mse", "bce"])
def test_deltas_are_the_losses_gradients_for_one_sample(name):
    loss, delta = LOSSES[name], neuron.DELTAS[LOSSES[name]]
    rng = np.random.default_rng(0)
    z = np.r_[rng.normal(scale=5.0, size=200), -1e4, -745.0, -709.0, -40.0, 0.0, 40.0, 709.0, 745.0, 1e4]
    for y in (0.0, 1.0, 0.3):
        Y = np.full_like(z, y)
        want = loss.grad(z[:, None, None], Y[:, None, None])[:, 0, 0]  # one sample per member
        with np.errstate(all="raise" if name == "mse" else "ignore"):
            got = delta.array(z, Y)
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-16)
        with np.errstate(all="raise"):  # the float form never overflows
            floats = [delta.scalar(float(a), y) for a in z]
        np.testing.assert_allclose(floats, want, rtol=1e-14, atol=1e-16)


# --- the kernel against the general path ------------------------------------------------------------


def _problem(S: int, d: int = 2, per_member: bool = True, n: int = 30):
    X, Y = teacher_neuron(n, 0, (4.0, -1.0), 3.0)
    if d == 3:
        X = np.c_[X, X[:, 0] * X[:, 1] / 4]
    if not per_member:
        return X, Y
    rng = np.random.default_rng(1)
    return X + rng.normal(scale=0.5, size=(S, 1, d)), np.broadcast_to(Y, (S, n, 1))  # a moved copy each


CASES = [  # id, members, inputs, per-member data, kw
    ("floats, one order, bce", 3, 2, True, {"batch_size": 1, "seeds": [4, 4, 4], "loss": "bce", "eta": 0.3}),
    ("floats, own orders, mse", 4, 3, False, {"batch_size": 1, "seeds": [1, 2, 3, 1], "loss": "mse", "eta": 0.01}),
    ("arrays, one order", 20, 2, True, {"batch_size": 1, "seeds": [7] * 20, "loss": "bce", "eta": 0.3}),
    ("arrays, own orders", 20, 2, False, {"batch_size": 1, "seeds": range(20), "loss": "bce", "eta": 0.3}),
    ("mini-batches", 3, 3, True, {"batch_size": 7, "seeds": [5, 6, 5], "loss": "bce", "eta": 0.5}),
    ("not shuffled", 2, 2, False, {"batch_size": 4, "seeds": None, "loss": "mse", "eta": 0.01}),
]


@pytest.mark.parametrize(("members", "d", "per_member", "kw"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_kernel_gives_the_general_paths_numbers(monkeypatch, members, d, per_member, kw):
    X, Y = _problem(members, d, per_member)
    net = init_network((d, 1), "linear", "linear", seeds=range(members), bias_init="normal")  # θ ≠ 0
    kw = {"epochs": 6, "n_snapshots": 4, "record_path": True, **kw}
    fast, ref = _kernel(monkeypatch, net, X, Y, **kw), _general(monkeypatch, net, X, Y, **kw)
    _assert_records_close(fast, ref, rtol=1e-10)
    _assert_paths_close(fast, ref)
    assert fast.grad_norms.shape == (members, 6, 1) and np.isfinite(fast.grad_norms).all()


def test_the_kernel_follows_divergence_as_the_general_path_does(monkeypatch):
    X, Y = teacher_neuron(30, 0, (4.0, -1.0), 3.0)
    net = init_network((2, 1), "linear", "linear", seeds=[0, 1], weight_init="zeros")
    kw = {"loss": "mse", "eta": 3.0, "epochs": 12, "batch_size": 1, "seeds": [2, 2]}
    fast, ref = _kernel(monkeypatch, net, X, Y, **kw), _general(monkeypatch, net, X, Y, **kw)
    assert fast.diverged.all() and (fast.diverged_epoch == ref.diverged_epoch).all()
    finite = np.isfinite(ref.losses)
    np.testing.assert_array_equal(np.isfinite(fast.losses), finite)
    np.testing.assert_allclose(fast.losses[finite], ref.losses[finite], rtol=1e-10)


def test_a_kernel_member_equals_its_solo_run(monkeypatch):
    X, Y = _problem(20)
    net = init_network((2, 1), "linear", "linear", seeds=range(20))
    seeds = [3 * s % 7 for s in range(20)]
    rec = _kernel(monkeypatch, net, X, Y, loss="bce", eta=0.2, epochs=5, batch_size=1, seeds=seeds)
    for i in (0, 9, 19):
        one = _kernel(monkeypatch, net.member(i), X[i], Y[i], loss="bce", eta=0.2, epochs=5, batch_size=1,
                      seeds=[seeds[i]])
        np.testing.assert_allclose(rec.losses[i], one.losses[0], rtol=1e-12)
        for p, q in zip(rec.net.member(i).params(), one.net.params(), strict=True):
            np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_the_kernel_applies_only_to_plain_sgd_on_one_neuron():
    one = init_network((2, 1), "linear", "linear", seeds=[0])
    sgd, bce = get_optimizer("sgd", 0.1), get_loss("bce")

    def applies(net=one, loss=bce, opt=sgd, batches=10, l2=False, record_updates=False):
        return neuron.applies(net, loss, opt, batches, l2, record_updates)

    assert applies()
    assert applies(loss=get_loss("mse"))
    assert not applies(net=init_network((2, 3, 1), "tanh", "linear", seeds=[0]))  # a hidden layer
    assert not applies(net=init_network((2, 2), "linear", "linear", seeds=[0]))  # two outputs
    assert not applies(net=init_network((2, 1), "linear", "sigmoid", seeds=[0]))  # a nonlinear output
    assert not applies(loss=per_member_rates("bce", np.ones(1)))  # a loss without the kernel's δ
    assert not applies(opt=get_optimizer("sgd", 0.1, momentum=0.9))
    assert not applies(opt=get_optimizer("adam", 0.1))
    assert not applies(l2=True)
    assert not applies(batches=1)
    assert not applies(record_updates=True)


# --- recorded paths and shared orders on the general path ----------------------------------------------


@pytest.mark.parametrize("members", [3, 12], ids=["general", "member-minor"])
def test_the_path_starts_at_the_initial_and_ends_at_the_final_parameters(members):
    X, Y = xor()
    net = init_network((2, 3, 1), "tanh", "linear", seeds=range(members))
    rec = train(net, X, Y, epochs=7, batch_size=2, record_path=True, record_updates=True)
    flat = [np.concatenate([p.reshape(members, -1) for p in n.params()], axis=1) for n in (net, rec.net)]
    assert rec.path.shape == (7 * 2 + 1, members, flat[0].shape[1])
    np.testing.assert_array_equal(rec.path[0], flat[0])
    np.testing.assert_allclose(rec.path[-1], flat[1], rtol=1e-12)
    applied = np.stack([np.concatenate([u.reshape(members, -1) for u in step], axis=1) for step in rec.updates])
    np.testing.assert_allclose(np.diff(rec.path, axis=0), applied, rtol=1e-9, atol=1e-15)


def test_a_path_too_long_to_keep_is_refused():
    X, Y = moons(200, seed=0)
    net = init_network((2, 8, 1), "tanh", "linear", seeds=range(4))
    with pytest.raises(ValueError, match="record_path"):
        train(net, X, Y, epochs=MAX_PATH_VALUES // (200 * 4 * 33) + 1, batch_size=1, record_path=True)


def test_members_with_equal_seeds_see_the_same_order_as_alone():
    X, Y = moons(24, seed=3)
    net = init_network((2, 4, 1), "tanh", "linear", seeds=[1, 2, 3])
    rec = train(net, X, Y, epochs=5, batch_size=5, seeds=[9, 9, 4], eta=0.2)
    for i, seed in enumerate([9, 9, 4]):
        one = train(net.member(i), X, Y, epochs=5, batch_size=5, seeds=[seed], eta=0.2)
        np.testing.assert_allclose(rec.losses[i], one.losses[0], rtol=1e-12)


@pytest.mark.parametrize("record", [False, True])
def test_two_inputs_on_floats_step_exactly_as_any_number_of_inputs(record, monkeypatch):
    # NeuronSGD._float_epoch_2 (weights in locals) against the general float loop: the same numbers, bit for
    # bit (the same operations in the same order), with and without the path of every step.
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(30, 2)), (rng.random((30, 1)) > 0.5).astype(float)
    kw = {"loss": "bce", "eta": 0.3, "epochs": 4, "batch_size": 1, "seeds": [5, 6], "record_path": record,
          "n_snapshots": 2}
    calls = []
    two = neuron.NeuronSGD._float_epoch_2
    monkeypatch.setattr(neuron.NeuronSGD, "_float_epoch_2", lambda *a: calls.append(1) or two(*a))
    fast = train(init_network((2, 1), "linear", "linear", seeds=[1, 2]), X, Y, **kw)
    assert len(calls) == 4  # one epoch each on the two-input float loop
    monkeypatch.setattr(neuron.NeuronSGD, "_float_epoch_2", neuron.NeuronSGD._float_epoch_any)
    general = train(init_network((2, 1), "linear", "linear", seeds=[1, 2]), X, Y, **kw)
    for a, b in zip(fast.net.params(), general.net.params(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fast.losses, general.losses)
    if record:
        np.testing.assert_array_equal(fast.path, general.path)
