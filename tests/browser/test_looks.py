"""How figures look and leave the page, in Chromium: reference lines and nodes in the dark theme, the
figure kept in view on a phone, Plotly's toolbar in Chinese, and the CSV export. Readability
(contrast, layout, phone formulas) is checked on every page by tests/browser/test_screenshots.py.

The look itself lives in static/js/fflab-util.js (figureFor: the theme, title wrapping, legends, log
ticks) and static/css/site.css (phones); these tests read what the browser drew.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect


def _open(browser, live_server, exercise, lang, theme, width=1366):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=theme)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/exercises/{exercise}?lang={lang}", timeout=90_000)
    for section in page.locator("section.experiment").all():
        expect(section).to_have_attribute("data-drawn", "all", timeout=60_000)
    return page, errors


def test_black_reference_lines_and_white_nodes_turn_around_in_the_dark(browser, live_server):
    page, _ = _open(browser, live_server, "4-9", "en", "dark")
    # The dotted "at init" line (palette black) of the gradient replay is drawn light on the dark plot.
    colour = page.evaluate("""() => {
      const gd = document.querySelector('#exp-vanishing [data-figure=gradient_replay]');
      return gd._fullData.map((t) => t.line && t.line.color); }""")
    assert "#000000" not in colour and "#e6e6e6" in colour
    page.close()
    page, _ = _open(browser, live_server, "4-2", "en", "dark")
    nodes = page.evaluate("""() => {
      const gd = document.querySelector('#exp-handcrafted [data-figure=network]');
      const t = gd._fullData.find((d) => (d.mode || '').includes('text'));
      return [t.marker.color, t.textfont.color]; }""")
    assert nodes[0] != "#ffffff" and nodes[1].lower() != nodes[0].lower()
    page.close()


def test_plotly_toolbar_speaks_chinese_on_zh_pages(browser, live_server):
    page, errors = _open(browser, live_server, "4-4", "zh", "light")
    fig = page.locator("#exp-derivative [data-figure=function]")
    assert fig.evaluate("gd => gd._context.locale") == "zh-CN"
    fig.hover()
    expect(fig.locator('.modebar-btn[data-title="下载图表为PNG格式"]')).to_have_count(1)
    page.close()
    page, _ = _open(browser, live_server, "4-4", "en", "light")
    fig = page.locator("#exp-derivative [data-figure=function]")
    assert fig.evaluate("gd => gd._context.locale") == "en-US"
    assert errors == []
    page.close()


def test_csv_is_one_long_table_of_series_index_value(page, live_server):
    page.goto(f"{live_server}/exercises/4-2?lang=zh")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-drawn", "all", timeout=60_000)
    result = section.evaluate("s => window.fflab.views.find((v) => v.section === s).result.data")
    with page.expect_download() as dl:
        section.locator("button.download-csv").click()
    rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"), newline="")))
    assert rows[0] == ["series", "index", "value"]
    assert all(len(r) == 3 for r in rows)
    by_series: dict[str, list[list[str]]] = {}
    for name, index, value in rows[1:]:
        by_series.setdefault(name, []).append([index, value])
    # Series of different lengths each keep their own rows: 1000 losses, 21 replay epochs.
    assert len(by_series["loss"]) == len(result["loss"])
    assert len(by_series["replay_epochs"]) == len(result["replay_epochs"]) < len(result["loss"])
    assert by_series["loss"][7][0] == "7"
    assert float(by_series["loss"][7][1]) == pytest.approx(result["loss"][7], rel=1e-12)
    # A 2-D series: its index is "row,column"; a single number: an empty index.
    assert by_series["W1"][1][0] == "0,1"
    assert float(by_series["W1"][1][1]) == pytest.approx(result["W1"][0][1], rel=1e-12)
    assert by_series["b2"] == [["", by_series["b2"][0][1]]]
    assert float(by_series["b2"][0][1]) == pytest.approx(result["b2"], rel=1e-12)


def test_on_a_phone_the_figure_stays_in_view_while_a_control_moves(browser, live_server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server}/exercises/4-2?lang=en")
    section = page.locator("#exp-handcrafted")
    expect(section).to_have_attribute("data-drawn", "all", timeout=60_000)
    # Plotly's toolbar does not sit over the figure titles on a phone.
    assert section.locator(".modebar-container").first.is_hidden()
    first = section.locator(".figure-wrap").first
    for name in ("w1_11", "b2"):  # the first control and the last, far below the figure on a phone
        box = section.locator(f'[data-param="{name}"] input[type=number]')
        box.scroll_into_view_if_needed()
        box.focus()
        page.keyboard.press("ArrowUp")
        expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
        r = first.bounding_box()
        assert r["y"] < 844 and r["y"] + r["height"] > 0, (name, r)
        assert r["y"] + r["height"] <= 844 or r["y"] >= 0
        # The focused box is not under the figure.
        b = box.bounding_box()
        assert b["y"] >= r["y"] + r["height"] - 1 or b["y"] + b["height"] <= r["y"], (name, b, r)
    page.close()
