"""Networks: initialisation, shapes, the whole backward pass against finite differences."""

import numpy as np
import pytest

from app.nn.init import INIT_NAMES, get_initializer
from app.nn.network import (
    Network,
    backward,
    forward,
    init_network,
    l2_penalty,
    parameter_count,
    predict,
)
from app.nn.train import loss_and_grads

KINKED = {"relu", "leaky_relu", "prelu"}


def _fd_check(net: Network, X, Y, loss: str, lw: float, lb: float, h: float = 1e-6) -> None:
    """Compare loss_and_grads with centred differences of the objective for every parameter."""
    _, grads = loss_and_grads(net, X, Y, loss, lw, lb)
    for param, grad in zip(net.params(), grads.as_list(), strict=True):
        assert grad.shape == param.shape
        fd = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            old = param[idx]
            param[idx] = old + h
            up = loss_and_grads(net, X, Y, loss, lw, lb)[0].sum()
            param[idx] = old - h
            down = loss_and_grads(net, X, Y, loss, lw, lb)[0].sum()
            param[idx] = old
            fd[idx] = (up - down) / (2 * h)
        scale = np.linalg.norm(grad) + np.linalg.norm(fd)
        assert scale == 0 or np.linalg.norm(grad - fd) / scale < 1e-6


def _away_from_kinks(net: Network, X) -> bool:
    return all(np.abs(Z).min() > 1e-4 for Z in forward(net, X).Z[:-1])


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu", "leaky_relu", "prelu", "elu", "softplus",
                                    "swish", "gelu", "gelu_tanh"])
@pytest.mark.parametrize(("loss", "lw", "lb"), [("mse", 0.0, 0.0), ("bce", 0.3, 0.0), ("mse", 0.2, 0.1)])
def test_backward_matches_centred_differences(depth, hidden, loss, lw, lb):
    rng = np.random.default_rng(depth)
    sizes = (3, *[4] * depth, 2)
    X = rng.normal(size=(6, 3))
    Y = rng.integers(0, 2, size=(6, 2)).astype(float)
    net = init_network(sizes, hidden, "linear", seeds=[10 + depth, 20 + depth], bias_init="normal",
                       init_kwargs={"std": 0.8}, prelu_alpha=0.2)
    if hidden in KINKED:
        assert _away_from_kinks(net, X)
    _fd_check(net, X, Y, loss, lw, lb)


@pytest.mark.parametrize("output", ["sigmoid", "tanh", "softplus"])
def test_backward_through_nonlinear_output(output):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    net = init_network((2, 3, 1), "tanh", output, seeds=[1, 2], bias_init="normal")
    _fd_check(net, X, Y, "mse", 0.0, 0.0)


def test_backward_with_per_member_inputs():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 5, 1))
    net = init_network((2, 3, 3, 1), "tanh", "linear", seeds=[4, 5], bias_init="normal")
    _fd_check(net, X, Y, "mse", 0.1, 0.0)


def test_public_backward_equals_loss_and_grads():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    net = init_network((2, 3, 1), "tanh", "linear", seeds=[1, 2])
    cache = forward(net, X)
    n = X.shape[0]
    grads = backward(net, cache, (cache.A[-1] - Y) / n)
    _, ref = loss_and_grads(net, X, Y, "mse")
    for a, b in zip(grads.as_list(), ref.as_list(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_prelu_slopes_are_parameters():
    net = init_network((2, 3, 4, 1), "prelu", "linear", seeds=[0, 1, 2], prelu_alpha=0.1)
    assert net.alpha is not None and [a.shape for a in net.alpha] == [(3, 1, 3), (3, 1, 4)]
    assert (net.alpha[0] == 0.1).all()
    assert init_network((2, 3, 1), "relu", "linear", seeds=[0]).alpha is None


def test_shapes_and_shared_vs_per_member_inputs():
    net = init_network((2, 5, 3, 1), "tanh", "linear", seeds=[0, 1, 2])
    assert net.n_members == 3 and net.n_layers == 3
    assert [w.shape for w in net.W] == [(3, 2, 5), (3, 5, 3), (3, 3, 1)]
    assert [b.shape for b in net.b] == [(3, 1, 5), (3, 1, 3), (3, 1, 1)]
    X = np.random.default_rng(0).normal(size=(7, 2))
    cache = forward(net, X)
    assert [z.shape for z in cache.Z] == [(3, 7, 5), (3, 7, 3), (3, 7, 1)]
    assert len(cache.A) == 4 and cache.A[0] is not None
    np.testing.assert_allclose(predict(net, np.broadcast_to(X, (3, 7, 2))), predict(net, X), rtol=1e-14)


def test_member_equals_single_network():
    seeds = [3, 1, 4, 1, 5]
    ens = init_network((2, 4, 1), "relu", "linear", seeds=seeds, weight_init="he", bias_init="normal")
    for i, seed in enumerate(seeds):
        single = init_network((2, 4, 1), "relu", "linear", seeds=[seed], weight_init="he",
                              bias_init="normal")
        member = ens.member(i)
        for a, b in zip(member.params(), single.params(), strict=True):
            np.testing.assert_array_equal(a, b)
    member = ens.member(0)
    member.W[0][...] = 0.0
    assert not (ens.W[0][0] == 0).all()


def test_seeds_determine_weights():
    a = init_network((2, 3, 1), "tanh", "linear", seeds=[7])
    b = init_network((2, 3, 1), "tanh", "linear", seeds=[7])
    c = init_network((2, 3, 1), "tanh", "linear", seeds=[8])
    np.testing.assert_array_equal(a.W[0], b.W[0])
    assert not np.array_equal(a.W[0], c.W[0])


def test_bias_init_constant_and_zeros():
    net = init_network((2, 3, 1), "relu", "linear", seeds=[0], bias_init=0.1)
    assert all((b == 0.1).all() for b in net.b)
    net = init_network((2, 3, 1), "relu", "linear", seeds=[0], bias_init="zeros", weight_init="zeros")
    assert all((p == 0).all() for p in net.params())


@pytest.mark.parametrize("name", INIT_NAMES)
def test_initializers(name):
    rng = np.random.default_rng(0)
    W = get_initializer(name, std=0.5, limit=0.3, constant=2.0)(rng, (400, 100))
    assert W.shape == (400, 100)
    expected_std = {"zeros": 0.0, "constant": 0.0, "normal": 0.5, "uniform": 0.3 / np.sqrt(3),
                    "xavier": np.sqrt(2 / 500), "he": np.sqrt(2 / 400)}[name]
    assert W.std() == pytest.approx(expected_std, rel=0.02, abs=1e-12)


def test_l2_penalty_convention():
    net = init_network((1, 1, 1), "tanh", "linear", seeds=[0], weight_init="constant",
                       init_kwargs={"constant": 2.0}, bias_init=3.0)
    # two weights of 2 and two biases of 3
    assert l2_penalty(net, 0.1, 0.0)[0] == pytest.approx(0.05 * 8)
    assert l2_penalty(net, 0.1, 1.0)[0] == pytest.approx(0.05 * 8 + 0.5 * 18)


@pytest.mark.parametrize("sizes", [(2, 1), (2, 2, 1), (3, 5, 4, 2), (10, 40, 40, 40, 1), (4, 3, 3, 3, 3, 3)])
def test_parameter_count_matches_arrays(sizes):
    count = parameter_count(sizes)
    net = init_network(sizes, "relu", "linear", seeds=[0])
    assert count["total"] == sum(p.size for p in net.params())
    assert count["biases"] == sum(b.size for b in net.b)
    weights = [w.size for w in net.W]
    assert count["output_weights"] == weights[-1]
    assert count["input_weights"] + count["hidden_weights"] == sum(weights[:-1])


def test_parameter_count_exercise_4_5():
    totals = [parameter_count((10, *[120 // L] * L, 1))["total"] for L in range(1, 7)]
    assert totals == [1441, 4381, 3761, 3151, 2689, 2341]


def test_parameter_count_never_allocates():
    assert parameter_count((10**6, 10**6, 1))["total"] == 10**12 + 2 * 10**6 + 1


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "tanh"])
@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_a_widened_network_trains_as_the_narrow_one_when_f_of_zero_is_zero(act, l2):
    # Inert units (zero weights in and out, zero bias) stay zero: the same losses and parameters, to rounding,
    # in the member-minor layout (16 members) and the (S, N, n) one (2 members).
    from app.nn.network import narrow, widen
    from app.nn.train import train

    rng = np.random.default_rng(3)
    X, Y = rng.uniform(-1, 1, (12, 2)), rng.uniform(-1, 1, (12, 1))
    for members in (16, 2):
        net = init_network((2, 3, 1), act, "linear", list(range(members)))
        kw = {"eta": 0.2, "epochs": 150, "l2_weights": l2, "l2_biases": l2, "n_snapshots": 2,
              "record_grad_norms": False}
        narrow_run, wide_run = train(net, X, Y, **kw), train(widen(net, 7), X, Y, **kw)
        np.testing.assert_allclose(wide_run.losses, narrow_run.losses, rtol=1e-12, atol=1e-15)
        back = narrow(wide_run.net, 3)
        for got, want in zip(back.params(), narrow_run.net.params(), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)
        assert not np.any(wide_run.net.W[0][:, :, 3:]) and not np.any(wide_run.net.W[1][:, 3:])


def test_a_widened_sigmoid_network_does_not_train_as_the_narrow_one():
    # sigmoid(0) = 1/2: the added units' outgoing weights get a gradient, so widen is not exact there
    # (4-2's width sweep then trains each width alone).
    from app.nn.network import widen
    from app.nn.train import train

    rng = np.random.default_rng(3)
    X, Y = rng.uniform(-1, 1, (12, 2)), rng.uniform(-1, 1, (12, 1))
    net = init_network((2, 3, 1), "sigmoid", "linear", list(range(16)))
    kw = {"eta": 0.5, "epochs": 50, "n_snapshots": 2, "record_grad_norms": False}
    assert not np.allclose(train(widen(net, 7), X, Y, **kw).losses, train(net, X, Y, **kw).losses, rtol=1e-6)
