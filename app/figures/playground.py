"""Figures of the playground, drawn after the computation in either language: `draw(result, params, lang)`.

surface: the decision surface (or the fitted curve) with the training and test points, a replay over the
recorded epochs; neurons: every unit's output by layer with the weights (playground_neurons); loss: the
training and test loss (median and 10–90 % band for an ensemble); gradients: every layer's gradient norm
over the epochs; dead_units: the dead fraction per hidden layer; seeds: each network's final score and
outcome; histogram: the ensemble's final scores and losses, binned; unit: one unit's incoming weights and
bias over the epochs (playground_units). Each carries a one-sentence summary computed from the numbers.
Nothing here evaluates a network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.common import frame_titles, replay_lines, surface_replay
from app.figures.encode import typed
from app.figures.playground_neurons import neuron_map
from app.figures.playground_units import unit
from app.figures.theme import color, described, figure, layout, line, markers
from app.format import number
from app.i18n import text, translator
from app.options import option_label

if TYPE_CHECKING:
    from app.exercises.base import Result
    from app.exercises.playground.params import PlaygroundParams

T = {
    "surface": text("Decision surface of the first network ({act}), epoch {e}: training loss {loss}",
                    "第一个网络（{act}）的决策面，第 {e} 轮：训练损失 {loss}"),
    "curve": text("The first network's curve ({act}), epoch {e}: training loss {loss}",
                  "第一个网络（{act}）拟合的曲线，第 {e} 轮：训练损失 {loss}"),
    "train_pts": text("training points", "训练样本"),
    "test_pts": text("test points", "测试样本"),
    "test_cls": text("test, class {k}", "测试，类别 {k}"),
    "target": text("target without noise", "无噪声的目标"),
    "network": text("network", "网络"),
    "loss_title": text("Training and test loss", "训练损失与测试损失"),
    "loss_title_n": text("Training and test loss: median of {n} networks, 10–90 % band",
                         "训练损失与测试损失：{n} 个网络的中位数与 10–90% 区间"),
    "train": text("training", "训练"),
    "test": text("test", "测试"),
    "train_med": text("training, median", "训练，中位数"),
    "test_med": text("test, median", "测试，中位数"),
    "band": text("{what}, 10–90 %", "{what}，10–90%"),
    "epoch": text("epoch", "轮次"),
    "loss": text("loss", "损失"),
    "grad_title": text("Gradient norm ‖∂L/∂W‖ of every layer (first network)", "各层梯度范数 ‖∂L/∂W‖（第一个网络）"),
    "grad": text("‖∂L/∂W‖", "‖∂L/∂W‖"),
    "layer": text("layer {i}", "第 {i} 层"),
    "out_layer": text("output layer", "输出层"),
    "dead_title": text("Dead units per hidden layer at the end ({n})", "训练结束时各隐藏层的死亡单元（{n}）"),
    "one_net": text("first network", "第一个网络"),
    "all_nets": text("mean over {n} networks", "{n} 个网络的平均"),
    "dead_frac": text("fraction dead", "死亡比例"),
    "hidden_layer": text("hidden layer", "隐藏层"),
    "no_hidden": text("no hidden layer", "没有隐藏层"),
    "seeds_title": text("Final {score} of each network, by seed", "各网络的最终{score}（按种子）"),
    "accuracy": text("test accuracy", "测试准确率"),
    "r2": text("test R²", "测试 R²"),
    "accuracy_train": text("training accuracy", "训练准确率"),
    "r2_train": text("training R²", "训练 R²"),
    "seed": text("seed", "种子"),
    "learned": text("learned", "学会"),
    "stalled": text("stalled", "停滞"),
    "diverged": text("diverged", "发散"),
    "threshold": text("success threshold {v}", "成功阈值 {v}"),
    "dead_n": text("%{{customdata}} dead units", "%{{customdata}} 个死亡单元"),  # braces kept for Plotly
    "hist_title": text("Final {score} and loss of {n} networks", "{n} 个网络的最终{score}与损失"),
    "networks": text("networks", "网络个数"),
    "succeeded": text("reached the threshold", "达到阈值"),
    "failed": text("below the threshold", "未达到阈值"),
    "final_loss": text("final {which} loss (log₁₀)", "最终{which}损失（log₁₀）"),
    "which_test": text("test", "测试"),
    "which_train": text("training", "训练"),
    "s_hist": text("{k} of {n} networks reach a {score} of at least {v}; the median is {med}, the worst {worst} "
                   "(seed {seed}); final losses from {lo} to {hi}.",
                   "{n} 个网络中有 {k} 个的{score}达到至少 {v}；中位数为 {med}，最差为 {worst}（种子 {seed}）；"
                   "最终损失从 {lo} 到 {hi}。"),
    "s_hist_none": text("None of the {n} networks ended with a finite {score}: every run diverged.",
                        "{n} 个网络都没有得到有限的{score}：全部发散。"),
    "s_surface": text("After {E} epochs the first network classifies {a} of the training points and {b} of the test "
                      "points correctly; the black line is its decision boundary (σ = 0.5).",
                      "训练 {E} 轮后，第一个网络正确分类了 {a} 的训练样本和 {b} 的测试样本；黑线是它的决策边界（σ = 0.5）。"),
    "s_curve": text("After {E} epochs the first network's curve fits the training points with R² = {a} and the "
                    "test points with R² = {b}.",
                    "训练 {E} 轮后，第一个网络的曲线对训练样本的 R² = {a}，对测试样本的 R² = {b}。"),
    "s_surface_train": text("After {E} epochs the first network classifies {a} of the training points correctly (no "
                            "test set); the black line is its decision boundary (σ = 0.5).",
                            "训练 {E} 轮后，第一个网络正确分类了 {a} 的训练样本（没有测试集）；黑线是它的决策边界（σ = 0.5）。"),
    "s_curve_train": text("After {E} epochs the first network's curve fits the training points with R² = {a} (no test "
                          "set).", "训练 {E} 轮后，第一个网络的曲线对训练样本的 R² = {a}（没有测试集）。"),
    "s_loss_train": text("Training loss {who} goes from {a} to {b} in {E} epochs (no test set).",
                         "{who}训练损失在 {E} 轮内从 {a} 变为 {b}（没有测试集）。"),
    "s_diverged": text("The first network diverged: its output is no longer finite.", "第一个网络发散了：其输出不再是有限值。"),
    "s_loss": text("Training loss {who} goes from {a} to {b} in {E} epochs; test loss ends at {c}.",
                   "{who}训练损失在 {E} 轮内从 {a} 变为 {b}；测试损失最终为 {c}。"),
    "who_one": text("of the first network", "第一个网络的"),
    "who_med": text("(median of {n} networks)", "（{n} 个网络的中位数）"),
    "s_loss_bad": text("The training loss of the first network became non-finite at epoch {k}: the run diverged.",
                       "第一个网络的训练损失在第 {k} 轮变为非有限值：训练发散。"),
    "s_grad": text("At the first epoch the gradient norm of layer 1 is {r} times that of the output layer; at the "
                   "last recorded epoch {s} times.",
                   "第一轮时第 1 层的梯度范数是输出层的 {r} 倍；最后记录的一轮为 {s} 倍。"),
    "s_grad_one": text("One weight layer: its gradient norm goes from {a} to {b}.", "只有一个权重层：其梯度范数从 {a} 变为 {b}。"),
    "s_dead": text("Dead units at the end, by hidden layer: {list}.", "训练结束时各隐藏层的死亡单元比例：{list}。"),
    "s_dead_none": text("No hidden layer, so no unit can die.", "没有隐藏层，因此没有单元会死亡。"),
    "s_seeds": text("{k} of {n} networks reach a {score} of at least {v}; {d} diverged, {s} stalled; {u} end with "
                    "dead hidden units.",
                    "{n} 个网络中有 {k} 个的{score}达到至少 {v}；{d} 个发散，{s} 个停滞；{u} 个在结束时有死亡的隐藏单元。"),
}
_t = translator(T)
OUTCOME_COLOR = {"learned": color(0), "stalled": color(4), "diverged": color(1)}
LOG_FLOOR = 1e-300


def _pct(v: float, lang: str) -> str:
    return number(v, lang, pct=True, digits=1)


def _act(p: PlaygroundParams, lang: str) -> str:
    return option_label(p.activation)[lang]


def surface(result: Result, p: PlaygroundParams, lang: str) -> dict[str, Any]:
    """The first network's output over the plane (or its curve) at the replay's epochs, with the points."""
    v, d, m = result.views, result.data, result.metrics
    epochs = d["replay_epoch"]
    losses = [number(x, lang, sig=3) for x in v["frame_loss"]]
    titles = [_t("curve" if p.regression else "surface", lang, act=_act(p, lang), e=int(e), loss=lo)
              for e, lo in zip(epochs, losses, strict=True)]
    xs, ys, xt, yt = d["x_train"], d["y_train"], d["x_test"], d["y_test"]
    if p.regression:
        static = [markers(xs[:, 0], ys, _t("train_pts", lang), 7, size=6),
                  markers(xt[:, 0], yt, _t("test_pts", lang), 5, size=7, symbol="circle-open")]
        if v["target"] is not None:  # the reader's own points have no curve behind them
            static.append(line(v["x"], v["target"], _t("target", lang), 2, dash="dot", width=1.5))
        fig = replay_lines(v["x"], v["curves"][:, None, :], epochs, titles[-1], "x", "y", lang,
                           names=[_t("network", lang)], colors=[1], static=static, height=420)
        said = (_t("s_curve", lang, E=p.epochs, a=number(m["train_r2"], lang, sig=3), b=number(m["test_r2"], lang, sig=3))
                if len(xt) else _t("s_curve_train", lang, E=p.epochs, a=number(m["train_r2"], lang, sig=3)))
    else:
        gx, gy = v["gx"], v["gy"]
        fig = surface_replay(gx, gy, list(v["probability"]), epochs, xs, ys, titles[-1], lang, height=480)
        for k in (0, 1):
            sel = yt == k
            fig["data"].append(markers(xt[sel, 0], xt[sel, 1], _t("test_cls", lang, k=k), k, size=7,
                                       symbol="circle-open", marker={"color": color(k), "size": 7, "symbol": "circle-open",
                                                                     "line": {"width": 2}}))
        said = (_t("s_surface", lang, E=p.epochs, a=_pct(m["train_accuracy"], lang), b=_pct(m["test_accuracy"], lang))
                if len(xt) else _t("s_surface_train", lang, E=p.epochs, a=_pct(m["train_accuracy"], lang)))
    frame_titles(fig, titles)
    if p.custom:  # a click adds or removes a point (static/js/fflab-playground-data.js), so it must not zoom
        fig["layout"]["dragmode"] = False
    if not np.isfinite(m["train_loss"]):
        said = _t("s_diverged", lang)
    return described(fig, said)


def _positive(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    return np.where(np.isfinite(y) & (y > 0), np.maximum(y, LOG_FLOOR), np.nan)


def _band(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, name: str, i: int) -> dict[str, Any]:
    """A filled band between lo and hi (one closed polygon; gaps where either is missing are skipped)."""
    ok = np.isfinite(lo) & np.isfinite(hi)
    px = np.r_[x[ok], x[ok][::-1]]
    py = np.r_[hi[ok], lo[ok][::-1]]
    return {"type": "scatter", "mode": "lines", "x": typed(px), "y": typed(py), "fill": "toself", "name": name,
            "line": {"width": 0, "color": color(i)}, "fillcolor": _alpha(color(i), 0.18), "hoverinfo": "skip"}


def _alpha(hex_color: str, a: float) -> str:
    r, g, b = (int(hex_color[k:k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{a})"


def loss(result: Result, p: PlaygroundParams, lang: str) -> dict[str, Any]:
    """Training loss at every (sent) epoch and test loss at the recorded ones; medians and bands for an ensemble."""
    d, S = result.data, p.n_seeds
    ep, sep = np.asarray(d["epoch"], dtype=float), np.asarray(d["snapshot_epoch"], dtype=float)
    test_held = len(d["x_test"]) > 0
    traces, drawn = [], []
    if S > 1:
        bands = [("train_loss", ep, 0, "train", "train_med", None, "lines")]
        if test_held:
            bands.append(("test_loss", sep, 1, "test", "test_med", "dash", "lines+markers"))
        for key, x, i, what, med, dash, mode in bands:
            lo, hi, mid = (_positive(d[f"{key}_{q}"]) for q in ("p10", "p90", "median"))
            traces += [_band(x, lo, hi, _t("band", lang, what=_t(what, lang)), i),
                       line(x, mid, _t(med, lang), i, dash=dash, mode=mode)]
            drawn += [lo, hi]
        train, test = d["train_loss_median"], d["test_loss_median"] if test_held else None
        title, who = _t("loss_title_n", lang, n=S), _t("who_med", lang, n=S)
    else:
        traces.append(line(ep, _positive(d["train_loss"]), _t("train", lang), 0))
        drawn.append(_positive(d["train_loss"]))
        if test_held:
            traces.append(line(sep, _positive(d["test_loss"]), _t("test", lang), 1, dash="dash", mode="lines+markers"))
            drawn.append(_positive(d["test_loss"]))
        train, test = d["train_loss"], d["test_loss"] if test_held else None
        title, who = _t("loss_title", lang), _t("who_one", lang)
    lay = layout(title, _t("epoch", lang), _t("loss", lang), y_log=True, hovermode="closest")
    shown = np.concatenate(drawn)
    finite = shown[np.isfinite(shown)]
    if finite.size:  # a blown-up loss may reach 1e300: no tick past the largest float
        lo, hi = np.log10(finite.min()), np.log10(finite.max())
        pad = min(0.05 * (hi - lo), 1.0) if hi > lo else 0.5
        lay["yaxis"].update(range=[lo - pad, min(hi + pad, 307.0)], autorange=False)
    fig = figure(traces, lay)
    first = np.asarray(d["train_loss"], dtype=float)
    if not np.isfinite(first).all():
        k = int(np.asarray(d["epoch"])[int(np.argmin(np.isfinite(first)))])
        return described(fig, _t("s_loss_bad", lang, k=k))
    tr_ = np.asarray(train, dtype=float)
    a, b = number(tr_[0], lang, sig=3), number(tr_[-1], lang, sig=3)
    if test is None:
        return described(fig, _t("s_loss_train", lang, who=who, a=a, b=b, E=p.epochs))
    return described(fig, _t("s_loss", lang, who=who, a=a, b=b, E=p.epochs, c=number(float(test[-1]), lang, sig=3)))


def gradients(result: Result, p: PlaygroundParams, lang: str) -> dict[str, Any]:
    """The gradient norm of every weight layer at the first step of each (sent) epoch, log scale."""
    d = result.data
    G = np.asarray(d["grad_norms"], dtype=float)  # (L, E')
    ep = np.asarray(d["grad_epoch"], dtype=float)
    L = G.shape[0]
    names = [_t("layer", lang, i=i + 1) for i in range(L - 1)] + [_t("out_layer", lang)]
    traces = [line(ep, _positive(G[i]), names[i], i) for i in range(L)]
    fig = figure(traces, layout(_t("grad_title", lang), _t("epoch", lang), _t("grad", lang), y_log=True,
                                hovermode="closest"))
    fig["layout"]["meta"] = {"epoch_axis": True}  # the replay marks the epoch it shows (fflab-replay.js)
    with np.errstate(all="ignore"):
        if L > 1:
            r = G[0, 0] / G[-1, 0] if G.shape[1] else np.nan
            s = G[0, -1] / G[-1, -1] if G.shape[1] else np.nan
            said = _t("s_grad", lang, r=number(r, lang, sig=2), s=number(s, lang, sig=2))
        else:
            said = _t("s_grad_one", lang, a=number(G[0, 0], lang, sig=3), b=number(G[0, -1], lang, sig=3))
    return described(fig, said)


def dead_units(result: Result, p: PlaygroundParams, lang: str) -> dict[str, Any]:
    """The fraction of dead units in each hidden layer at the end (mean over the ensemble)."""
    frac = np.asarray(result.data["dead_fraction_by_layer"], dtype=float)
    who = _t("one_net", lang) if p.n_seeds == 1 else _t("all_nets", lang, n=p.n_seeds)
    labels = [_t("layer", lang, i=i + 1) for i in range(len(frac))]
    trace = {"type": "bar", "x": labels, "y": typed(frac), "marker": {"color": color(3)},
             "hovertemplate": "%{x}: %{y:.0%}<extra></extra>", "name": _t("dead_frac", lang)}
    lay = layout(_t("dead_title", lang, n=who), _t("hidden_layer", lang), _t("dead_frac", lang), hovermode="closest")
    lay["xaxis"].update(type="category")
    lay["yaxis"].update(range=[0, 1], tickformat=".0%")
    lay["height"] = 300
    fig = figure([trace] if len(frac) else [], lay)
    if not len(frac):
        lay["annotations"] = [{"text": _t("no_hidden", lang), "showarrow": False, "xref": "paper", "yref": "paper",
                               "x": 0.5, "y": 0.5}]
        return described(fig, _t("s_dead_none", lang))
    listed = ", ".join(f"{lab} {_pct(f, lang)}" for lab, f in zip(labels, frac, strict=True))
    return described(fig, _t("s_dead", lang, list=listed))


def _judged(result: Result, p: PlaygroundParams, lang: str) -> tuple[np.ndarray, np.ndarray, str, bool]:
    """Return each network's final score and loss as the success rate judges them — on the test points, or
    on the training points when there are none — the score's name, and whether there is a test set."""
    d = result.data
    key = "r2" if p.regression else "accuracy"
    held_out = len(d["x_test"]) > 0
    split = "test" if held_out else "train"
    score = np.asarray(d[f"{split}_{key}_by_seed"], dtype=float)
    final = np.asarray(d[f"{split}_loss_by_seed"], dtype=float)
    return score, final, _t(key if held_out else f"{key}_train", lang), held_out


def seeds(result: Result, p: PlaygroundParams, lang: str) -> dict[str, Any]:
    """Each network's final score by seed, coloured by its outcome, with the success threshold."""
    d, m = result.data, result.metrics
    score, _, name, _ = _judged(result, p, lang)
    seeds_ = [str(s) for s in d["seed"]]
    outcomes = d["outcome_by_seed"]
    dead = np.asarray(d["dead_units_by_seed"], dtype=int)  # how a seed fails: dead units, stalled, diverged
    traces = []
    for kind in ("learned", "stalled", "diverged"):
        sel = [i for i, o in enumerate(outcomes) if o == kind]
        if not sel:
            continue
        y = np.where(np.isfinite(score[sel]), np.maximum(score[sel], -1.0), 0.0)
        traces.append({"type": "bar", "x": [seeds_[i] for i in sel], "y": typed(y), "name": _t(kind, lang),
                       "marker": {"color": OUTCOME_COLOR[kind]}, "customdata": [int(dead[i]) for i in sel],
                       "hovertemplate": f"{_t('seed', lang)} %{{x}}: %{{y:.3f}} · {_t('dead_n', lang)}"
                                        f"<extra>{_t(kind, lang)}</extra>"})
    lay = layout(_t("seeds_title", lang, score=name), _t("seed", lang), name, hovermode="closest")
    lay["xaxis"].update(type="category", categoryorder="array", categoryarray=seeds_)
    lay["yaxis"].update(range=[-1.0 if p.regression and np.nanmin(np.r_[score, 0.0]) < 0 else 0.0, 1.05])
    lay["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": p.success_at, "y1": p.success_at,
                      "line": {"color": "#555555", "dash": "dot", "width": 1.5}}]
    lay["annotations"] = [{"xref": "paper", "x": 1, "xanchor": "right", "y": p.success_at, "yanchor": "bottom",
                           "text": _t("threshold", lang, v=number(p.success_at, lang, sig=3)), "showarrow": False,
                           "bgcolor": "rgba(255,255,255,0.75)"}]
    lay["barmode"] = "overlay"
    lay["height"] = 320
    k = int(round(m["success_rate"] * p.n_seeds))
    return described(figure(traces, lay), _t("s_seeds", lang, k=k, n=p.n_seeds, score=name,
                                              v=number(p.success_at, lang, sig=3),
                                              d=m["diverged_runs"], s=m["stalled_runs"], u=int((dead > 0).sum())))


def histogram(result: Result, p: PlaygroundParams, lang: str) -> dict[str, Any]:
    """The ensemble's final scores (stacked: reached the success threshold or not) and final losses, binned."""
    d, m = result.data, result.metrics
    score, final, name, held_out = _judged(result, p, lang)
    loss_name = _t("final_loss", lang, which=_t("which_test" if held_out else "which_train", lang))
    ok = np.isfinite(score)
    lo = min(0.0, max(-1.0, float(np.min(score[ok])))) if ok.any() else 0.0  # R² below −1 goes in the first bin
    edges = np.linspace(lo, 1.0, 21)
    shown = np.clip(score[ok], lo, 1.0)
    good = shown >= p.success_at
    traces = [{"type": "bar", "x": typed((edges[:-1] + edges[1:]) / 2),
               "y": typed(np.histogram(part, bins=edges)[0].astype(float)), "width": float(edges[1] - edges[0]),
               "name": _t(label, lang), "marker": {"color": OUTCOME_COLOR[kind]},
               "hovertemplate": f"%{{x:.3f}}: %{{y}}<extra>{_t(label, lang)}</extra>"}
              for part, label, kind in ((shown[good], "succeeded", "learned"), (shown[~good], "failed", "stalled"))]
    logs = np.log10(final[np.isfinite(final) & (final > 0)])
    if logs.size:
        a, b = float(logs.min()), float(logs.max())
        ledges = np.linspace(a - 0.05, b + 0.05, 16) if b - a > 1e-9 else np.array([a - 0.5, a + 0.5])
        traces.append({"type": "bar", "x": typed((ledges[:-1] + ledges[1:]) / 2),
                       "y": typed(np.histogram(logs, bins=ledges)[0].astype(float)),
                       "width": float(ledges[1] - ledges[0]), "xaxis": "x2", "yaxis": "y2", "showlegend": False,
                       "name": loss_name, "marker": {"color": color(5)},
                       "hovertemplate": "10^%{x:.2f}: %{y}<extra></extra>"})
    lay = layout(_t("hist_title", lang, score=name, n=p.n_seeds), name, _t("networks", lang), hovermode="closest")
    lay["barmode"] = "stack"
    lay["xaxis"].update(domain=[0, 0.55], range=[lo - 0.01, 1.01])
    lay["xaxis2"] = {**lay["xaxis"], "domain": [0.65, 1.0], "anchor": "y2", "range": None, "autorange": True,
                     "title": {"text": loss_name}}
    lay["yaxis2"] = {**lay["yaxis"], "anchor": "x2", "title": {"text": ""}}
    lay["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": p.success_at, "x1": p.success_at, "y0": 0,
                      "y1": 1, "line": {"color": "#555555", "dash": "dot", "width": 1.5}}]
    lay["height"] = 320
    fig = figure(traces, lay)
    if not ok.any():
        return described(fig, _t("s_hist_none", lang, n=p.n_seeds, score=name))
    worst = int(np.argmin(np.where(ok, score, np.inf)))
    fl = final[np.isfinite(final)]
    return described(fig, _t("s_hist", lang, k=int(round(m["success_rate"] * p.n_seeds)), n=p.n_seeds, score=name,
                             v=number(p.success_at, lang, sig=3), med=number(float(np.median(score[ok])), lang, sig=3),
                             worst=number(float(score[worst]), lang, sig=3), seed=int(d["seed"][worst]),
                             lo=number(float(fl.min()) if fl.size else None, lang, sig=3),
                             hi=number(float(fl.max()) if fl.size else None, lang, sig=3)))


def draw(result: Result, p: PlaygroundParams, lang: str) -> dict[str, dict[str, Any]]:
    """Return every figure of one playground run in `lang`."""
    v = result.views
    dead = [np.asarray(x, dtype=bool) for x in v["dead_first"]]
    labels = v["feature_labels"]
    return {
        "surface": surface(result, p, lang),
        "neurons": neuron_map(v["thumbs"], v["W"], v["b"], dead, labels, lang, list(zip(
            v["thumb_epochs"], v["thumb_frames"], v["W_frames"], v["b_frames"], strict=True))),
        "unit": unit(result, p, lang),
        "loss": loss(result, p, lang),
        "gradients": gradients(result, p, lang),
        "dead_units": dead_units(result, p, lang),
        "seeds": seeds(result, p, lang),
        "histogram": histogram(result, p, lang),
    }
