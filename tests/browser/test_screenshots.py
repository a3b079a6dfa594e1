"""Every page at a desk (1366 px) and on a phone (390 px), light and dark, English and 中文: read, then
photographed.

One page load per page, language and theme, and at each width:
- every figure's text is readable against what is behind it (WCAG contrast) and nothing is laid over
  anything else (tests/browser/page_checks.py: CONTRAST, LAYOUT);
- on the phone, no inline formula of the running text is cut off, and nothing is wider than the screen;
- a whole-page screenshot is left in test-artifacts/screenshots/ (`{page}-{lang}-{theme}-{width}.png`)
  for a reviewer to look at every figure in every setting;
- the dark theme at the phone's width only: its colours are those of any width, its layout the light one's;
- the page logged no error.
In the light theme the same load also runs axe (no serious or critical violation), checks that every
figure has its text summary for screen readers, and that a projector's 1920 px is not overflowed either.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.exercises.registry import EXERCISES
from tests.browser.page_checks import CONTRAST, FITTED, INLINE_MATH_CUT, LAYOUT
from tests.browser.test_controls import no_serious_axe_violations

PAGES = ["index", *EXERCISES]
WIDTHS = ((1366, 900), (390, 844))
PROJECTOR = (1920, 1080)
# Resolves after the next frame is painted (the second requestAnimationFrame runs once the first's is drawn).
NEXT_PAINT = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def _fit(page, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_function(FITTED, timeout=10_000)
    page.evaluate(NEXT_PAINT)  # a title refitted after the resize is a relayout and a repaint away


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_reads_well_and_is_photographed(browser, live_server, shots, name, lang, theme):
    # The layout does not depend on the theme, nor the colours on the width: the light theme is checked
    # and photographed at both widths, the dark one on the phone, where most readers turn it on.
    widths = WIDTHS if theme == "light" else WIDTHS[1:]
    width, height = widths[0]
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=theme)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    path = "/" if name == "index" else f"/exercises/{name}"
    page.goto(f"{live_server}{path}?lang={lang}", timeout=90_000)
    for section in page.locator("section.experiment").all():
        expect(section).to_have_attribute("data-drawn", "all", timeout=60_000)
    figures = page.locator("[data-figure]").count()
    if theme == "light":
        no_serious_axe_violations(page)
        summaries = page.locator(".fig-summary").all_text_contents()
        assert len(summaries) == figures and all(len(t) > 15 for t in summaries)
        assert all(t.startswith("Figure — " if lang == "en" else "图 — ") for t in summaries), summaries[:1]
        _fit(page, *PROJECTOR)
        assert page.evaluate("document.documentElement.scrollWidth") <= PROJECTOR[0] + 1
    for width, height in widths:
        _fit(page, width, height)
        if figures:
            contrast = page.evaluate(CONTRAST)
            assert contrast["count"] > 20, contrast
            assert contrast["bad"] == [], (width, contrast["bad"])
            assert page.evaluate(LAYOUT) == [], width
        if width < 500:
            assert page.evaluate(INLINE_MATH_CUT) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        # A window as tall as the page: the full-page capture then resizes nothing (a resize redraws the
        # responsive figures, and a capture taken meanwhile shows them half drawn).
        _fit(page, width, page.evaluate("document.documentElement.scrollHeight"))
        page.screenshot(path=str(shots / f"{name}-{lang}-{theme}-{width}.png"), full_page=True)
    assert errors == []
    page.close()
