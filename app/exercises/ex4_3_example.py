"""4-3 — the worked example: one ReLU unit killed by one large step.

One unit a = ReLU(w x + b) is fitted to three points y = x + 1 at x = -1, 0, 1 by gradient descent
on the half mean squared error L = (1/2N) sum_n (a_n - y_n)^2, from w = 1 and a bias b0 that is too
large. Everything is small enough to check by hand:

    dL/dw = (1/N) sum_n e_n ReLU'(z_n) x_n,   dL/db = (1/N) sum_n e_n ReLU'(z_n),   e_n = a_n - y_n.

With b0 = 3 every z_n > 0 and every e_n = 2, so dL/dw = 0 and dL/db = 2: a step of size eta moves
only the bias, to 3 - 2 eta. Once b <= -max_n w x_n, z_n <= 0 on every input, both gradients are
exactly 0 and no later step moves the unit again.
"""

from __future__ import annotations

import numpy as np

from app.exercises import work
from app.exercises.base import Experiment, Params, Result, metric, param
from app.exercises.common import outcome
from app.figures import ex4_3 as figs
from app.i18n import text
from app.nn.activations import get_activation
from app.nn.losses import get_loss

X = np.array([-1.0, 0.0, 1.0])
Y = X + 1.0  # w = 1, b = 1 fits exactly, with loss 0
W0 = 1.0
OUTPUT_X = np.linspace(-1.5, 1.5, 61)  # where the unit's output a(x) is drawn
_RELU = get_activation("relu")
_MSE = get_loss("mse")


class OneUnitParams(Params):
    lr: float = param(2.5, text("Learning rate η", "学习率 η"),
                      text("Size of every gradient step.", "每一步梯度下降的步长。"), ge=0.01, le=5, step=0.01)
    b0: float = param(3.0, text("Initial bias b₀", "偏置初值 b₀"),
                      text("Bias before the first step (w starts at 1; the fit needs b = 1).",
                           "第一步之前的偏置（w 从 1 开始；拟合所需的是 b = 1）。"), ge=-3, le=6, step=0.1)
    steps: int = param(20, text("Steps", "步数"), text("Gradient steps on all three points.",
                                                       "在全部三个点上进行的梯度下降步数。"), ge=1, le=500)


def run_unit(lr: float, b0: float, steps: int) -> dict[str, np.ndarray]:
    """Return w, b, loss (steps + 1,) and the gradients gw, gb (steps,) of full-batch gradient descent."""
    w, b = np.empty(steps + 1), np.empty(steps + 1)
    loss, gw, gb = np.empty(steps + 1), np.empty(steps), np.empty(steps)
    w[0], b[0] = W0, b0
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            z = w[t] * X + b[t]
            loss[t] = _MSE.value(_RELU.fn(z)[:, None], Y[:, None])
            if t == steps:
                break
            delta = _MSE.grad(_RELU.fn(z)[:, None], Y[:, None])[:, 0] * _RELU.der(z)  # dL/dz_n
            gw[t], gb[t] = delta @ X, delta.sum()
            w[t + 1], b[t + 1] = w[t] - lr * gw[t], b[t] - lr * gb[t]
    return {"w": w, "b": b, "loss": loss, "gw": gw, "gb": gb}


def kill_rate(w: float, b: float, gw: float, gb: float) -> float | None:
    """Return the smallest step size whose first step leaves z <= 0 on every input; None if none does.

    After a step of size eta, z_n(eta) = z_n - eta d_n with d_n = gw x_n + gb. Each input with d_n > 0
    is switched off once eta >= z_n / d_n; one with d_n <= 0 and z_n > 0 never is. 0 means dead already.
    """
    z, d = w * X + b, gw * X + gb
    if (z <= 0).all():
        return 0.0
    if ((d <= 0) & (z > 0)).any():
        return None
    lower = max(float(np.max(np.where(d > 0, z / np.where(d > 0, d, 1.0), 0.0))), 0.0)
    upper = np.where((d < 0) & (z <= 0), z / np.where(d < 0, d, -1.0), np.inf)  # z_n - eta d_n stays <= 0
    return lower if lower <= float(upper.min()) else None


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def unit_outputs(w: np.ndarray, b: np.ndarray, steps: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Return the unit's output a = ReLU(w x + b) on OUTPUT_X after each of `steps`, {step: (len(OUTPUT_X),)}."""
    with np.errstate(all="ignore"):  # a blown-up w or b overflows: drawn clipped, not an error
        return {t: np.maximum(w[t] * OUTPUT_X + b[t], 0.0) for t in steps}


def one_unit(p: OneUnitParams) -> Result:
    """Run the worked example and report the first step, the death test and where the unit ends.

    views: x, OUTPUT_X; output, the unit's output on it before training, after step 1 and after the last
    step; on_after_first_step, on how many of the three inputs z > 0 after step 1.
    """
    r = run_unit(p.lr, p.b0, p.steps)
    w, b = r["w"], r["b"]
    with np.errstate(all="ignore"):
        threshold = -np.max(np.outer(w, X), axis=1)  # the unit is dead iff b <= -max_n w x_n
    dead = b <= threshold
    metrics = {
        "grad_w": _num(r["gw"][0]), "grad_b": _num(r["gb"][0]),
        "w_after": _num(w[1]), "b_after": _num(b[1]), "threshold_after": _num(threshold[1]),
        "dead_after_first_step": bool(dead[1]), "dead_at_end": bool(dead[-1]),
        "b_final": _num(b[-1]),
        "loss_start": _num(r["loss"][0]), "loss_after_first_step": _num(r["loss"][1]),
        "loss_final": _num(r["loss"][-1]),
        "kill_rate": kill_rate(W0, p.b0, r["gw"][0], r["gb"][0]),
        **outcome(r["loss"]),
    }
    data = {"x": X, "y": Y, "step": np.arange(p.steps + 1), "w": w, "b": b, "threshold": threshold,
            "loss": r["loss"]}
    with np.errstate(all="ignore"):
        on = int(np.count_nonzero(w[1] * X + b[1] > 0))
    views = {"x": OUTPUT_X, "output": unit_outputs(w, b, (0, 1, p.steps)), "on_after_first_step": on}
    return Result(metrics, data, views=views)


EXPERIMENT = Experiment(
    name="one-unit",
    title=text("One unit, one step", "一个单元，一步更新"),
    summary=text(
        "A single ReLU unit a = ReLU(wx + b) fits the three points y = x + 1 (x = −1, 0, 1) by gradient descent, "
        "starting with w = 1 and a bias that is too large. A step that pushes b to −max wxₙ or below switches the "
        "unit off on every input; from then on both of its gradients are exactly 0.",
        "单个 ReLU 单元 a = ReLU(wx + b) 用梯度下降拟合三个点 y = x + 1（x = −1, 0, 1），初始 w = 1，偏置过大。"
        "一旦某一步把 b 推到 −max wxₙ 或更低，这个单元在所有输入上都不再激活；此后它的两个梯度都恰好为 0。",
    ),
    params=OneUnitParams,
    run=one_unit,
    draw=figs.one_unit,
    cost=lambda p: work.seconds(work.training(1, 3, (1, 1), p.steps)),
    cost_fields=("steps",),
    metrics={
        "grad_w": metric("∂L/∂w at the start", "初始 ∂L/∂w", "Gradient of the loss with respect to w before the "
                         "first step.", "第一步之前损失对 w 的梯度。"),
        "grad_b": metric("∂L/∂b at the start", "初始 ∂L/∂b", "Gradient of the loss with respect to b before the "
                         "first step.", "第一步之前损失对 b 的梯度。"),
        "w_after": metric("w after one step", "一步后的 w", "The weight after the first step.", "第一步之后的权重。"),
        "b_after": metric("b after one step", "一步后的 b", "The bias after the first step.", "第一步之后的偏置。"),
        "threshold_after": metric("−max wxₙ after one step", "一步后的 −max wxₙ",
                                  "The unit is off on every input when b is at or below this value.",
                                  "当 b 不大于这个值时，单元在所有输入上都不激活。"),
        "dead_after_first_step": metric("dead after one step", "一步后死亡",
                                        "z ≤ 0 on all three inputs after the first step.",
                                        "第一步之后三个输入上都有 z ≤ 0。"),
        "dead_at_end": metric("dead at the end", "最终死亡", "z ≤ 0 on all three inputs after the last step.",
                              "最后一步之后三个输入上都有 z ≤ 0。"),
        "b_final": metric("b at the end", "最终的 b", "The bias after the last step.", "最后一步之后的偏置。"),
        "loss_start": metric("loss at the start", "初始损失", "Half the mean squared error before training.",
                             "训练前的均方误差的一半。"),
        "loss_after_first_step": metric("loss after one step", "一步后的损失", "The loss after the first step.",
                                        "第一步之后的损失。"),
        "loss_final": metric("loss at the end", "最终损失", "The loss after the last step (0 is reachable, "
                             "at w = 1, b = 1).", "最后一步之后的损失（在 w = 1、b = 1 处可达 0）。"),
        "kill_rate": metric("smallest η that kills", "致死的最小学习率",
                            "The smallest step size whose first step leaves z ≤ 0 on every input (0: dead "
                            "already; none: no step does).",
                            "第一步之后使所有输入上 z ≤ 0 的最小步长（0 表示一开始就已死亡；无表示任何步长都不会）。"),
    },
)
