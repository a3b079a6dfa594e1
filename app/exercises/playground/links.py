""""Open in the playground": which exercise settings the playground can express, and as what.

`playground_query(exercise, experiment, params)` returns the playground's settings that train the same
networks on the same data, or None when the playground cannot (a loss, data set, depth or range it does
not have), or when the run would be over the playground's work budget. Decided honestly, case by case:

- 4-2 train and seeds (XOR, 2-H-1): the four XOR points as the reader's own points, no test set, full-batch
  plain gradient descent from the same seeds and initialisation, so the same weights to rounding. Only with
  the cross-entropy loss: 4-2's mse is taken on the raw output, the playground's mse on σ(output) for
  classes, a different model. An ensemble of more than 100 seeds opens as its first 100. The key metric,
  the share of seeds that solve XOR, is the playground's success rate at threshold 1 (all four right).
- 4-3 dying (a He-initialised stack, full-batch gradient descent): its 100 points as the reader's own (sine
  as custom_curve points x, y; moons as custom points), in 4-3's order, no test set, the same seed, rate,
  loss and activation (with its α). The link's code keeps 0.01, so the inputs and targets move by up to
  0.005: on those points the playground computes exactly what 4-3 computes (the same dead units, the same
  loss), and against 4-3's own points a unit on the edge of dying can tip either way (measured: the dead
  count equal in 139 of 160 runs, never more than 2 of 64 units apart). Up to 32 units a layer, biases
  starting at 0 (the playground has no other constant) and ELU's α ≥ 0.01.
- 4-7 bias-regularization: the training points (x, y + offset) as custom_curve points, when there are at
  most 200 and every value lies in [−6, 6] (the code's range: a line with offset 5 does not fit, offset 2
  does), no test set, full batch, L2 strength λ ≤ 1 with "penalise biases too" on; unticked, the same
  link gives the weights-only fit. The objectives are the same (½·mean squared error + (λ/2)·Σθ², the
  core's loss), so λ carries over as it is. The neuron is layers "" trained by plain gradient descent from
  zero with a step at most 1/λ_max of its Hessian for as many epochs as contract the error by e⁻³⁴ (4-7's
  own rule): it lands on the closed form of the rounded points, within 1e-15; the network is 4-7's (one
  hidden layer, Xavier for tanh, He for ReLU, full-batch Adam, same seed). Rounding moves the biases by
  less than 0.001 (neuron) or 0.01 (network) (measured on 20 settings each).
- 4-8 initialization: on circles with the full batch (batch size 256), the same 256 points (the core's
  generator, radii 0.5 and 1, noise 0.1, data seed 0), the same initialisation and seed, plain gradient
  descent and cross-entropy: the same network to the last bit, so the same distinct hidden units and
  accuracy. Not with mini-batches: the playground draws each member's batch order from
  default_rng(seed + 2³²), 4-8 from default_rng(seed), another order and so another network (constant init,
  ReLU, batches of 16: accuracy 0.50 in 4-8, 0.64 in the playground). Not on moons (the playground centres
  them on the origin, and 256 points are more than the 200 a link carries) nor on 4-8's four XOR blobs
  (not the playground's xor). Up to 32 units, η ≤ 10, a constant init c ≥ 0 (the playground's scale).
- 4-9 vanishing (a deep stack on circles or spiral): the same 100 points (the core's generator, its noise,
  the same seed for data and weights), no test set, full batch, sgd or Adam; up to 6 hidden layers of up
  to 32 units and η ≤ 10 (the playground's bounds). The key metric is the ratio of the first to the last
  layer's gradient norm at the first step. moons is left out: the playground centres it on the origin.
- Every other experiment: None. 4-3's one-unit example has a ReLU output unit and three points (the
  playground's output is linear, and it needs four), its lr-sweep gives every member its own rate, and
  its seeds experiment counts units that die and come back over the epochs, which the playground does not
  record; 4-7's offset sweep and seeds fit many data sets at once; 4-8's compare trains five
  initialisations side by side, the playground one; 4-1, 4-4 to 4-6 are not trained networks of this kind.
  Their settings would only resemble, not reproduce, in the playground.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import numpy as np

from app.exercises.base import WORK_BUDGET_SECONDS
from app.exercises.ex4_3_units import load as dying_data
from app.exercises.ex4_7_fits import NEURON_CONTRACTION_LOG, make_data, neuron_hessian
from app.exercises.playground.custom import COORD_LIMIT, MAX_LINK_POINTS, decode_points, encode_points
from app.exercises.playground.data import in_training_order
from app.exercises.playground.params import MAX_LAYERS, MAX_SEEDS, MAX_WIDTH, PlaygroundParams
from app.exercises.playground.run import cost

XOR_POINTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])
VANISHING_NOISE = {"circles": 0.1, "spiral": 0.05}  # app.nn.data's defaults, which 4-9 uses
VANISHING_POINTS = 100  # 4-9's N_SAMPLES
ZERO_INIT_POINTS = 256  # 4-8's N_SAMPLES
ZERO_INIT_NOISE = 0.1  # 4-8's circles: radii 0.5 and 1 (the core's defaults, as the playground's), noise 0.1
MAX_LR = 10.0
MAX_EPOCHS = 5000
MAX_L2 = 1.0
MIN_ELU_ALPHA = 0.01  # the playground's lower bound of ELU's α
DATA_SEED = 0  # the reader's points are shuffled by the data seed; in_training_order undoes it


def _xor(p: Any, n_seeds: int) -> dict[str, Any] | None:
    if p.loss != "bce" or p.epochs > MAX_EPOCHS:
        return None
    return {"dataset": "custom", "points": encode_points(XOR_POINTS, XOR_LABELS), "test_fraction": 0.0,
            "layers": str(p.hidden_units), "activation": p.activation, "init": p.init, "init_scale": 1.0,
            "bias_init": "zeros", "loss": "bce", "optimizer": "sgd", "lr": p.lr, "batch_size": 4,
            "epochs": p.epochs, "n_seeds": n_seeds, "seed": p.seed, "success_at": 1.0}


def _vanishing(p: Any) -> dict[str, Any] | None:
    if p.dataset not in VANISHING_NOISE or p.depth > MAX_LAYERS or p.width > MAX_WIDTH or p.lr > MAX_LR:
        return None
    return {"dataset": p.dataset, "n_points": VANISHING_POINTS, "noise": VANISHING_NOISE[p.dataset],
            "test_fraction": 0.0, "data_seed": p.seed, "layers": ",".join([str(p.width)] * p.depth),
            "activation": p.activation, "init": p.init, "init_scale": 1.0, "bias_init": "zeros", "loss": "bce",
            "optimizer": p.optimizer, "lr": p.lr, "batch_size": VANISHING_POINTS, "epochs": p.epochs,
            "n_seeds": 1, "seed": p.seed}


def own_points(X: np.ndarray, y: np.ndarray, classes: bool) -> str | None:
    """Return the points code of an exercise's data, in the order it trains on them (inputs X (N, 1 or 2),
    targets y (N,): classes, or a curve's y), or None when they do not fit in a link (too many, or a value
    outside the code's [−6, 6])."""
    pts = X if classes else np.column_stack([X[:, 0], y])
    if len(pts) > MAX_LINK_POINTS or np.abs(pts).max() > COORD_LIMIT:
        return None
    pts, y = in_training_order(pts, y, DATA_SEED)
    return encode_points(pts, y if classes else None)


def _dying(p: Any) -> dict[str, Any] | None:
    if p.width > MAX_WIDTH or p.bias_init != 0.0 or (p.activation == "elu" and p.elu_alpha < MIN_ELU_ALPHA):
        return None
    X, Y, loss = dying_data(p.dataset)
    classes = p.dataset == "moons"
    code = own_points(X, Y[:, 0], classes)
    if code is None:
        return None
    slope = {"leaky_relu": {"leaky_alpha": p.alpha}, "prelu": {"prelu_alpha": p.alpha},
             "elu": {"elu_alpha": p.elu_alpha}}.get(p.activation, {})  # only the activation's own α
    return {"dataset": "custom" if classes else "custom_curve", "points": code, "test_fraction": 0.0,
            "data_seed": DATA_SEED, "layers": ",".join([str(p.width)] * p.depth), "activation": p.activation,
            **slope, "init": "he", "bias_init": "zeros", "loss": loss,
            "optimizer": "sgd", "lr": p.lr, "batch_size": len(X), "epochs": p.epochs, "n_seeds": 1, "seed": p.seed}


def neuron_schedule(x: np.ndarray, lam: float) -> tuple[float, int] | None:
    """Return a step η (≤ 1/λ_max, two decimals) and the epochs after which plain gradient descent is at the
    neuron's minimum, bias penalised or not (the error shrinks by 1 − ηλ_min a step, to e⁻³⁴), or None when
    that takes more than the playground's epochs."""
    lam_max = np.linalg.eigvalsh(neuron_hessian(x, lam, lam))[-1]  # the larger of the two Hessians
    lam_min = min(np.linalg.eigvalsh(neuron_hessian(x, lam, b))[0] for b in (0.0, lam))
    lr = math.floor(100.0 / lam_max) / 100.0
    if lr <= 0.0 or lam_min <= 0.0:
        return None
    epochs = math.ceil(NEURON_CONTRACTION_LOG / (lr * lam_min))
    return (lr, epochs) if epochs <= MAX_EPOCHS else None


def _bias_fit(p: Any) -> dict[str, Any] | None:
    if p.lam > MAX_L2 or (p.model == "network" and (p.width > MAX_WIDTH or p.epochs > MAX_EPOCHS)):
        return None
    x, y0 = make_data(p)
    code = own_points(x, y0[:, 0] + p.offset, classes=False)
    if code is None:
        return None
    query = {"dataset": "custom_curve", "points": code, "test_fraction": 0.0, "data_seed": DATA_SEED,
             "loss": "mse", "batch_size": len(x), "l2": p.lam, "l2_biases": p.lam > 0, "n_seeds": 1, "seed": p.seed}
    if p.model == "network":
        return {**query, "layers": str(p.width), "activation": p.activation,
                "init": "he" if p.activation == "relu" else "xavier", "bias_init": "zeros", "optimizer": "adam",
                "lr": p.lr, "epochs": p.epochs}
    schedule = neuron_schedule(decode_points(code)[0][:, 0], p.lam)  # on the points the link carries
    if schedule is None:
        return None
    return {**query, "layers": "", "init": "zeros", "bias_init": "zeros", "optimizer": "sgd",
            "lr": schedule[0], "epochs": schedule[1]}


def _initialization(p: Any) -> dict[str, Any] | None:
    if (p.dataset != "circles" or p.batch_size < ZERO_INIT_POINTS or p.width > MAX_WIDTH or p.lr > MAX_LR
            or (p.init == "constant" and p.constant < 0)):
        return None
    scale = {"constant": p.constant, "normal": p.std}.get(p.init, 1.0)
    return {"dataset": "circles", "n_points": ZERO_INIT_POINTS, "noise": ZERO_INIT_NOISE, "test_fraction": 0.0,
            "data_seed": 0, "layers": str(p.width), "activation": p.activation, "init": p.init,
            "init_scale": scale, "bias_init": "zeros", "loss": "bce", "optimizer": "sgd", "lr": p.lr,
            "batch_size": ZERO_INIT_POINTS, "epochs": p.epochs, "n_seeds": 1, "seed": p.seed}


MAPPINGS: dict[tuple[str, str], Callable[[Any], dict[str, Any] | None]] = {
    ("4-2", "train"): lambda p: _xor(p, 1),
    ("4-2", "seeds"): lambda p: _xor(p, min(p.n_seeds, MAX_SEEDS)),
    ("4-3", "dying"): _dying,
    ("4-7", "bias-regularization"): _bias_fit,
    ("4-8", "initialization"): _initialization,
    ("4-9", "vanishing"): _vanishing,
}


def playground_query(exercise: str, experiment: str, params: Any) -> dict[str, Any] | None:
    """Return the playground settings of an exercise experiment's params, or None if it has none (or the
    playground would refuse the run as over its work budget: a link must open a run, not a refusal)."""
    mapping = MAPPINGS.get((exercise, experiment))
    query = None if mapping is None else mapping(params)
    if query is None or cost(PlaygroundParams.model_validate(query)) > WORK_BUDGET_SECONDS:
        return None
    return query


def playground_link(exercise: str, experiment: str, params: Any) -> str | None:
    """Return the playground page's URL for an exercise experiment's params (only the settings that differ
    from the playground's defaults), or None."""
    query = playground_query(exercise, experiment, params)
    if query is None:
        return None
    defaults = PlaygroundParams().state()
    state = PlaygroundParams.model_validate(query).state()
    pairs = [(f"train.{k}", _text(v)) for k, v in state.items() if v != defaults[k]]
    return f"/playground?{urlencode(pairs)}#exp-train"


def _text(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)
