"""S networks stepped on their stacked arrays, every parameter in one flat buffer.

The general path (app.nn.network's forward_pass and backward_pass with train's bookkeeping) builds
Cache and Grads objects, a list of gradient arrays and a list of updates every step. For the small
networks of the exercises each NumPy call moves a few hundred numbers, so that Python costs as much as
the arithmetic. Here the step is written out once, on arrays laid out for it:

- every parameter of every member lives in one (S, P) buffer `theta`, in Network.params() order, and
  every gradient in a second one, `grad`, that backpropagation writes into (`out=`); the network's
  W[l] (S, n_in, n_out) and b[l] (S, 1, n_out) are views of `theta`, so an optimiser step is one
  elementwise update of the whole ensemble, and train's snapshots, losses and records read `net`;
- the L2 penalty (λ_w/2)ΣW² + (λ_b/2)Σb² is one strength per column of `theta`, Λ (S, P), so its
  gradient is Λθ and its value ½Σ(Λθ)θ, two or three calls whatever the depth;
- one network (S = 1) steps on 2-D views, where a stacked product would only add a batch loop.

The mathematics is the general path's: the same products (a shared input's through one BLAS call), the
same Loss and Activation objects, and the bias gradients summed by the same einsum (so that exact
cancellations, e.g. zero initialisation on balanced classes, stay exact). tests/nn/test_train_stacked.py
checks the two against each other.
"""

from __future__ import annotations

import math

import numpy as np

from app.nn.losses import Loss
from app.nn.network import Network, _matmul, _shared_matmul, _shared_t_matmul


def applies(net: Network, record_updates: bool, record_path: bool) -> bool:
    """Return whether train runs this case here: no PReLU slopes, and no per-step updates or parameter
    path to record (the general path keeps those)."""
    return net.alpha is None and not record_updates and not record_path


def _views(flat: np.ndarray, shapes: list[tuple[int, ...]], plain: bool) -> list[np.ndarray]:
    """Cut a (S, P) buffer into arrays of these per-member shapes: (S, *shape), or (*shape) when plain
    (one member)."""
    out, at = [], 0
    for shape in shapes:
        n = math.prod(shape)
        out.append(flat[0, at:at + n].reshape(shape) if plain else flat[:, at:at + n].reshape(-1, *shape))
        at += n
    return out


class Stacked:
    """The step of S networks: W[l] (S, n_in, n_out) and b[l] (S, 1, n_out) views of one buffer (2-D
    (n_in, n_out) and (1, n_out) for one network)."""

    def __init__(self, net: Network, loss: Loss, l2_weights: float | np.ndarray, l2_biases: float | np.ndarray):
        S, L = net.n_members, net.n_layers
        shapes = [p.shape[1:] for p in net.params()]
        P = sum(math.prod(s) for s in shapes)
        self.S, self.loss, self.plain = S, loss, S == 1
        self.theta, self.grad = np.empty((S, P)), np.zeros((S, P))
        members = _views(self.theta, shapes, plain=False)  # (S, …) whatever S: what a Network holds
        for view, p in zip(members, net.params(), strict=True):
            view[...] = p
        self.net = Network(net.sizes, net.hidden, net.output, members[:L], members[L:])
        work = members if S > 1 else _views(self.theta, shapes, plain=True)
        grads = _views(self.grad, shapes, plain=self.plain)
        self.W, self.b, self.gW, self.gb = work[:L], work[L:], grads[:L], grads[L:]
        self.gb_rows = [g[..., 0, :] for g in self.gb]  # (S, n) or (n,): what the bias einsum writes
        self.params = [self.theta]
        off = np.all(np.asarray(l2_weights) == 0.0) and np.all(np.asarray(l2_biases) == 0.0)
        self.strengths = None if off else self._strengths(shapes, l2_weights, l2_biases)  # None: no L2
        self.f, self.f_out = net.hidden.fn, net.output.fn  # looked up once: the step is all small calls
        self.f_der, self.f_out_der = net.hidden.der_at, net.output.der_at
        self.linear_out = net.output.name == "linear"
        self.zero = np.zeros(S)  # the penalty without L2 (train copies it out)

    def _strengths(self, shapes: list[tuple[int, ...]], lam_w: float | np.ndarray,
                   lam_b: float | np.ndarray) -> np.ndarray:
        """Return Λ (S, P): each parameter's L2 strength, λ_w on the weights and λ_b on the biases (a
        number for all members or one per member)."""
        lam = np.empty_like(self.theta)
        L = len(shapes) // 2
        for i, view in enumerate(_views(lam, shapes, plain=False)):
            strength = lam_w if i < L else lam_b
            view[...] = strength if np.ndim(strength) == 0 else np.reshape(strength, (-1, 1, 1))
        return lam

    @staticmethod
    def stepper(opt):
        """The optimiser's step for this path: the gradient buffer is written afresh every step and nothing
        else holds it, so plain SGD may scale it into the update in place."""
        return getattr(opt, "step_consuming", opt.step)

    def snapshot(self) -> Network:
        return self.net.copy()

    def _forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        Z, A, f = [], [X], self.f
        last = len(self.W) - 1
        a = X
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            # a shared input X (N, d) meets S members' weights in one BLAS call; else stacked products
            z = _shared_matmul(a, W) if a.ndim < W.ndim else _matmul(a, W)
            z += b  # in place: z is a fresh product
            a = self.f_out(z) if layer == last else f(z)
            Z.append(z)
            A.append(a)
        return Z, A

    def _backward(self, Z: list[np.ndarray], A: list[np.ndarray], dY: np.ndarray) -> None:
        """Write the gradients of the loss (dY = dL/dŷ) into `grad`."""
        delta = dY if self.linear_out else dY * self.f_out_der(Z[-1], A[-1])
        for layer in range(len(self.W) - 1, -1, -1):
            Al, gW = A[layer], self.gW[layer]
            if Al.ndim < gW.ndim:  # the shared input: X^T @ delta for all members in one BLAS call
                gW[...] = _shared_t_matmul(Al, delta)
            else:
                np.matmul(Al.mT, delta, out=gW)
            np.einsum("...ni->...i", delta, out=self.gb_rows[layer])
            if layer:
                dA = _matmul(delta, self.W[layer].mT)
                dA *= self.f_der(Z[layer - 1], A[layer])  # in place: dA is the fresh product above
                delta = dA

    def _penalty(self, gradient: bool = False) -> np.ndarray:
        """Return the penalty ½Σ(Λθ)θ per member (S,); with `gradient`, add its gradient Λθ to `grad`."""
        if self.strengths is None:
            return self.zero
        t = self.strengths * self.theta
        if gradient:
            self.grad += t
        return 0.5 * np.einsum("sp,sp->s", t, self.theta)

    def objective(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Return the data loss (S,), the penalty (S,) and the gradient of their sum ([grad], in the
        layout of `theta`)."""
        Z, A = self._forward(X)
        value, dY = self.loss.both(A[-1], Y)
        self._backward(Z, A, dY)
        return value.reshape(self.S), self._penalty(gradient=True), [self.grad]

    def gradients(self, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
        """Return [grad]: the gradient of loss + penalty on one mini-batch X, Y."""
        Z, A = self._forward(X)
        self._backward(Z, A, self.loss.grad(A[-1], Y))
        self._penalty(gradient=True)
        return [self.grad]

    def value(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the data loss (S,) and the penalty (S,) at the current parameters."""
        return self.loss.value(self._forward(X)[1][-1], Y).reshape(self.S), self._penalty()

    def norm(self, layer: int, _grads: list[np.ndarray] | None = None) -> np.ndarray:
        """Return the Frobenius norm of the last gradient of W[layer], per member (S,) (`_grads`: what
        objective or gradients returned, which this buffer holds)."""
        g = self.gW[layer]
        if self.plain:
            return np.array([np.sqrt(np.vdot(g, g))])
        return np.sqrt(np.einsum("sij,sij->s", g, g))
