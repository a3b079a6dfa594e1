"""Figures of exercise 4-1: loss gap, (w₁, w₂) paths over the loss contours, update signs, shift sweeps.

Drawn after the computation (ex4_1_centering), in any language: `centering` and `shift_sweep` take
an experiment's Result and params and build its figures from the numbers it holds, computing nothing
of the neuron. Run 0 is always the raw-input neuron (palette colour 0), run 1 the centred one (colour 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import loss_curves, replay_controls
from app.figures.encode import typed
from app.figures.theme import color, described, figure, layout, line, markers
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "raw": text("raw inputs", "原始输入"),
    "centered": text("centred inputs", "中心化输入"),
    "loss_title": text("Loss above the optimum (log scale)", "损失高出最优值的部分（对数坐标）"),
    "loss_y": text("loss − optimal loss", "损失 − 最优损失"),
    "target": text("target gap", "目标差距"),
    "reached": text("{name}: target at epoch {e}", "{name}：第 {e} 轮达到目标"),
    "traj_title": text("Paths of (w₁, w₂) over the loss, b at its best for each w",
                       "(w₁, w₂) 的路径与损失等高线（每个 w 取最优的 b）"),
    "contour": text("log₁₀(min over b of loss − optimum)", "log₁₀(对 b 取最小的损失 − 最优值)"),
    "optimum": text("optimum", "最优点"),
    "start": text("start (0, 0)", "起点 (0, 0)"),
    "now": text("{name}, now", "{name}，当前位置"),
    "signs_title": text("Every update (Δw₁, Δw₂)", "每次更新的 (Δw₁, Δw₂)"),
    "epochs_title": text("Epochs to reach the target against the shift", "达到目标所需轮数与平移量"),
    "epochs_y": text("epochs to target (mean over seeds)", "达到目标的轮数（种子平均）"),
    "shift": text("shift", "平移量"),
    "budget": text("never reached within {e} epochs", "{e} 轮内未达到"),
    "by_seed": text("{name}, each seed", "{name}，各种子"),
    "cond_title": text("Hessian condition number at the optimum", "最优点处 Hessian 的条件数"),
    "cond_y": text("λ_max / λ_min (log scale)", "λ_max / λ_min（对数坐标）"),
    # One-sentence summaries for screen readers (layout.meta.summary).
    "sum_reached": text("target gap reached at epoch {e}", "第 {e} 轮达到目标差距"),
    "sum_never": text("target gap not reached in {E} epochs", "{E} 轮内未达到目标差距"),
    "loss_sum": text("Raw inputs: {raw}; centred inputs: {cen}. After {E} epochs the loss is {lr} above the optimum "
                     "with raw inputs and {lc} with centred inputs.",
                     "原始输入：{raw}；中心化输入：{cen}。{E} 轮后，原始输入的损失比最优值高 {lr}，中心化输入高 {lc}。"),
    "traj_sum": text("In its first epoch the raw path walks {r} times as far as it gets from (0, 0), the centred path "
                     "{c} times; the optimum is ({w1}, {w2}).",
                     "第一轮中，原始输入的路径走过的长度是它离开 (0, 0) 的距离的 {r} 倍，中心化输入为 {c} 倍；"
                     "最优点为 ({w1}, {w2})。"),
    "signs_sum": text("Updates whose Δw₁ and Δw₂ share one sign (quadrants I and III): {raw} of the raw run's, "
                      "{cen} of the centred run's.",
                      "Δw₁ 与 Δw₂ 同号（第一、三象限）的更新：原始输入占 {raw}，中心化输入占 {cen}。"),
    "epochs_sum": text("From shift {s0} to {s1}, the mean epochs to the target go from {r0} to {r1} with raw inputs; "
                       "{cen}.",
                       "平移量从 {s0} 增至 {s1}，原始输入达到目标的平均轮数从 {r0} 变为 {r1}；{cen}。"),
    "cond_sum": text("From shift {s0} to {s1}, the condition number goes from {r0} to {r1} with raw inputs; {cen}.",
                     "平移量从 {s0} 增至 {s1}，原始输入的条件数从 {r0} 变为 {r1}；{cen}。"),
    "cen_stays": text("with centred inputs it stays at {c0}", "中心化输入始终为 {c0}"),
    "cen_goes": text("with centred inputs it goes from {c0} to {c1}", "中心化输入从 {c0} 变为 {c1}"),
}

RUNS = ("raw", "centered")
CONTOUR_FLOOR = 1e-4  # the contour map bottoms out here (log₁₀ = −4)
GREYS = [[0.0, "#ffffff"], [1.0, "#8c8c8c"]]
FRAMES = 25  # animation frames of the trajectory


_t = translator(T)


def _legend_on_top(fig: dict[str, Any], top: int = 80) -> dict[str, Any]:
    """Put the legend in a row above the plot (below the title), clear of the x-axis title."""
    fig["layout"]["legend"] = {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}
    fig["layout"]["margin"] = {**fig["layout"]["margin"], "t": top}
    return fig


def _f32(trace: dict[str, Any], x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Store a trace's coordinates as float32 typed arrays (halves the bytes of long paths)."""
    trace["x"], trace["y"] = typed(x, "float32"), typed(y, "float32")
    return trace


def loss(epochs: np.ndarray, losses: np.ndarray, optimal: float, gap: float, hits: np.ndarray,
         lang: str) -> dict[str, Any]:
    """Loss minus the optimal loss for both runs (log axis), the target gap, and where each run reached it."""
    names = [_t(r, lang) for r in RUNS]
    fig = loss_curves(epochs, {n: losses[i] - optimal for i, n in enumerate(names)}, _t("loss_title", lang), lang,
                      y_title=_t("loss_y", lang))
    fig["data"].append(line(epochs[[0, -1]], np.array([gap, gap]), _t("target", lang), 7, dash="dash", width=1))
    for i, h in enumerate(hits):
        if h >= 0:
            fig["data"].append(markers(epochs[h:h + 1], np.maximum(losses[i, h:h + 1] - optimal, 1e-16),
                                       _t("reached", lang, name=names[i], e=int(h)), i, size=10, symbol="diamond"))
    E = int(epochs[-1])
    when = [_t("sum_reached", lang, e=int(h)) if h >= 0 else _t("sum_never", lang, E=E) for h in hits]
    gaps = losses[:, -1] - optimal
    described(fig, _t("loss_sum", lang, raw=when[0], cen=when[1], E=E, lr=number(gaps[0], lang, sig=2),
                      lc=number(gaps[1], lang, sig=2)))
    return _legend_on_top(fig, 100)


def _path_traces(thetas: np.ndarray, kept: np.ndarray, upto: int, lang: str) -> list[dict[str, Any]]:
    """The two paths up to step `upto` and the two current points (traces 2–5 of the trajectory)."""
    idx = np.r_[kept[kept < upto], upto]
    out = []
    for i, r in enumerate(RUNS):
        out.append(_f32(line([], [], _t(r, lang), i, width=1.5), thetas[idx, i, 0], thetas[idx, i, 1]))
    for i, r in enumerate(RUNS):
        out.append(markers(thetas[upto:upto + 1, i, 0], thetas[upto:upto + 1, i, 1], _t("now", lang, name=_t(r, lang)),
                           i, size=11, marker={"color": color(i), "size": 11, "line": {"color": "#000", "width": 1}},
                           showlegend=False))
    return out


def trajectory(gw1: np.ndarray, gw2: np.ndarray, surface: np.ndarray, optimal: float, thetas: np.ndarray,
               kept: np.ndarray, steps_per_epoch: int, w_star: np.ndarray,
               straightness: tuple[float | None, float | None], lang: str) -> dict[str, Any]:
    """Both (w₁, w₂) paths over the contours of min_b L(w, b), replayed in FRAMES frames.

    thetas: (T+1, 2, 2) the weights after every step; kept: steps drawn on the paths; straightness:
    each path's in its first epoch (for the summary). The frames sit at log-spaced steps (the zig-zag
    is at the start). The surface is the same for both runs: centring only moves b.
    """
    z = np.log10(np.maximum(surface - optimal, CONTOUR_FLOOR))
    contour = {
        "type": "contour", "x": typed(gw1), "y": typed(gw2), "z": typed(z, "float32"), "colorscale": GREYS,
        "ncontours": 16, "contours": {"coloring": "fill", "showlines": True},
        "line": {"color": "#ffffff", "width": 0.5},
        "colorbar": {"title": {"text": _t("contour", lang), "side": "right"}, "thickness": 10},
        "hovertemplate": "w₁=%{x:.2f}, w₂=%{y:.2f}<br>%{z:.2f}<extra></extra>", "name": _t("contour", lang),
    }
    special = markers(np.array([w_star[0], 0.0]), np.array([w_star[1], 0.0]), _t("optimum", lang), 7, size=13,
                      symbol="star", marker={"color": "#000000", "size": [15, 9], "symbol": ["star", "circle-open"]},
                      text=[_t("optimum", lang), _t("start", lang)], hovertemplate="%{text}<extra></extra>")
    last = len(thetas) - 1
    frame_steps = np.unique(np.r_[np.geomspace(1, last, FRAMES - 1).round().astype(int), 0])
    traces = [contour, special, *_path_traces(thetas, kept, last, lang)]
    lay = layout(_t("traj_title", lang), "w₁", "w₂", hovermode="closest")
    lay["yaxis"]["scaleanchor"] = "x"
    lay["xaxis"].update(range=[float(gw1[0]), float(gw1[-1])], constrain="domain")
    lay["yaxis"].update(range=[float(gw2[0]), float(gw2[-1])], constrain="domain")
    lay["height"] = 560
    fig = figure(traces, lay)

    names = [f"{s / steps_per_epoch:.3g}" for s in frame_steps]
    fig["frames"] = [{"name": n, "data": _path_traces(thetas, kept, int(s), lang), "traces": [2, 3, 4, 5]}
                     for n, s in zip(names, frame_steps, strict=True)]
    replay_controls(fig, names, lang, redraw=False, frame_ms=200)
    fig["layout"]["margin"] = {"l": 60, "r": 20, "t": 80, "b": 60}
    ratio = [number(1 / s, lang, sig=2) if s else "—" for s in straightness]  # walked / gained
    described(fig, _t("traj_sum", lang, r=ratio[0], c=ratio[1], w1=number(w_star[0], lang, sig=3),
                      w2=number(w_star[1], lang, sig=3)))
    return _legend_on_top(fig)


def update_signs(updates: np.ndarray, fractions: tuple[float | None, float | None], lang: str) -> dict[str, Any]:
    """Each update's (Δw₁, Δw₂), one panel per run (own scale), axes through 0 marking the quadrants.

    updates: (M, 2, 2) — M updates, run, (Δw₁, Δw₂); fractions: each run's same-sign fraction over
    all its updates (for the summary).
    """
    traces = []
    lay = layout(_t("signs_title", lang), "Δw₁", "Δw₂", hovermode="closest")
    for i, r in enumerate(RUNS):
        u = updates[:, i]
        ax = "" if i == 0 else "2"
        tr = markers([], [], _t(r, lang), i, size=4, opacity=0.45, xaxis=f"x{ax}", yaxis=f"y{ax}")
        traces.append(_f32(tr, u[:, 0], u[:, 1]))
        finite = u[np.isfinite(u).all(axis=1)]
        m = float(np.abs(finite).max()) * 1.08 if finite.size and np.abs(finite).max() > 0 else 1.0
        axis = {"range": [-m, m], "zeroline": True, "zerolinecolor": "#444", "zerolinewidth": 1.5,
                "automargin": True}
        lay[f"xaxis{ax}"] = {**axis, "title": {"text": "Δw₁"}, "domain": [0.0, 0.46] if i == 0 else [0.54, 1.0],
                             "anchor": f"y{ax}"}
        lay[f"yaxis{ax}"] = {**axis, "title": {"text": "Δw₂" if i == 0 else ""}, "anchor": f"x{ax}",
                             "scaleanchor": f"x{ax}"}
    lay["annotations"] = [
        {"text": label, "xref": f"x{ax} domain", "yref": f"y{ax} domain", "x": x, "y": y, "showarrow": False,
         "font": {"size": 13, "color": "#666"}}
        for ax in ("", "2")
        for label, x, y in (("I", 0.97, 0.97), ("II", 0.03, 0.97), ("III", 0.03, 0.03), ("IV", 0.97, 0.03))
    ] + [
        {"text": _t(r, lang), "xref": f"x{ax} domain", "yref": f"y{ax} domain", "x": 0.5, "y": 1.0,
         "yanchor": "bottom", "showarrow": False, "font": {"size": 13, "color": color(i)}}
        for i, (r, ax) in enumerate(zip(RUNS, ("", "2"), strict=True))
    ]
    lay["showlegend"] = False  # the panel titles name the runs
    lay["margin"] = {**lay["margin"], "t": 80}
    pct = [number(f, lang, pct=True, digits=0) for f in fractions]
    return described(figure(traces, lay), _t("signs_sum", lang, raw=pct[0], cen=pct[1]))


def _sweep_summary(key: str, shifts: np.ndarray, series: np.ndarray, lang: str) -> str:
    """The sweeps' sentence: the raw series from the first shift to the last, the centred one beside it."""
    c0, c1 = number(series[0, 1], lang, sig=3), number(series[-1, 1], lang, sig=3)
    same = bool(np.isclose(series[0, 1], series[-1, 1], rtol=1e-6))  # centred data do not depend on the shift
    cen = _t("cen_stays", lang, c0=c0) if same else _t("cen_goes", lang, c0=c0, c1=c1)
    return _t(key, lang, s0=number(shifts[0], lang, sig=3), s1=number(shifts[-1], lang, sig=3),
              r0=number(series[0, 0], lang, sig=3), r1=number(series[-1, 0], lang, sig=3),
              cen=cen)


def epochs_vs_shift(shifts: np.ndarray, hits: np.ndarray, mean_epochs: np.ndarray, epochs: int,
                    lang: str) -> dict[str, Any]:
    """Mean epochs to target against the shift, each seed as a faint point; a never-reached run sits on the budget line.

    hits: (n_seeds, n_shifts, 2) first epoch at target or −1; mean_epochs: (n_shifts, 2), never counted as `epochs`.
    """
    traces = [line(shifts[[0, -1]], np.array([epochs, epochs]), _t("budget", lang, e=epochs), 7, dash="dot", width=1)]
    for i, r in enumerate(RUNS):
        name = _t(r, lang)
        h = np.where(hits[:, :, i] >= 0, hits[:, :, i], epochs).astype(float)
        xs = np.broadcast_to(shifts, h.shape).ravel()
        traces.append(markers(xs, h.ravel(), _t("by_seed", lang, name=name), i, size=5, opacity=0.35))
        traces.append(line(shifts, mean_epochs[:, i], name, i, mode="lines+markers"))
    fig = figure(traces, layout(_t("epochs_title", lang), _t("shift", lang), _t("epochs_y", lang)))
    return _legend_on_top(described(fig, _sweep_summary("epochs_sum", shifts, mean_epochs, lang)), 100)


def condition_vs_shift(shifts: np.ndarray, cond: np.ndarray, mean_cond: np.ndarray, lang: str) -> dict[str, Any]:
    """Hessian condition number against the shift (log axis): geometric mean over seeds, each seed faint.

    cond: (n_seeds, n_shifts, 2); mean_cond: (n_shifts, 2).
    """
    traces = []
    for i, r in enumerate(RUNS):
        name = _t(r, lang)
        xs = np.broadcast_to(shifts, cond[:, :, i].shape).ravel()
        traces.append(markers(xs, cond[:, :, i].ravel(), _t("by_seed", lang, name=name), i, size=5, opacity=0.35))
        traces.append(line(shifts, mean_cond[:, i], name, i, mode="lines+markers"))
    fig = figure(traces, layout(_t("cond_title", lang), _t("shift", lang), _t("cond_y", lang), y_log=True))
    return _legend_on_top(described(fig, _sweep_summary("cond_sum", shifts, mean_cond, lang)))


# ---------------------------------------------------------------------------------------------
# The experiments' figures, from their results


def _stack(data: dict[str, Any], key: str, axis: int = 0, suffix: str = "") -> np.ndarray:
    """The raw and the centred series side by side: data[f"{key}_raw{suffix}"], data[f"{key}_centered{suffix}"]."""
    return np.stack([np.asarray(data[f"{key}_{r}{suffix}"]) for r in RUNS], axis=axis)


def centering(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The figures of the centering experiment; views["thetas"]: (T+1, 2, 2) (w₁, w₂) after every step."""
    m, d = result.metrics, result.data
    hits = np.array([-1 if m[f"epochs_to_target_{r}"] is None else m[f"epochs_to_target_{r}"] for r in RUNS])
    return {
        "loss": loss(np.asarray(d["epoch"]), _stack(d, "loss"), m["optimal_loss"], p.target_gap, hits, lang),
        "trajectory": trajectory(d["grid_w1"], d["grid_w2"], d["profile_loss"], m["optimal_loss"],
                                 result.views["thetas"], d["path_step"], p.steps_per_epoch(),
                                 np.asarray(d["optimum_raw"])[:2],
                                 (m["path_straightness_raw"], m["path_straightness_centered"]), lang),
        "update_signs": update_signs(_stack(d, "updates", axis=1),
                                     (m["same_sign_fraction_raw"], m["same_sign_fraction_centered"]), lang),
    }


def shift_sweep(result: Result, p: Any, lang: str) -> dict[str, dict[str, Any]]:
    """The figures of the shift-sweep; views["condition_by_seed"]: (n_seeds, n_shifts, 2) every data set's κ."""
    d = result.data
    shifts = np.asarray(d["shifts"])
    return {
        "epochs_vs_shift": epochs_vs_shift(shifts, _stack(d, "epochs_to_target", axis=-1, suffix="_by_seed"),
                                           _stack(d, "epochs_to_target", axis=1), p.epochs, lang),
        "condition_vs_shift": condition_vs_shift(shifts, result.views["condition_by_seed"],
                                                 _stack(d, "condition_number", axis=1), lang),
    }
