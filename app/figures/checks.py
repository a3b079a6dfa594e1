"""Figures and words of the answer checks (4-4, 4-5, 4-7): the student's formula beside the truth, their difference.

`verdict` says a check's result in one sentence per language (a metric of the check); `answer_figures`
draws any check's result (app.exercises.answers.check) in any language, after the
computation. The curves run along one variable through the worst point (the others held at its values),
so the worst point lies on them. A check with a table (4-5's P(N, M₀, L)) draws the table as a figure
(the cartesian plotly bundle has no table trace: a heatmap of cells coloured by agreement, numbers as text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.encode import typed
from app.figures.theme import described, figure, layout, line, markers
from app.format import number
from app.i18n import Text, text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "answer_title": text("Yours and the truth along {var}{at}", "沿 {var}{at}对照你的公式与正确公式"),
    "answer_title_alone": text("The truth along {var}{at}: type your answer to see yours", "沿 {var}{at}的正确公式：输入答案后对照"),
    "difference_title": text("Yours − truth along {var}", "沿 {var}：你的 − 正确值"),
    "truth": text("truth", "正确公式"),
    "yours": text("yours", "你的公式"),
    "worst": text("worst point", "差距最大的点"),
    "value": text("value", "值"),
    "difference": text("yours − truth", "你的 − 正确值"),
    "table_title": text("P(N, M₀, L) and yours", "P(N, M₀, L) 与你的公式"),
    "col_truth": text("P", "P"),
    "col_yours": text("yours", "你的"),
    "col_diff": text("yours − P", "你的 − P"),
    "sum_right": text("Yours and the truth along {var}{at} coincide: the largest relative difference over all {n} "
                      "points checked is {r}, rounding.",
                      "沿 {var}{at}你的公式与正确公式重合：全部 {n} 个检验点上的最大相对差为 {r}，只是舍入误差。"),
    "sum_wrong": text("Yours and the truth along {var}{at}: at the marked worst point, {var} = {w}, yours is {a} and "
                      "the truth {t}; over all {n} points checked they differ by up to {gap}.",
                      "沿 {var}{at}对照你的公式与正确公式：在标出的差距最大的点 {var} = {w} 处，你的值为 {a}，正确值为 {t}；"
                      "全部 {n} 个检验点上最多相差 {gap}。"),
    "sum_along": text("Yours and the truth along {var}{at}: they agree at {k} of these {n} values of {var}.",
                      "沿 {var}{at}对照你的公式与正确公式：在这 {n} 个 {var} 值中有 {k} 个一致。"),
    "sum_infinite": text("Yours and the truth along {var}{at}: yours is not finite at {k} of the {n} points checked.",
                         "沿 {var}{at}对照你的公式与正确公式：你的公式在 {n} 个检验点中的 {k} 个上不是有限值。"),
    "sum_empty": text("The truth along {var}{at}, from {a} to {b}; no answer typed yet.",
                      "沿 {var}{at}的正确公式，取值从 {a} 到 {b}；尚未输入答案。"),
    "sum_difference": text("Yours − truth along {var}: between {lo} and {hi}; the worst point is marked at {var} = {w}.",
                           "沿 {var} 的差（你的 − 正确值）：介于 {lo} 与 {hi} 之间；差距最大的点标在 {var} = {w} 处。"),
    "sum_difference_empty": text("Yours − truth along {var}: nothing to compare until an answer is typed.",
                                 "沿 {var} 的差（你的 − 正确值）：输入答案之前没有可比较的内容。"),
    "sum_table": text("P for {k} architectures beside yours: {agree} of {k} agree. {rows}.",
                      "{k} 种结构的 P 与你的公式对照：{agree} 个一致。{rows}。"),
    "sum_table_empty": text("P for {k} architectures: {rows}; no answer typed yet.",
                            "{k} 种结构的 P：{rows}；尚未输入答案。"),
    "row": text("N = {N}, M₀ = {M0}, L = {L}: P = {P}, yours {a}", "N = {N}、M₀ = {M0}、L = {L}：P = {P}，你的 {a}"),
    "row_empty": text("N = {N}, M₀ = {M0}, L = {L}: P = {P}", "N = {N}、M₀ = {M0}、L = {L}：P = {P}"),
}
_t = translator(T)
AGREE = 1e-9  # relative agreement that counts as equal in the table (app.exercises.answers.RTOL)


VERDICT = {
    "empty": text("Type your answer for {what} in the box, as a formula such as {example}.",
                  "请在框中输入你求得的 {what}，写成公式，例如 {example}。"),
    "right": text("Right: your formula equals {what} at all {n} points checked (largest relative difference {r}, "
                  "rounding).", "正确：你的公式在全部 {n} 个检验点上都等于 {what}（最大相对差 {r}，只是舍入误差）。"),
    "infinite": text("Not right: your formula is not finite at {k} of the {n} points, e.g. at {where}.",
                     "不正确：你的公式在 {n} 个检验点中的 {k} 个上不是有限值，例如 {where}。"),
    "wrong": text("Not right: {named} Where it is furthest off, at {where}, yours is {yours} and {what} is {truth} "
                  "(largest difference over all points: {gap}).",
                  "不正确：{named}偏差最大处在 {where}，你的值为 {yours}，{what} 为 {truth}（所有检验点上的最大差为 {gap}）。"),
    "named": text("it looks like a known mistake: {title}.", "它像一个常见错误：{title}。"),
    "unnamed": text("it matches none of the known mistakes.", "它不属于任何已知的常见错误。"),
}


def verdict(m: dict[str, Any], what: Text, example: str, title: Text | None, names: dict[str, str]) -> dict[str, str]:
    """Say a check's result (metrics m of app.exercises.answers.check) in one sentence, in both languages.

    what: what the answer is ("Swish′(x; β)"); example: a formula to prompt with; title: the mistake's name;
    names: how each variable is written (beta -> β).
    """
    out = {}
    for lang in ("en", "zh"):
        def f(key: str, **kw: Any) -> str:
            return VERDICT[key][lang].format(what=what[lang], n=number(m["points"], lang), **kw)  # noqa: B023
        if not m["answered"]:
            out[lang] = f("empty", example=example)
            continue
        where = ("、" if lang == "zh" else ", ").join(f"{names.get(k, k)} = {number(v, lang, sig=4)}"
                                                     for k, v in m["worst_point"].items())
        if m["correct"]:
            out[lang] = f("right", r=number(m["max_rel_error"], lang, sig=2))
        elif m["not_finite_points"]:
            out[lang] = f("infinite", k=number(m["not_finite_points"], lang), where=where)
        else:
            named = VERDICT["named"][lang].format(title=title[lang]) if title else VERDICT["unnamed"][lang]
            out[lang] = f("wrong", named=named, where=where, yours=number(m["answer_at_worst"], lang, sig=4),
                          truth=number(m["truth_at_worst"], lang, sig=4), gap=number(m["max_abs_error"], lang, sig=3))
    return out


def _n(v: Any, lang: str, whole: bool = False) -> str:
    """A number of a title or summary (4 significant digits); `whole`: an integer in full (a count of parameters)."""
    if v is None or not np.isfinite(v):
        return "—"
    if whole and float(v).is_integer() and abs(v) < 1e15:
        return number(int(v), lang).replace("-", "−")
    return number(float(v), lang, sig=6 if whole else 4)


def _at(at: dict[str, float], skip: str, names: dict[str, str], lang: str) -> str:
    """The other variables of the slice, in parentheses ("" when there are none)."""
    held = ("、" if lang == "zh" else ", ").join(f"{names.get(k, k)} = {_n(v, lang)}" for k, v in at.items()
                                                if k != skip)
    if not held:
        return " " if lang == "zh" else ""  # 沿 x 的…: a space between the Latin letter and the Chinese text
    return f"（{held}）" if lang == "zh" else f" ({held})"


def answer_figures(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return `answer` (yours and the truth along the slice) and `difference` (or `table` and `answer` for 4-5)."""
    m, views = result.metrics, result.views
    along = views.get("along", result.data)
    var = views["slice"]
    shown = views["names"].get(var, var)
    at = _at(views["at"], var, views["names"], lang)
    on_slice = m["answered"] and all(abs(m["worst_point"][k] - v) <= 1e-12 * max(1.0, abs(v))
                                     for k, v in views["at"].items() if k != var)
    figs = {"answer": _answer(m, along, var, shown, at, on_slice, lang)}
    if "along" in views:
        return {"table": _table(m, result.data, lang), **figs}
    figs["difference"] = _difference(m, along, var, shown, views["at"][var], lang)
    return figs


def _answer(m: dict, along: dict, var: str, shown: str, at: str, on_slice: bool, lang: str) -> dict:
    x, truth = along[var], along["truth"]
    yours = np.where(np.isfinite(along["answer"]), along["answer"], np.nan)  # a gap where it is not finite
    discrete = len(x) < 100
    mode = "lines+markers" if discrete else "lines"
    traces = [line(x, truth, _t("truth", lang), 0, mode=mode)]
    if not m["answered"]:
        fig = figure(traces, layout(_t("answer_title_alone", lang, var=shown, at=at), shown, _t("value", lang)))
        return described(fig, _t("sum_empty", lang, var=shown, at=at, a=_n(np.min(truth), lang),
                                 b=_n(np.max(truth), lang)))
    traces.append(line(x, yours, _t("yours", lang), 1, dash="dash", mode=mode))
    w = m["worst_point"][var]
    i = int(np.argmin(np.abs(x - w)))
    if on_slice:
        traces.append(markers(np.array([x[i]]), np.array([yours[i] if np.isfinite(yours[i]) else truth[i]]),
                              _t("worst", lang), 1, size=11, symbol="x"))
    fig = figure(traces, layout(_t("answer_title", lang, var=shown, at=at), shown, _t("value", lang)))
    n = number(m["points"], lang)
    agree = np.isfinite(yours) & (np.abs(yours - truth) <= AGREE * np.maximum(np.abs(truth), 1.0))
    if not on_slice:
        summary = _t("sum_along", lang, var=shown, at=at, k=number(int(agree.sum()), lang), n=number(len(x), lang))
    elif m["not_finite_points"]:
        summary = _t("sum_infinite", lang, var=shown, at=at, k=number(m["not_finite_points"], lang), n=n)
    elif m["correct"]:
        summary = _t("sum_right", lang, var=shown, at=at, n=n, r=number(m["max_rel_error"], lang, sig=2))
    else:
        summary = _t("sum_wrong", lang, var=shown, at=at, n=n, gap=number(m["max_abs_error"], lang, sig=3), w=_n(w, lang),
                     a=_n(m["answer_at_worst"], lang), t=_n(m["truth_at_worst"], lang))
    return described(fig, summary)


def _difference(m: dict, along: dict, var: str, shown: str, w: float, lang: str) -> dict:
    x, d = along[var], np.where(np.isfinite(along["difference"]), along["difference"], np.nan)
    traces = [line(x, d, _t("difference", lang), 2)]
    title = layout(_t("difference_title", lang, var=shown), shown, _t("difference", lang))
    if not m["answered"]:
        return described(figure(traces, title), _t("sum_difference_empty", lang, var=shown))
    i = int(np.argmin(np.abs(x - w)))
    if np.isfinite(d[i]):
        traces.append(markers(np.array([x[i]]), np.array([d[i]]), _t("worst", lang), 1, size=11, symbol="x"))
    finite = d[np.isfinite(d)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (None, None)
    return described(figure(traces, title), _t("sum_difference", lang, var=shown, lo=_n(lo, lang), hi=_n(hi, lang),
                                               w=_n(w, lang)))


def _table(m: dict, data: dict, lang: str) -> dict:
    """Draw the rows of data (N, M0, L, truth, answer, difference) as a table: a heatmap of coloured cells."""
    rows = len(data["truth"])
    yours, diff, truth = data["answer"], data["difference"], data["truth"]
    agree = np.isfinite(diff) & (np.abs(diff) <= AGREE * np.maximum(np.abs(truth), 1.0))
    cols = ["N", "M₀", "L", _t("col_truth", lang), _t("col_yours", lang), _t("col_diff", lang)]
    cells = [data["N"], data["M0"], data["L"], truth, yours, diff]
    shade = np.zeros((rows, len(cols)))
    if m["answered"]:
        shade[:, 4:] = np.where(agree, 1.0, 2.0)[:, None]
    txt = [[_n(c[r], lang, whole=True) for c in cells] for r in range(rows)]
    heat = {"type": "heatmap", "z": typed(shade), "x": cols, "y": [str(r + 1) for r in range(rows)], "text": txt,
            "texttemplate": "%{text}", "textfont": {"color": "#000000"}, "hoverinfo": "text", "showscale": False,
            "zmin": 0, "zmax": 2, "xgap": 2, "ygap": 2,
            "colorscale": [[0, "#f2f2f2"], [0.5, "#cfe8dc"], [1, "#f6c9b0"]]}
    lay = layout(_t("table_title", lang), "", "", hovermode="closest")
    lay["xaxis"].update(side="top", type="category", showgrid=False, fixedrange=True)
    lay["yaxis"].update(autorange="reversed", type="category", showticklabels=False, showgrid=False, fixedrange=True,
                        ticks="")
    lay["margin"] = {"l": 20, "r": 20, "t": 90, "b": 20}
    ints = {k: [int(v) for v in data[k]] for k in ("N", "M0", "L")}
    if m["answered"]:
        listed = ("；" if lang == "zh" else "; ").join(_t("row", lang, N=ints["N"][r], M0=ints["M0"][r], L=ints["L"][r], P=_n(truth[r], lang, True),
                              a=_n(yours[r], lang, True)) for r in range(rows))
        summary = _t("sum_table", lang, k=rows, agree=int(agree.sum()), rows=listed)
    else:
        listed = ("；" if lang == "zh" else "; ").join(_t("row_empty", lang, N=ints["N"][r], M0=ints["M0"][r], L=ints["L"][r], P=_n(truth[r], lang, True))
                           for r in range(rows))
        summary = _t("sum_table_empty", lang, k=rows, rows=listed)
    return described(figure([heat], lay), summary)
