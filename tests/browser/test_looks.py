"""How figures look and leave the page, in Chromium: readable text in both themes, nothing laid over
anything else, titles that fit, phones, Plotly's toolbar in Chinese, and the CSV export.

The look itself lives in static/js/fflab-util.js (figureFor: the theme, title wrapping, legends, log
ticks) and static/css/site.css (phones); these tests read what the browser drew.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.exercises.registry import EXERCISES

WITH_EXPERIMENTS = [ex.id for ex in EXERCISES.values() if ex.experiments]

# For every SVG text of every figure: its colour (with its opacity) against what is behind it — its
# annotation's box, the marker or bar it sits on, the legend box, the plot area or the paper — as
# WCAG contrast ratios; text over a surface (heatmap, filled contour) with no box of its own is left
# out (its background is the surface, not the theme). Returns the texts below 4.5 (3 when large).
CONTRAST = r"""() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const parse = (c) => {
    if (!c || c === 'none') return null;
    ctx.fillStyle = '#010203'; ctx.fillStyle = c; const s = ctx.fillStyle;
    const hex = (i) => parseInt(s.slice(i, i + 2), 16);
    if (s[0] === '#') return {r: hex(1), g: hex(3), b: hex(5), a: 1};
    const p = s.replace(/[^\d.,]/g, '').split(',').map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => { const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const over = (c, bg) => ({r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a),
    b: c.b * c.a + bg.b * (1 - c.a), a: 1});
  const fillOf = (node) => { const st = getComputedStyle(node); const c = parse(st.fill);
    if (c) c.a *= Number(st.fillOpacity || 1); return c; };
  const inside = (p, r) => p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom;
  const bad = [];
  let count = 0;
  for (const gd of document.querySelectorAll('[data-figure]')) {
    const full = gd._fullLayout;
    if (!full) continue;
    const origin = gd.getBoundingClientRect();
    const paper = parse(full.paper_bgcolor);
    const plot = over(parse(full.plot_bgcolor), paper);
    const surface = (t) => ['heatmap', 'histogram2d'].includes(t.type)
      || (t.type === 'contour' && !['none', 'lines'].includes((t.contours || {}).coloring));
    const surfaces = new Set(gd._fullData.filter(surface).map((t) => t.xaxis + t.yaxis));
    const areas = Object.entries(full._plots || {}).map(([id, p]) => ({id, left: origin.left + p.xaxis._offset,
      right: origin.left + p.xaxis._offset + p.xaxis._length, top: origin.top + p.yaxis._offset,
      bottom: origin.top + p.yaxis._offset + p.yaxis._length}));
    for (const t of gd.querySelectorAll('svg text')) {
      if (!t.textContent.trim() || t.closest('.hoverlayer, .modebar, .infolayer .g-cbar .cbbg')) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      let hidden = false;
      let alpha = 1;  // a faded legend entry or group fades its text too
      for (let n = t; n && n !== gd; n = n.parentElement) {
        const st = getComputedStyle(n);
        if (st.display === 'none' || st.visibility === 'hidden') hidden = true;
        alpha *= Number(st.opacity);
      }
      const fg = fillOf(t);
      // A legend entry of a trace switched off is an inactive control: WCAG asks no contrast of it.
      const item = t.closest('.legend .traces');
      const off = item && item.__data__ && item.__data__[0].trace.visible === 'legendonly';
      if (hidden || off || alpha === 0 || !fg) continue;
      fg.a *= alpha;
      const centre = {x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2};
      const area = areas.find((a) => inside(centre, a));
      let bg = area ? plot : paper;
      const onSurface = area && surfaces.has(area.id);
      let known = !onSurface;
      const box = t.closest('.annotation') && t.closest('.annotation').querySelector('rect.bg');
      const legend = t.closest('.legend') && t.closest('.legend').querySelector('rect.bg');
      const group = t.closest('.trace, g.point');
      const under = box || legend;
      if (under) {
        const c = fillOf(under);
        if (c && c.a > 0.5) { bg = over(c, onSurface ? {r: 255, g: 255, b: 255, a: 1} : bg); known = true; }
      } else if (group) {
        const marks = [...group.querySelectorAll('path.point, path')].filter((p) => !p.closest('.textpoint'));
        const mark = marks.find((p) => { const b = p.getBoundingClientRect();
          return b.width > 4 && inside(centre, b); });
        if (mark) { const c = fillOf(mark); if (c && c.a > 0.5) { bg = over(c, bg); known = true; } }
      }
      if (!known) continue;
      count += 1;
      const size = parseFloat(getComputedStyle(t).fontSize);
      const bold = Number(getComputedStyle(t).fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      const value = ratio(over(fg, bg), bg);
      if (value < need) bad.push([gd.dataset.figure, t.textContent.slice(0, 40), Math.round(value * 100) / 100, need]);
    }
  }
  return {count, bad};
}"""

# Layout checks for every figure: drawn whole (a resize of the window once cut figures of a set height
# to the box's minimum); the title inside the figure; the legend apart from the title and x-axis title;
# on a log axis spanning two decades or more, labels at whole decades only.
LAYOUT = r"""() => {
  const out = [];
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const gd of document.querySelectorAll('[data-figure]')) {
    const name = gd.dataset.figure;
    const box = gd.getBoundingClientRect();
    const svgHeight = Number(gd.querySelector('.main-svg').getAttribute('height'));
    if (svgHeight > box.height + 2) out.push([name, `clipped: ${svgHeight} px drawn in ${box.height} px`]);
    const title = gd.querySelector('.gtitle');
    if (title) {
      const r = title.getBoundingClientRect();
      if (r.right > box.right + 1 || r.left < box.left - 1 || r.top < box.top - 1) {
        out.push([name, 'title outside', title.textContent]);
      }
    }
    const legend = gd.querySelector('.legend');
    if (legend && title && meet(legend.getBoundingClientRect(), title.getBoundingClientRect())) {
      out.push([name, 'legend over title', title.textContent]);
    }
    for (const xt of gd.querySelectorAll('.g-xtitle text, .g-x2title text')) {
      if (legend && xt.textContent.trim() && meet(legend.getBoundingClientRect(), xt.getBoundingClientRect())) {
        out.push([name, 'legend over x title', xt.textContent]);
      }
    }
    const full = gd._fullLayout;
    for (const k of Object.keys(full).filter((n) => /^[xy]axis\d*$/.test(n))) {
      const ax = full[k];
      if (ax.type !== 'log' || !ax.visible || !ax.range) continue;
      const span = Math.abs(ax.range[1] - ax.range[0]);
      if (span >= 2 && /^D/.test(String(ax.dtick))) {
        out.push([name, `${k} labels 2s and 5s over ${span.toFixed(1)} decades`]);
      }
      if (ax.dtick === 'D1') out.push([name, `${k} labels every digit`]);
    }
  }
  return out;
}"""


def _open(browser, live_server, exercise, lang, theme, width=1366):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=theme)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/exercises/{exercise}?lang={lang}", timeout=90_000)
    for section in page.locator("section.experiment").all():
        expect(section).to_have_attribute("data-drawn", "all", timeout=60_000)
    return page, errors


def _settle(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_function("""() => [...document.querySelectorAll('[data-figure]')].every((gd) =>
        Math.abs(Number(gd.querySelector('.main-svg').getAttribute('width')) - gd.getBoundingClientRect().width) <= 3
        && gd._fflabWidth === gd.clientWidth)""", timeout=10_000)
    page.wait_for_timeout(300)  # a title refitted after the resize is a relayout away


@pytest.mark.parametrize(("lang", "theme"), [("zh", "dark"), ("en", "light")])
@pytest.mark.parametrize("exercise", WITH_EXPERIMENTS)
def test_figures_are_readable_and_nothing_overlaps(browser, live_server, exercise, lang, theme):
    page, errors = _open(browser, live_server, exercise, lang, theme)
    for width in (1366, 390):
        _settle(page, width)
        contrast = page.evaluate(CONTRAST)
        assert contrast["count"] > 20, contrast
        assert contrast["bad"] == [], (width, contrast["bad"])
        assert page.evaluate(LAYOUT) == [], width
    assert errors == []
    page.close()


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


def test_inline_formulas_fit_a_phone(browser, live_server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for exercise in WITH_EXPERIMENTS:
        for lang in ("en", "zh"):
            page.goto(f"{live_server}/exercises/{exercise}?lang={lang}")
            cut = page.evaluate("""() => [...document.querySelectorAll('main math:not([display=block])')]
              .filter((m) => !m.closest('.math-scroll, .metric, .table-scroll, table'))
              .filter((m) => m.scrollWidth > m.clientWidth + 1 || m.getBoundingClientRect().right > innerWidth - 8)
              .map((m) => m.textContent.slice(0, 40))""")
            assert cut == [], (exercise, lang, cut)
    page.close()


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
