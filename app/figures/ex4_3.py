"""Figures of exercise 4-3: the one-unit example, dead units over training, net-input histograms, the fit,
the unit map, dead units over seeds and against the learning rate. Each carries a one-sentence summary.

Drawn after the computation, in any language: `one_unit`, `dying`, `seeds` and `lr_sweep` build an
experiment's figures from its result (metrics, data, views) and params. Every network output drawn here
(the unit's output a(x), the net inputs, the fit and its replay) comes with the result's views; nothing
here evaluates a network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import decision_surface, frame_titles, loss_curves, replay_lines, surface_replay
from app.figures.encode import typed
from app.figures.theme import color, described, figure, layout, line, markers
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "dead_title": text("Dead hidden units during training ({act})", "训练过程中的死亡隐藏单元（{act}）"),
    "dead_frac": text("fraction of units", "单元比例"),
    "layer": text("layer {i}", "第 {i} 层"),
    "all_dead": text("all layers: dead", "所有层：死亡"),
    "all_inactive": text("all layers: inactive (z ≤ 0 everywhere)", "所有层：不活跃（处处 z ≤ 0）"),
    "epoch": text("epoch", "轮次"),
    "loss_title": text("Training loss ({act})", "训练损失（{act}）"),
    "pre_title": text("Net inputs z per hidden layer (all inputs × units)", "各隐藏层的净输入 z（所有输入 × 单元）"),
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
    # the one-unit example
    "unit_title": text("The unit's output a = ReLU(wx + b) before and after the steps",
                       "单元的输出 a = ReLU(wx + b)：更新前后"),
    "before": text("before: w = {w}, b = {b}", "更新前：w = {w}，b = {b}"),
    "after1": text("after step 1: w = {w}, b = {b}", "第 1 步后：w = {w}，b = {b}"),
    "after_n": text("after step {n}: w = {w}, b = {b}", "第 {n} 步后：w = {w}，b = {b}"),
    "targets": text("targets y = x + 1", "目标 y = x + 1"),
    "bias_title": text("The bias b and the edge −max wxₙ below which the unit is off on every input",
                       "偏置 b 与边界 −max wxₙ：b 低于它时单元在所有输入上都不激活"),
    "step": text("step", "步数"),
    "edge": text("−max wxₙ", "−max wxₙ"),
    # the seeds experiment
    "seeds_title": text("Dead hidden units during training, one line per seed ({act})",
                        "训练过程中的死亡隐藏单元，每个种子一条线（{act}）"),
    "dead_units": text("dead units", "死亡单元数"),
    "seed": text("seed {s}", "种子 {s}"),
    "seed_div": text("seed {s} (diverged)", "种子 {s}（发散）"),
    "back_title": text("Units that went inactive and came back, per seed ({act})",
                       "曾不活跃后又恢复的单元，按种子（{act}）"),
    "first": text("first hidden layer", "第一隐藏层"),
    "deeper": text("deeper hidden layers", "更深的隐藏层"),
    "units": text("units", "单元数"),
    "seed_axis": text("seed", "种子"),
    # one-sentence summaries
    "s_dead": text("{act}: {d0} of {H} hidden units dead before training, at most {peak} (epoch {pe}), {d1} after "
                   "{E} epochs; {i1} inactive at the end.",
                   "{act}：{H} 个隐藏单元中，训练前死亡 {d0} 个，最多 {peak} 个（第 {pe} 轮），{E} 轮后 {d1} 个；"
                   "结束时不活跃 {i1} 个。"),
    "s_div": text("{act}: the run diverged at epoch {e}; dead units cannot be counted after that.",
                  "{act}：训练在第 {e} 轮发散，此后无法统计死亡单元。"),
    "s_loss": text("The training loss goes from {a} to {b} in {E} epochs ({act}).",
                   "训练损失在 {E} 轮内从 {a} 变为 {b}（{act}）。"),
    "s_pre": text("Share of net inputs z ≤ 0, before → after training: {parts}.",
                  "z ≤ 0 的净输入所占比例，训练前 → 训练后：{parts}。"),
    "s_pre_layer": text("layer {i} {a} → {b}", "第 {i} 层 {a} → {b}"),
    "s_fit": text("The network's function after {E} epochs ({act}) beside the data; training loss {l}.",
                  "{E} 轮后网络的函数（{act}）与数据；训练损失 {l}。"),
    "s_replay": text("The fit replayed at {F} moments from epoch 0 to {E}; the dead share goes from {a} to {b}.",
                     "在第 0 到 {E} 轮之间的 {F} 个时刻回放拟合；死亡单元比例从 {a} 变为 {b}。"),
    "s_map": text("Unit states at the end: {parts}.", "训练结束时的单元状态：{parts}。"),
    "s_map_layer": text("layer {i}: {a} active, {n} inactive, {d} dead", "第 {i} 层：活跃 {a}、不活跃 {n}、死亡 {d}"),
    "s_sweep": text("ReLU's mean dead share goes from {a} at η = {l0} to {b} at η = {l1}; the other activations "
                    "reach at most {m}; {k} runs diverged.",
                    "ReLU 的平均死亡比例从 η = {l0} 时的 {a} 变为 η = {l1} 时的 {b}；其他激活函数最多为 {m}；"
                    "{k} 次训练发散。"),
    "s_unit": text("The loss is {l0} before training; after one step with η = {lr} the unit is {state}, and after "
                   "step {n} the loss is {l}.",
                   "训练前损失为 {l0}；以 η = {lr} 走一步后，{state}；第 {n} 步后损失为 {l}。"),
    "off": text("off on all three inputs (b = {b} ≤ {t})", "单元在三个输入上都输出 0（b = {b} ≤ {t}）"),
    "on": text("on for {k} of the three inputs", "单元在三个输入中的 {k} 个上输出为正"),
    "s_bias": text("b goes from {b0} to {b1} in one step (edge {t1}) and is {bn} after step {n}; {verdict}.",
                   "b 一步从 {b0} 变为 {b1}（边界 {t1}），第 {n} 步后为 {bn}；{verdict}。"),
    "never": text("once at or below the edge it never moves again", "一旦不高于边界，它就再也不动"),
    "above": text("it stays above the edge at every step", "它在每一步都高于边界"),
    "below_at": text("it first reaches the edge at step {k} and stays there", "它在第 {k} 步首次不高于边界，此后不再变化"),
    "s_seeds": text("{act}, {S} seeds: at the end between {lo} and {hi} of {H} units are dead; {k} seeds diverged.",
                    "{act}，{S} 个种子：结束时 {H} 个单元中有 {lo} 到 {hi} 个死亡；{k} 个种子发散。"),
    "s_back": text("Over the {m} seeds that trained, {a} first-layer units and {b} deeper-layer units went inactive "
                   "and came back.",
                   "在正常训练的 {m} 个种子中，曾不活跃后又恢复的单元：第一层 {a} 个，更深的层 {b} 个。"),
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


def _dead_summary(act: str, dead: np.ndarray, inactive: np.ndarray, snap: np.ndarray, losses: np.ndarray,
                  H: int, lang: str) -> str:
    ok = np.isfinite(dead)
    if not ok.all() or not np.isfinite(losses).all():
        bad = np.flatnonzero(~np.isfinite(losses))
        return _t("s_div", lang, act=LABELS[act], e=int(bad[0]) if bad.size else int(snap[-1]))
    count = np.rint(dead * H).astype(int)
    i = int(np.argmax(count))
    return _t("s_dead", lang, act=LABELS[act], d0=count[0], H=H, peak=count[i], pe=int(snap[i]), d1=count[-1],
              E=int(snap[-1]), i1=int(round(inactive[-1] * H)))


def _pre_summary(start: list[np.ndarray], end: list[np.ndarray], lang: str) -> str:
    parts = [_t("s_pre_layer", lang, i=i + 1, a=_share(np.mean(z0 <= 0), lang), b=_share(np.mean(z1 <= 0), lang))
             for i, (z0, z1) in enumerate(zip(start, end, strict=True))]
    return _t("s_pre", lang, parts=("; " if lang == "en" else "；").join(parts))


def _map_summary(state: np.ndarray | None, lang: str) -> str:
    if state is None:
        return _t("diverged", lang) + ("." if lang == "en" else "。")
    parts = [_t("s_map_layer", lang, i=i + 1, a=int((row == 0).sum()), n=int((row == 1).sum()), d=int((row == 2).sum()))
             for i, row in enumerate(state)]
    return _t("s_map", lang, parts=("; " if lang == "en" else "；").join(parts))


def _share(v: float, lang: str) -> str:
    return number(v, lang, pct=True, digits=0)


def dying(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return the `dead_units`, `loss`, `preactivations`, `fit`, `fit_replay` and `unit_map` figures.

    data: dead and inactive fractions of the hidden units at the recorded epochs, the loss, the final unit
    states; views: inputs, targets, the net inputs z before and after training (z_start, z_end), the fit
    and the replay frames (see fit_replay).
    """
    d, v = result.data, result.views
    act, losses, snap, dead = p.activation, d["loss"], d["snapshot_epoch"], d["dead_fraction"]
    X, Y, fit, rep, state = v["inputs"], v["targets"], v["fit"], v["replay"], d["unit_state_final"]
    name, E, H = LABELS[act], int(d["epoch"][-1]), result.metrics["hidden_units"]
    a, b = float(losses[0]), float(losses[-1])
    rd = rep["dead_fraction"]
    return {
        "dead_units": described(dead_units(snap, d["dead_fraction_by_layer"], dead, d["inactive_fraction"], act, lang),
                                _dead_summary(act, dead, d["inactive_fraction"], snap, losses, H, lang)),
        "loss": described(loss_curves(d["epoch"], {name: losses}, _t("loss_title", lang, act=name), lang),
                          _t("s_loss", lang, a=number(a, lang, sig=3), b=number(b, lang, sig=3), E=E, act=name)),
        "preactivations": described(_histograms(v["z_start"], v["z_end"], lang),
                                    _pre_summary(v["z_start"], v["z_end"], lang)),
        "fit": described(_fit(X, Y, p.dataset, fit, act, lang),
                         _t("s_fit", lang, E=E, act=name, l=number(b, lang, sig=3))),
        "fit_replay": described(fit_replay(X, Y, p.dataset, fit, rep, act, lang),
                                _t("s_replay", lang, F=len(rep["epochs"]), E=int(rep["epochs"][-1]),
                                   a=_share(rd[0], lang), b=_share(rd[-1], lang))),
        "unit_map": described(_unit_map(state, lang), _map_summary(state, lang)),
    }


def lr_sweep(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return the `dead_vs_lr` figure: mean dead fraction per activation with its min–max band.

    views: mean, lo, hi per activation over the seeds that trained (NaN where none did); data: the
    rates and the diverged runs per activation.
    """
    d, v = result.data, result.views
    lrs, mean, lo, hi = d["lr"], v["mean"], v["lo"], v["hi"]
    n_diverged = {act: d[f"diverged_runs_{act}"] for act in mean}
    traces = []
    for i, act in enumerate(mean):
        name = LABELS[act]
        traces.append(line(lrs, hi[act], _t("spread", lang, act=name), i, width=0, legendgroup=act, showlegend=False,
                           hoverinfo="skip"))
        traces.append(line(lrs, lo[act], _t("spread", lang, act=name), i, width=0, legendgroup=act, fill="tonexty",
                           fillcolor=_rgba(color(i), 0.2), hoverinfo="skip", showlegend=False))
        hover = [_t("hover_div", lang, n=int(k), total=p.n_seeds) for k in n_diverged[act]]
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
    relu = np.asarray(mean["relu"], dtype=float)
    ok = np.flatnonzero(np.isfinite(relu))
    others = np.concatenate([np.asarray(mean[a], dtype=float) for a in mean if a != "relu"])
    others = others[np.isfinite(others)]
    first, last = (int(ok[0]), int(ok[-1])) if ok.size else (0, len(lrs) - 1)
    summary = _t("s_sweep", lang, a=_share(relu[first], lang), l0=number(lrs[first], lang, sig=3),
                 b=_share(relu[last], lang), l1=number(lrs[last], lang, sig=3),
                 m=_share(others.max(), lang) if others.size else "—",
                 k=int(sum(np.sum(v) for v in n_diverged.values())))
    return {"dead_vs_lr": described(figure(traces, lay), summary)}


def _rgba(hex_color: str, a: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)}, {a})"


def one_unit(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return `unit_output` (a(x) before, after one step, at the end, with the targets) and `unit_bias`
    (b and the edge −max wxₙ at every step).

    data: x, y, w, b, threshold (the edge), loss at every step; views: the unit's output a = ReLU(wx + b)
    on a grid of x after the steps it is drawn at, and how many of the three inputs it is on for after step 1.
    """
    d, v = result.data, result.views
    X, Y, w, b, edge, loss = d["x"], d["y"], d["w"], d["b"], d["threshold"], d["loss"]
    n = len(w) - 1
    traces = [markers(X, Y, _t("targets", lang), 7, size=10)]
    for i, key, c, dash in ((0, "before", 4, "dot"), (1, "after1", 1, "dash"), (n, "after_n", 0, None)):
        if i == n and n == 1:
            continue
        label = _t(key, lang, n=n, w=number(w[i], lang, sig=3), b=number(b[i], lang, sig=3))
        traces.append(line(v["x"], v["output"][i], label, c, dash=dash))
    lay = layout(_t("unit_title", lang), "x", "a", hovermode="closest")
    lay["legend"] = {"orientation": "h", "y": -0.25, "yanchor": "top"}
    dead = b <= edge
    state = (_t("off", lang, b=number(b[1], lang, sig=3), t=number(edge[1], lang, sig=3)) if dead[1]
             else _t("on", lang, k=v["on_after_first_step"]))
    out = described(figure(traces, lay), _t("s_unit", lang, l0=number(loss[0], lang, sig=3), lr=number(p.lr, lang, sig=3),
                                            state=state, n=n, l=number(loss[-1], lang, sig=3)))
    steps = np.arange(n + 1)
    lay = layout(_t("bias_title", lang), _t("step", lang), "", hovermode="x unified")
    fig = figure([line(steps, b, "b", 0, mode="lines+markers"), line(steps, edge, _t("edge", lang), 7, dash="dash")],
                 lay)
    first = np.flatnonzero(dead)
    verdict = (_t("never", lang) if dead[1] else _t("above", lang) if not first.size
               else _t("below_at", lang, k=int(first[0])))
    return {"unit_output": out,
            "unit_bias": described(fig, _t("s_bias", lang, b0=number(b[0], lang, sig=3), b1=number(b[1], lang, sig=3),
                                              t1=number(edge[1], lang, sig=3), bn=number(b[-1], lang, sig=3), n=n,
                                              verdict=verdict))}


def seeds(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return `dead_by_seed` (dead units against epoch, one line per seed; NaN where a run blew up) and
    `came_back` (per seed, units that went inactive and came back, first layer and deeper). All from data."""
    d, name, H = result.data, LABELS[p.activation], p.width * p.depth
    seed_ids, snap, trained = d["seed"], d["snapshot_epoch"], ~np.asarray(d["diverged"])
    back_first, back_deeper = d["came_back_first_layer"], d["came_back_deeper"]
    traces = [line(snap, d["dead_units"][k], _t("seed" if trained[k] else "seed_div", lang, s=int(s)), k, width=1.5,
                   dash=None if trained[k] else "dot") for k, s in enumerate(seed_ids)]
    lay = layout(_t("seeds_title", lang, act=name), _t("epoch", lang), _t("dead_units", lang))
    lay["yaxis"]["range"] = [-0.5, H + 0.5]
    ends = d["dead_end"][trained]
    lo, hi = (int(ends.min()), int(ends.max())) if ends.size else ("—", "—")
    out = {"dead_by_seed": described(figure(traces, lay), _t("s_seeds", lang, act=name, S=len(seed_ids), lo=lo,
                                                                   hi=hi, H=H, k=int((~trained).sum())))}
    x = [str(int(s)) for s in seed_ids]
    bars = [("first", back_first, 0)] + ([("deeper", back_deeper, 1)] if p.depth > 1 else [])
    traces = [{"type": "bar", "x": x, "y": typed(np.where(trained, v, np.nan).astype(float)), "name": _t(k, lang),
               "marker": {"color": color(c)}} for k, v, c in bars]
    lay = layout(_t("back_title", lang, act=name), _t("seed_axis", lang), _t("units", lang), barmode="group",
                 hovermode="x unified")
    lay["xaxis"]["type"] = "category"
    out["came_back"] = described(figure(traces, lay), _t("s_back", lang, m=int(trained.sum()),
                                                          a=int(back_first[trained].sum()),
                                                          b=int(back_deeper[trained].sum())))
    return out
