"""Figures of exercise 4-8: hidden-unit weight trajectories, unit similarity, boundary, init comparison.

Drawn after the computation, in any language: `initialization` and `compare` build an experiment's figures
from its result (metrics, data, views) and params. The probability surfaces (the trained network's and the
replay's) come with the result's views; nothing here evaluates a network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import SURFACE_COLORSCALE, decision_surface, frame_titles, loss_curves, surface_replay
from app.figures.encode import typed
from app.figures.theme import color, described, figure, layout, line
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "weights_title": text("Incoming weights of each hidden unit ({init})", "每个隐藏单元的入射权重（{init}）"),
    "weights_note": text("solid w₁, dashed w₂, dotted bias b; one colour per unit",
                         "实线 w₁，虚线 w₂，点线偏置 b；每个单元一种颜色"),
    "unit": text("unit {j}", "单元 {j}"),
    "epoch": text("epoch", "轮次"),
    "value": text("parameter value", "参数值"),
    "loss_title": text("Training loss ({init}); ln 2 = predicting ½", "训练损失（{init}）；ln 2 为处处预测 ½ 的损失"),
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
    # hover notes on the cells of the similarity matrix that a convention fills (cosine undefined)
    "both_zero": text(" (both zero vectors: 0/0, 1 by convention)", "（两者都是零向量：0/0，按约定记为 1）"),
    "one_zero": text(" (one zero vector: 0 by convention)", "（其一为零向量：按约定记为 0）"),
    # one-sentence summaries for screen readers, filled in from the numbers
    "s_weights": text("Incoming weights and bias of the {H} hidden units over {E} epochs: {k0} distinct unit(s) "
                      "at the start, {k1} at the end; the values end between {lo} and {hi}.",
                      "{H} 个隐藏单元在 {E} 轮中的入射权重与偏置：开始时 {k0} 个不同的单元，结束时 {k1} 个；"
                      "最终取值介于 {lo} 与 {hi} 之间。"),
    "s_weights_one": text("Incoming weights and bias of the {H} hidden units over {E} epochs: {k0} distinct unit(s) "
                          "at the start, {k1} at the end; every value ends at {lo}.",
                          "{H} 个隐藏单元在 {E} 轮中的入射权重与偏置：开始时 {k0} 个不同的单元，结束时 {k1} 个；"
                          "所有取值最终都是 {lo}。"),
    "s_loss": text("The training loss ({init}) goes from {a} to {b} in {E} epochs; ln 2 ≈ 0.693 is the loss of "
                   "predicting ½.",
                   "训练损失（{init}）在 {E} 轮内从 {a} 变为 {b}；ln 2 ≈ 0.693 是处处预测 ½ 时的损失。"),
    "s_loss_bad": text("The training loss ({init}) starts at {a} and blows up (non-finite) at epoch {k}.",
                       "训练损失（{init}）从 {a} 开始，在第 {k} 轮变为非有限值（发散）。"),
    "s_boundary": text("After training ({init}) the predicted probability of class 1 runs from {lo} to {hi} over "
                       "the plane; {acc} of the training points are on the right side of the boundary.",
                       "训练后（{init}）平面上预测为第 1 类的概率从 {lo} 到 {hi}；{acc} 的训练点落在边界正确一侧。"),
    "s_replay": text("The decision surface replayed at {F} epochs from 0 to {E}; distinct hidden units: {k0} at the "
                     "start, {k1} at the end.",
                     "在 0 到 {E} 轮之间的 {F} 个时刻回放决策曲面；不同隐藏单元数：开始时 {k0} 个，结束时 {k1} 个。"),
    "s_sim_zero": text("All {H} hidden units are zero vectors: their cosine similarity is 0/0, shown as 1 by "
                       "convention (they are one and the same unit).",
                       "全部 {H} 个隐藏单元都是零向量：它们的余弦相似度是 0/0，按约定记为 1（它们是同一个单元）。"),
    "s_sim_same": text("All {H} hidden units are identical: every cosine similarity is 1.",
                       "全部 {H} 个隐藏单元完全相同：所有余弦相似度都是 1。"),
    "s_sim": text("Off the diagonal the cosine similarities of the {H} hidden units run from {lo} to {hi} "
                  "(mean {m}).",
                  "{H} 个隐藏单元之间（对角线以外）的余弦相似度从 {lo} 到 {hi}（平均 {m}）。"),
    "s_sim_some_zero": text(" {z} unit(s) are zero vectors: 1 between two of them and 0 against any other unit, "
                            "by convention.",
                            "其中 {z} 个单元是零向量：按约定，两个零向量之间记为 1，零向量与其他单元之间记为 0。"),
    "s_compare_loss": text("Final training loss after {E} epochs, with the accuracy in brackets: {finals}; "
                           "ln 2 ≈ 0.693.",
                           "{E} 轮后的最终训练损失（括号内为准确率）：{finals}；ln 2 ≈ 0.693。"),
    "s_distinct": text("Distinct hidden units at the start and at the end: {counts}.",
                       "训练前后不同隐藏单元的个数：{counts}。"),
    "s_init_final": text("{i} {a} ({acc})", "{i} {a}（{acc}）"),
    "s_sep": text(", ", "，"),
}

DASHES = (None, "dash", "dot")
_t = translator(T)


def unit_weights(epochs: np.ndarray, traj: np.ndarray, init: str, k0: int, k1: int, lang: str) -> dict[str, Any]:
    """w1, w2 and b of every hidden unit against epoch; traj (T, H, 3). Identical units draw one line.

    k0, k1: the distinct units at the start and at the end, for the summary.
    """
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
    final = traj[-1][np.isfinite(traj[-1])]
    lo, hi = (number(final.min(), lang, sig=3), number(final.max(), lang, sig=3)) if final.size else ("—", "—")
    key = "s_weights_one" if lo == hi else "s_weights"
    return described(figure(traces, lay), _t(key, lang, H=traj.shape[1], E=int(epochs[-1]), k0=k0, k1=k1,
                                             lo=lo, hi=hi))


def similarity(sim: np.ndarray, zero: np.ndarray, lang: str) -> dict[str, Any]:
    """Heatmap of the (H, H) cosine similarity matrix, −1 blue to +1 red.

    zero: (H,) units that are zero vectors; their cells hold a convention (1 between two zero units, 0
    against any other), and their hover says so.
    """
    H = sim.shape[0]
    units = list(range(1, H + 1))
    both, either = np.logical_and.outer(zero, zero), np.logical_or.outer(zero, zero)
    notes = np.where(both, _t("both_zero", lang), np.where(either, _t("one_zero", lang), ""))
    trace = {"type": "heatmap", "z": typed(sim, "float32"), "x": units, "y": units, "zmin": -1, "zmax": 1,
             "colorscale": SURFACE_COLORSCALE, "xgap": 1, "ygap": 1, "customdata": notes.tolist(),
             "hovertemplate": "%{y} · %{x}: %{z:.4f}%{customdata}<extra></extra>", "colorbar": {"thickness": 12}}
    lay = layout(_t("sim_title", lang), _t("hidden_unit", lang), _t("hidden_unit", lang), hovermode="closest")
    lay["yaxis"].update(autorange="reversed", scaleanchor="x", dtick=1 if H <= 16 else None)
    lay["xaxis"].update(dtick=1 if H <= 16 else None, showgrid=False, constrain="domain")
    lay["yaxis"]["showgrid"] = False
    off = sim[~np.eye(H, dtype=bool)]
    if zero.all():
        summary = _t("s_sim_zero", lang, H=H)
    elif H == 1 or np.all(off == 1.0):
        summary = _t("s_sim_same", lang, H=H)
    else:
        summary = _t("s_sim", lang, H=H, lo=number(off.min(), lang, sig=3), hi=number(off.max(), lang, sig=3),
                     m=number(off.mean(), lang, sig=2))
        if zero.any():
            summary += _t("s_sim_some_zero", lang, z=int(zero.sum()))
    return described(figure([trace], lay), summary)


def _ln2_line(lang: str) -> dict[str, Any]:
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": float(np.log(2)),
            "y1": float(np.log(2)), "line": {"color": "#888888", "width": 1, "dash": "dot"}}


def boundary_replay(rep: dict, X: np.ndarray, Y: np.ndarray, init: str, lang: str) -> dict[str, Any]:
    """The decision surface at about 25 recorded epochs, titled by the number of distinct hidden units.

    rep: epochs (F,), gx, gy, Zs (F × (ny, nx) probabilities), distinct (F,) counts.
    """
    fig = surface_replay(rep["gx"], rep["gy"], rep["Zs"], rep["epochs"], X, Y[:, 0], "", lang)
    titles = [_t("replay_title", lang, e=int(e), k=k, init=init) for e, k in zip(rep["epochs"], rep["distinct"], strict=True)]
    return described(frame_titles(fig, titles), _t("s_replay", lang, F=len(rep["epochs"]), E=int(rep["epochs"][-1]),
                                                   k0=rep["distinct"][0], k1=rep["distinct"][-1]))


def _loss_summary(losses: np.ndarray, init: str, lang: str) -> str:
    finite = np.isfinite(losses)
    if finite.all():
        return _t("s_loss", lang, init=init, a=number(losses[0], lang, sig=3), b=number(losses[-1], lang, sig=3),
                  E=len(losses) - 1)
    return _t("s_loss_bad", lang, init=init, a=number(losses[0], lang, sig=3), k=int(np.argmin(finite)))


def init_figures(init: str, snap_epochs: np.ndarray, traj: np.ndarray, epochs: np.ndarray, losses: np.ndarray,
                   gx: np.ndarray, gy: np.ndarray, Z: np.ndarray, X: np.ndarray, Y: np.ndarray, sim: np.ndarray,
                   zero: np.ndarray, accuracy: float, rep: dict, lang: str) -> dict[str, dict]:
    """Return the `unit_weights`, `loss`, `decision_boundary`, `boundary_replay` and `similarity` figures."""
    loss = loss_curves(epochs, {init: losses}, _t("loss_title", lang, init=init), lang)
    loss["layout"]["shapes"] = [_ln2_line(lang)]
    boundary = decision_surface(gx, gy, Z, X, Y[:, 0], _t("boundary_title", lang, init=init), lang, point_size=6)
    shown = Z[np.isfinite(Z)]
    described(boundary, _t("s_boundary", lang, init=init, lo=number(shown.min() if shown.size else None, lang, sig=3),
                           hi=number(shown.max() if shown.size else None, lang, sig=3),
                           acc=number(accuracy, lang, pct=True, digits=0)))
    return {
        "unit_weights": unit_weights(snap_epochs, traj, init, rep["distinct"][0], rep["distinct"][-1], lang),
        "loss": described(loss, _loss_summary(losses, init, lang)),
        "decision_boundary": boundary,
        "boundary_replay": boundary_replay(rep, X, Y, init, lang),
        "similarity": similarity(sim, zero, lang),
    }


def compare_figures(epochs: np.ndarray, losses: dict[str, np.ndarray], d0: dict[str, int], d1: dict[str, int],
            accuracy: dict[str, float], width: int, lang: str) -> dict[str, dict]:
    """Return the `loss_by_init` and `distinct_units_by_init` figures (accuracy: by init, for the summary)."""
    loss = loss_curves(epochs, losses, _t("compare_loss", lang), lang)
    loss["layout"]["shapes"] = [_ln2_line(lang)]
    sep = _t("s_sep", lang)
    described(loss, _t("s_compare_loss", lang, E=int(epochs[-1]), finals=sep.join(
        _t("s_init_final", lang, i=i, a=number(v[-1], lang, sig=3), acc=number(accuracy[i], lang, pct=True, digits=0))
        for i, v in losses.items())))
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
    # over the left bars (zeros, constant: 1 unit high), clear of the random inits' bar labels
    lay["annotations"] = [{"text": _t("all_units", lang, n=width), "xref": "paper", "x": 0, "xanchor": "left",
                           "yref": "y", "y": width, "yanchor": "bottom", "showarrow": False, "font": {"size": 11}}]
    counts = _t("s_sep", lang).join(f"{i} {d0[i]} → {d1[i]}" for i in inits)
    return {"loss_by_init": loss, "distinct_units_by_init": described(figure(bars, lay), _t("s_distinct", lang,
                                                                                          counts=counts))}


# ---------------------------------------------------------------------------- each experiment's figures

def initialization(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """One init: the units' weights, the loss, the boundary and its replay, the units' similarity."""
    m, d, v = result.metrics, result.data, result.views
    traj = np.stack([d["hidden_w1"], d["hidden_w2"], d["hidden_b"]], axis=-1)  # (T, width, 3)
    gx, gy, Z = v["surface"]
    rx, ry, Zs = v["replay"]
    rep = {"epochs": d["replay_epoch"], "gx": rx, "gy": ry, "Zs": Zs, "distinct": v["replay_distinct"]}
    return init_figures(p.init, d["snapshot_epoch"], traj, d["epoch"], d["loss"], gx, gy, Z, v["inputs"],
                        v["targets"], d["similarity"], v["zero_units"], m["accuracy"], rep, lang)


def compare(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The five inits: their losses and their distinct hidden units before and after."""
    m, d = result.metrics, result.data
    d1 = m["distinct_hidden_units_by_init"]
    return compare_figures(d["epoch"], {i: d[f"loss_{i}"] for i in d1}, d["distinct_hidden_units_initial_by_init"],
                           d1, m["accuracy_by_init"], p.width, lang)
