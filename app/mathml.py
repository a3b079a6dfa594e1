"""Formulas for the pages: LaTeX rendered to MathML on the server, so no script or CDN is needed."""

from __future__ import annotations

import functools
import re

from latex2mathml.converter import convert
from markupsafe import Markup

# latex2mathml passes the delimiter of a sized fence (\bigl\|, \Bigr\rangle …) through as its LaTeX
# command; these are the characters they stand for.
DELIMITERS = {
    r"\|": "&#x02016;", r"\Vert": "&#x02016;", r"\lVert": "&#x02016;", r"\rVert": "&#x02016;",
    r"\vert": "|", r"\lvert": "|", r"\rvert": "|", r"\{": "{", r"\}": "}",
    r"\langle": "&#x027E8;", r"\rangle": "&#x027E9;", r"\lfloor": "&#x0230A;", r"\rfloor": "&#x0230B;",
    r"\lceil": "&#x02308;", r"\rceil": "&#x02309;",
}
_SIZED_DELIMITER = re.compile(r">(\\(?:[A-Za-z]+|[|{}]))</mo>")


def _delimiters(mathml: str) -> str:
    return _SIZED_DELIMITER.sub(lambda m: f">{DELIMITERS.get(m.group(1), m.group(1))}</mo>", mathml)


@functools.lru_cache(maxsize=2048)
def tex(latex: str, display: bool = False) -> Markup:
    """Render LaTeX as MathML markup (inline, or as a block when `display`)."""
    return Markup(_delimiters(convert(latex, display="block" if display else "inline")))


def texblock(latex: str) -> Markup:
    """Render LaTeX as a display formula in a keyboard-focusable box that scrolls on narrow screens."""
    return Markup('<div class="math-scroll" tabindex="0">') + tex(latex, display=True) + Markup("</div>")
