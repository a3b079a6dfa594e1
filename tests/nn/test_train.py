"""Training: ensembles equal separate runs, determinism, divergence, records, exercise claims."""

import numpy as np
import pytest

from app.nn.data import circles, moons, xor
from app.nn.network import Network, init_network, predict
from app.nn.train import MAX_RECORDED_STEPS, loss_and_grads, train

SEEDS = [11, 22, 33, 44, 55]


def _assert_same(a: Network, b: Network, rtol: float = 1e-10) -> None:
    for p, q in zip(a.params(), b.params(), strict=True):
        np.testing.assert_allclose(p, q, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize(
    ("batch_size", "shuffle", "kw"),
    [
        (None, True, {}),
        (8, True, {}),
        (1, True, {"momentum": 0.9, "eta": 0.01}),
        (7, False, {"optimizer": "adam", "eta": 0.01}),
        (16, True, {"loss": "bce", "l2_weights": 0.01, "l2_biases": 0.01}),
    ],
)
def test_ensemble_equals_separate_runs(batch_size, shuffle, kw):
    X, Y = moons(40, seed=0)
    net = init_network((2, 5, 1), "tanh", "linear", seeds=SEEDS)
    seeds = [100 + s for s in SEEDS] if shuffle else None
    rec = train(net, X, Y, epochs=15, batch_size=batch_size, seeds=seeds, n_snapshots=4, **kw)
    for i, seed in enumerate(SEEDS):
        single = init_network((2, 5, 1), "tanh", "linear", seeds=[seed])
        own = None if seeds is None else [seeds[i]]
        one = train(single, X, Y, epochs=15, batch_size=batch_size, seeds=own, n_snapshots=4, **kw)
        _assert_same(rec.net.member(i), one.net)
        np.testing.assert_allclose(rec.losses[i], one.losses[0], rtol=1e-10)
        np.testing.assert_allclose(rec.grad_norms[i], one.grad_norms[0], rtol=1e-10)
        _assert_same(rec.snapshots[1].member(i), one.snapshots[1])


def test_ensemble_with_prelu_equals_separate_runs():
    X, Y = circles(20, seed=1)
    net = init_network((2, 4, 1), "prelu", "linear", seeds=SEEDS[:3])
    rec = train(net, X, Y, epochs=10, batch_size=5, seeds=[1, 2, 3], eta=0.05)
    for i in range(3):
        one = train(net.member(i), X, Y, epochs=10, batch_size=5, seeds=[i + 1], eta=0.05)
        _assert_same(rec.net.member(i), one.net)
    assert not np.array_equal(rec.net.alpha[0], net.alpha[0])


def test_same_seed_same_numbers_different_seeds_differ():
    X, Y = moons(30, seed=2)

    def run(init_seed: int, shuffle_seed: int) -> np.ndarray:
        net = init_network((2, 4, 1), "relu", "linear", seeds=[init_seed])
        return train(net, X, Y, epochs=5, batch_size=4, seeds=[shuffle_seed]).losses

    np.testing.assert_array_equal(run(1, 2), run(1, 2))
    assert not np.array_equal(run(1, 2), run(1, 3))
    assert not np.array_equal(run(1, 2), run(4, 2))


def test_without_seeds_every_member_sees_the_same_order():
    X, Y = moons(12, seed=0)
    net = init_network((2, 3, 1), "tanh", "linear", seeds=[5, 5])
    rec = train(net, X, Y, epochs=3, batch_size=1)
    # the two members run through one batched computation: equal to rounding, not bit for bit
    _assert_same(rec.net.member(0), rec.net.member(1), rtol=1e-12)
    # samples in order 0..N-1: one epoch by hand
    manual = net.member(0)
    for n in range(len(X)):
        _, g = loss_and_grads(manual, X[n:n + 1], Y[n:n + 1], "mse")
        for p, d in zip(manual.params(), g.as_list(), strict=True):
            p -= 0.1 * d
    one = train(net.member(0), X, Y, epochs=1, batch_size=1)
    _assert_same(one.net, manual, rtol=1e-13)


def test_does_not_mutate_the_callers_network():
    X, Y = xor()
    net = init_network((2, 2, 1), "relu", "linear", seeds=[0])
    before = [p.copy() for p in net.params()]
    train(net, X, Y, epochs=20)
    for p, q in zip(net.params(), before, strict=True):
        np.testing.assert_array_equal(p, q)


def test_record_shapes_snapshots_and_losses():
    X, Y = moons(20, seed=0)
    net = init_network((2, 4, 3, 1), "tanh", "linear", seeds=[0, 1])
    rec = train(net, X, Y, epochs=30, batch_size=6, seeds=[0, 1], n_snapshots=7)
    assert rec.losses.shape == (2, 31) and rec.penalties.shape == (2, 31)
    assert rec.grad_norms.shape == (2, 30, 3)
    assert rec.snapshot_epochs[0] == 0 and rec.snapshot_epochs[-1] == 30
    assert len(rec.snapshots) == len(rec.snapshot_epochs) <= 7
    assert np.all(np.diff(rec.snapshot_epochs) > 0)
    _assert_same(rec.snapshots[0], net, rtol=0)
    _assert_same(rec.snapshots[-1], rec.net, rtol=0)
    for epoch, snap in zip(rec.snapshot_epochs, rec.snapshots, strict=True):
        np.testing.assert_allclose(rec.losses[:, epoch], loss_and_grads(snap, X, Y)[0], rtol=1e-12)
    assert rec.updates is None and not rec.diverged.any()
    assert (rec.diverged_epoch == -1).all()


def test_full_batch_losses_and_grad_norms_match_snapshots():
    X, Y = circles(16, seed=0)
    net = init_network((2, 5, 1), "tanh", "linear", seeds=[3, 4])
    rec = train(net, X, Y, loss="bce", epochs=12, n_snapshots=13, l2_weights=0.1)
    assert list(rec.snapshot_epochs) == list(range(13))
    for epoch, snap in enumerate(rec.snapshots):
        value, grads = loss_and_grads(snap, X, Y, "bce", 0.1, 0.0)
        np.testing.assert_allclose(rec.losses[:, epoch] + rec.penalties[:, epoch], value, rtol=1e-12)
        if epoch < 12:
            for layer, dW in enumerate(grads.dW):
                np.testing.assert_allclose(rec.grad_norms[:, epoch, layer],
                                           np.sqrt((dW**2).sum(axis=(1, 2))), rtol=1e-12)
    assert (rec.penalties > 0).all()


def test_recorded_updates_sum_to_the_parameter_change():
    X, Y = moons(10, seed=0)
    net = init_network((2, 3, 1), "relu", "linear", seeds=[0, 1])
    rec = train(net, X, Y, epochs=4, batch_size=3, seeds=[5, 6], record_updates=True, optimizer="adam",
                eta=0.01)
    assert len(rec.updates) == 4 * 4  # ceil(10 / 3) steps per epoch
    for k, (start, end) in enumerate(zip(net.params(), rec.net.params(), strict=True)):
        total = sum(step[k] for step in rec.updates)
        np.testing.assert_allclose(start + total, end, rtol=1e-12, atol=1e-14)
    assert MAX_RECORDED_STEPS >= 10_000


def test_huge_learning_rate_diverges_quietly():
    X, Y = moons(20, seed=0)
    net = init_network((2, 8, 1), "relu", "linear", seeds=[0, 1, 2])
    rec = train(net, X * 100, Y, eta=1e3, epochs=50)
    assert rec.diverged.all()
    for s in range(3):
        e = rec.diverged_epoch[s]
        assert 0 < e <= 50
        assert np.isfinite(rec.losses[s, :e]).all() and np.isnan(rec.losses[s, e:]).all()


def test_one_member_diverges_and_the_others_go_on():
    X, Y = moons(20, seed=0)
    Xs = np.stack([X, X, 1e4 * X])  # member 2 sees huge inputs and blows up
    net = init_network((2, 4, 1), "relu", "linear", seeds=[0, 1, 2])
    rec = train(net, Xs, Y, eta=0.1, epochs=40)
    assert list(rec.diverged) == [False, False, True]
    assert list(rec.diverged_epoch[:2]) == [-1, -1] and rec.diverged_epoch[2] > 0
    one = train(net.member(0), X, Y, eta=0.1, epochs=40)
    np.testing.assert_allclose(rec.losses[0], one.losses[0], rtol=1e-12)


def test_loss_increase_counts_as_divergence():
    X, Y = xor()
    net = init_network((2, 2, 1), "tanh", "linear", seeds=[0])
    rec = train(net, X, Y, eta=-0.05, epochs=20)  # gradient ascent
    assert rec.diverged[0] and rec.diverged_epoch[0] == -1


def test_training_reduces_the_loss():
    X, Y = xor()
    net = init_network((2, 8, 1), "tanh", "linear", seeds=[0])
    rec = train(net, X, Y, eta=0.2, epochs=2000, n_snapshots=3)
    assert rec.losses[0, -1] < 1e-3
    np.testing.assert_allclose(predict(rec.net, X)[0], Y, atol=0.1)


def test_bias_penalty_offsets_a_linear_fit():
    # one linear neuron, loss 0.5 mean e^2 + (lam/2) b^2: stationary b = (ybar - w xbar) / (1 + lam)
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(50, 1))
    Y = 2 * X + 3 + 0.1 * rng.normal(size=(50, 1))
    net = init_network((1, 1), "linear", "linear", seeds=[0])
    lam = 1.0
    rec = train(net, X, Y, eta=0.5, epochs=5000, l2_biases=lam, n_snapshots=2)
    w, b = rec.net.W[0][0, 0, 0], rec.net.b[0][0, 0, 0]
    assert b == pytest.approx((Y.mean() - w * X.mean()) / (1 + lam), rel=1e-6)
    assert b < 2.0  # pulled well below the true offset 3


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_strength_per_member_trains_each_as_alone(optimizer):
    # Several penalties side by side (4-7's three fits): member i trains as it would with its own λ.
    X, Y = moons(30, seed=1)
    lam_w, lam_b = np.array([0.0, 0.05, 0.05, 0.2]), np.array([0.0, 0.0, 0.05, 0.2])
    net = init_network((2, 4, 1), "tanh", "linear", seeds=[3, 3, 3, 4])
    rec = train(net, X, Y, optimizer=optimizer, eta=0.05, epochs=40, l2_weights=lam_w, l2_biases=lam_b,
                n_snapshots=2)
    for i in range(4):
        alone = train(init_network((2, 4, 1), "tanh", "linear", seeds=[[3, 3, 3, 4][i]]), X, Y, optimizer=optimizer,
                      eta=0.05, epochs=40, l2_weights=lam_w[i], l2_biases=lam_b[i], n_snapshots=2)
        _assert_same(rec.net.member(i), alone.net)
        np.testing.assert_allclose(rec.penalties[i], alone.penalties[0], rtol=1e-10, atol=1e-300)
    value, _ = loss_and_grads(net, X, Y, l2_weights=lam_w, l2_biases=lam_b)
    # members 0 and 1 start alike; member 1 adds (0.05/2)·ΣW² (its biases start at zero)
    squares = sum(float(np.sum(W[0] ** 2)) for W in net.W)
    assert value[1] - value[0] == pytest.approx(0.025 * squares, rel=1e-12)
    with pytest.raises(ValueError, match="per member needs 4 values"):
        train(net, X, Y, epochs=1, l2_weights=[0.1, 0.2])


def test_zero_init_with_balanced_classes_is_stationary():
    X, Y = circles(40, seed=0)
    net = init_network((2, 4, 1), "sigmoid", "linear", seeds=[0], weight_init="zeros", bias_init="zeros")
    rec = train(net, X, Y, loss="bce", eta=0.5, epochs=20)
    assert all((p == 0).all() for p in rec.net.params())
    np.testing.assert_array_equal(rec.grad_norms, 0.0)


def test_a_plateau_is_stalled_not_diverged():
    from app.nn.train import loss_diverged, loss_outcome, loss_stalled

    ln2 = np.log(2)
    runs = np.array([[ln2, ln2, ln2 + 1e-12],   # never learned: stuck at ln 2, rounding only
                     [ln2, 0.69, 0.6957],       # mini-batch noise on the ln 2 plateau (4-8's zero init)
                     [ln2, 0.3, ln2 + 1e-6],    # learned, then came back to where it started
                     [ln2, 0.9, 0.8],           # ended 15 % above its start
                     [ln2, 1e3, 1e8],           # grew by orders of magnitude
                     [ln2, np.nan, np.nan],     # became non-finite
                     [ln2, 0.5, 0.1]])          # learned
    assert loss_diverged(runs).tolist() == [False, False, False, True, True, True, False]
    assert loss_stalled(runs).tolist() == [True, True, True, False, False, False, False]
    assert loss_outcome(runs).tolist() == ["stalled"] * 3 + ["diverged"] * 3 + ["learned"]


def test_a_loss_that_starts_at_zero_does_not_diverge_by_rounding():
    from app.nn.train import loss_diverged

    assert loss_diverged(np.array([0.0, 1e-14, 1e-13])).tolist() is False
    assert loss_diverged(np.array([0.0, 1e-3])).tolist() is True


def test_the_record_says_stalled_for_a_symmetric_net_and_diverged_for_a_blow_up():
    X, Y = circles(40, seed=0)
    zeros = init_network((2, 4, 1), "sigmoid", "linear", seeds=[0], weight_init="zeros", bias_init="zeros")
    flat = train(zeros, X, Y, loss="bce", eta=0.5, epochs=20)
    assert flat.stalled[0] and not flat.diverged[0]
    net = init_network((2, 8, 1), "relu", "linear", seeds=[0, 1])
    blown = train(net, X * 100, Y, eta=1e3, epochs=30)
    assert blown.diverged.all() and not blown.stalled.any()
