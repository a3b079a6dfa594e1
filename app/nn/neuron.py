"""A single neuron stepped by plain SGD, one epoch at a time: how `train` takes the steps of such a network.

The network: no hidden layer, one output unit, a linear output (the loss sees the net input z). Stack
its parameters as θ = (w, b) and append a 1 to each input, x̃ = (x, 1); then z = θᵀx̃, and a step on
a batch of b samples is

    θ ← θ − (η / b) Σₙ δₙ x̃ₙ,   δₙ = dℓ/dz at sample n,

the same step the general path takes (its losses average over the batch), equal to rounding.

Why a kernel: SGD is a sequential loop, and a step of one neuron is a handful of scalar operations, so
the general path (forward, loss, backward, optimiser: a few dozen NumPy calls on tiny arrays) spends
almost all of its time in call overhead. `NeuronSGD` runs an epoch's steps with Python floats when
there are few members and one sample per step, else with a few NumPy calls per step for all members
at once. It needs each loss's δ in those two forms: DELTAS, checked against Loss.grad by the tests.
A loss without them (e.g. per-member rates) goes through the general path, as does anything `applies`
turns down. train computes the losses, snapshots and divergence of every path alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn.losses import LOSSES, Loss
from app.nn.network import Network
from app.nn.optimizers import SGD, Adam

# Per-sample steps as Python floats cost time per member, as NumPy calls per step for all members;
# measured on 2 cores, floats are faster up to some 15-18 members.
FLOAT_MAX_MEMBERS = 16


@dataclass(frozen=True)
class Delta:
    """δ = dℓ/dz of one sample for a neuron with a linear output: z its net input, y its target.

    scalar: on Python floats; array: elementwise on arrays, for a caller under np.errstate.
    """

    scalar: Callable[[float, float], float]
    array: Callable[[np.ndarray, np.ndarray], np.ndarray]


def sigmoid_scalar(z: float) -> float:
    """σ(z) on a Python float, as app.nn.activations.sigmoid: exp of a number ≤ 0 only."""
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)


def _bce_scalar(z: float, y: float) -> float:
    return sigmoid_scalar(z) - y  # σ(z) − y


def _bce_array(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    # σ(z) − y; for z < −709 e^{−z} overflows to inf and 1/(1 + inf) = 0, the limit
    return 1.0 / (1.0 + np.exp(-z)) - y


def _difference(z, y):  # half squared error: δ = z − y, for floats and arrays alike
    return z - y


DELTAS: dict[Loss, Delta] = {
    LOSSES["mse"]: Delta(_difference, _difference),
    LOSSES["bce"]: Delta(_bce_scalar, _bce_array),
}


def applies(net: Network, loss: Loss, opt: SGD | Adam, batches: int, l2: bool, record_updates: bool) -> bool:
    """Return whether `train` runs this case on NeuronSGD: a single neuron with a linear output, a loss
    in DELTAS, plain SGD (no momentum, no L2 penalty), more than one step per epoch (with one, the
    general path already takes a single step per epoch) and no per-step updates to record."""
    return (net.n_layers == 1 and net.sizes[-1] == 1 and net.output.name == "linear" and loss in DELTAS
            and isinstance(opt, SGD) and opt.momentum == 0.0 and not l2 and batches > 1 and not record_updates)


class NeuronSGD:
    """S single neurons trained by plain SGD on X (N, d) or (S, N, d), Y (N, 1) or (S, N, 1).

    The parameters live here between epochs (as Python floats or as θ (S, d + 1)); `epoch` writes
    them back into `net` after each epoch, where train reads them for losses and snapshots.
    """

    def __init__(self, net: Network, X: np.ndarray, Y: np.ndarray, loss: Loss, eta: float, batch_size: int):
        S, N, d = net.n_members, X.shape[-2], X.shape[-1]
        self.net, self.eta, self.B, self.d = net, float(eta), batch_size, d
        self.delta = DELTAS[loss]
        # sample-major rows x̃ (N, S, d + 1) and targets (N, S): a batch of an epoch's order is a contiguous slice
        A = np.concatenate([np.broadcast_to(X, (S, N, d)), np.ones((S, N, 1))], axis=2)
        self.At = np.ascontiguousarray(A.transpose(1, 0, 2))
        self.yt = np.ascontiguousarray(np.broadcast_to(Y, (S, N, 1))[..., 0].T)
        self.theta = np.concatenate([net.W[0][:, :, 0], net.b[0][:, 0, :]], axis=1)  # (S, d + 1)
        self.floats = batch_size == 1 and S <= FLOAT_MAX_MEMBERS
        if self.floats:  # per member: rows (N lists of d), targets (N), w (d) and b
            self.rows = [a[:, :d].tolist() for a in A]
            self.targets = self.yt.T.tolist()
            self.w = self.theta[:, :d].tolist()
            self.b = self.theta[:, d].tolist()

    def first_grad_norm(self, order: np.ndarray | None) -> np.ndarray:
        """Return ‖dW‖ (S,) at the first step of the coming epoch (its first batch, the current θ)."""
        At, yt = self._ordered(order)
        a, y = At[:self.B], yt[:self.B]  # (b, S, d + 1), (b, S)
        with np.errstate(all="ignore"):
            dz = self.delta.array(np.einsum("bsk,sk->bs", a, self._theta()), y)
            dW = np.einsum("bs,bsj->sj", dz, a[..., :self.d]) / len(a)
            return np.sqrt(np.einsum("sj,sj->s", dW, dW))

    def epoch(self, order: np.ndarray | None, path: np.ndarray | None) -> None:
        """Take one epoch of steps in the sample order order[s] for member s ((S, N), or (1, N) shared by
        all, or None for 0..N−1); write θ after step k into path[k] (steps, S, d + 1) if given; then
        write the parameters back into the network."""
        if self.floats:
            self._float_epoch(order, path)
        else:
            with np.errstate(all="ignore"):
                self._array_epoch(order, path)
        theta = self._theta()
        self.net.W[0][:, :, 0] = theta[:, :self.d]
        self.net.b[0][:, 0, 0] = theta[:, self.d]

    def _theta(self) -> np.ndarray:
        return np.column_stack([np.array(self.w), np.array(self.b)]) if self.floats else self.theta

    def _ordered(self, order: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Return the rows and targets in this epoch's order, (N, S, d + 1) and (N, S)."""
        if order is None:
            return self.At, self.yt
        if len(order) == 1:  # one order shared by all: whole rows
            return self.At[order[0]], self.yt[order[0]]
        members = np.arange(len(order))
        return self.At[order.T, members], self.yt[order.T, members]

    def _float_epoch(self, order: np.ndarray | None, path: np.ndarray | None) -> None:
        (self._float_epoch_2 if self.d == 2 else self._float_epoch_any)(order, path)

    def _float_epoch_any(self, order: np.ndarray | None, path: np.ndarray | None) -> None:
        eta, delta, idx = self.eta, self.delta.scalar, range(self.d)
        for s, (rows, targets, w) in enumerate(zip(self.rows, self.targets, self.w, strict=True)):
            b = self.b[s]
            trace: list[float] = []
            extend, append = trace.extend, trace.append
            for n in (range(len(rows)) if order is None else order[s % len(order)].tolist()):
                x = rows[n]
                z = 0.0
                for j in idx:
                    z += x[j] * w[j]
                g = eta * delta(z + b, targets[n])  # a batch of one: η δ, then θ ← θ − η δ x̃
                for j in idx:
                    w[j] -= g * x[j]
                b -= g
                if path is not None:
                    extend(w)
                    append(b)
            self.b[s] = b
            if path is not None:
                path[:, s] = np.array(trace).reshape(-1, self.d + 1)

    def _float_epoch_2(self, order: np.ndarray | None, path: np.ndarray | None) -> None:
        """`_float_epoch_any` for two inputs (4-1's neuron), the weights in locals: the same operations in
        the same order, so the same numbers to the last bit, with fewer Python steps."""
        eta, delta = self.eta, self.delta.scalar
        for s, (rows, targets, w) in enumerate(zip(self.rows, self.targets, self.w, strict=True)):
            w0, w1, b = w[0], w[1], self.b[s]
            trace: list[float] = []
            append = trace.append
            for n in (range(len(rows)) if order is None else order[s % len(order)].tolist()):
                x0, x1 = rows[n]
                g = eta * delta(0.0 + x0 * w0 + x1 * w1 + b, targets[n])
                w0 -= g * x0
                w1 -= g * x1
                b -= g
                if path is not None:
                    append(w0)
                    append(w1)
                    append(b)
            w[0], w[1], self.b[s] = w0, w1, b
            if path is not None:
                path[:, s] = np.array(trace).reshape(-1, 3)

    def _array_epoch(self, order: np.ndarray | None, path: np.ndarray | None) -> None:
        At, yt = self._ordered(order)
        theta, eta, delta, B = self.theta, self.eta, self.delta.array, self.B
        for k, i in enumerate(range(0, len(At), B)):
            a = At[i:i + B]  # (b, S, d + 1)
            dz = delta(np.einsum("bsk,sk->bs", a, theta), yt[i:i + B])
            theta -= (eta / len(a)) * np.einsum("bs,bsk->sk", dz, a)
            if path is not None:
                path[k] = theta
