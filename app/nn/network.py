"""Fully connected feedforward networks, S of them at once (the ensemble axis), with backpropagation.

Orientation: the book writes z = W x + b for one column vector x. Here a batch of N samples is a row
matrix X of shape (N, d), and layer l computes Z = A @ W[l] + b[l] with W[l] of shape (n_in, n_out),
so W here is the book's W transposed. A leading axis of length S holds S independent networks:
W[l] is (S, n_in, n_out), b[l] is (S, 1, n_out), and every activation is (S, N, n). One code path
serves S = 1 and S = 1000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.nn.activations import Activation, get_activation, prelu, prelu_dalpha, prelu_der
from app.nn.init import get_initializer


@dataclass
class Network:
    """An ensemble of S networks sharing one architecture.

    sizes: (d, h1, ..., hL, k). W[l]: (S, n_in, n_out). b[l]: (S, 1, n_out).
    alpha: learned PReLU slopes, one (S, 1, n) array per hidden layer, only when hidden is "prelu".
    """

    sizes: tuple[int, ...]
    hidden: Activation
    output: Activation
    W: list[np.ndarray]
    b: list[np.ndarray]
    alpha: list[np.ndarray] | None = None

    @property
    def n_members(self) -> int:
        """Return S, the number of networks in the ensemble."""
        return self.W[0].shape[0]

    @property
    def n_layers(self) -> int:
        """Return the number of weight layers (hidden layers + 1)."""
        return len(self.W)

    def member(self, i: int) -> Network:
        """Return a copy of the i-th network alone (S = 1)."""
        return self.select([i])

    def select(self, idx: Sequence[int] | np.ndarray) -> Network:
        """Return a copy holding the members `idx` (in that order)."""
        idx = np.asarray(idx, dtype=int)
        alpha = None if self.alpha is None else [a[idx] for a in self.alpha]
        return Network(self.sizes, self.hidden, self.output, [w[idx] for w in self.W],
                       [b[idx] for b in self.b], alpha)

    @staticmethod
    def stack(nets: Sequence[Network]) -> Network:
        """Return one ensemble holding every member of `nets`, in order (e.g. a run's snapshots)."""
        first = nets[0]
        alpha = None if first.alpha is None else [np.concatenate([n.alpha[i] for n in nets])  # type: ignore[index]
                                                  for i in range(len(first.alpha))]
        return Network(first.sizes, first.hidden, first.output,
                       [np.concatenate([n.W[i] for n in nets]) for i in range(first.n_layers)],
                       [np.concatenate([n.b[i] for n in nets]) for i in range(first.n_layers)], alpha)

    def copy(self) -> Network:
        """Return a deep copy of the parameters."""
        alpha = None if self.alpha is None else [a.copy() for a in self.alpha]
        return Network(self.sizes, self.hidden, self.output, [w.copy() for w in self.W],
                       [b.copy() for b in self.b], alpha)

    def params(self) -> list[np.ndarray]:
        """Return the parameter arrays in optimiser order: W[0..L-1], b[0..L-1], then alpha."""
        return [*self.W, *self.b, *(self.alpha or [])]


def _as_activation(act: Activation | str) -> Activation:
    return get_activation(act) if isinstance(act, str) else act


def init_network(
    sizes: Sequence[int],
    hidden: Activation | str,
    output: Activation | str,
    seeds: Sequence[int],
    *,
    weight_init: str = "normal",
    bias_init: float | str = 0.0,
    init_kwargs: dict[str, Any] | None = None,
    prelu_alpha: float = 0.25,
) -> Network:
    """Build an ensemble of len(seeds) networks.

    Member i draws from np.random.default_rng(seeds[i]), layer by layer: W[0], b[0], W[1], b[1], ...
    (b[l] draws only when bias_init names a random initialiser), so member i equals the network built
    with seeds=[seeds[i]]. bias_init: a constant, or an initialiser name ("zeros", "normal", ...).
    init_kwargs go to get_initializer (std, limit, constant) for weights and biases alike.
    """
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) < 2:
        raise ValueError("sizes needs at least an input and an output size")
    hidden, output = _as_activation(hidden), _as_activation(output)
    kwargs = init_kwargs or {}
    w_init = get_initializer(weight_init, **kwargs)
    b_init = get_initializer(bias_init, **kwargs) if isinstance(bias_init, str) else None
    shapes = list(zip(sizes[:-1], sizes[1:], strict=True))

    W = [np.empty((len(seeds), n_in, n_out)) for n_in, n_out in shapes]
    b0 = 0.0 if b_init is not None else float(bias_init)
    b = [np.full((len(seeds), 1, n_out), b0) for _, n_out in shapes]
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        for Wl, bl, shape in zip(W, b, shapes, strict=True):
            Wl[i] = w_init(rng, shape)
            if b_init is not None:
                bl[i] = b_init(rng, (1, shape[1]))
    alpha = None
    if hidden.name == "prelu":
        alpha = [np.full((len(seeds), 1, n), float(prelu_alpha)) for n in sizes[1:-1]]
    return Network(sizes, hidden, output, W, b, alpha)


def widen(net: Network, width: int) -> Network:
    """Return a copy of a one-hidden-layer ensemble with `width` hidden units, the added ones with zero
    weights in, zero bias and zero weights out.

    When the hidden activation has f(0) = 0 (ReLU, leaky ReLU, tanh), such a unit is inert under
    gradient descent: its output f(0) = 0 gives its outgoing weights no gradient, and its zero outgoing
    weights give its incoming weights and bias none, so it stays zero (an L2 penalty keeps zero at
    zero too). A widened network then trains as the narrow one, up to the order of floating-point
    sums, and networks of several widths can train side by side as one ensemble.
    """
    if net.n_layers != 2 or net.alpha is not None:
        raise ValueError("widen takes one hidden layer, without PReLU slopes")
    d, n, k = net.sizes
    if width < n:
        raise ValueError(f"cannot widen {n} hidden units to {width}")
    S = net.n_members
    W0, b0, W1 = np.zeros((S, d, width)), np.zeros((S, 1, width)), np.zeros((S, width, k))
    W0[:, :, :n], b0[:, :, :n], W1[:, :n, :] = net.W[0], net.b[0], net.W[1]
    return Network((d, width, k), net.hidden, net.output, [W0, W1], [b0, net.b[1].copy()])


def narrow(net: Network, width: int) -> Network:
    """Return a copy of a one-hidden-layer ensemble keeping its first `width` hidden units."""
    d, _, k = net.sizes
    return Network((d, width, k), net.hidden, net.output, [net.W[0][:, :, :width].copy(), net.W[1][:, :width].copy()],
                   [net.b[0][:, :, :width].copy(), net.b[1].copy()])


@dataclass(frozen=True)
class Cache:
    """The forward pass: Z[l] = A[l] @ W[l] + b[l], A[l+1] = f(Z[l]); A[0] = X.

    Z[l], A[l+1]: (S, N, n). A[0] is X as passed, (N, d) or (S, N, d). The output is A[-1].
    """

    Z: list[np.ndarray]
    A: list[np.ndarray]


@dataclass(frozen=True)
class Grads:
    """Gradients with the shapes of the parameters: dW[l] (S, n_in, n_out), db[l] (S, 1, n_out),
    dalpha[l] (S, 1, n) per hidden layer for PReLU (else None)."""

    dW: list[np.ndarray]
    db: list[np.ndarray]
    dalpha: list[np.ndarray] | None = None

    def as_list(self) -> list[np.ndarray]:
        """Return the gradients in the order of Network.params()."""
        return [*self.dW, *self.db, *(self.dalpha or [])]


def _shared_matmul(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Return X @ W for X (N, d) shared by all members and W (S, d, h) as (S, N, h).

    One BLAS call on W viewed as (d, S*h) instead of S tiny products (much faster for small layers).
    """
    S, d, h = W.shape
    if S == 1:  # one network: the plain product; on tiny layers the reshapes cost as much as the product
        return (X @ W[0])[None]
    return (X @ W.transpose(1, 0, 2).reshape(d, S * h)).reshape(-1, S, h).transpose(1, 0, 2)


def _shared_t_matmul(X: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Return X^T @ delta for X (N, d) and delta (S, N, h) as (S, d, h), in one BLAS call."""
    S, N, h = delta.shape
    if S == 1:
        return (X.T @ delta[0])[None]
    return (X.T @ delta.transpose(1, 0, 2).reshape(N, S * h)).reshape(-1, S, h).transpose(1, 0, 2)


# From this many entries on, an outer product (k = 1) is faster as einsum's loop than as a broadcast
# multiply, whose inner loops run along the short last axis (100 nets × 200 points × 8 units: 180 → 130 µs).
OUTER_EINSUM_MIN = 4096


def _matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Return A @ B for stacks (S, n, k) @ (S, k, m); with k = 1 (a 1-D input, one output unit) each entry
    is one product, which a broadcast multiply or einsum gives exactly and much faster than S tiny BLAS
    calls."""
    if A.shape[-1] != 1:
        return A @ B
    return A * B if A.size * B.shape[-1] < OUTER_EINSUM_MIN else np.einsum("...nk,...km->...nm", A, B)


def _sum_samples(delta: np.ndarray) -> np.ndarray:
    """Return the sum over samples of delta (S, N, n) as (S, 1, n)."""
    return np.einsum("sni->si", delta)[:, None, :]


def forward_pass(net: Network, X: np.ndarray) -> Cache:
    """Run the forward pass as it is, for a caller already under np.errstate (train's inner loop)."""
    Z: list[np.ndarray] = []
    A = [X]
    last = len(net.W) - 1
    for layer, (W, b) in enumerate(zip(net.W, net.b, strict=True)):
        Zl = _shared_matmul(X, W) if A[-1].ndim == 2 else _matmul(A[-1], W)
        Zl += b  # in place: the product is a fresh array, and a 96 000-element layer need not be allocated twice
        Z.append(Zl)
        if layer == last:
            A.append(net.output.fn(Zl))
        elif net.alpha is not None:
            A.append(prelu(Zl, net.alpha[layer]))
        else:
            A.append(net.hidden.fn(Zl))
    return Cache(Z, A)


def backward_pass(net: Network, cache: Cache, dY: np.ndarray) -> Grads:
    """Backpropagate as it is, for a caller already under np.errstate (train's inner loop)."""
    L = len(net.W)
    dW: list[np.ndarray] = [None] * L  # type: ignore[list-item]
    db: list[np.ndarray] = [None] * L  # type: ignore[list-item]
    dalpha: list[np.ndarray] | None = None if net.alpha is None else [None] * (L - 1)  # type: ignore[list-item]
    # delta = dLoss/dZ: at the output, dY * f'(Z); below, (delta @ W^T) * f'(Z)
    delta = dY if net.output.name == "linear" else dY * net.output.der_at(cache.Z[-1], cache.A[-1])
    for layer in range(L - 1, -1, -1):
        Al = cache.A[layer]
        dW[layer] = _shared_t_matmul(Al, delta) if Al.ndim == 2 else Al.mT @ delta
        db[layer] = _sum_samples(delta)
        if layer == 0:
            break
        dA = _matmul(delta, net.W[layer].mT)
        Zp = cache.Z[layer - 1]
        if dalpha is not None:
            dalpha[layer - 1] = _sum_samples(dA * prelu_dalpha(Zp))
            delta = dA * prelu_der(Zp, net.alpha[layer - 1])  # type: ignore[index]
        else:
            dA *= net.hidden.der_at(Zp, cache.A[layer])  # in place: dA is the fresh product above
            delta = dA
    return Grads(dW, db, dalpha)


def forward(net: Network, X: np.ndarray) -> Cache:
    """Run the forward pass on X (N, d), shared by all members, or (S, N, d); never warns."""
    with np.errstate(all="ignore"):
        return forward_pass(net, np.asarray(X, dtype=float))


def predict(net: Network, X: np.ndarray) -> np.ndarray:
    """Return the outputs (S, N, k) (logits when the output is linear and the loss is bce)."""
    return forward(net, X).A[-1]


def backward(net: Network, cache: Cache, dY: np.ndarray) -> Grads:
    """Backpropagate dY = dLoss/dOutput (S, N, k) through the cached pass; return exact gradients.

    dW[l] = A[l]^T @ delta[l], db[l] = sum over samples of delta[l].
    """
    with np.errstate(all="ignore"):
        return backward_pass(net, cache, np.asarray(dY, dtype=float))


def l2_penalty(net: Network, lam_w: float | np.ndarray, lam_b: float | np.ndarray) -> np.ndarray:
    """Return the L2 penalty per member, (S,): (lam_w/2) sum W^2 + (lam_b/2) sum b^2.

    Each strength is one number for all members or one per member, (S,). Its gradient is lam_w W and
    lam_b b. PReLU slopes are not penalised.
    """
    with np.errstate(all="ignore"):
        total = np.zeros(net.n_members)
        for W, b in zip(net.W, net.b, strict=True):
            total += 0.5 * lam_w * np.einsum("sij,sij->s", W, W) + 0.5 * lam_b * np.einsum("sij,sij->s", b, b)
        return total


def parameter_count(sizes: Sequence[int]) -> dict[str, int]:
    """Count the parameters of one network of these sizes from the shapes alone.

    input_weights: into the first hidden layer; hidden_weights: between hidden layers; output_weights:
    into the output layer (with no hidden layer, all weights count as output weights); biases: one per
    non-input unit.
    """
    sizes = [int(n) for n in sizes]
    per_layer = [n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    input_w = per_layer[0] if len(per_layer) > 1 else 0
    hidden_w = sum(per_layer[1:-1])
    output_w = per_layer[-1]
    biases = sum(sizes[1:])
    return {
        "input_weights": input_w,
        "hidden_weights": hidden_w,
        "output_weights": output_w,
        "biases": biases,
        "total": input_w + hidden_w + output_w + biases,
    }
