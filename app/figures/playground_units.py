"""The playground's unit view: one unit's incoming weights and bias over the epochs (the first network).

The server draws it for the first hidden unit (the output unit when there is no hidden layer); a click on a
unit of the neuron map, or the unit list beside the figure, redraws it for that unit in the browser
(static/js/fflab-playground-units.js) from the result's numbers — weight_epoch, weights, biases
(app.exercises.playground.run.trajectories) — and the words and colours this figure carries in
layout.meta.units, so both languages and both themes come out as the server would draw them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.theme import PALETTE, described, figure, layout, line
from app.format import number
from app.i18n import pick, text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result
    from app.exercises.playground.params import PlaygroundParams

T = {
    "title": text("{unit}: incoming weights and bias over the epochs (first network)",
                  "{unit}：输入权重与偏置随训练轮次的变化（第一个网络）"),
    "unit": text("layer {i}, unit {j}", "第 {i} 层，单元 {j}"),
    "output": text("output unit", "输出单元"),
    "source": text("unit {j}", "单元 {j}"),
    "from": text("w from {src}", "来自 {src} 的权重"),
    "bias": text("bias b", "偏置 b"),
    "epoch": text("epoch", "轮次"),
    "value": text("value", "取值"),
    "summary": text("{unit} at epoch {e}: {list}; bias {b}. Recorded at {n} epochs.",
                    "{unit}在第 {e} 轮：{list}；偏置 {b}。共记录 {n} 个轮次。"),
    "pick": text("Unit", "单元"),
    "hint": text("Click a unit in the map above, or choose it here.", "点击上方图中的单元，或在此选择。"),
}
_t = translator(T)
MARKERS_UP_TO = 15  # recorded epochs up to which each one is marked


def unit_names(n_hidden: list[int], lang: str) -> list[list[str]]:
    """Return the names of the units of every weight layer's output side: hidden layers, then the output."""
    names = [[_t("unit", lang, i=i + 1, j=j + 1) for j in range(n)] for i, n in enumerate(n_hidden)]
    return names + [[_t("output", lang)]]


def source_names(feature_labels: list[str], n_hidden: list[int], lang: str) -> list[list[str]]:
    """Return, per weight layer, the names of its inputs: the features, then the units of the layer before."""
    return [list(feature_labels)] + [[_t("source", lang, j=j + 1) for j in range(n)] for n in n_hidden]


def unit(result: Result, p: PlaygroundParams, lang: str, layer: int = 0, j: int = 0) -> dict[str, Any]:
    """Draw unit j of weight layer `layer` (0-based; the last is the output): its incoming weights and bias."""
    d = result.data
    epochs = np.asarray(d["weight_epoch"], dtype=float)
    W = np.asarray(d["weights"][layer], dtype=float)[:, :, j]  # (F, n_in)
    b = np.asarray(d["biases"][layer], dtype=float)[:, j]
    hidden = list(p.widths())
    units = unit_names(hidden, lang)
    sources = source_names(result.views["feature_labels"], hidden, lang)
    mode = "lines+markers" if len(epochs) <= MARKERS_UP_TO else "lines"
    traces = [line(epochs, W[:, i], _t("from", lang, src=src), i, mode=mode)
              for i, src in enumerate(sources[layer])]
    traces.append(line(epochs, b, _t("bias", lang), len(PALETTE) - 1, dash="dash", mode=mode))
    name = units[layer][j]
    lay = layout(_t("title", lang, unit=name), _t("epoch", lang), _t("value", lang), hovermode="x unified")
    lay["height"] = 340
    fig = figure(traces, lay)
    listed = ", ".join(f"{src} {number(float(W[-1, i]), lang, sig=3)}" for i, src in enumerate(sources[layer]))
    said = _t("summary", lang, unit=name, e=int(epochs[-1]), list=listed, b=number(float(b[-1]), lang, sig=3),
              n=len(epochs))
    fig["layout"].setdefault("meta", {})["epoch_axis"] = True  # the replay marks its epoch here (fflab-replay.js)
    fig["layout"]["meta"]["units"] = {
        "layer": layer, "unit": j, "names": units, "sources": sources, "palette": list(PALETTE),
        "words": {k: pick(T[k], lang) for k in ("title", "from", "bias", "summary", "pick", "hint")},
        "markers_up_to": MARKERS_UP_TO,
    }
    return described(fig, said)
