"""Figures of exercise 4-9: per-layer gradient norms, their evolution, and the learning-rate sweep.

Drawn after the computation, in any language: `vanishing` and `learning_rates` build an experiment's figures
from its result (metrics, data, views) and params; every norm and loss drawn here comes with the result.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import loss_curves, replay_lines
from app.figures.encode import typed
from app.figures.theme import described, figure, layout, line
from app.format import number
from app.i18n import pick, text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "norms": text("Gradient norm of each weight layer ({act})", "各权重层的梯度范数（{act}）"),
    "at_init": text("at init", "初始时"),
    "at_end": text("after training", "训练后"),
    "layer": text("weight layer (1 = input side, last = output)", "权重层（1 = 输入端，最后 = 输出层）"),
    "grad": text("‖∂L/∂W‖ (log scale)", "‖∂L/∂W‖（对数坐标）"),
    "replay": text("Gradient norm of each weight layer during training ({act})", "训练过程中各权重层的梯度范数（{act}）"),
    "now": text("at this epoch", "当前轮次"),
    "heat": text("log₁₀ ‖∂L/∂W‖ by layer and epoch", "各层各轮的 log₁₀ ‖∂L/∂W‖"),
    "epoch": text("epoch", "轮次"),
    "layer_short": text("weight layer", "权重层"),
    "hover_heat": text("layer %{y}, epoch %{x}<br>log₁₀‖∂L/∂W‖ = %{z:.2f}<extra></extra>",
                       "第 %{y} 层，第 %{x} 轮<br>log₁₀‖∂L/∂W‖ = %{z:.2f}<extra></extra>"),
    "loss": text("Training loss (binary cross-entropy)", "训练损失（二元交叉熵）"),
    "train_loss": text("loss", "损失"),
    "loss_by_lr": text("Loss at each learning rate ({act} + {init})", "各学习率下的损失（{act} + {init}）"),
    "rel": text("Relative first step ‖ΔW‖ / ‖W‖ by layer", "第一步的相对更新 ‖ΔW‖ / ‖W‖（逐层）"),
    "rel_y": text("‖ΔW‖ / ‖W‖ (log scale)", "‖ΔW‖ / ‖W‖（对数坐标）"),
    "cure": text("A larger rate or a different network?", "更大的学习率，还是换一种网络？"),
    "same_net": text("{act} + {init}, η = {lr:.3g}", "{act} + {init}，η = {lr:.3g}"),
    "best": text("{act} + {init}, best rate η = {lr:.3g}", "{act} + {init}，最好的学习率 η = {lr:.3g}"),
    "relu_he": text("ReLU + He, η = {lr:.3g}", "ReLU + He，η = {lr:.3g}"),
    "ln2": text("ln 2 (predicting ½)", "ln 2（处处预测 ½）"),
    # one-sentence summaries for screen readers, filled in from the numbers
    "s_norms": text("At init the gradient norm is {a} in layer 1 and {b} in the last layer, {L} (ratio {r}); "
                    "after training {c} and {d}.",
                    "初始时第 1 层的梯度范数为 {a}，最后一层（第 {L} 层）为 {b}（比值 {r}）；训练后分别为 {c} 和 {d}。"),
    "s_heat": text("Over {E} epochs the first layer's gradient norm stays between {lo} and {hi}; the last layer's "
                   "goes from {a} to {b}.",
                   "在 {E} 轮中，第一层的梯度范数保持在 {lo} 到 {hi} 之间；最后一层的从 {a} 变为 {b}。"),
    "s_loss": text("The training loss goes from {a} to {b} in {E} epochs (ln 2 ≈ 0.693).",
                   "训练损失在 {E} 轮内从 {a} 变为 {b}（ln 2 ≈ 0.693）。"),
    "s_loss_bad": text("The training loss starts at {a} and blows up (non-finite) at epoch {k}.",
                       "训练损失从 {a} 开始，在第 {k} 轮变为非有限值（发散）。"),
    "s_replay": text("Replay of the per-layer gradient norms over {E} epochs: layer 1 goes from {a} to {b}, the "
                     "last layer from {c} to {d}.",
                     "回放 {E} 轮中各层的梯度范数：第 1 层从 {a} 变为 {b}，最后一层从 {c} 变为 {d}。"),
    "s_by_lr": text("Final loss by learning rate: {finals}.", "各学习率的最终损失：{finals}。"),
    "s_final": text("η = {lr}: {a}", "η = {lr}：{a}"),
    "s_diverged": text(" (diverged)", "（发散）"),
    "s_sep": text(", ", "，"),
    "s_rel": text("The first step has the same shape over the layers at every rate, scaled by η: at η = {lr} "
                  "layer 1 moves by {a} of its size and the output layer by {b}.",
                  "每个学习率下第一步在各层的形状相同，只按 η 缩放：η = {lr} 时第一层移动自身大小的 {a}，输出层移动 {b}。"),
    "s_cure": text("After {E} epochs: {act} + {init} at η = {lr} ends at {a}{best}; ReLU + He at η = {lr} ends at {b}.",
                   "{E} 轮后：{act} + {init} 在 η = {lr} 时结束于 {a}{best}；ReLU + He 在 η = {lr} 时结束于 {b}。"),
    "s_best": text(" (at its best rate, η = {lr}: {a})", "（在其最好的学习率 η = {lr} 时：{a}）"),
}

# Exact zeros (a dead ReLU layer) cannot sit on a log axis; they are drawn at this floor.
LOG_FLOOR = 1e-30
# At most this many epochs (columns) in the heat map; longer runs are subsampled evenly.
MAX_HEAT_COLUMNS = 250


_t = translator(T)


def _loss_summary(losses: np.ndarray, lang: str) -> str:
    """Say where the loss went, or where it blew up."""
    finite = np.isfinite(losses)
    if finite.all():
        return _t("s_loss", lang, a=number(losses[0], lang, sig=3), b=number(losses[-1], lang, sig=3),
                  E=len(losses) - 1)
    return _t("s_loss_bad", lang, a=number(losses[0], lang, sig=3), k=int(np.argmin(finite)))


def _floor(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), np.maximum(v, LOG_FLOOR), np.nan)


def _legend_clear_of_axis_title(fig: dict[str, Any]) -> dict[str, Any]:
    """Move the legend below the x-axis title (long legends otherwise run into it)."""
    fig["layout"]["legend"] = {"orientation": "h", "y": -0.3, "yanchor": "top"}
    fig["layout"]["margin"] = {**fig["layout"]["margin"], "b": 80}
    return fig


def _with_ln2(fig: dict[str, Any], epochs: np.ndarray, lang: str) -> dict[str, Any]:
    """Add a dotted reference line at ln 2, the loss of always predicting 1/2."""
    x = np.array([epochs[0], epochs[-1]], dtype=float)
    fig["data"].append(line(x, np.full(2, math.log(2)), _t("ln2", lang), 7, dash="dot", width=1.5,
                            hoverinfo="skip"))
    return _legend_clear_of_axis_title(fig)


def vanishing_figures(initial: np.ndarray, final: np.ndarray, heat: np.ndarray, epochs: np.ndarray, losses: np.ndarray,
              act: str, lang: str) -> dict[str, dict]:
    """Return the `gradient_norms`, `gradient_heatmap` and `loss` figures.

    initial, final: (L,) gradient norms; heat: (L, E) norms at the start of each epoch; losses: (E+1,).
    """
    layers = np.arange(1, len(initial) + 1)
    norms = figure(
        [line(layers, _floor(initial), _t("at_init", lang), 0, mode="lines+markers"),
         line(layers, _floor(final), _t("at_end", lang), 1, mode="lines+markers", dash="dash")],
        layout(_t("norms", lang, act=act), _t("layer", lang), _t("grad", lang), y_log=True),
    )
    norms["layout"]["xaxis"]["dtick"] = 1 if len(layers) <= 16 else 2

    cols = np.unique(np.linspace(0, heat.shape[1] - 1, min(heat.shape[1], MAX_HEAT_COLUMNS)).round().astype(int))
    with np.errstate(all="ignore"):
        z = np.log10(heat[:, cols])
    z = np.where(np.isfinite(z), z, np.nan)
    hm = figure(
        [{"type": "heatmap", "x": typed(cols), "y": typed(layers), "z": typed(z, "float32"),
          "colorscale": "Viridis", "colorbar": {"title": {"text": "log₁₀"}, "thickness": 12},
          "hovertemplate": pick(T["hover_heat"], lang)}],
        layout(_t("heat", lang), _t("epoch", lang), _t("layer_short", lang), hovermode="closest"),
    )
    hm["layout"]["yaxis"]["dtick"] = 1 if len(layers) <= 16 else 2

    loss = _with_ln2(loss_curves(epochs, {_t("train_loss", lang): losses}, _t("loss", lang), lang, y_log=False),
                     epochs, lang)
    ratio = initial[0] / initial[-1] if initial[-1] else math.nan
    described(norms, _t("s_norms", lang, a=number(initial[0], lang, sig=2), b=number(initial[-1], lang, sig=2),
                        L=len(layers), r=number(ratio, lang, sig=2), c=number(final[0], lang, sig=2),
                        d=number(final[-1], lang, sig=2)))
    first = heat[0][np.isfinite(heat[0])]
    described(hm, _t("s_heat", lang, E=heat.shape[1], lo=number(first.min() if first.size else None, lang, sig=2),
                     hi=number(first.max() if first.size else None, lang, sig=2), a=number(heat[-1, 0], lang, sig=2),
                     b=number(final[-1], lang, sig=2)))
    described(loss, _loss_summary(losses, lang))
    return {"gradient_norms": _legend_clear_of_axis_title(norms), "gradient_heatmap": hm, "loss": loss}


def gradient_replay(initial: np.ndarray, norms: np.ndarray, epochs: np.ndarray, act: str, lang: str) -> dict[str, Any]:
    """Return `gradient_replay`: ‖∂L/∂W‖ over the layers at ~25 epochs (log axis), over the norms at init.

    norms: (F, L) at the frames' epochs (the last row after training).
    """
    layers = np.arange(1, norms.shape[1] + 1)
    shown = _floor(norms)
    static = [line(layers, _floor(initial), _t("at_init", lang), 7, dash="dot", width=1.5, mode="lines+markers")]
    fig = replay_lines(layers, shown[:, None, :], epochs, _t("replay", lang, act=act), _t("layer", lang),
                       _t("grad", lang), lang, names=[_t("now", lang)], colors=[1], mode="lines+markers",
                       static=static, y_log=True,
                       y_range=_log_range(np.concatenate([shown.ravel(), _floor(initial)])))
    fig["layout"]["xaxis"]["dtick"] = 1 if len(layers) <= 16 else 2
    return described(fig, _t("s_replay", lang, E=int(epochs[-1]), a=number(norms[0, 0], lang, sig=2),
                             b=number(norms[-1, 0], lang, sig=2), c=number(norms[0, -1], lang, sig=2),
                             d=number(norms[-1, -1], lang, sig=2)))


def _log_range(values: np.ndarray) -> list[float] | None:
    """Return [log10 min, log10 max] of the finite positive values, padded by a quarter decade."""
    v = values[np.isfinite(values) & (values > 0)]
    if not v.size:
        return None
    return [float(np.log10(v.min())) - 0.25, float(np.log10(v.max())) + 0.25]


def learning_rate_figures(lrs: np.ndarray, epochs: np.ndarray, losses: np.ndarray, diverged: list[bool],
                   relative: np.ndarray, same_at_cure: np.ndarray, cure: np.ndarray, cure_lr: float,
                   best: np.ndarray | None, best_lr: float | None, act: str, init: str,
                   lang: str) -> dict[str, dict]:
    """Return the `loss_by_lr`, `relative_update_by_layer` and `cure_comparison` figures.

    losses: (R, E+1), NaN after a blow-up; diverged: (R,) verdicts; relative: (R, L) first-step ‖ΔW‖/‖W‖.
    """
    by_lr = loss_curves(epochs, {f"η = {lr:.3g}": row for lr, row in zip(lrs, losses, strict=True)},
                        _t("loss_by_lr", lang, act=act, init=init), lang, y_log=True)
    layers = np.arange(1, relative.shape[1] + 1)
    rel = figure(
        [line(layers, _floor(r), f"η = {lr:.3g}", i, mode="lines+markers") for i, (lr, r) in
         enumerate(zip(lrs, relative, strict=True))],
        layout(_t("rel", lang), _t("layer", lang), _t("rel_y", lang), y_log=True),
    )
    rel["layout"]["xaxis"]["dtick"] = 1 if len(layers) <= 16 else 2
    series = {_t("same_net", lang, act=act, init=init, lr=cure_lr): same_at_cure}
    if best is not None and best_lr is not None and not np.isclose(best_lr, cure_lr, rtol=1e-9, atol=0.0):
        series[_t("best", lang, act=act, init=init, lr=best_lr)] = best
    series[_t("relu_he", lang, lr=cure_lr)] = cure
    comparison = loss_curves(epochs, series, _t("cure", lang), lang, y_log=True)
    finals = _t("s_sep", lang).join(_t("s_final", lang, lr=number(lr, lang, sig=3), a=number(row[-1], lang, sig=3))
                                    + (_t("s_diverged", lang) if d else "")
                                    for lr, row, d in zip(lrs, losses, diverged, strict=True))
    described(by_lr, _t("s_by_lr", lang, finals=finals))
    described(rel, _t("s_rel", lang, lr=number(lrs[-1], lang, sig=3), a=number(relative[-1, 0], lang, sig=2),
                      b=number(relative[-1, -1], lang, sig=2)))
    shown_best = best is not None and best_lr is not None and not np.isclose(best_lr, cure_lr, rtol=1e-9, atol=0.0)
    described(comparison, _t("s_cure", lang, E=int(epochs[-1]), act=act, init=init, lr=number(cure_lr, lang, sig=3),
                             a=number(same_at_cure[-1], lang, sig=3), b=number(cure[-1], lang, sig=3),
                             best=_t("s_best", lang, lr=number(best_lr, lang, sig=3), a=number(best[-1], lang, sig=3))
                             if shown_best else ""))
    return {"loss_by_lr": _with_ln2(by_lr, epochs, lang), "relative_update_by_layer": _legend_clear_of_axis_title(rel),
            "cure_comparison": _with_ln2(comparison, epochs, lang)}


# ---------------------------------------------------------------------------- each experiment's figures

def vanishing(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """One deep classifier: gradient norms by layer, their heat map over epochs, the loss, and the replay."""
    d = result.data
    initial = d["grad_norms_initial"]
    figures = vanishing_figures(initial, d["grad_norms_final"], d["grad_norms_by_epoch"], d["epoch"], d["loss"],
                                p.activation, lang)
    figures["gradient_replay"] = gradient_replay(initial, result.views["replay_norms"], d["replay_epoch"],
                                                 p.activation, lang)
    return figures


def learning_rates(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The sweep: loss at every rate, the first step's shape over the layers, and the rate against ReLU + He."""
    m, d, best = result.metrics, result.data, result.views["best"]
    losses = d["loss_by_lr"]
    return learning_rate_figures(d["lrs"], d["epoch"], losses, m["diverged"], d["relative_update_by_layer"],
                                 d["loss_same_network_at_cure_lr"], d["loss_relu_he"], d["cure_lr"],
                                 None if best is None else losses[best], m["best_lr"], p.activation, p.init, lang)
