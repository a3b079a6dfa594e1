"""The playground's own-data panel as a reader sees it: in Chinese on a phone (390 px) in the dark theme, and
in English at a desk (1366 px) in the light one (then also on a 1920 px projector).

One page load each, with the data set custom and a few points in the link:
- nothing is wider than the screen, and the panel's controls (class of a new point, the count, Clear, the
  CSV box and its button) are shown, each inside the screen's width;
- the hint speaks the page's language (and tells that a point can be dragged, and that the CSV box is the
  way in without a mouse);
- every figure's text is readable and nothing is laid over anything else (the checks of
  tests/browser/test_screenshots.py, tests/browser/page_checks.py);
- axe finds nothing serious, and the page logged no error;
- the whole page and the panel are photographed into test-artifacts/screenshots/
  (`playground-own-data[-panel]-{lang}-{theme}-{width}.png`) for a reviewer to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.exercises.playground.custom import encode_points
from tests.browser.page_checks import CONTRAST, FITTED, INLINE_MATH_CUT, LAYOUT
from tests.browser.test_controls import no_serious_axe_violations
from tests.browser.test_playground_data import answered
from tests.exercises.test_playground_custom import xor_points

SETTINGS = [("zh", "dark", 390, 844), ("en", "light", 1366, 900)]
CONTROLS = (".own-data .class-choice", ".own-data .count", ".own-data button.clear-points", "#own-csv",
            ".own-data button.use-csv", ".own-data .hint")
HINT = {"zh": "拖动一个点可以移动它", "en": "drag a point to move it"}


def _inside(page, selector: str, width: int) -> None:
    """The control is shown and lies within the screen's width."""
    control = page.locator(selector)
    expect(control).to_be_visible()
    control.scroll_into_view_if_needed()
    box = control.bounding_box()
    assert box and box["x"] >= -1 and box["x"] + box["width"] <= width + 1, (selector, box)


@pytest.mark.parametrize(("lang", "theme", "width", "height"), SETTINGS)
def test_the_own_data_panel_reads_well_and_is_photographed(browser, live_server, shots, lang, theme, width, height):
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=theme)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    X, y = xor_points(12, seed=1)
    page.goto(f"{live_server}/playground?lang={lang}&train.dataset=custom&train.epochs=50"
              f"&train.points={encode_points(X, y)}", timeout=90_000)
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-drawn", "all", timeout=60_000)
    expect(section).to_have_attribute("data-own-data", "ready")
    page.wait_for_function(answered(len(X)), timeout=30_000)
    page.wait_for_function(FITTED, timeout=10_000)
    page.wait_for_timeout(300)  # a title refitted after the layout settles is a relayout away

    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("innerWidth") + 1
    for selector in CONTROLS:
        _inside(page, selector, width)
    hint = page.locator(".own-data .hint").inner_text()
    assert HINT[lang] in hint and "CSV" in hint, hint
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", page.locator(".own-data .count").inner_text())

    contrast = page.evaluate(CONTRAST)
    assert contrast["count"] > 20, contrast
    assert contrast["bad"] == [], contrast["bad"]
    assert page.evaluate(LAYOUT) == []
    assert page.evaluate(INLINE_MATH_CUT) == []
    no_serious_axe_violations(page)

    name = f"{lang}-{theme}-{width}.png"
    page.locator(".own-data").screenshot(path=str(shots / f"playground-own-data-panel-{name}"))
    # A window as tall as the page: the full-page capture then resizes nothing (test_screenshots.py).
    page.set_viewport_size({"width": width, "height": page.evaluate("document.documentElement.scrollHeight")})
    page.wait_for_function(FITTED, timeout=10_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / f"playground-own-data-{name}"), full_page=True)
    if width > 1000:  # and on a projector, nothing wider than the screen either
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_function(FITTED, timeout=10_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1920 + 1
    assert errors == []
    page.close()
