"""Figures of exercise 4-4: functions, derivatives, finite-difference checks, approximation errors.

Each public function draws one experiment's figures from its result (metrics, data, views) and params,
in any language, after the computation (Experiment.draw).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.figures.theme import described, figure, layout, line, markers
from app.format import number
from app.i18n import text, translator

if TYPE_CHECKING:
    from app.exercises.base import Result

T = {
    "function": text("f and f′ of {name}", "{name} 的 f 与 f′"),
    "f": text("f(x)", "f(x)"),
    "df": text("f′(x), formula", "f′(x)，解析式"),
    "fd": text("f′(x), finite difference", "f′(x)，有限差分"),
    "error": text("|formula − finite difference|", "|解析式 − 有限差分|"),
    "error_title": text("Error of the formula for f′ (log scale)", "f′ 公式的误差（对数坐标）"),
    "kink": text("kink (f′ undefined)", "折点（f′ 无定义）"),
    "swish": text("Swish x·σ(βx) for several β", "不同 β 下的 Swish x·σ(βx)"),
    "swish_der": text("Swish′ for several β", "不同 β 下的 Swish′"),
    "relu": text("ReLU", "ReLU"),
    "gelu": text("GELU and its approximations", "GELU 及其近似"),
    "gelu_der": text("GELU′ and the approximations' derivatives", "GELU′ 与近似式的导数"),
    "gelu_err": text("Error of each approximation (log scale)", "各近似的误差（对数坐标）"),
    "exact": text("exact x·Φ(x)", "精确 x·Φ(x)"),
    "tanh": text("tanh form", "tanh 近似"),
    "sigmoid": text("x·σ(1.702x)", "x·σ(1.702x)"),
    "err_f": text("|error| of f, {name}", "f 的 |误差|，{name}"),
    "err_df": text("|error| of f′, {name}", "f′ 的 |误差|，{name}"),
    "x": text("x", "x"),
    "y": text("value", "值"),
    "abs": text("absolute error", "绝对误差"),
    # One-sentence summaries for screen readers (described()).
    "sum_function": text("{name} and its derivative on [{a}, {b}]: the formula for f′ (line) and the finite "
                         "differences (dots) differ by at most {err}{kinks}.",
                         "{name} 及其导数，区间 [{a}, {b}]：f′ 的公式（曲线）与有限差分（圆点）之差至多为 {err}{kinks}。"),
    "sum_kinks": text(", the {k} grid points at kinks aside", "（不计落在折点上的 {k} 个采样点）"),
    "sum_kink": text(", the grid point at the kink aside", "（不计落在折点上的 1 个采样点）"),
    "sum_error": text("|formula − finite difference| on a log scale: at most {err} on [{a}, {b}]{kinks}.",
                      "|公式 − 有限差分|（对数坐标）：在 [{a}, {b}] 上至多为 {err}{kinks}。"),
    "sum_swish": text("Swish for β = {betas} beside ReLU: the largest gap to ReLU on the interval shrinks from {g0} "
                      "(β = {b0}) to {g1} (β = {b1}).",
                      "β = {betas} 的 Swish 与 ReLU 对照：区间上与 ReLU 的最大差距从 {g0}（β = {b0}）缩小到 {g1}（β = {b1}）。"),
    "sum_swish_der": text("Swish′ for β = {betas}; its lowest value on the interval, by β: {mins}.",
                          "β = {betas} 的 Swish′；各 β 下它在区间上的最小值：{mins}。"),
    "sum_gelu": text("Exact GELU and its two approximations on [{a}, {b}]: the tanh form is off by at most {et}, "
                     "x·σ(1.702x) by {es}.",
                     "精确 GELU 及其两种近似，区间 [{a}, {b}]：tanh 近似的误差至多为 {et}，x·σ(1.702x) 至多为 {es}。"),
    "sum_gelu_der": text("GELU′ and the derivatives of the approximations: off by at most {et} (tanh form) and {es} "
                         "(x·σ(1.702x)).",
                         "GELU′ 与两种近似的导数：误差至多为 {et}（tanh 近似）和 {es}（x·σ(1.702x)）。"),
    "sum_errors": text("Errors of the approximations on a log scale: the tanh form's largest error, {et}, is {r} times "
                       "smaller than that of x·σ(1.702x), {es}.",
                       "各近似误差（对数坐标）：tanh 近似的最大误差 {et}，约为 x·σ(1.702x) 最大误差 {es} 的 1/{r}。"),
}

# Exact zeros cannot sit on a log axis; they are drawn at this floor (below double precision's reach).
LOG_FLOOR = 1e-18


_t = translator(T)


def _every(n: int, target: int = 41) -> slice:
    """Return a stride that keeps about `target` markers out of n points."""
    return slice(None, None, max(1, n // target))


def derivative(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return the `function` and `error` figures of the derivative check (p.function's f and f′)."""
    d, name, near_kink = result.data, p.function, result.views["near_kink"]
    x, f, df, df_numeric, error = d["x"], d["f"], d["df_analytic"], d["df_numeric"], d["abs_error"]
    s = _every(len(x))
    fn = figure(
        [line(x, f, _t("f", lang), 0), line(x, df, _t("df", lang), 1),
         markers(x[s], df_numeric[s], _t("fd", lang), 1, size=7, symbol="circle-open")],
        layout(_t("function", lang, name=name), _t("x", lang), _t("y", lang)),
    )
    err = np.maximum(error, LOG_FLOOR)
    traces = [line(x, err, _t("error", lang), 2)]
    if near_kink.any():
        traces.append(markers(x[near_kink], err[near_kink], _t("kink", lang), 1, size=9, symbol="x"))
    er = figure(traces, layout(_t("error_title", lang), _t("x", lang), _t("abs", lang), y_log=True))
    k = int(near_kink.sum())
    err_max = number(error[~near_kink].max(), lang, sig=2) if (~near_kink).any() else "—"
    kinks = _t("sum_kinks" if k > 1 else "sum_kink", lang, k=k) if k else ""
    where = {"a": number(x[0], lang, sig=4), "b": number(x[-1], lang, sig=4), "err": err_max, "kinks": kinks}
    return {"function": described(fn, _t("sum_function", lang, name=name, **where)),
            "error": described(er, _t("sum_error", lang, **where))}


def swish_family(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return the `swish` and `swish_derivative` figures, one curve per β of views["betas"]."""
    d, m = result.data, result.metrics
    x, relu, relu_der = d["x"], d["relu"], d["relu_derivative"]
    f = {b: d[f"swish_beta_{b:g}"] for b in result.views["betas"]}
    df = {b: d[f"swish_derivative_beta_{b:g}"] for b in result.views["betas"]}
    gaps = {b: m["max_gap_to_relu"][f"{b:g}"] for b in f}  # β -> max |Swish − ReLU| on the interval
    ref = _t("relu", lang)
    sw = [line(x, relu, ref, 7, dash="dot", width=1.5)]
    sd = [line(x, relu_der, ref, 7, dash="dot", width=1.5)]
    for i, beta in enumerate(f):
        sw.append(line(x, f[beta], f"β = {beta:g}", i))
        sd.append(line(x, df[beta], f"β = {beta:g}", i))
    betas = ", ".join(f"{b:g}" for b in f)
    first, last = min(gaps), max(gaps)
    mins = ", ".join(f"{b:g}: {number(m['min_derivative'][f'{b:g}'], lang, sig=3)}" for b in df)
    return {
        "swish": described(figure(sw, layout(_t("swish", lang), _t("x", lang), "Swish(x)")),
                           _t("sum_swish", lang, betas=betas, g0=number(gaps[first], lang, sig=2), b0=f"{first:g}",
                              g1=number(gaps[last], lang, sig=2), b1=f"{last:g}")),
        "swish_derivative": described(figure(sd, layout(_t("swish_der", lang), _t("x", lang), "Swish′(x)")),
                                      _t("sum_swish_der", lang, betas=betas, mins=mins)),
    }


def gelu_approximations(result: Result, p: Any, lang: str) -> dict[str, dict]:
    """Return the `gelu`, `gelu_derivative` and `errors` figures."""
    d, m, derr = result.data, result.metrics, result.views["derivative_error"]
    x = d["x"]
    f = {n: d[n] for n in ("gelu", "gelu_tanh", "gelu_sigmoid")}
    df = {n: d[f"{n}_derivative"] for n in f}
    err = {"gelu_tanh": d["error_tanh"], "gelu_sigmoid": d["error_sigmoid"]}
    labels = {"gelu": _t("exact", lang), "gelu_tanh": _t("tanh", lang), "gelu_sigmoid": _t("sigmoid", lang)}
    dashes = {"gelu": None, "gelu_tanh": "dash", "gelu_sigmoid": "dot"}
    g = [line(x, f[n], labels[n], i, dash=dashes[n]) for i, n in enumerate(labels)]
    gd = [line(x, df[n], labels[n], i, dash=dashes[n]) for i, n in enumerate(labels)]
    e = []
    for i, n in enumerate(("gelu_tanh", "gelu_sigmoid"), start=1):
        e.append(line(x, np.maximum(err[n], LOG_FLOOR), _t("err_f", lang, name=labels[n]), i))
        e.append(line(x, np.maximum(derr[n], LOG_FLOOR), _t("err_df", lang, name=labels[n]), i, dash="dot"))
    et, es = m["max_error_tanh"], m["max_error_sigmoid"]
    ratio = number(es / et, lang, sig=2) if et > 0 else "—"
    et_s, es_s = number(et, lang, sig=3), number(es, lang, sig=3)
    return {
        "gelu": described(figure(g, layout(_t("gelu", lang), _t("x", lang), "GELU(x)")),
                          _t("sum_gelu", lang, a=number(x[0], lang, sig=4), b=number(x[-1], lang, sig=4),
                             et=et_s, es=es_s)),
        "gelu_derivative": described(figure(gd, layout(_t("gelu_der", lang), _t("x", lang), "GELU′(x)")),
                                     _t("sum_gelu_der", lang, et=number(m["max_derivative_error_tanh"], lang, sig=3),
                                        es=number(m["max_derivative_error_sigmoid"], lang, sig=3))),
        "errors": described(figure(e, layout(_t("gelu_err", lang), _t("x", lang), _t("abs", lang), y_log=True)),
                            _t("sum_errors", lang, et=et_s, es=es_s, r=ratio)),
    }
