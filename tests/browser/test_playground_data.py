"""The playground's own data in Chromium: clicks on the plane add and remove points, the link changes and
reloading it gives the same result; pasted rows go into the link when they fit, travel in the request when
they do not (and the page says so), and a bad row is refused beside the box, by its number.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import expect

from app.exercises.playground.custom import decode_points, encode_points
from tests.browser.test_controls import no_serious_axe_violations
from tests.exercises.test_playground_custom import rows, xor_points


def answered(n_points: int | None = None) -> str:
    """A function for wait_for_function: the result shown is that of the link (holding n_points points)."""
    size = "true" if n_points is None else f"(q.get('train.points') || '').length === {4 * n_points}"
    return f"""() => {{
      const v = window.fflab.views[0];
      const q = new URLSearchParams(location.search);
      return v.result && v.section.dataset.state === 'ready' && !v.section.hasAttribute('data-stale')
        && v.result.params.points === (q.get('train.points') || '') && {size};
    }}"""


@pytest.fixture
def server(live_server) -> str:
    return live_server


def _points(url: str) -> tuple[np.ndarray, np.ndarray]:
    return decode_points(parse_qs(urlparse(url).query).get("train.points", [""])[0])


def _pixel(page, x: float, y: float) -> tuple[float, float]:
    """The viewport position of the data point (x, y) on the surface figure."""
    return tuple(page.evaluate("""([x, y]) => {
      const gd = document.querySelector('#exp-train [data-figure="surface"]');
      gd.scrollIntoView({ block: "center" });
      const fl = gd._fullLayout, b = gd.getBoundingClientRect();
      return [b.left + fl.xaxis._offset + fl.xaxis.d2p(x), b.top + fl.yaxis._offset + fl.yaxis.d2p(y)];
    }""", [x, y]))


def _result(page) -> dict:
    return page.evaluate("() => { const r = window.fflab.views[0].result; return {m: r.metrics, d: r.data.x_train}; }")


def test_clicks_add_and_remove_points_and_the_link_reproduces_the_result(page, server, console_errors):
    page.set_viewport_size({"width": 1366, "height": 900})
    X, y = xor_points(12, seed=1)
    page.goto(f"{server}/playground?lang=en&train.dataset=custom&train.layers=8&train.activation=relu"
              f"&train.epochs=100&train.points={encode_points(X, y)}")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-own-data", "ready", timeout=30_000)
    expect(section.locator(".own-data .count")).to_have_text("12 points in the link (at most 200).")

    section.locator("#own-class-0").check()
    grid = np.array([(a, b) for a in np.linspace(-1, 1, 9) for b in np.linspace(-1, 1, 9)])
    free = grid[np.argmax(np.min(np.linalg.norm(grid[:, None] - X[None], axis=2), axis=1))]  # far from every point
    page.mouse.click(*_pixel(page, *free))
    page.wait_for_function(answered(13),
                           timeout=20_000)
    P, c = _points(page.url)
    assert len(P) == 13 and np.abs(P[-1] - free).max() <= 0.03 and c[-1] == 0

    page.mouse.click(*_pixel(page, *X[0]))  # on an existing point: removes it
    page.wait_for_function(answered(12),
                           timeout=20_000)
    P, _ = _points(page.url)
    assert len(P) == 12 and not np.any(np.all(np.abs(P - X[0]) < 1e-9, axis=1))
    before, link = _result(page), page.url

    page.goto(link)
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    page.wait_for_function(answered(), timeout=20_000)
    after = _result(page)
    assert after == before
    no_serious_axe_violations(page)  # with the data panel open
    assert console_errors == []


def test_pasted_rows_go_into_the_link_or_the_request_and_a_bad_row_is_named(page, server, console_errors):
    page.set_viewport_size({"width": 1366, "height": 900})
    X, y = xor_points(12, seed=1)
    page.goto(f"{server}/playground?lang=en&train.dataset=custom&train.epochs=50&train.points={encode_points(X, y)}")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-own-data", "ready", timeout=30_000)
    box, use = section.locator("#own-csv"), section.locator("button.use-csv")
    note = section.locator(".own-data .link-note")

    # 30 rows within [−6, 6]: into the link
    X30, y30 = xor_points(30, seed=2)
    box.fill("x1,x2,label\n" + rows(X30, y30))
    use.click()
    page.wait_for_function(answered(30),
                           timeout=20_000)
    expect(section.locator(".own-data .count")).to_have_text("30 rows read into the link, rounded to 0.01.")
    expect(note).to_be_hidden()

    # a row the page cannot read goes to the server, which names it beside the box
    box.fill("1,2,0\n0.5,abc,1\n0.3,0.3,1\n-1,1,0\n")
    use.click()
    expect(section.locator("#own-csv-error")).to_contain_text("row 2", timeout=20_000)
    expect(section.locator("#own-csv-error")).to_contain_text("not a number")

    # 250 rows: sent in the request; the page says the link no longer holds them
    X250, y250 = xor_points(250, seed=3)
    box.fill(rows(X250, y250))
    use.click()
    expect(note).to_be_visible()
    expect(note).to_contain_text("250 pasted rows")
    page.wait_for_function("""() => { const v = window.fflab.views[0];
      return v.result && v.section.dataset.state === 'ready' && v.result.params.csv.length > 0; }""", timeout=30_000)
    expect(section.locator("#own-csv-error")).to_have_text("")
    n = page.evaluate("() => { const d = window.fflab.views[0].result.data; "
                      "return d.x_train.length + d.x_test.length; }")
    assert n == 250 and "train.points" not in page.url
    assert [e for e in console_errors if "status of 422" not in e] == []
