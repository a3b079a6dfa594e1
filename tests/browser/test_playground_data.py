"""The playground's own data in Chromium: clicks on the plane add and remove points, the link changes and
reloading it gives the same result; a point dragged follows the pointer and moves where it is released, with
one request after the release (two classes and a curve); pasted rows go into the link when they fit, travel
in the request when they do not (and the page says so), and a bad row is refused beside the box, by its
number.
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
    """A function for wait_for_function: the result shown is that of the link (holding n_points points), every
    figure drawn (those out of the window are drawn once the section has been quiet a moment)."""
    size = "true" if n_points is None else f"(q.get('train.points') || '').length === {4 * n_points}"
    return f"""() => {{
      const v = window.fflab.views[0];
      const q = new URLSearchParams(location.search);
      return v.result && v.section.dataset.state === 'ready' && v.section.dataset.drawn === 'all'
        && !v.section.hasAttribute('data-stale')
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


def _pixel_size(page) -> tuple[float, float]:
    """How much of x and of y one pixel of the surface figure spans."""
    return tuple(page.evaluate("""() => {
      const fl = document.querySelector('#exp-train [data-figure="surface"]')._fullLayout;
      return [Math.abs(fl.xaxis.p2d(1) - fl.xaxis.p2d(0)), Math.abs(fl.yaxis.p2d(1) - fl.yaxis.p2d(0))];
    }"""))


def _marker_at(page, x: float, y: float) -> bool:
    """Whether a point's marker is drawn centred within 1.5 px of the viewport position (x, y)."""
    return page.evaluate("""([x, y]) => [...document.querySelectorAll(
      '#exp-train [data-figure="surface"] .scatterlayer path.point')].some((n) => {
        const r = n.getBoundingClientRect();
        return Math.hypot((r.left + r.right) / 2 - x, (r.top + r.bottom) / 2 - y) <= 1.5; })""", [x, y])


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


def _own_points(dataset: str) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Points of a data set (two classes, or a curve's (x, y)), which of them to drag, and where to."""
    if dataset == "custom":
        X, y = xor_points(12, seed=1)
        grid = np.array([(a, b) for a in np.linspace(-1, 1, 9) for b in np.linspace(-1, 1, 9)])
        free = grid[np.argmax(np.min(np.linalg.norm(grid[:, None] - X[None], axis=2), axis=1))]
        return X, y, 0, free
    x = np.linspace(-2, 2, 9)
    return np.c_[x, 0.5 * x], np.zeros(9), 4, np.array([0.25, 0.8])


@pytest.mark.parametrize("dataset", ["custom", "custom_curve"])
def test_a_dragged_point_follows_the_pointer_and_moves_where_released(page, server, console_errors, dataset):
    page.set_viewport_size({"width": 1366, "height": 900})
    X, y, i, target = _own_points(dataset)
    page.goto(f"{server}/playground?lang=en&train.dataset={dataset}&train.epochs=50"
              f"&train.points={encode_points(X, y)}")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-own-data", "ready", timeout=30_000)
    page.wait_for_function(answered(len(X)), timeout=20_000)
    expect(section.locator(".own-data .hint")).to_contain_text("drag a point to move it")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/playground/" in r.url else None)
    link = page.url

    page.mouse.move(*_pixel(page, *X[i]))
    page.mouse.down()
    to = _pixel(page, *target)
    page.mouse.move(*to, steps=12)
    assert _marker_at(page, *to)  # the point follows the pointer …
    page.wait_for_timeout(600)  # … and nothing is asked, nor the link changed, until the release
    assert asked == [] and page.url == link
    page.mouse.up()
    page.wait_for_function(answered(len(X)), timeout=20_000)

    P, c = _points(page.url)
    dx, dy = _pixel_size(page)
    assert len(P) == len(X) and np.array_equal(c, (y > 0.5).astype(int))
    assert abs(P[i, 0] - target[0]) <= 0.01 + dx and abs(P[i, 1] - target[1]) <= 0.01 + dy, (P[i], target)
    others = np.arange(len(X)) != i
    assert np.allclose(P[others], X[others], atol=1e-9)  # the others stay where they were
    assert len(asked) == 1, asked  # one request, after the release
    shown = page.evaluate("() => window.fflab.views[0].result.params.points")
    assert shown == parse_qs(urlparse(page.url).query)["train.points"][0]

    at = _pixel(page, *P[i])  # a press released within a few pixels is still a click: it removes the point
    page.mouse.move(*at)
    page.mouse.down()
    page.mouse.move(at[0] + 2, at[1] + 1, steps=2)
    page.mouse.up()
    page.wait_for_function(answered(len(X) - 1), timeout=20_000)
    assert console_errors == []


@pytest.mark.parametrize(("dataset", "n"), [("custom", 4), ("custom_curve", 5)])
def test_a_link_to_your_own_points_without_points_starts_from_a_few(page, server, console_errors, dataset, n):
    page.goto(f"{server}/playground?lang=en&train.dataset={dataset}&train.epochs=30")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    page.wait_for_function(answered(n))
    expect(section.locator(".own-data .count")).to_contain_text(f"started from {n}")
    assert len(_points(page.url)[0]) == n
    assert [e for e in console_errors if "status of 422" not in e] == []  # the link's own refusal, then the start
