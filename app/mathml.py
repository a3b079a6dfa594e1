"""Formulas for the pages: LaTeX rendered to MathML on the server, so no script or CDN is needed."""

from __future__ import annotations

import functools

from latex2mathml.converter import convert
from markupsafe import Markup


@functools.lru_cache(maxsize=2048)
def tex(latex: str, display: bool = False) -> Markup:
    """Render LaTeX as MathML markup (inline, or as a block when `display`)."""
    return Markup(convert(latex, display="block" if display else "inline"))


def texblock(latex: str) -> Markup:
    """Render LaTeX as a display formula in a keyboard-focusable box that scrolls on narrow screens."""
    return Markup('<div class="math-scroll" tabindex="0">') + tex(latex, display=True) + Markup("</div>")
