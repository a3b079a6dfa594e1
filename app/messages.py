"""Refusals in the reader's language: a parameter error said with the control's label and what is allowed.

Pydantic and the work budget describe a bad query for developers ("Input should be a valid integer,
unable to parse string as an integer"). A student on a 中文 page needs "训练轮数：请输入整数（可用
1e3 这样的写法）". `explain` turns one field-level error into that sentence, in English or Chinese,
from the error's type and context and the field's label in the params model. The API keeps FastAPI's
field-level shape and adds the sentence as `message`; the page shows only `message`.
"""

from __future__ import annotations

import re
from typing import Any

from app.exercises.base import WORK_BUDGET_SECONDS, TooCostly
from app.i18n import Text, pick, text

MESSAGES: dict[str, Text] = {
    "int_parsing": text("enter a whole number (1e3 is fine).", "请输入整数（也可以写成 1e3）。"),
    "int_from_float": text("enter a whole number (1e3 is fine).", "请输入整数（也可以写成 1e3）。"),
    "float_parsing": text("enter a number, such as 0.1 or 1e-3.", "请输入数字，例如 0.1 或 1e-3。"),
    "comma_decimal": text("write decimals with a point: {fixed}.", "小数请用小数点：{fixed}。"),
    "finite_number": text("enter a finite number.", "请输入有限的数。"),
    "bool_parsing": text("choose yes or no.", "请选择是或否。"),
    "greater_than_equal": text("at least {ge}.", "不能小于 {ge}。"),
    "less_than_equal": text("at most {le}.", "不能大于 {le}。"),
    "greater_than": text("more than {gt}.", "必须大于 {gt}。"),
    "less_than": text("less than {lt}.", "必须小于 {lt}。"),
    "literal_error": text("choose one of {expected}.", "请从 {expected} 中选择。"),
    "enum": text("choose one of {expected}.", "请从 {expected} 中选择。"),
    "string_too_long": text("at most {max_length} characters.", "最多 {max_length} 个字符。"),
    "extra_forbidden": text("this experiment has no such setting.", "这个实验没有这个参数。"),
    "repeated": text("given more than once; keep one value.", "出现了不止一次，请只保留一个值。"),
    "answer_syntax": text("{en}", "{zh}"),
    "order": text("must be greater than {lower}.", "必须大于 {lower}。"),
    "too_costly": text("at most about {limit} with the other settings as they are.",
                       "在其他参数不变时最多约 {limit}。"),
    "too_costly_min": text("at least about {limit} with the other settings as they are.",
                           "在其他参数不变时至少约 {limit}。"),
    "too_costly_plain": text("too much work together with the other settings marked; lower one of them.",
                             "与其他标出的参数合起来计算量过大，请调小其中之一。"),
}
OTHER = text("not accepted: {msg}", "无效：{msg}")
COMMA_DECIMAL = re.compile(r"^\s*-?\d+,\d+\s*$")


def field_label(schema: dict[str, Any], field: str, lang: str) -> str:
    """Return the control's label of `field` in a params JSON Schema, or the field's name."""
    prop = schema.get("properties", {}).get(field, {})
    label = prop.get("x-label")
    return pick(label, lang) if isinstance(label, dict) else field


def _number(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def explain(error: dict[str, Any], schema: dict[str, Any], lang: str) -> str:
    """Return one error as a sentence for the reader: "<label>: <what is allowed>"."""
    loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "body")]
    field = loc[-1] if loc else ""
    label = field_label(schema, field, lang) if field else ""
    kind = error.get("type", "")
    raw_ctx = error.get("ctx") or {}
    said = raw_ctx.get("error")
    if kind == "value_error" and hasattr(said, "en") and hasattr(said, "zh"):  # a bilingual refusal (FormulaError)
        kind, raw_ctx = "answer_syntax", {k: said.message(k) if hasattr(said, "message") else getattr(said, k)
                                          for k in ("en", "zh")}
    ctx = {k: _number(v) for k, v in raw_ctx.items()}
    raw = error.get("input")
    if kind == "float_parsing" and isinstance(raw, str) and COMMA_DECIMAL.match(raw):
        kind, ctx = "comma_decimal", {"fixed": raw.strip().replace(",", ".")}
    if kind == "finite_number" or (kind == "float_parsing" and isinstance(raw, str) and "nan" in raw.lower()):
        kind = "finite_number"
    if kind == "order":
        ctx["lower"] = field_label(schema, ctx.get("lower", ""), lang)
    if kind == "too_costly":
        if "limit" not in ctx:
            kind = "too_costly_plain"
        elif ctx.get("bound") == "min":
            kind = "too_costly_min"
    if kind == "literal_error" and "expected" in ctx:
        ctx["expected"] = ctx["expected"].replace("'", "")
    template = MESSAGES.get(kind)
    try:
        body = template[lang].format(**ctx) if template else OTHER[lang].format(msg=error.get("msg", kind))
    except (KeyError, IndexError, ValueError):
        body = OTHER[lang].format(msg=error.get("msg", kind))
    sep = "：" if lang == "zh" else ": "
    return f"{label}{sep}{body}" if label else body


def localize(errors: list[dict[str, Any]], schema: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Add `message` (the reader's sentence) to each field-level error, keeping FastAPI's keys; one per field
    and kind, so a refusal that names three fields is said three times only when they differ."""
    out, seen = [], set()
    for e in errors:
        item = {k: (list(v) if isinstance(v, tuple) else v) for k, v in e.items() if k != "url"}
        item["message"] = explain(e, schema, lang)
        key = (tuple(item.get("loc", ())), item["message"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def too_costly_errors(refusal: TooCostly) -> list[dict[str, Any]]:
    """Return a budget refusal as field-level errors (FastAPI's 422 shape), one per field to lower."""
    out = []
    for f in refusal.fields:
        ctx: dict[str, Any] = {"budget": WORK_BUDGET_SECONDS, **(refusal.limits.get(f) or {})}
        out.append({"type": "too_costly", "loc": ("query", f), "msg": str(refusal), "input": None, "ctx": ctx})
    return out
