"""Formulas for the pages: LaTeX rendered to MathML on the server, so no script or CDN is needed."""

from __future__ import annotations

import functools

from latex2mathml.converter import convert
from markupsafe import Markup


@functools.lru_cache(maxsize=2048)
def tex(latex: str, display: bool = False) -> Markup:
    """Render LaTeX as MathML markup (inline, or as a block when `display`)."""
    return Markup(convert(latex, display="block" if display else "inline"))
