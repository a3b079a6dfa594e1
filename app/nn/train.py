"""Training loop for an ensemble of networks: mini-batch gradient descent returning a frozen record.

Member s of an ensemble follows the trajectory it would follow trained alone, to rounding: its
shuffling generator is np.random.default_rng(seeds[s]) and every operation acts on each member
separately, but batched matrix products may sum in another order than a single network's, so the
two agree to ~1e-15 relative per step, not bit for bit. There is one training loop; how a step is
computed is a detail of the case, the mathematics and the Loss objects are the same: many tiny
networks are held in the member-minor layout (app.nn.minor), a single neuron stepped by plain SGD runs
a whole epoch of steps in app.nn.neuron, and the rest step on their stacked arrays with every parameter in
one flat buffer (app.nn.stacked; one network on plain 2-D arrays, a tiny one on Python floats in app.nn.tiny).
The general path is kept for PReLU slopes and for recorded updates and parameter paths. Each agrees with
the general path to rounding.
A member that diverges (non-finite loss) is marked and the others go on; nothing warns or raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.nn.hooks import checkpoint
from app.nn.losses import Loss, get_loss
from app.nn.minor import MemberMinor
from app.nn.network import Cache, Grads, Network, backward_pass, forward_pass, l2_penalty
from app.nn.neuron import NeuronSGD
from app.nn.neuron import applies as neuron_applies
from app.nn.optimizers import get_optimizer
from app.nn.stacked import Stacked
from app.nn.stacked import applies as stacked_applies
from app.nn.tiny import Tiny
from app.nn.tiny import applies as tiny_applies

MAX_RECORDED_STEPS = 20_000
MAX_PATH_VALUES = 1 << 23  # record_path keeps (steps + 1) x members x parameters floats: 64 MB at most

# The member-minor layout (app.nn.minor) pays off for several members of small networks: at
# least FAST_MIN_MEMBERS members, and at most FAST_MAX_ELEMENTS elements in the (N, n_in, n_out, S)
# product of any hidden-to-hidden layer (those products are broadcast, not BLAS). Measured on 2
# cores (CPU time): 1000 XOR nets 2-2-1 x 5000 epochs 1.12 s -> 0.40 s; 100 nets 2-8-1 on 200
# points 1.4x faster; 64 nets 2-4-4-1 on 100 points (102 400 elements) break even; 64 nets 2-8-8-1
# on 50 points (204 800) would be 1.8x slower, so they keep the (S, N, n) path.
FAST_MIN_MEMBERS = 8
FAST_MAX_ELEMENTS = 1 << 16


@dataclass(frozen=True)
class TrainRecord:
    """What a training run leaves behind (S members, E epochs, L weight layers).

    losses: (S, E+1) mean training loss on the full training set, without the L2 penalty, before
        training (column 0) and after each epoch; NaN from a member's diverged_epoch on.
    penalties: (S, E+1) the L2 penalty at the same moments (zeros without regularisation).
    snapshot_epochs: (T,) evenly spaced epochs, including 0 and E; snapshots[t] holds the
        parameters after snapshot_epochs[t] epochs.
    grad_norms: (S, E, L) Frobenius norm of dW[l] (loss + penalty) at the first step of each epoch,
        or an empty (S, 0, L) array when not recorded.
    updates: when recorded, one list per step (the first MAX_RECORDED_STEPS steps) of the updates
        applied, in Network.params() order: dW[0..L-1], db[0..L-1], then PReLU slopes.
    diverged: (S,) the loss became non-finite, or ended clearly above where it started (loss_diverged).
    stalled: (S,) not diverged, and the loss ended less than STALL_DROP below where it started.
    diverged_epoch: (S,) first epoch with a non-finite loss, -1 if none.
    net: the final parameters.
    path: when recorded, (T+1, S, P): every member's P parameters, flattened in Network.params()
        order, before the first step and after each of the T steps (as computed, diverged or not).
    """

    losses: np.ndarray
    penalties: np.ndarray
    snapshot_epochs: np.ndarray
    snapshots: list[Network]
    grad_norms: np.ndarray
    updates: list[list[np.ndarray]] | None
    diverged: np.ndarray
    diverged_epoch: np.ndarray
    net: Network
    stalled: np.ndarray
    path: np.ndarray | None = None


# An L2 strength is one float for every member, or one per member, (S,), when they differ (several
# penalties trained side by side as one ensemble, e.g. 4-7's three fits).
Strength = float | np.ndarray


def strength(value: float | Sequence[float] | np.ndarray, n_members: int) -> Strength:
    """Return an L2 strength as train holds it: a float when every member has the same, else (S,)."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return float(a)
    if a.shape != (n_members,):
        raise ValueError(f"an L2 strength per member needs {n_members} values, not shape {a.shape}")
    return float(a[0]) if np.all(a == a[0]) else a


def _off(lam: Strength) -> bool:
    return isinstance(lam, float) and lam == 0.0


def _per_member(lam: Strength) -> float | np.ndarray:
    """The strength shaped to scale a parameter array (S, …, …)."""
    return lam if isinstance(lam, float) else lam[:, None, None]


# The objective, loss + penalty, from one forward pass: its value (S,) each, its gradients, or both.
# Call under np.errstate.


def _value(net: Network, cache: Cache, Y: np.ndarray, loss: Loss, l2_weights: Strength,
           l2_biases: Strength) -> tuple[np.ndarray, np.ndarray]:
    value = loss.value(cache.A[-1], Y)
    if _off(l2_weights) and _off(l2_biases):
        return value, np.zeros(value.shape)
    return value, l2_penalty(net, l2_weights, l2_biases)


def _gradients(net: Network, cache: Cache, Y: np.ndarray, loss: Loss, l2_weights: Strength,
               l2_biases: Strength) -> Grads:
    grads = backward_pass(net, cache, loss.grad(cache.A[-1], Y))
    if not (_off(l2_weights) and _off(l2_biases)):
        lam_w, lam_b = _per_member(l2_weights), _per_member(l2_biases)
        for dW, db, W, b in zip(grads.dW, grads.db, net.W, net.b, strict=True):
            dW += lam_w * W
            db += lam_b * b
    return grads


def _objective(net: Network, X: np.ndarray, Y: np.ndarray, loss: Loss, l2_weights: Strength,
               l2_biases: Strength) -> tuple[np.ndarray, np.ndarray, Grads]:
    """Return (data loss (S,), penalty (S,), gradients of their sum)."""
    cache = forward_pass(net, X)
    grads = _gradients(net, cache, Y, loss, l2_weights, l2_biases)
    return *_value(net, cache, Y, loss, l2_weights, l2_biases), grads


def member_minor_applies(n_members: int, n_samples: int, sizes: tuple[int, ...], shuffled: bool = False,
                         prelu: bool = False) -> bool:
    """Return whether train() holds such an ensemble in the member-minor layout (app.nn.minor)."""
    if prelu or shuffled or n_members < FAST_MIN_MEMBERS:
        return False
    hidden = sizes[1:-1]
    return all(n_samples * a * b * n_members <= FAST_MAX_ELEMENTS for a, b in zip(hidden[:-1], hidden[1:], strict=True))


def _use_fast_path(net: Network, X: np.ndarray, Y: np.ndarray, shuffle: bool) -> bool:
    """Return whether train() runs on the member-minor layout (same mathematics, faster for tiny nets)."""
    if X.ndim != 2 or Y.ndim != 2:
        return False
    return member_minor_applies(net.n_members, X.shape[0], net.sizes, shuffle, net.alpha is not None)


def loss_and_grads(net: Network, X: np.ndarray, Y: np.ndarray, loss: str | Loss = "mse",
                   l2_weights: float | np.ndarray = 0.0, l2_biases: float | np.ndarray = 0.0
                   ) -> tuple[np.ndarray, Grads]:
    """Return the objective that train descends, loss + L2 penalty, (S,), and its exact gradients."""
    loss = get_loss(loss) if isinstance(loss, str) else loss
    l2_weights, l2_biases = strength(l2_weights, net.n_members), strength(l2_biases, net.n_members)
    with np.errstate(all="ignore"):
        value, penalty, grads = _objective(net, np.asarray(X, dtype=float), np.asarray(Y, dtype=float),
                                           loss, l2_weights, l2_biases)
        return value + penalty, grads


def _snapshot_epochs(epochs: int, n_snapshots: int) -> np.ndarray:
    n = max(2, min(n_snapshots, epochs + 1))
    return np.unique(np.round(np.linspace(0, epochs, n)).astype(int))


def _frobenius(dW: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("sij,sij->s", dW, dW))


# A run has *diverged* when a loss became non-finite or when it ended clearly above where it started:
# by more than DIVERGE_RISE of its starting loss. Mini-batch noise on a plateau moves the loss by far
# less than that (4-8's zero-initialised net ends within half a percent of ln 2), and a real blow-up
# grows by orders of magnitude. A run that ended less than STALL_DROP below its start has *stalled*
# (a plateau: the symmetric net at ln 2, a saturated sigmoid stack): it did not learn, but nothing
# blew up. ABSOLUTE_TOLERANCE keeps a loss that starts at 0 from counting rounding as a rise.
DIVERGE_RISE = 0.10
STALL_DROP = 0.05
ABSOLUTE_TOLERANCE = 1e-12


def loss_diverged(losses: np.ndarray) -> np.ndarray:
    """Return, per run (last axis: epochs), whether it diverged: a non-finite loss or a clear rise."""
    losses = np.asarray(losses, dtype=float)
    with np.errstate(invalid="ignore"):
        rise = losses[..., -1] > losses[..., 0] + DIVERGE_RISE * np.abs(losses[..., 0]) + ABSOLUTE_TOLERANCE
    return ~np.isfinite(losses).all(axis=-1) | rise


def loss_stalled(losses: np.ndarray) -> np.ndarray:
    """Return, per run, whether it stalled: finite, not diverged, ended less than STALL_DROP below its start."""
    losses = np.asarray(losses, dtype=float)
    with np.errstate(invalid="ignore"):
        flat = losses[..., -1] > losses[..., 0] * (1.0 - STALL_DROP) - ABSOLUTE_TOLERANCE
    return flat & ~loss_diverged(losses)


OUTCOMES = ("learned", "stalled", "diverged")


def loss_outcome(losses: np.ndarray) -> np.ndarray:
    """Return, per run, "diverged", "stalled" or "learned" (the loss fell by STALL_DROP or more)."""
    diverged, stalled = loss_diverged(losses), loss_stalled(losses)
    return np.where(diverged, "diverged", np.where(stalled, "stalled", "learned"))


def train(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    loss: str | Loss = "mse",
    optimizer: str = "sgd",
    eta: float = 0.1,
    momentum: float = 0.0,
    epochs: int = 100,
    batch_size: int | None = None,
    seeds: Sequence[int] | None = None,
    l2_weights: float | Sequence[float] | np.ndarray = 0.0,
    l2_biases: float | Sequence[float] | np.ndarray = 0.0,
    n_snapshots: int = 50,
    record_updates: bool = False,
    record_grad_norms: bool = True,
    record_path: bool = False,
) -> TrainRecord:
    """Train a copy of `net` on X (N, d) or (S, N, d) and targets Y (N, k) or (S, N, k).

    batch_size: None for full batch, 1 for per-sample updates. seeds: one per member; each member
    shuffles the samples with default_rng(seed) at every epoch, so members given the same seed see
    the samples in the same order. seeds=None: no shuffling, every member sees samples 0..N-1 in
    order. A single batch per epoch is never shuffled (the order cannot matter).
    The objective is loss + (l2_weights/2) sum W^2 + (l2_biases/2) sum b^2; each strength is one number
    for all members or one per member (S,).
    record_path: keep the parameters after every step (TrainRecord.path; at most MAX_PATH_VALUES floats).
    """
    loss = get_loss(loss) if isinstance(loss, str) else loss
    net = original = net.copy()
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    S, N, L = net.n_members, X.shape[-2], net.n_layers
    if S == 1:  # one network's own data set, (1, N, ·), is its data set (N, ·): the 2-D steps apply
        X, Y = X.reshape(X.shape[-2:]), Y.reshape(Y.shape[-2:])
    B = N if batch_size is None else max(1, min(int(batch_size), N))
    starts = range(0, N, B)
    single_batch = len(starts) == 1
    shuffle = seeds is not None and not single_batch
    if seeds is not None and len(seeds) != S:
        raise ValueError(f"need one seed per member: {S} members, {len(seeds)} seeds")
    # Members with equal seeds draw equal permutations: one generator per distinct seed serves them all.
    distinct: dict[int, int] = {}
    which = [distinct.setdefault(s, len(distinct)) for s in seeds] if shuffle else []  # type: ignore[union-attr]
    rngs = [np.random.default_rng(s) for s in distinct]
    # One network's shuffled batches are rows of its 2-D inputs. Several members sharing one order keep
    # (S, B, d) batches: contiguous stacked products beat the shared product's reshapes (4-8: ~10 % faster).
    one_order = shuffle and S == 1
    opt = get_optimizer(optimizer, eta, **({"momentum": momentum} if momentum else {}))
    l2_weights, l2_biases = strength(l2_weights, S), strength(l2_biases, S)
    regularised = not (_off(l2_weights) and _off(l2_biases))
    per_member = isinstance(l2_weights, np.ndarray) or isinstance(l2_biases, np.ndarray)
    neuron = (NeuronSGD(net, X, Y, loss, eta, B)
              if neuron_applies(net, loss, opt, len(starts), regularised, record_updates) else None)

    # One loop below; the layout only changes how the steps, the objective and the snapshots are computed.
    fast = neuron is None and not per_member and _use_fast_path(net, X, Y, shuffle)
    step_with = opt.step
    if fast:
        m = MemberMinor.from_network(net)
        params = [m.flat]

        def objective(Xb: np.ndarray, Yb: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
            value, penalty = m.objective(Xb, Yb, loss, l2_weights, l2_biases)
            return value, penalty, [m.gflat]

        def gradients(Xb: np.ndarray, Yb: np.ndarray) -> list[np.ndarray]:
            m.gradients(Xb, Yb, loss, l2_weights, l2_biases)
            return [m.gflat]

        def evaluate(Xb: np.ndarray, Yb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return m.value(Xb, Yb, loss, l2_weights, l2_biases)

        def norms(layer: int, _grads: list[np.ndarray]) -> np.ndarray:
            return m.grad_norm(layer)

        snapshot = m.to_network

        def as_updates(deltas: list[np.ndarray]) -> list[np.ndarray]:
            return m.split(deltas[0])

        def flat() -> np.ndarray:
            return np.concatenate([p.reshape(S, -1) for p in m.split(m.flat)], axis=1)
    elif neuron is None and stacked_applies(net, record_updates, record_path):
        one = Stacked(net, loss, l2_weights, l2_biases)
        net = one.net  # its arrays are views of the buffer the steps update
        gradients = one.gradients  # mini-batches
        if single_batch and S == 1 and tiny_applies(net, X, loss, opt, regularised):
            one = Tiny(one, X, Y, opt.eta, record_grad_norms)  # type: ignore[assignment]  # steps on floats
        params, step_with, snapshot = one.params, one.stepper(opt), one.snapshot
        objective, evaluate, norms = one.objective, one.value, one.norm  # no updates or path recorded
    else:
        params = net.params()

        def objective(Xb: np.ndarray, Yb: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
            value, penalty, grads = _objective(net, Xb, Yb, loss, l2_weights, l2_biases)
            return value, penalty, grads.as_list()

        def gradients(Xb: np.ndarray, Yb: np.ndarray) -> list[np.ndarray]:
            return _gradients(net, forward_pass(net, Xb), Yb, loss, l2_weights, l2_biases).as_list()

        def evaluate(Xb: np.ndarray, Yb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return _value(net, forward_pass(net, Xb), Yb, loss, l2_weights, l2_biases)

        def norms(layer: int, grads: list[np.ndarray]) -> np.ndarray:
            return _frobenius(grads[layer])

        snapshot = net.copy

        def as_updates(deltas: list[np.ndarray]) -> list[np.ndarray]:
            return deltas

        def flat() -> np.ndarray:
            return np.concatenate([p.reshape(S, -1) for p in net.params()], axis=1)

    losses = np.full((S, epochs + 1), np.nan)
    penalties = np.full((S, epochs + 1), np.nan)
    grad_norms = np.full((S, epochs if record_grad_norms else 0, L), np.nan)
    snap_epochs = _snapshot_epochs(epochs, n_snapshots)
    snap_set = set(snap_epochs.tolist())
    snapshots: list[Network] = []
    updates: list[list[np.ndarray]] | None = [] if record_updates else None
    path: np.ndarray | None = None
    if record_path:
        P = sum(p[0].size for p in net.params())
        if (epochs * len(starts) + 1) * S * P > MAX_PATH_VALUES:
            raise ValueError(f"record_path would keep more than {MAX_PATH_VALUES} values")
        path = np.empty((epochs * len(starts) + 1, S, P))
        path[0] = flat()
    step = 0

    with np.errstate(all="ignore"):
        if shuffle and not one_order:
            Xs = np.broadcast_to(X, (S, *X.shape[-2:]))
            Ys = np.broadcast_to(Y, (S, *Y.shape[-2:]))
        for epoch in range(epochs):
            checkpoint(S)
            if epoch in snap_set:
                snapshots.append(snapshot())
            if not single_batch and epoch == 0:
                losses[:, 0], penalties[:, 0] = evaluate(X, Y)
            perms = np.stack([rng.permutation(N) for rng in rngs]) if shuffle else None  # one per seed
            order = None if perms is None else perms if len(perms) == 1 else perms[which]  # (S or 1, N)
            if neuron is not None:  # the whole epoch's steps at once
                if record_grad_norms:
                    grad_norms[:, epoch, 0] = neuron.first_grad_norm(order)
                neuron.epoch(order, None if path is None else path[step + 1:step + 1 + len(starts)])
                step += len(starts)
            else:
                Xe, Ye = X, Y
                if order is not None and one_order:
                    Xe, Ye = X[order[0]], Y[order[0]]
                elif order is not None:
                    order = np.broadcast_to(order, (S, N))[..., None]
                    Xe, Ye = np.take_along_axis(Xs, order, axis=1), np.take_along_axis(Ys, order, axis=1)
                for i in starts:
                    if single_batch:
                        value, penalty, grads = objective(Xe, Ye)
                        # one full batch: the loss before this step is the loss after the previous epoch
                        losses[:, epoch], penalties[:, epoch] = value, penalty
                    else:
                        grads = gradients(Xe[..., i:i + B, :], Ye[..., i:i + B, :])
                    if record_grad_norms and i == 0:
                        for layer in range(L):
                            grad_norms[:, epoch, layer] = norms(layer, grads)
                    deltas = step_with(params, grads)
                    if updates is not None and len(updates) < MAX_RECORDED_STEPS:
                        updates.append(as_updates(deltas))
                    step += 1
                    if path is not None:
                        path[step] = flat()
            if not single_batch:
                losses[:, epoch + 1], penalties[:, epoch + 1] = evaluate(X, Y)
        if single_batch or epochs == 0:
            losses[:, epochs], penalties[:, epochs] = evaluate(X, Y)
        if fast or net is not original:
            net = snapshot()  # the final parameters in arrays of their own, not views of a layout's buffer
        snapshots.append(net.copy())

        bad = ~np.isfinite(losses) | ~np.isfinite(penalties)
        first_bad = np.where(bad.any(axis=1), bad.argmax(axis=1), -1)
        after = np.arange(epochs + 1) >= np.where(first_bad >= 0, first_bad, epochs + 1)[:, None]
        losses[after] = np.nan
        penalties[after] = np.nan
        diverged = (first_bad >= 0) | loss_diverged(losses)
        stalled = loss_stalled(losses) & ~diverged

    return TrainRecord(losses, penalties, snap_epochs, snapshots, grad_norms, updates, diverged,
                       first_bad, net, stalled, path)
