""""Open in the playground": which exercise settings the playground can express, and as what.

`playground_query(exercise, experiment, params)` returns the playground's settings that train the same
networks on the same data, or None when the playground cannot (a loss, data set, depth or range it does
not have). Decided honestly, case by case:

- 4-2 train and seeds (XOR, 2-H-1): the four XOR points as the reader's own points, no test set, full-batch
  plain gradient descent from the same seeds and initialisation, so the same weights to rounding. Only with
  the cross-entropy loss: 4-2's mse is taken on the raw output, the playground's mse on σ(output) for
  classes, a different model. An ensemble of more than 100 seeds opens as its first 100. The key metric,
  the share of seeds that solve XOR, is the playground's success rate at threshold 1 (all four right).
- 4-9 vanishing (a deep stack on circles or spiral): the same 100 points (the core's generator, its noise,
  the same seed for data and weights), no test set, full batch, sgd or Adam; up to 6 hidden layers of up
  to 32 units and η ≤ 10 (the playground's bounds). The key metric is the ratio of the first to the last
  layer's gradient norm at the first step. moons is left out: the playground centres it on the origin.
- Every other experiment: None. 4-3 and 4-8 train on their own data sets and batches that the playground
  does not generate, 4-1, 4-4 to 4-6 are not trained networks of this kind, 4-7 fits a linear neuron
  by closed form; their settings would only resemble, not reproduce, in the playground.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import numpy as np

from app.exercises.playground.custom import encode_points
from app.exercises.playground.params import MAX_LAYERS, MAX_SEEDS, MAX_WIDTH, PlaygroundParams

XOR_POINTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])
VANISHING_NOISE = {"circles": 0.1, "spiral": 0.05}  # app.nn.data's defaults, which 4-9 uses
VANISHING_POINTS = 100  # 4-9's N_SAMPLES
MAX_LR = 10.0
MAX_EPOCHS = 5000


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


def playground_query(exercise: str, experiment: str, params: Any) -> dict[str, Any] | None:
    """Return the playground settings of an exercise experiment's params, or None if it has none."""
    if (exercise, experiment) == ("4-2", "train"):
        return _xor(params, 1)
    if (exercise, experiment) == ("4-2", "seeds"):
        return _xor(params, min(params.n_seeds, MAX_SEEDS))
    if (exercise, experiment) == ("4-9", "vanishing"):
        return _vanishing(params)
    return None


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
