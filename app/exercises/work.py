"""One estimate of work for every experiment: multiply-adds, element-wise operations and steps, in seconds.

An experiment's cost is what it asks of the core: training (members × samples × parameters × epochs,
plus one Python step per mini-batch and layer) and evaluating networks on grids for its figures.
`training` and `evaluation` count that work from sizes alone; `seconds` turns counts into time on
the reference machine (the 2-core CI kind) with the five constants below, measured once by
`scripts/calibrate_work.py`. Every experiment states its work here and none has a constant of its
own; a new one needs no calibration. If an estimate is wrong for some corner, the deadline in
app.results (a checkpoint in the training loop, app.nn.hooks) stops the run anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import astuple, dataclass

from app.nn.neuron import FLOAT_MAX_MEMBERS
from app.nn.train import member_minor_applies

# Seconds per unit of work on the reference machine (scripts/calibrate_work.py fits them by
# non-negative least squares on runs of the core that span the experiments' shapes). These are the fit
# with a margin (about 1.4× a quiet machine's fit), rounded up: a run the estimate lets through then
# stays within the budget on a somewhat slower or busier machine; the script prints the current fit.
SECONDS_PER_MAC = 5e-11             # one multiply-add of a forward or backward pass
SECONDS_PER_ELEMENT = 1.8e-9         # one activation (and its derivative) of one unit on one sample
SECONDS_PER_LAYER_STEP = 2.3e-5      # Python and NumPy call overhead of one layer in one optimiser step
SECONDS_PER_MEMBER_PRODUCT = 6.3e-7  # one small matrix product of one member (the (S, N, n) layout loops)
SECONDS_PER_SCALAR_STEP = 8.5e-7     # one per-sample step of one neuron on Python floats (app.nn.neuron)


# Element-wise cost of an activation relative to ReLU's (an exponential, an erf cost more; measured by
# scripts/calibrate_work.py with the activations of the runs).
ACTIVATION_WEIGHT = {"relu": 1.0, "leaky_relu": 1.0, "prelu": 1.5, "linear": 0.5, "hard_sigmoid": 1.5,
                     "hard_tanh": 1.5, "sigmoid": 3.0, "tanh": 3.0, "softplus": 3.5, "elu": 3.0, "swish": 3.5,
                     "gelu": 12.0, "gelu_tanh": 6.0, "gelu_sigmoid": 3.5}


# What an optimiser adds to a step: its layer-steps relative to plain SGD's (more array calls per
# layer), and its element-wise work per parameter in units of one activation (SGD: scale and
# subtract, cheap next to an exp; Adam: two moments, their corrections, a square root and a division).
OPTIMIZER_LAYER_STEPS = {"sgd": 1.0, "momentum": 1.5, "adam": 2.0}
OPTIMIZER_ELEMENTS = {"sgd": 0.5, "momentum": 1.0, "adam": 3.0}

# What the loss costs per output and sample, in the same units, for its value and its gradient: mse a
# subtraction and a product; bce on logits three exponentials and a log1p (app.nn.losses). It matters
# where the outputs are most of the units: a single neuron (4-1) spends most of its time there.
LOSS_ELEMENTS = {"mse": 0.0, "bce": 6.0}  # mse: next to nothing, held by the fitted constants


@dataclass(frozen=True)
class Work:
    """Counts of work: multiply-adds, element-wise unit evaluations, layer-steps of Python, small
    per-member matrix products (the (S, N, n) layout multiplies member by member), and per-sample
    steps of single neurons on Python floats (app.nn.neuron's kernel: a handful of float operations
    and one call of δ per member, sample and epoch)."""

    macs: float = 0.0
    elements: float = 0.0
    layer_steps: float = 0.0
    member_products: float = 0.0
    scalar_steps: float = 0.0

    def __add__(self, other: Work) -> Work:
        return Work(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __mul__(self, k: float) -> Work:
        return Work(*(a * k for a in astuple(self)))

    __rmul__ = __mul__


def _weights(sizes: Sequence[int]) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def training(members: int, samples: int, sizes: Sequence[int], epochs: int, batch_size: int | None = None,
             activation: str = "relu", shuffled: bool = True, *, optimizer: str = "sgd", snapshots: int = 2,
             grad_norms: bool = False, shared_inputs: bool = True, loss: str = "mse") -> Work:
    """Work of `train`: every epoch a forward and a backward pass (≈ 3 passes of multiply-adds) over all
    samples for every member, the loss on the full set once more, and one step per mini-batch. In the
    (S, N, n) layout each hidden-to-hidden product runs member by member (three per layer and step:
    forward, dW, and the error passed down); the member-minor layout has none of those. The optimiser
    updates every parameter at every step; `snapshots` copies of the networks are kept; `grad_norms`
    (train's record_grad_norms) takes every layer's gradient norm once an epoch; the loss's value and
    gradient cost LOSS_ELEMENTS per output and sample, every epoch. A single neuron (sizes (d, 1)) on
    mini-batches with plain SGD takes app.nn.neuron's kernel instead: `neuron_sgd`."""
    batch = samples if batch_size is None else max(1, min(batch_size, samples))
    steps = epochs * math.ceil(samples / batch)
    losses = Work(elements=LOSS_ELEMENTS[loss] * members * samples * sizes[-1] * epochs)
    if len(sizes) == 2 and sizes[-1] == 1 and batch < samples and optimizer == "sgd":
        return neuron_sgd(members, samples, sizes[0], epochs, batch) + arrays(members, sizes, snapshots) + losses
    layers = len(sizes) - 1
    units = sum(sizes[1:])
    full = batch == samples  # one step per epoch, whose forward pass gives the epoch's loss too
    passes = 3 if full else 4  # with mini-batches the full-set loss is one more forward pass
    minor = shared_inputs and member_minor_applies(members, samples, tuple(sizes), shuffled and not full,
                                                   activation == "prelu")
    passes_of_python = steps + (0 if full else epochs)
    products = 0 if minor or members == 1 else 3 * members * max(layers - 1, 0) * passes_of_python
    return Work(macs=passes * members * samples * _weights(sizes) * epochs,
                elements=(2 * members * samples * units * epochs * ACTIVATION_WEIGHT.get(activation, 4.0)
                          + OPTIMIZER_ELEMENTS[optimizer] * members * _weights(sizes) * steps),
                layer_steps=(steps * layers * (OPTIMIZER_LAYER_STEPS[optimizer] - 1) + passes_of_python * layers
                             + (epochs * layers if grad_norms else 0)),
                member_products=products) + arrays(members, sizes, snapshots) + losses


def neuron_sgd(members: int, samples: int, inputs: int, epochs: int, batch_size: int) -> Work:
    """Work of app.nn.neuron's kernel: `members` neurons with `inputs` inputs, plain SGD on mini-batches.
    One batch per sample with few members runs on Python floats (a scalar step per member and sample);
    otherwise each step is a few NumPy calls for all members (a layer-step). Every epoch the loss on the
    full set is one forward pass of the general path."""
    steps = epochs * math.ceil(samples / batch_size)
    per_epoch_loss = evaluation(members, samples, (inputs, 1), times=epochs, activation="linear")
    if batch_size == 1 and members <= FLOAT_MAX_MEMBERS:
        return per_epoch_loss + Work(scalar_steps=members * samples * epochs)
    return per_epoch_loss + Work(elements=4 * members * samples * (inputs + 1) * epochs, layer_steps=steps)


def arrays(members: int, sizes: Sequence[int], times: int = 1) -> Work:
    """Work of writing every parameter of `members` networks `times` times (initialising them, a snapshot)."""
    return Work(elements=members * _weights(sizes) * times, layer_steps=times * (len(sizes) - 1))


def evaluation(members: int, points: int, sizes: Sequence[int], times: int = 1, activation: str = "relu") -> Work:
    """Work of evaluating `members` networks on `points` inputs, `times` times (grids, snapshots)."""
    return Work(macs=members * points * _weights(sizes) * times,
                elements=members * points * sum(sizes[1:]) * times * ACTIVATION_WEIGHT.get(activation, 4.0),
                layer_steps=times * (len(sizes) - 1))


def seconds(work: Work) -> float:
    """Estimate the seconds `work` takes on the reference machine."""
    return (work.macs * SECONDS_PER_MAC + work.elements * SECONDS_PER_ELEMENT
            + work.layer_steps * SECONDS_PER_LAYER_STEP + work.member_products * SECONDS_PER_MEMBER_PRODUCT
            + work.scalar_steps * SECONDS_PER_SCALAR_STEP)
