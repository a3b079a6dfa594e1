"""Every formula on every page renders to MathML: no LaTeX command is left over, in math or in text."""

from __future__ import annotations

import html
import re

import pytest

from app.exercises.registry import EXERCISES
from app.mathml import tex
from app.pages import _formulas

PAGES = ["/", *(f"/exercises/{i}?lang={lang}" for i in EXERCISES for lang in ("en", "zh"))]
LATEX_COMMAND = re.compile(r"\\(?:[A-Za-z]+|[|{}\\,;!])")


def _leftovers(markup: str) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return LATEX_COMMAND.findall(text)


@pytest.mark.parametrize("path", PAGES)
def test_no_latex_is_left_on_the_page(client, path):
    page = client.get(path).text
    page = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)  # JSON results carry LaTeX for the API
    assert "<merror" not in page
    maths = re.findall(r"<math\b.*?</math>", page, re.S)
    for m in maths:
        assert not _leftovers(m), (path, _leftovers(m), m[:300])
    prose = re.sub(r"<math\b.*?</math>", "", page, flags=re.S)
    assert not _leftovers(prose), (path, _leftovers(prose))


def test_sized_fences_become_characters():
    out = str(tex(r"\bigl\|\Delta W^{(1)}\bigr\| \Bigl\langle x \Bigr\rangle \bigl\{ y \bigr\}"))
    assert not _leftovers(out)
    assert out.count("&#x02016;") == 2 and "&#x027E8;" in out and "&#x027E9;" in out


def test_activation_formulas_render():
    for latex, mathml in _formulas().items():
        assert not _leftovers(mathml), (latex, _leftovers(mathml))
