"""Losses: gradients against finite differences, conventions, stability of bce on logits."""

import numpy as np
import pytest

from app.nn.losses import LOSSES, get_loss


def _fd_grad(f, Yhat: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Return d(sum over members of f)/dYhat by centred differences."""
    grad = np.zeros_like(Yhat)
    for idx in np.ndindex(Yhat.shape):
        up, down = Yhat.copy(), Yhat.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f(up).sum() - f(down).sum()) / (2 * h)
    return grad


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("per_member_targets", [False, True])
def test_gradient_matches_centred_differences(name, per_member_targets):
    rng = np.random.default_rng(1)
    Yhat = rng.normal(size=(3, 5, 2))
    Y = rng.integers(0, 2, size=(3, 5, 2) if per_member_targets else (5, 2)).astype(float)
    loss = get_loss(name)
    assert loss.value(Yhat, Y).shape == (3,)
    grad = loss.grad(Yhat, Y)
    assert grad.shape == Yhat.shape
    fd = _fd_grad(lambda P: loss.value(P, Y), Yhat)
    assert np.linalg.norm(grad - fd) / np.linalg.norm(grad + fd) < 1e-6


def test_mse_is_half_mean_squared_error():
    Yhat = np.array([[[1.0], [3.0]]])
    Y = np.array([[0.0], [1.0]])
    assert get_loss("mse").value(Yhat, Y)[0] == pytest.approx(0.5 * (1 + 4) / 2)


def test_bce_stable_at_huge_logits():
    bce = get_loss("bce")
    Z = np.array([[[1000.0], [-1000.0], [1000.0], [-1000.0]]])
    Y = np.array([[1.0], [0.0], [0.0], [1.0]])
    value, grad = bce.value(Z, Y), bce.grad(Z, Y)
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    assert value[0] == pytest.approx(2000.0 / 4)  # two right (loss 0), two wrong by 1000 each
    np.testing.assert_allclose(grad[0, :, 0], [0.0, 0.0, 0.25, -0.25])
    right = bce.value(Z[:, :2], Y[:2])
    assert right[0] == 0.0


def test_bce_matches_probability_form():
    z = np.array([[[0.3], [-1.2]]])
    y = np.array([[1.0], [0.0]])
    p = 1 / (1 + np.exp(-z[0, :, 0]))
    expected = -np.mean(y[:, 0] * np.log(p) + (1 - y[:, 0]) * np.log(1 - p))
    assert get_loss("bce").value(z, y)[0] == pytest.approx(expected)


def test_unknown_loss():
    with pytest.raises(ValueError, match="unknown loss"):
        get_loss("hinge")


def test_per_member_rates_train_each_member_at_its_own_rate():
    """One ensemble with scaled gradients equals each member trained alone at its rate."""
    from app.nn.data import xor
    from app.nn.losses import per_member_rates
    from app.nn.network import init_network
    from app.nn.train import train

    X, Y = xor()
    rates = np.array([0.05, 0.2, 0.8])
    together = train(init_network((2, 3, 1), "tanh", "linear", seeds=[7, 7, 7]), X, Y,
                     loss=per_member_rates("mse", rates), eta=1.0, epochs=50)
    for s, rate in enumerate(rates):
        alone = train(init_network((2, 3, 1), "tanh", "linear", seeds=[7]), X, Y, loss="mse", eta=rate, epochs=50)
        np.testing.assert_allclose(together.losses[s], alone.losses[0], rtol=1e-10)
        np.testing.assert_allclose(together.net.W[0][s], alone.net.W[0][0], rtol=1e-10)


@pytest.mark.parametrize("name", ["mse", "bce"])
def test_value_and_gradient_together_are_the_two_apart(name):
    rng = np.random.default_rng(4)
    Yhat, Y = rng.normal(size=(3, 7, 1)), (rng.random((3, 7, 1)) > 0.5).astype(float)
    loss = get_loss(name)
    value, grad = loss.both(Yhat.copy(), Y)
    np.testing.assert_array_equal(value, loss.value(Yhat, Y))
    np.testing.assert_array_equal(grad, loss.grad(Yhat, Y))
