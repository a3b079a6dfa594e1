"""Figures of exercise 4-8: hidden-unit weight trajectories, unit similarity, boundary, init comparison."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.figures.common import SURFACE_COLORSCALE, decision_surface, frame_titles, loss_curves, surface_replay
from app.figures.encode import typed
from app.figures.theme import color, figure, layout, line
from app.i18n import text, translator

T = {
    "weights_title": text("Incoming weights of each hidden unit ({init})", "每个隐藏单元的入射权重（{init}）"),
    "weights_note": text("solid w₁, dashed w₂, dotted bias b; one colour per unit",
                         "实线 w₁，虚线 w₂，点线偏置 b；每个单元一种颜色"),
    "unit": text("unit {j}", "单元 {j}"),
    "epoch": text("epoch", "轮次"),
    "value": text("parameter value", "参数值"),
    "loss_title": text("Training loss ({init}); ln 2 = guessing", "训练损失（{init}）；ln 2 即瞎猜"),
    "boundary_title": text("Decision boundary after training ({init})", "训练后的决策边界（{init}）"),
    "replay_title": text("Epoch {e}: {k} distinct hidden unit(s) ({init})", "第 {e} 轮：{k} 个不同的隐藏单元（{init}）"),
    "sim_title": text("Cosine similarity of the hidden units at the end", "训练结束时隐藏单元之间的余弦相似度"),
    "hidden_unit": text("hidden unit", "隐藏单元"),
    "ln2": text("ln 2", "ln 2"),
    "compare_loss": text("Training loss for each initialisation", "各初始化的训练损失"),
    "distinct_title": text("Distinct hidden units, before and after training", "训练前后不同隐藏单元的个数"),
    "before": text("start", "训练前"),
    "after": text("end", "训练后"),
    "count": text("distinct hidden units", "不同隐藏单元数"),
    "init": text("initialisation", "初始化"),
    "all_units": text("all {n} units", "全部 {n} 个单元"),
}

DASHES = (None, "dash", "dot")
_t = translator(T)


def unit_weights(epochs: np.ndarray, traj: np.ndarray, init: str, lang: str) -> dict[str, Any]:
    """w1, w2 and b of every hidden unit against epoch; traj (T, H, 3). Identical units draw one line."""
    traces = []
    names = ("w₁", "w₂", "b")
    for j in range(traj.shape[1]):
        for k in range(3):
            traces.append(line(epochs, traj[:, j, k], _t("unit", lang, j=j + 1), j, dash=DASHES[k], width=1.8,
                               legendgroup=f"u{j}", showlegend=k == 0,
                               hovertemplate=f"{_t('unit', lang, j=j + 1)} {names[k]}: %{{y:.4g}}<extra></extra>"))
    lay = layout(_t("weights_title", lang, init=init), _t("epoch", lang), _t("value", lang), hovermode="closest")
    lay["annotations"] = [{"text": _t("weights_note", lang), "xref": "paper", "yref": "paper", "x": 0.01, "y": 1.0,
                           "showarrow": False, "xanchor": "left", "yanchor": "bottom", "font": {"size": 11}}]
    lay["margin"] = {"l": 60, "r": 20, "t": 70, "b": 50}
    return figure(traces, lay)


def similarity(sim: np.ndarray, lang: str) -> dict[str, Any]:
    """Heatmap of the (H, H) cosine similarity matrix, −1 blue to +1 red."""
    H = sim.shape[0]
    units = list(range(1, H + 1))
    trace = {"type": "heatmap", "z": typed(sim, "float32"), "x": units, "y": units, "zmin": -1, "zmax": 1,
             "colorscale": SURFACE_COLORSCALE, "xgap": 1, "ygap": 1,
             "hovertemplate": "%{y} · %{x}: %{z:.4f}<extra></extra>", "colorbar": {"thickness": 12}}
    lay = layout(_t("sim_title", lang), _t("hidden_unit", lang), _t("hidden_unit", lang), hovermode="closest")
    lay["yaxis"].update(autorange="reversed", scaleanchor="x", dtick=1 if H <= 16 else None)
    lay["xaxis"].update(dtick=1 if H <= 16 else None, showgrid=False, constrain="domain")
    lay["yaxis"]["showgrid"] = False
    return figure([trace], lay)


def _ln2_line(lang: str) -> dict[str, Any]:
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": float(np.log(2)),
            "y1": float(np.log(2)), "line": {"color": "#888888", "width": 1, "dash": "dot"}}


def boundary_replay(rep: dict, X: np.ndarray, Y: np.ndarray, init: str, lang: str) -> dict[str, Any]:
    """The decision surface at about 25 recorded epochs, titled by the number of distinct hidden units.

    rep: epochs (F,), gx, gy, Zs (F × (ny, nx) probabilities), distinct (F,) counts.
    """
    fig = surface_replay(rep["gx"], rep["gy"], rep["Zs"], rep["epochs"], X, Y[:, 0], "", lang)
    titles = [_t("replay_title", lang, e=int(e), k=k, init=init) for e, k in zip(rep["epochs"], rep["distinct"], strict=True)]
    return frame_titles(fig, titles)


def initialization(init: str, snap_epochs: np.ndarray, traj: np.ndarray, epochs: np.ndarray, losses: np.ndarray,
                   gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, X: np.ndarray, Y: np.ndarray, sim: np.ndarray,
                   rep: dict, lang: str) -> dict[str, dict]:
    """Return the `unit_weights`, `loss`, `decision_boundary`, `boundary_replay` and `similarity` figures."""
    loss = loss_curves(epochs, {init: losses}, _t("loss_title", lang, init=init), lang)
    loss["layout"]["shapes"] = [_ln2_line(lang)]
    return {
        "unit_weights": unit_weights(snap_epochs, traj, init, lang),
        "loss": loss,
        "decision_boundary": decision_surface(gx, gy, Z, X, Y[:, 0], _t("boundary_title", lang, init=init), lang,
                                              point_size=6),
        "boundary_replay": boundary_replay(rep, X, Y, init, lang),
        "similarity": similarity(sim, lang),
    }


def compare(epochs: np.ndarray, losses: dict[str, np.ndarray], d0: dict[str, int], d1: dict[str, int], width: int,
            lang: str) -> dict[str, dict]:
    """Return the `loss_by_init` and `distinct_units_by_init` figures."""
    loss = loss_curves(epochs, losses, _t("compare_loss", lang), lang)
    loss["layout"]["shapes"] = [_ln2_line(lang)]
    inits = list(d1)
    bars = [
        {"type": "bar", "x": inits, "y": [d0[i] for i in inits], "name": _t("before", lang),
         "marker": {"color": color(5)}},
        {"type": "bar", "x": inits, "y": [d1[i] for i in inits], "name": _t("after", lang),
         "marker": {"color": color(0)}, "text": [str(d1[i]) for i in inits], "textposition": "outside"},
    ]
    lay = layout(_t("distinct_title", lang), _t("init", lang), _t("count", lang), barmode="group", hovermode="closest")
    lay["yaxis"]["range"] = [0, width * 1.15 + 0.5]
    lay["xaxis"]["type"] = "category"
    lay["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": width, "y1": width,
                      "line": {"color": "#888888", "width": 1, "dash": "dot"}}]
    lay["annotations"] = [{"text": _t("all_units", lang, n=width), "xref": "paper", "x": 1, "xanchor": "right",
                           "yref": "y", "y": width, "yanchor": "bottom", "showarrow": False, "font": {"size": 11}}]
    return {"loss_by_init": loss, "distinct_units_by_init": figure(bars, lay)}
