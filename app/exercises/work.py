"""One estimate of work for every experiment: multiply-adds, element-wise operations and steps, in seconds.

An experiment's cost is what it asks of the core: training (members × samples × parameters × epochs,
plus one Python step per mini-batch and layer) and evaluating networks on grids for its figures.
`training` and `evaluation` count that work from sizes alone; `seconds` turns counts into time on
the reference machine (the 2-core CI kind) with the three constants below, measured once by
`scripts/calibrate_work.py`. A new experiment states its work and needs no calibration of its own;
if an estimate is wrong for some corner, the deadline in app.results stops the run anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app.nn.train import member_minor_applies

# Seconds per unit of work on the reference machine (scripts/calibrate_work.py fits them by least
# squares on runs of the core that span the experiments' shapes; these are the fit × 1.5, rounded).
SECONDS_PER_MAC = 8e-11             # one multiply-add of a forward or backward pass
SECONDS_PER_ELEMENT = 4.5e-9         # one activation (and its derivative) of one unit on one sample
SECONDS_PER_LAYER_STEP = 2.5e-5      # Python and NumPy call overhead of one layer in one optimiser step
SECONDS_PER_MEMBER_PRODUCT = 1.2e-6  # one small matrix product of one member (the (S, N, n) layout loops)


# Element-wise cost of an activation relative to ReLU's (an exponential, an erf cost more; measured by
# scripts/calibrate_work.py with the activations of the runs).
ACTIVATION_WEIGHT = {"relu": 1.0, "leaky_relu": 1.0, "prelu": 1.5, "linear": 0.5, "hard_sigmoid": 1.5,
                     "hard_tanh": 1.5, "sigmoid": 3.0, "tanh": 3.0, "softplus": 3.5, "elu": 3.0, "swish": 3.5,
                     "gelu": 12.0, "gelu_tanh": 6.0, "gelu_sigmoid": 3.5}


@dataclass(frozen=True)
class Work:
    """Counts of work: multiply-adds, element-wise unit evaluations, layer-steps of Python, and small
    per-member matrix products (the (S, N, n) layout multiplies member by member)."""

    macs: float = 0.0
    elements: float = 0.0
    layer_steps: float = 0.0
    member_products: float = 0.0

    def __add__(self, other: Work) -> Work:
        return Work(self.macs + other.macs, self.elements + other.elements, self.layer_steps + other.layer_steps,
                    self.member_products + other.member_products)

    def __mul__(self, k: float) -> Work:
        return Work(self.macs * k, self.elements * k, self.layer_steps * k, self.member_products * k)

    __rmul__ = __mul__


def _weights(sizes: Sequence[int]) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def training(members: int, samples: int, sizes: Sequence[int], epochs: int, batch_size: int | None = None,
             activation: str = "relu", shuffled: bool = True) -> Work:
    """Work of `train`: every epoch a forward and a backward pass (≈ 3 passes of multiply-adds) over all
    samples for every member, the loss on the full set once more, and one step per mini-batch. In the
    (S, N, n) layout each hidden-to-hidden product runs member by member (three per layer and step:
    forward, dW, and the error passed down); the member-minor layout has none of those."""
    batch = samples if batch_size is None else max(1, min(batch_size, samples))
    steps = epochs * math.ceil(samples / batch)
    layers = len(sizes) - 1
    units = sum(sizes[1:])
    passes = 3 if batch == samples else 4  # with mini-batches the full-set loss is one more forward pass
    minor = member_minor_applies(members, samples, tuple(sizes), shuffled and batch < samples, activation == "prelu")
    products = 0 if minor or members == 1 else 3 * members * max(layers - 1, 0) * (steps + epochs)
    return Work(macs=passes * members * samples * _weights(sizes) * epochs,
                elements=2 * members * samples * units * epochs * ACTIVATION_WEIGHT.get(activation, 4.0),
                layer_steps=steps * layers + epochs * layers,
                member_products=products)


def evaluation(members: int, points: int, sizes: Sequence[int], times: int = 1, activation: str = "relu") -> Work:
    """Work of evaluating `members` networks on `points` inputs, `times` times (grids, snapshots)."""
    return Work(macs=members * points * _weights(sizes) * times,
                elements=members * points * sum(sizes[1:]) * times * ACTIVATION_WEIGHT.get(activation, 4.0),
                layer_steps=times * (len(sizes) - 1))


def seconds(work: Work) -> float:
    """Estimate the seconds `work` takes on the reference machine."""
    return (work.macs * SECONDS_PER_MAC + work.elements * SECONDS_PER_ELEMENT
            + work.layer_steps * SECONDS_PER_LAYER_STEP + work.member_products * SECONDS_PER_MEMBER_PRODUCT)
