"""Figures of exercise 4-4: functions, derivatives, finite-difference checks, approximation errors."""

from __future__ import annotations

import numpy as np

from app.figures.theme import figure, layout, line, markers
from app.i18n import text, translator

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
}

# Exact zeros cannot sit on a log axis; they are drawn at this floor (below double precision's reach).
LOG_FLOOR = 1e-18


_t = translator(T)


def _every(n: int, target: int = 41) -> slice:
    """Return a stride that keeps about `target` markers out of n points."""
    return slice(None, None, max(1, n // target))


def derivative(name: str, x, f, df, df_numeric, error, near_kink, lang: str) -> dict[str, dict]:
    """Return the `function` and `error` figures of the derivative check."""
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
    return {"function": fn, "error": er}


def swish_family(x, f: dict, df: dict, relu, relu_der, lang: str) -> dict[str, dict]:
    """Return the `swish` and `swish_derivative` figures."""
    ref = _t("relu", lang)
    sw = [line(x, relu, ref, 7, dash="dot", width=1.5)]
    sd = [line(x, relu_der, ref, 7, dash="dot", width=1.5)]
    for i, beta in enumerate(f):
        sw.append(line(x, f[beta], f"β = {beta:g}", i))
        sd.append(line(x, df[beta], f"β = {beta:g}", i))
    return {
        "swish": figure(sw, layout(_t("swish", lang), _t("x", lang), "Swish(x)")),
        "swish_derivative": figure(sd, layout(_t("swish_der", lang), _t("x", lang), "Swish′(x)")),
    }


def gelu_approximations(x, f: dict, df: dict, err: dict, derr: dict, lang: str) -> dict[str, dict]:
    """Return the `gelu`, `gelu_derivative` and `errors` figures."""
    labels = {"gelu": _t("exact", lang), "gelu_tanh": _t("tanh", lang), "gelu_sigmoid": _t("sigmoid", lang)}
    dashes = {"gelu": None, "gelu_tanh": "dash", "gelu_sigmoid": "dot"}
    g = [line(x, f[n], labels[n], i, dash=dashes[n]) for i, n in enumerate(labels)]
    gd = [line(x, df[n], labels[n], i, dash=dashes[n]) for i, n in enumerate(labels)]
    e = []
    for i, n in enumerate(("gelu_tanh", "gelu_sigmoid"), start=1):
        e.append(line(x, np.maximum(err[n], LOG_FLOOR), _t("err_f", lang, name=labels[n]), i))
        e.append(line(x, np.maximum(derr[n], LOG_FLOOR), _t("err_df", lang, name=labels[n]), i, dash="dot"))
    return {
        "gelu": figure(g, layout(_t("gelu", lang), _t("x", lang), "GELU(x)")),
        "gelu_derivative": figure(gd, layout(_t("gelu_der", lang), _t("x", lang), "GELU′(x)")),
        "errors": figure(e, layout(_t("gelu_err", lang), _t("x", lang), _t("abs", lang), y_log=True)),
    }
