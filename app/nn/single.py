"""One network: the same step as the general path, on plain 2-D arrays.

For a single network (S = 1) on shared inputs X (N, d), full batch or in mini-batches, the general path's
work per step is a few dozen NumPy calls on tiny arrays, and its bookkeeping for an ensemble axis (the
reshapes of the shared products, the Cache and Grads objects, the loss's error computed twice) costs as
much as the arithmetic. Here the step is written out on 2-D views of the network's own arrays, so the
optimiser updates `net` in place and train's snapshots, losses and records work unchanged.

The mathematics is the general path's: the same products, the same Loss and Activation objects, and the
bias gradients summed by the same einsum (so that exact cancellations, e.g. zero initialisation on
balanced classes, stay exact). tests/nn/test_train_single.py checks the two against each other.
"""

from __future__ import annotations

import numpy as np

from app.nn.losses import Loss
from app.nn.network import Network, l2_penalty


def applies(net: Network, X: np.ndarray, Y: np.ndarray, per_member_l2: bool, record_updates: bool,
            record_path: bool) -> bool:
    """Return whether train runs this case here: one network without PReLU on shared 2-D inputs, one
    L2 strength, and no per-step updates or parameter path to record."""
    return (net.n_members == 1 and net.alpha is None and X.ndim == 2 and Y.ndim == 2
            and not per_member_l2 and not record_updates and not record_path)


class Single:
    """The step of one network on 2-D views of its parameters: W[l] (n_in, n_out), b[l] (1, n_out)."""

    def __init__(self, net: Network, loss: Loss, l2_weights: float, l2_biases: float):
        self.net, self.loss = net, loss
        self.W = [w[0] for w in net.W]  # views: an update here is an update of net
        self.b = [b[0] for b in net.b]
        self.params = [*self.W, *self.b]
        self.lam_w, self.lam_b = l2_weights, l2_biases
        self.regularised = l2_weights != 0.0 or l2_biases != 0.0
        self.linear_out = net.output.name == "linear"
        self.f, self.f_out = net.hidden.fn, net.output.fn  # looked up once: the step is all small calls
        self.f_der, self.f_out_der = net.hidden.der_at, net.output.der_at
        self.zero = np.zeros(1)  # the penalty without L2 (train copies it out)

    @staticmethod
    def stepper(opt):
        """The optimiser's step for this path: its gradients are new arrays every step that nothing else
        holds, so plain SGD may scale them into the updates in place."""
        return getattr(opt, "step_consuming", opt.step)

    def snapshot(self) -> Network:
        return self.net.copy()

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        Z, A, f = [], [X], self.f
        a = X
        for W, b in zip(self.W[:-1], self.b[:-1], strict=True):
            z = a @ W + b
            a = f(z)
            Z.append(z)
            A.append(a)
        z = a @ self.W[-1] + self.b[-1]
        Z.append(z)
        A.append(self.f_out(z))
        return Z, A

    def _penalty(self) -> np.ndarray:
        return l2_penalty(self.net, self.lam_w, self.lam_b) if self.regularised else self.zero

    def objective(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Return the data loss (1,), the penalty (1,) and the gradients of their sum, in params order."""
        Z, A = self._forward(X)
        value, dY = self.loss.both(A[-1], Y)
        return value.reshape(1), self._penalty(), self._backward(Z, A, dY)

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
        """Return the gradients of loss + penalty on one mini-batch X (B, d), Y (B, k), in params order."""
        Z, A = self._forward(X)
        return self._backward(Z, A, self.loss.grad(A[-1], Y))

    def _backward(self, Z: list[np.ndarray], A: list[np.ndarray], dY: np.ndarray) -> list[np.ndarray]:
        out = A[-1]
        delta = dY if self.linear_out else dY * self.f_out_der(Z[-1], out)
        L = len(self.W)
        dW: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        db: list[np.ndarray] = [None] * L  # type: ignore[list-item]
        for layer in range(L - 1, -1, -1):
            dW[layer] = A[layer].T @ delta
            db[layer] = np.einsum("ni->i", delta)[None]
            if layer:
                delta = (delta @ self.W[layer].T) * self.f_der(Z[layer - 1], A[layer])
        if self.regularised:
            for g, W in zip(dW, self.W, strict=True):
                g += self.lam_w * W
            for g, b in zip(db, self.b, strict=True):
                g += self.lam_b * b
        return [*dW, *db]

    def value(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the data loss (1,) and the penalty (1,) at the current parameters."""
        return self.loss.value(self._forward(X)[1][-1], Y).reshape(1), self._penalty()

    @staticmethod
    def norm(grad: np.ndarray) -> np.ndarray:
        """Return the Frobenius norm of one gradient array, (1,)."""
        return np.array([np.sqrt(np.vdot(grad, grad))])
