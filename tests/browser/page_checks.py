"""What the browser tests read off a drawn page, as JavaScript run in it (tests/browser/test_screenshots.py
runs them on every page, in both languages and themes, at a desk and on a phone)."""

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

# Inline formulas in the running text that are cut off or run past the screen's right edge (a phone).
INLINE_MATH_CUT = """() => [...document.querySelectorAll('main math:not([display=block])')]
  .filter((m) => !m.closest('.math-scroll, .metric, .table-scroll, table'))
  .filter((m) => m.scrollWidth > m.clientWidth + 1 || m.getBoundingClientRect().right > innerWidth - 8)
  .map((m) => m.textContent.slice(0, 40))"""

# Every figure laid out at its box's current width (Plotly redraws a responsive figure on resize).
FITTED = """() => [...document.querySelectorAll('[data-figure]')].every((gd) => {
  const svg = gd.querySelector('.main-svg');
  return svg && Math.abs(Number(svg.getAttribute("width")) - gd.getBoundingClientRect().width) <= 3
    && gd._fflabWidth === gd.clientWidth;  // and its title refitted (static/js/fflab-util.js)
})"""
