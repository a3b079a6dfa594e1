"""Screenshots of every page at a desk (1366 px) and on a phone (390 px), light and dark, English and 中文.

They are for people, not for asserts: `make test` leaves them in test-artifacts/screenshots/
(`{page}-{lang}-{theme}-{width}.png`, whole pages) so that a reviewer can look at every figure in
every setting. One page load per page, language and theme; the viewport is set twice. The only
checks are that the page drew and that nothing is wider than the phone's screen.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.exercises.registry import EXERCISES

PAGES = ["index", *EXERCISES]
WIDTHS = ((1366, 900), (390, 844))

# Every figure laid out at its box's current width (Plotly redraws a responsive figure on resize).
FITTED = """() => [...document.querySelectorAll('[data-figure]')].every((gd) => {
  const svg = gd.querySelector('.main-svg');
  return svg && Math.abs(Number(svg.getAttribute("width")) - gd.getBoundingClientRect().width) <= 3
    && gd._fflabWidth === gd.clientWidth;  // and its title refitted (static/js/fflab-util.js)
})"""


@pytest.fixture(scope="module")
def shots(artifacts):
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(browser, live_server, shots, name, lang, theme):
    width, height = WIDTHS[0]
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=theme)
    path = "/" if name == "index" else f"/exercises/{name}"
    page.goto(f"{live_server}{path}?lang={lang}", timeout=90_000)
    for section in page.locator("section.experiment").all():
        expect(section).to_have_attribute("data-drawn", "all", timeout=60_000)
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(FITTED, timeout=10_000)
        # A window as tall as the page: the full-page capture then resizes nothing (a resize redraws the
        # responsive figures, and a capture taken meanwhile shows them half drawn).
        tall = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": width, "height": tall})
        page.wait_for_function(FITTED, timeout=10_000)
        page.wait_for_timeout(300)  # the last redraw's repaint
        page.screenshot(path=str(shots / f"{name}-{lang}-{theme}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.close()
