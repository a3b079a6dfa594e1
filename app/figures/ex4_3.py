"""Figures of exercise 4-3: dead units over training, pre-activation histograms, the fit, the unit map."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.figures.common import decision_surface, frame_titles, loss_curves, replay_lines, surface_replay
from app.figures.encode import typed
from app.figures.theme import color, figure, layout, line, markers
from app.i18n import text, translator

T = {
    "dead_title": text("Dead hidden units during training ({act})", "训练过程中的死亡隐藏单元（{act}）"),
    "dead_frac": text("fraction of units", "单元比例"),
    "layer": text("layer {i}", "第 {i} 层"),
    "all_dead": text("all layers: dead", "所有层：死亡"),
    "all_inactive": text("all layers: inactive (z ≤ 0 everywhere)", "所有层：不活跃（处处 z ≤ 0）"),
    "epoch": text("epoch", "轮次"),
    "loss_title": text("Training loss ({act})", "训练损失（{act}）"),
    "pre_title": text("Pre-activations z per hidden layer (all inputs × units)", "各隐藏层的预激活 z（所有输入 × 单元）"),
    "start": text("start", "训练前"),
    "end": text("end", "训练后"),
    "count": text("count", "计数"),
    "fit_title": text("The learned function ({act})", "学到的函数（{act}）"),
    "fit_title_2d": text("The learned decision surface ({act})", "学到的决策面（{act}）"),
    "data": text("training data", "训练数据"),
    "learned": text("network after training", "训练后的网络"),
    "initial": text("network before training", "训练前的网络"),
    "truth": text("sin(πx)", "sin(πx)"),
    "replay_title": text("Epoch {e}: {dead} of the hidden units dead ({act})", "第 {e} 轮：{dead} 的隐藏单元已死亡（{act}）"),
    "replay_title_div": text("Epoch {e}: diverged ({act})", "第 {e} 轮：已发散（{act}）"),
    "network": text("network", "网络"),
    "map_title": text("Which units are dead at the end (layer × unit)", "训练结束时哪些单元死亡（层 × 单元）"),
    "unit": text("unit", "单元"),
    "active": text("active", "活跃"),
    "inactive": text("inactive, still learning", "不活跃但仍在学习"),
    "dead": text("dead", "死亡"),
    "diverged": text("diverged: no unit states", "已发散：无法判定单元状态"),
    "sweep_title": text("Dead units at the end of training against the learning rate",
                        "训练结束时死亡单元比例与学习率"),
    "lr": text("learning rate η", "学习率 η"),
    "spread": text("{act}: min–max over seeds", "{act}：种子间最小–最大"),
    "band": text("lines: mean over seeds; bands: min–max", "线：种子平均；色带：最小–最大"),
    "div_marker": text("{act}: some runs diverged", "{act}：部分训练发散"),
    "hover_div": text("{n} of {total} runs diverged", "{total} 次训练中 {n} 次发散"),
}

LABELS = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "prelu": "PReLU", "elu": "ELU", "softplus": "Softplus",
          "swish": "Swish", "gelu": "GELU"}
BINS = 40
# unit_map codes: 0 active, 1 inactive but learning (f' > 0 on z <= 0), 2 dead
MAP_COLORS = ("#d9ecd0", "#E69F00", "#000000")


_t = translator(T)


def dead_units(epochs: np.ndarray, by_layer: np.ndarray, dead: np.ndarray, inactive: np.ndarray, act: str,
               lang: str) -> dict[str, Any]:
    """Dead fraction per layer and overall against epoch, with the overall inactive fraction."""
    traces = [line(epochs, by_layer[i], _t("layer", lang, i=i + 1), i + 1, width=1.5) for i in range(len(by_layer))]
    traces.append(line(epochs, dead, _t("all_dead", lang), 7, width=3))
    traces.append(line(epochs, inactive, _t("all_inactive", lang), 7, dash="dot", width=1.5))
    lay = layout(_t("dead_title", lang, act=LABELS[act]), _t("epoch", lang), _t("dead_frac", lang))
    lay["yaxis"]["range"] = [-0.02, 1.02]
    return figure(traces, lay)


def _histograms(start: list[np.ndarray], end: list[np.ndarray], lang: str) -> dict[str, Any]:
    L = len(start)
    gap = 0.06
    w = (1.0 - gap * (L - 1)) / L
    traces, shapes = [], []
    lay = layout(_t("pre_title", lang), "", "", barmode="overlay", hovermode="closest")
    for i, (z0, z1) in enumerate(zip(start, end, strict=True)):
        both = np.concatenate([z0, z1])
        both = both[np.isfinite(both)]
        lo, hi = (float(both.min()), float(both.max())) if both.size else (-1.0, 1.0)
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, BINS + 1)
        centres = 0.5 * (edges[:-1] + edges[1:])
        ax = "" if i == 0 else str(i + 1)
        for z, key, c, op in ((z0, "start", 7, 0.35), (z1, "end", i + 1, 0.7)):
            counts, _ = np.histogram(z[np.isfinite(z)], bins=edges)
            traces.append({"type": "bar", "x": typed(centres), "y": typed(counts.astype(float)),
                           "width": float(edges[1] - edges[0]), "name": f"{_t('layer', lang, i=i + 1)}: {_t(key, lang)}",
                           "marker": {"color": color(c)}, "opacity": op, "xaxis": f"x{ax}", "yaxis": f"y{ax}",
                           "hovertemplate": "z≈%{x:.3g}: %{y}<extra></extra>"})
        x0 = i * (w + gap)
        lay[f"xaxis{ax}"] = {"domain": [x0, x0 + w], "anchor": f"y{ax}", "zeroline": False,
                             "title": {"text": f"z, {_t('layer', lang, i=i + 1)}"}}
        lay[f"yaxis{ax}"] = {"anchor": f"x{ax}", "zeroline": False,
                             "title": {"text": _t("count", lang) if i == 0 else ""}}
        shapes.append({"type": "line", "xref": f"x{ax}", "yref": f"y{ax} domain", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
                       "line": {"color": "#000000", "width": 1, "dash": "dash"}})
    lay["shapes"] = shapes
    lay["legend"] = {"orientation": "h", "y": -0.28, "yanchor": "top"}
    lay["margin"] = {"l": 60, "r": 20, "t": 50, "b": 80}
    return figure(traces, lay)


def _fit(X: np.ndarray, Y: np.ndarray, dataset: str, fit: dict, act: str, lang: str) -> dict[str, Any]:
    if dataset == "sine":
        return figure([
            markers(X[:, 0], Y[:, 0], _t("data", lang), 7, size=5, opacity=0.6),
            line(fit["x"], np.sin(np.pi * fit["x"]), _t("truth", lang), 7, dash="dot", width=1.5),
            line(fit["x"], fit["y0"], _t("initial", lang), 4, dash="dash", width=1.5),
            line(fit["x"], fit["y"], _t("learned", lang), 0, width=2.5),
        ], layout(_t("fit_title", lang, act=LABELS[act]), "x", "y"))
    return decision_surface(fit["gx"], fit["gy"], fit["Z"], X, Y[:, 0], _t("fit_title_2d", lang, act=LABELS[act]),
                            lang, point_size=6)


def _unit_map(state: np.ndarray | None, lang: str) -> dict[str, Any]:
    if state is None:
        return figure([], layout(_t("diverged", lang), _t("unit", lang), ""))
    L, n = state.shape
    labels = [_t("active", lang), _t("inactive", lang), _t("dead", lang)]
    scale = []
    for k, c in enumerate(MAP_COLORS):
        scale += [[k / 3, c], [(k + 1) / 3, c]]
    text_grid = [[labels[v] for v in row] for row in state.tolist()]
    layers = [_t("layer", lang, i=i + 1) for i in range(L)]
    trace = {"type": "heatmap", "z": state.tolist(), "x": list(range(1, n + 1)), "y": list(range(1, L + 1)),
             "zmin": -0.5, "zmax": 2.5, "colorscale": scale, "xgap": 2, "ygap": 2, "text": text_grid,
             "hovertemplate": _t("layer", lang, i="%{y}") + ", " + _t("unit", lang) + " %{x}: %{text}<extra></extra>",
             "colorbar": {"tickvals": [0, 1, 2], "ticktext": labels, "thickness": 12}}
    lay = layout(_t("map_title", lang), _t("unit", lang), "", hovermode="closest")
    lay["yaxis"].update(autorange="reversed", tickvals=list(range(1, L + 1)), ticktext=layers)
    lay["xaxis"].update(showgrid=False)
    lay["height"] = 180 + 40 * L
    return figure([trace], lay)


def fit_replay(X: np.ndarray, Y: np.ndarray, dataset: str, fit: dict, rep: dict, act: str, lang: str) -> dict[str, Any]:
    """The fit (sine: the curve; moons: the decision surface) at about 25 recorded epochs, titled by the
    dead fraction at that epoch.

    rep: epochs (F,), dead_fraction (F,), and curves (F, 1, n) for sine or gx, gy, Zs (F × (ny, nx)) for moons.
    """
    if dataset == "sine":
        lo, hi = float(Y.min()), float(Y.max())
        pad = 0.5 * (hi - lo)
        static = [markers(X[:, 0], Y[:, 0], _t("data", lang), 7, size=5, opacity=0.6),
                  line(fit["x"], np.sin(np.pi * fit["x"]), _t("truth", lang), 7, dash="dot", width=1.5)]
        fig = replay_lines(fit["x"], rep["curves"], rep["epochs"], "", "x", "y", lang, names=[_t("network", lang)],
                           static=static, y_range=[lo - pad, hi + pad])
    else:
        fig = surface_replay(rep["gx"], rep["gy"], rep["Zs"], rep["epochs"], X, Y[:, 0], "", lang)
    titles = []
    for e, d in zip(rep["epochs"], rep["dead_fraction"], strict=True):
        if np.isfinite(d):
            titles.append(_t("replay_title", lang, e=int(e), dead=f"{d:.0%}", act=LABELS[act]))
        else:
            titles.append(_t("replay_title_div", lang, e=int(e), act=LABELS[act]))
    return frame_titles(fig, titles)


def dying(act: str, snap_epochs: np.ndarray, by_layer: np.ndarray, dead: np.ndarray, inactive: np.ndarray,
          epochs: np.ndarray, losses: np.ndarray, z_start: list[np.ndarray], z_end: list[np.ndarray],
          X: np.ndarray, Y: np.ndarray, dataset: str, fit: dict, state: np.ndarray | None, rep: dict,
          lang: str) -> dict[str, dict]:
    """Return the `dead_units`, `loss`, `preactivations`, `fit`, `fit_replay` and `unit_map` figures."""
    return {
        "dead_units": dead_units(snap_epochs, by_layer, dead, inactive, act, lang),
        "loss": loss_curves(epochs, {LABELS[act]: losses}, _t("loss_title", lang, act=LABELS[act]), lang),
        "preactivations": _histograms(z_start, z_end, lang),
        "fit": _fit(X, Y, dataset, fit, act, lang),
        "fit_replay": fit_replay(X, Y, dataset, fit, rep, act, lang),
        "unit_map": _unit_map(state, lang),
    }


def lr_sweep(lrs: np.ndarray, mean: dict, lo: dict, hi: dict, n_diverged: dict, n_seeds: int,
             lang: str) -> dict[str, dict]:
    """Return the `dead_vs_lr` figure: mean dead fraction per activation with its min–max band."""
    traces = []
    for i, act in enumerate(mean):
        name = LABELS[act]
        traces.append(line(lrs, hi[act], _t("spread", lang, act=name), i, width=0, legendgroup=act, showlegend=False,
                           hoverinfo="skip"))
        traces.append(line(lrs, lo[act], _t("spread", lang, act=name), i, width=0, legendgroup=act, fill="tonexty",
                           fillcolor=_rgba(color(i), 0.2), hoverinfo="skip", showlegend=False))
        hover = [_t("hover_div", lang, n=int(k), total=n_seeds) for k in n_diverged[act]]
        traces.append(line(lrs, mean[act], name, i, mode="lines+markers", legendgroup=act,
                           text=hover, hovertemplate=f"{name}, η=%{{x:.3g}}: %{{y:.3f}}<br>%{{text}}<extra></extra>"))
        div = np.asarray(n_diverged[act]) > 0
        if div.any():
            y = np.where(np.isfinite(mean[act]), mean[act], 0.0)
            traces.append(markers(lrs[div], y[div], _t("div_marker", lang, act=name), i, size=11, symbol="x-open",
                                  legendgroup=act))
    lay = layout(_t("sweep_title", lang), _t("lr", lang), _t("dead_frac", lang), x_log=True, hovermode="closest")
    lay["yaxis"]["range"] = [-0.02, 1.02]
    lay["xaxis"].update(tickvals=list(map(float, lrs)), ticktext=[f"{v:.3g}" for v in lrs])
    lay["legend"] = {"orientation": "h", "y": -0.25, "yanchor": "top"}
    lay["margin"] = {"l": 60, "r": 20, "t": 50, "b": 70}
    lay["annotations"] = [{"text": _t("band", lang), "xref": "paper", "yref": "paper", "x": 0.01, "y": 0.98,
                           "showarrow": False, "xanchor": "left", "yanchor": "top", "font": {"size": 11}}]
    return {"dead_vs_lr": figure(traces, lay)}


def _rgba(hex_color: str, a: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)}, {a})"
