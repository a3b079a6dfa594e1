"""The member-minor layout: the same networks and the same mathematics, laid out for many tiny nets.

For many tiny networks (XOR ensembles: S = 1000 members of 2-2-1), the (S, N, n) layout of
app.nn.network makes every NumPy call loop over S*N rows of length n = 1 or 2, so the time goes to
loop overhead, not arithmetic. `train` then holds the ensemble transposed, member index last:
activations (N, n, S), weights (n_in, n_out, S), biases (n_out, S), so every operation runs one long
contiguous loop over the members. The losses are the core's own Loss objects, applied to a
(S, N, k) view of the outputs. Sums run in a different order, so results agree with the (S, N, n)
layout to rounding (~1e-15 relative), not bit for bit. PReLU (per-member slopes) is not laid out
here; train keeps such networks in the (S, N, n) layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.activations import Activation
from app.nn.losses import Loss
from app.nn.network import Network


# The per-member products are einsum calls: one call per product, where a loop over the n_in (or n_out)
# units costs a NumPy call per unit and a broadcast (N, n_in, n_out, S) temporary costs memory traffic.
def _product(A: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Return Z[n, j, s] = sum_i A[n, i, s] W[i, j, s] for A (N, n_in, S), W (n_in, n_out, S)."""
    return np.einsum("nis,ijs->njs", A, W)


@dataclass
class MemberMinor:
    """An ensemble's parameters in member-minor layout, all views into one flat buffer.

    flat: every parameter in Network.params() order; W[l]: (n_in, n_out, S); b[l]: (n_out, S).
    The gradient buffer `gflat` has the same layout (gW, gb views), so an optimiser step is one
    elementwise operation on the whole ensemble.
    """

    sizes: tuple[int, ...]
    hidden: Activation
    output: Activation
    flat: np.ndarray
    W: list[np.ndarray]
    b: list[np.ndarray]
    gflat: np.ndarray
    gW: list[np.ndarray]
    gb: list[np.ndarray]

    @classmethod
    def from_network(cls, net: Network) -> MemberMinor:
        """Lay out a copy of `net`'s parameters (PReLU networks are not supported)."""
        if net.alpha is not None:
            raise ValueError("the member-minor layout has no PReLU slopes")
        S, shapes = net.n_members, list(zip(net.sizes[:-1], net.sizes[1:], strict=True))
        counts = [n_in * n_out * S for n_in, n_out in shapes] + [n_out * S for _, n_out in shapes]
        flat, gflat = np.empty(sum(counts)), np.zeros(sum(counts))
        views, gviews, at = [], [], 0
        for c in counts:
            views.append(flat[at:at + c])
            gviews.append(gflat[at:at + c])
            at += c
        L = len(shapes)
        W = [v.reshape(n_in, n_out, S) for v, (n_in, n_out) in zip(views[:L], shapes, strict=True)]
        b = [v.reshape(n_out, S) for v, (_, n_out) in zip(views[L:], shapes, strict=True)]
        gW = [v.reshape(n_in, n_out, S) for v, (n_in, n_out) in zip(gviews[:L], shapes, strict=True)]
        gb = [v.reshape(n_out, S) for v, (_, n_out) in zip(gviews[L:], shapes, strict=True)]
        for Wm, bm, Wl, bl in zip(W, b, net.W, net.b, strict=True):
            Wm[...] = Wl.transpose(1, 2, 0)
            bm[...] = bl[:, 0, :].T
        return cls(net.sizes, net.hidden, net.output, flat, W, b, gflat, gW, gb)

    def to_network(self) -> Network:
        """Return a Network (fresh arrays, (S, n_in, n_out) layout) holding these parameters."""
        W = [w.transpose(2, 0, 1).copy() for w in self.W]  # copy(): C order, never a view
        b = [v.T[:, None, :].copy() for v in self.b]
        return Network(self.sizes, self.hidden, self.output, W, b)

    def split(self, flat: np.ndarray) -> list[np.ndarray]:
        """Return a flat vector in this layout as fresh arrays in Network.params() layout."""
        out, at = [], 0
        for w in self.W:
            out.append(flat[at:at + w.size].reshape(w.shape).transpose(2, 0, 1).copy())
            at += w.size
        for v in self.b:
            out.append(flat[at:at + v.size].reshape(v.shape).T[:, None, :].copy())
            at += v.size
        return out

    def grad_norm(self, layer: int) -> np.ndarray:
        """Return the Frobenius norm of the last gradient of W[layer], per member (S,)."""
        g = self.gW[layer]
        return np.sqrt(np.einsum("ijs,ijs->s", g, g))

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forward pass on X (N, d) shared by all members: Z[l], A[l+1] of shape (N, n, S); A[0] = X."""
        Z: list[np.ndarray] = []
        A = [X]
        N, last = X.shape[0], len(self.W) - 1
        for layer, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            if layer == 0:  # one BLAS call: X (N, d) @ W viewed as (d, n_out*S)
                d, n_out, S = W.shape
                Zl = (X @ W.reshape(d, n_out * S)).reshape(N, n_out, S)
            else:
                Zl = _product(A[-1], W)
            Zl += b
            Z.append(Zl)
            A.append(self.output.fn(Zl) if layer == last else self.hidden.fn(Zl))
        return Z, A

    def backward(self, Z: list[np.ndarray], A: list[np.ndarray], dY: np.ndarray) -> None:
        """Backpropagate dY (N, k, S) and write the exact gradients into gW, gb."""
        delta = dY if self.output.name == "linear" else dY * self.output.der_at(Z[-1], A[-1])
        for layer in range(len(self.W) - 1, -1, -1):
            gW, gb, W = self.gW[layer], self.gb[layer], self.W[layer]
            n_in, n_out, S = W.shape
            N = delta.shape[0]
            if layer == 0:  # X^T (d, N) @ delta viewed as (N, n_out*S): one BLAS call
                np.matmul(A[0].T, delta.reshape(N, n_out * S), out=gW.reshape(n_in, n_out * S))
            else:
                np.einsum("nis,njs->ijs", A[layer], delta, out=gW)
            np.sum(delta, axis=0, out=gb)
            if layer == 0:
                break
            # dA[n, i, s] = sum_j delta[n, j, s] W[i, j, s]: with one output unit a plain product
            dA = delta * W[:, 0] if n_out == 1 else np.einsum("njs,ijs->nis", delta, W)
            delta = dA * self.hidden.der_at(Z[layer - 1], A[layer])

    def objective(self, X: np.ndarray, Y: np.ndarray, loss: Loss, l2_weights: float,
                  l2_biases: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (data loss (S,), L2 penalty (S,)) on X (N, d), Y (N, k); the gradient of their sum
        goes to gflat. Call under np.errstate."""
        Z, A = self.forward(X)
        self._gradients(Z, A, Y, loss, l2_weights, l2_biases)
        return self._value(A, Y, loss, l2_weights, l2_biases)

    def gradients(self, X: np.ndarray, Y: np.ndarray, loss: Loss, l2_weights: float, l2_biases: float) -> None:
        """Write the gradient of loss + L2 penalty on X (N, d), Y (N, k) into gflat. Call under np.errstate."""
        Z, A = self.forward(X)
        self._gradients(Z, A, Y, loss, l2_weights, l2_biases)

    def value(self, X: np.ndarray, Y: np.ndarray, loss: Loss, l2_weights: float,
              l2_biases: float) -> tuple[np.ndarray, np.ndarray]:
        """Return (data loss (S,), L2 penalty (S,)) on X (N, d), Y (N, k). Call under np.errstate."""
        return self._value(self.forward(X)[1], Y, loss, l2_weights, l2_biases)

    def _gradients(self, Z: list[np.ndarray], A: list[np.ndarray], Y: np.ndarray, loss: Loss, l2_weights: float,
                   l2_biases: float) -> None:
        outputs = A[-1].transpose(2, 0, 1)  # (S, N, k): the layout every Loss is written for
        self.backward(Z, A, np.ascontiguousarray(loss.grad(outputs, Y).transpose(1, 2, 0)))
        if l2_weights == 0.0 and l2_biases == 0.0:
            return
        for gW, gb, W, b in zip(self.gW, self.gb, self.W, self.b, strict=True):
            gW += l2_weights * W
            gb += l2_biases * b

    def _value(self, A: list[np.ndarray], Y: np.ndarray, loss: Loss, l2_weights: float,
               l2_biases: float) -> tuple[np.ndarray, np.ndarray]:
        value = loss.value(A[-1].transpose(2, 0, 1), Y)
        penalty = np.zeros_like(value)
        if l2_weights == 0.0 and l2_biases == 0.0:
            return value, penalty
        for W, b in zip(self.W, self.b, strict=True):
            penalty += 0.5 * l2_weights * np.einsum("ijs,ijs->s", W, W) + 0.5 * l2_biases * np.einsum("js,js->s", b, b)
        return value, penalty
