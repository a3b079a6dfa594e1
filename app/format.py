"""Numbers as a reader sees them, in English or Chinese: the prose's quotes and the figures' summaries.

One formatter for every sentence that carries a computed number, so 28.1 % reads the same on the
page, in a figure's summary and in a status line: `sig` significant digits with a power of ten
(2.3 × 10⁻⁵) for tiny or huge values, a true minus sign, "28.1 %" in English and "28.1%" in Chinese.
"""

from __future__ import annotations

import math
import numbers
from typing import Any


def number(v: Any, lang: str, *, pct: bool = False, digits: int | None = None, sig: int | None = None,
        times: bool = False) -> str:
    """Format a number for a sentence in `lang`: `pct` as a percentage, `digits` decimals, `sig` significant digits,
    `times` as a factor (×). Integers print whole; booleans as yes/no; None as "—"."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return {"en": ("no", "yes"), "zh": ("否", "是")}[lang][v]
    if isinstance(v, numbers.Integral) and not (pct or times):
        return f"{int(v):,}" if lang == "en" else str(int(v))
    x = float(v) * (100 if pct else 1) + 0.0  # + 0.0: no "−0"
    if not math.isfinite(x):
        return "—"
    if sig is not None:
        text = f"{x:.{sig}g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = f"{mantissa} × 10{_superscript(int(exponent))}"
    else:
        text = f"{x:.{2 if digits is None else digits}f}"
    text = text.replace("-", "−")
    if pct:
        return f"{text} %" if lang == "en" else f"{text}%"
    if times:
        return f"{text}×"
    return text


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
