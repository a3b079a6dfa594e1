/* Feedforward Lab — small helpers shared by the page scripts: DOM building, number formatting,
 * Plotly typed arrays, downloads, CSV, text summaries of figures, and how a figure looks on the page.
 * Loaded after plotly.js and before exercise.js; everything lives on window.FFLab.
 *
 * How a figure looks: every Plotly.react / newPlot of the page goes through figureFor(gd, fig) and
 * plotConfig() (Plotly.react is wrapped once, below, so that no call misses them). Dark theme: greys
 * drawn on the theme's background are mirrored (a black line turns light, a white node dark), other
 * colours lightened until they stand out; a surface (heatmap, filled contour) and the marks on it keep
 * theirs. Both themes: text gets 4.5:1 against what is behind it (its box, its marker or bar, the
 * plot); a horizontal legend outside the plot goes to the figure's bottom edge, under the x-axis
 * title; a title wraps to the figure's width (again on resize); log axes label whole decades; zh
 * pages get Plotly's zh-CN locale.
 */
"use strict";

(function () {
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const S = page.strings;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  /* ---- number formatting ---- */
  function fmt(v, full) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "boolean") return v ? S.yes : S.no;
    if (typeof v === "number") {
      if (Number.isInteger(v) || full) return String(v);
      const a = Math.abs(v);
      if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
      return String(Number(v.toPrecision(6)));
    }
    if (Array.isArray(v)) return v.map((x) => fmt(x, full)).join(", ");
    if (typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}: ${fmt(x, full)}`).join(" · ");
    return String(v);
  }

  /* ---- typed arrays (Plotly's {dtype, bdata}) decoded for summaries ---- */
  const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array };
  function decode(v) {
    if (v && typeof v === "object" && v.bdata && TYPED[v.dtype]) {
      const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
      return Array.from(new TYPED[v.dtype](bytes.buffer));
    }
    return Array.isArray(v) ? v : [];
  }
  function range(values) {
    const finite = values.flat(Infinity).filter((x) => typeof x === "number" && Number.isFinite(x));
    return finite.length ? [Math.min(...finite.slice(0, 100000)), Math.max(...finite.slice(0, 100000))] : null;
  }

  /* ---- colours: parse, WCAG contrast, mirror and nudge ---- */
  const NAMED = { black: "#000000", white: "#ffffff", grey: "#808080", gray: "#808080", transparent: "rgba(0,0,0,0)" };
  function rgba(c) {
    if (typeof c !== "string") return null;
    const s = NAMED[c.trim().toLowerCase()] || c.trim();
    let m = /^#([0-9a-f]{3,8})$/i.exec(s);
    if (m) {
      let h = m[1];
      if (h.length <= 4) h = [...h].map((x) => x + x).join("");
      const n = (i) => parseInt(h.slice(i, i + 2), 16);
      return { r: n(0), g: n(2), b: n(4), a: h.length === 8 ? n(6) / 255 : 1 };
    }
    m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+))?\s*\)$/i.exec(s);
    return m ? { r: +m[1], g: +m[2], b: +m[3], a: m[4] === undefined ? 1 : +m[4] } : null;
  }
  const css = (c) => (c.a < 1 ? `rgba(${Math.round(c.r)},${Math.round(c.g)},${Math.round(c.b)},${c.a})`
    : "#" + [c.r, c.g, c.b].map((x) => Math.round(x).toString(16).padStart(2, "0")).join(""));
  function luminance(c) {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  const over = (c, bg) => ({ r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a),
    b: c.b * c.a + bg.b * (1 - c.a), a: 1 });
  const mix = (c, to, t) => ({ r: c.r + (to.r - c.r) * t, g: c.g + (to.g - c.g) * t, b: c.b + (to.b - c.b) * t, a: c.a });
  /* `colour` moved towards white on a dark background (black on a light one) until it reaches `target`. */
  function legible(colour, bg, target) {
    const c = rgba(colour);
    if (!c || !bg || contrast(over(c, bg), bg) >= target) return colour;
    const to = luminance(bg) < 0.18 ? { r: 255, g: 255, b: 255 } : { r: 0, g: 0, b: 0 };
    for (let t = 0.05; t < 1; t += 0.05) {
      const m = { ...mix(c, to, t), a: 1 };
      if (contrast(m, bg) >= target) return css(m);
    }
    return css({ ...to, a: 1 });
  }

  /* ---- the theme of the page, applied to figures ---- */
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  const isDark = () => Boolean(dark && dark.matches);
  const DARK = { paper: "#0d1117", plot: "#161b22", font: "#e6edf3", grid: "#30363d", line: "#8b949e" };
  const SURFACES = new Set(["heatmap", "contour", "histogram2d", "histogram2dcontour", "image"]);
  const BLACK = { r: 0, g: 0, b: 0, a: 1 };
  const WHITE = { r: 255, g: 255, b: 255, a: 1 };
  const clone = (x) => (x === undefined ? x : JSON.parse(JSON.stringify(x)));

  /* Dark theme: a grey is mirrored into the dark range (black -> light, white -> the plot's colour),
     any other colour lightened until it stands out (3:1) from the plot. */
  function paint(colour) {
    if (Array.isArray(colour)) return colour.map(paint);
    const c = rgba(colour);
    if (!c) return colour;
    if (Math.max(c.r, c.g, c.b) - Math.min(c.r, c.g, c.b) <= 30) {
      const v = (x) => 22 + ((255 - x) * 208) / 255;
      return css({ r: v(c.r), g: v(c.g), b: v(c.b), a: c.a });
    }
    return legible(colour, rgba(DARK.plot), 3);
  }

  const themed = (layout) => layout; // kept for callers: the theme is applied as a figure is drawn

  /* A copy of fig = {data, layout, frames} as it is drawn in the current theme (see the top of the file). */
  function themedFigure(fig) {
    const data = clone(fig.data || []);
    const layout = clone(fig.layout || {});
    const frames = clone(fig.frames || []);
    const dk = isDark();
    const axisKeys = Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k));
    if (dk) {
      Object.assign(layout, { paper_bgcolor: DARK.paper, plot_bgcolor: DARK.plot,
        font: { ...(layout.font || {}), color: DARK.font } });
      for (const k of axisKeys.length ? axisKeys : ["xaxis", "yaxis"]) {
        layout[k] = { ...(layout[k] || {}), gridcolor: DARK.grid, linecolor: DARK.line, zerolinecolor: DARK.grid };
      }
    }
    const plotBg = rgba(layout.plot_bgcolor || "#ffffff");
    const paperBg = rgba(layout.paper_bgcolor || "#ffffff");
    const fontColour = (layout.font && layout.font.color) || "#444444";
    // Subplots whose background is a surface: marks there keep their colours.
    const onSurface = new Set(data.filter((t) => SURFACES.has(t.type) && !(t.type === "contour"
      && t.contours && ["none", "lines"].includes(t.contours.coloring))).map((t) => (t.xaxis || "x") + (t.yaxis || "y")));
    const subplotOf = (xref, yref) => {
      const [x, y] = [xref, yref].map((r) => (!r || r === "paper" ? null : r.replace(" domain", "")));
      if (!x && !y) return onSurface.size === 1 && axisKeys.length <= 2 ? [...onSurface][0] : "paper";
      return (x || "x") + (y || "y");
    };
    const themeBg = (sub) => !onSurface.has(sub);

    const traceLook = (t, surface) => {
      // A see-through trace: the see-through goes into its colours, so that its legend text stays solid.
      if (typeof t.opacity === "number" && t.opacity < 1 && !SURFACES.has(t.type)) {
        const fade = (c) => (Array.isArray(c) ? c.map(fade) : rgba(c) ? css({ ...rgba(c), a: rgba(c).a * t.opacity }) : c);
        if (t.line && t.line.color) t.line.color = fade(t.line.color);
        if (t.marker && t.marker.color) t.marker.color = fade(t.marker.color);
        if (t.fillcolor) t.fillcolor = fade(t.fillcolor);
        t.opacity = 1;
      }
      if (dk && !surface && !SURFACES.has(t.type)) {
        if (t.line && t.line.color) t.line.color = paint(t.line.color);
        if (t.marker && t.marker.color) t.marker.color = paint(t.marker.color);
        if (t.marker && t.marker.line && t.marker.line.color) t.marker.line.color = paint(t.marker.line.color);
        for (const e of [t.error_x, t.error_y]) if (e && e.color) e.color = paint(e.color);
        if (t.fillcolor) t.fillcolor = paint(t.fillcolor);
      }
      const mode = t.mode || "";
      if (t.type === "scatter" && mode.includes("text")) {
        // Text in the middle of its marker is read against the marker, else against the plot.
        const centred = mode.includes("markers") && (!t.textposition || t.textposition === "middle center");
        const m = centred && t.marker && typeof t.marker.color === "string" ? rgba(t.marker.color) : null;
        const bg = m ? over(m, plotBg) : surface ? null : plotBg;
        t.textfont = { ...(t.textfont || {}), color: legible((t.textfont && t.textfont.color) || fontColour, bg, 4.5) };
      } else if (t.type === "bar" && t.textposition === "outside" && !surface) {
        t.textfont = { ...(t.textfont || {}), color: legible((t.textfont && t.textfont.color) || fontColour, plotBg, 4.5) };
      } else if (t.type === "bar" && t.text && t.textposition !== "none" && t.marker) {
        // Text inside a bar: black or white, whichever stands out more from that bar.
        const best = (c) => { const b = rgba(c);
          return b && (contrast(b, BLACK) >= contrast(b, WHITE) ? "#000000" : "#ffffff"); };
        const colours = [].concat(t.marker.color).map(best);
        if (colours.every(Boolean)) {
          t.insidetextfont = { ...(t.insidetextfont || {}), color: Array.isArray(t.marker.color) ? colours : colours[0] };
        }
      }
    };
    data.forEach((t) => traceLook(t, onSurface.has((t.xaxis || "x") + (t.yaxis || "y"))));
    for (const f of frames) (f.data || []).forEach((t, i) => {
      const target = data[(f.traces || [])[i] ?? i] || {};
      traceLook(t, onSurface.has((target.xaxis || "x") + (target.yaxis || "y")));
    });

    for (const s of layout.shapes || []) {
      if (!dk || !themeBg(subplotOf(s.xref, s.yref))) continue;
      if (s.line && s.line.color) s.line.color = paint(s.line.color);
      if (s.fillcolor) s.fillcolor = paint(s.fillcolor);
    }
    for (const a of layout.annotations || []) {
      const onTheme = themeBg(subplotOf(a.xref, a.yref));
      if (dk && onTheme) {
        for (const k of ["bgcolor", "bordercolor", "arrowcolor"]) if (a[k]) a[k] = paint(a[k]);
      }
      const box = rgba(a.bgcolor);
      // A see-through box is read over the plot's colour (the darker case in the dark theme).
      const bg = box && box.a > 0 ? over(box, plotBg) : onTheme ? plotBg : null;
      if (bg) a.font = { ...(a.font || {}), color: legible((a.font && a.font.color) || fontColour, bg, 4.5) };
    }
    // Fonts a figure set itself (titles, ticks, legend) against the paper.
    const fix = (o) => { if (o && o.font && o.font.color) o.font.color = legible(o.font.color, paperBg, 4.5); };
    [layout.title, layout.legend, ...axisKeys.flatMap((k) => [layout[k].title, { font: layout[k].tickfont }])].forEach(fix);

    // A horizontal legend outside the plot (under it, or over it where a long title runs into it):
    // at the figure's bottom edge, never over the x-axis title.
    const lg = layout.legend;
    const outside = (l) => l.y < 0 || l.y > 1 || (l.y === 0 && l.yanchor === "top") || (l.y === 1 && l.yanchor === "bottom");
    if (lg && lg.orientation === "h" && typeof lg.y === "number" && outside(lg) && !lg.yref) {
      layout.legend = { ...lg, yref: "container", y: 0, yanchor: "bottom" };
    }
    return { data, layout, frames };
  }

  /* ---- titles that fit, log axes that label decades ---- */
  const canvas = document.createElement("canvas").getContext("2d");

  /* Split `text` into lines no wider than `width` px in `font`: at spaces, and between Chinese characters
     (an opening bracket stays with what follows, a comma or closing bracket with what precedes). */
  const TOKENS = /[\uff08\u300a\u300c\u3010]?[\u3400-\u9fff][\u3001\u3002\uff09\uff0c\uff1a\uff1b\uff01\uff1f\u300b\u300d\u3011]*|[^\s\u3400-\u9fff]+\s*|\s+/g;
  function wrapText(text, width, font) {
    canvas.font = font;
    const tokens = text.match(TOKENS) || [text];
    const lines = [""];
    for (const tok of tokens) {
      const cur = lines[lines.length - 1];
      if (cur && canvas.measureText((cur + tok).trimEnd()).width > width) lines.push(tok.trimStart());
      else lines[lines.length - 1] = cur + tok;
    }
    return lines;
  }

  /* The title of `layout` (and of each frame's) wrapped to `width` px, in the figure's own title size or
     a step or two smaller when it needs more than two lines; the top margin (at least `orig.t`) fits it. */
  function fitTitles(layout, frames, width, orig) {
    const title = layout.title;
    if (!title || !title.text || !width) return null;
    const family = (title.font && title.font.family) || (layout.font && layout.font.family) || "sans-serif";
    const x = typeof title.x === "number" ? title.x : 0.5;
    const room = width * (1 - (title.xanchor === "left" ? x : 0)) - 16;
    const titled = frames.filter((f) => f.layout && f.layout.title && f.layout.title.text);
    const texts = [title, ...titled.map((f) => f.layout.title)].map((t) => String(t.text).replace(/<br>/g, ""));
    let size, wrapped;
    for (size of [orig.size, orig.size - 2, orig.size - 3]) {
      wrapped = texts.map((t) => wrapText(t, room, `${size}px ${family}`));
      if (Math.max(...wrapped.map((l) => l.length)) <= 2) break;
    }
    const lines = Math.max(...wrapped.map((l) => l.length));
    const apply = (t, l) => ({ ...t, text: l.join("<br>"), font: { ...(t.font || {}), size } });
    return {
      title: apply(title, wrapped[0]),
      frames: frames.map((f) => (titled.includes(f)
        ? { ...f, layout: { ...f.layout, title: apply(f.layout.title, wrapped[1 + titled.indexOf(f)]) } } : f)),
      margin: { ...(layout.margin || {}), t: Math.max(orig.t, Math.round(20 + lines * size * 1.3)) },
    };
  }

  /* Log axes where Plotly chose labels at 2 and 5 (or every digit): whole decades, as many as fit. */
  function decadeTicks(gd) {
    const full = gd._fullLayout || {};
    const update = {};
    for (const k of Object.keys(full).filter((n) => /^[xy]axis\d*$/.test(n))) {
      const [ax, own] = [full[k], gd.layout[k] || {}];
      if (ax.type !== "log" || own.dtick !== undefined || own.tickvals || !ax.range || !ax._length) continue;
      const span = Math.abs(ax.range[1] - ax.range[0]);
      const gap = k[0] === "y" ? 28 : 48; // px between labels
      if (span < 1 || !/^D[12]$/.test(String(ax.dtick))) continue;
      if (span < 2) {
        if (ax.dtick === "D1") update[`${k}.dtick`] = "D2";
      } else {
        update[`${k}.dtick`] = Math.max(1, Math.ceil((span * gap) / ax._length));
        update[`${k}.tick0`] = 0;
      }
    }
    if (Object.keys(update).length) return window.Plotly.relayout(gd, update);
  }

  /* ---- drawing: every Plotly.react / newPlot of the page ---- */
  function plotConfig(extra) {
    return { responsive: true, displaylogo: false, ...(extra || {}), ...(page.lang === "zh" ? { locale: "zh-CN" } : {}) };
  }

  const DONE = Symbol("fflab: figureFor done");
  const framesOf = new WeakMap(); // div -> the frames figureFor gave it: ours, not Plotly's private state

  /* What Plotly.react(gd, …) should draw for `fig` in this page's theme, at gd's width. */
  function figureFor(gd, fig) {
    const out = themedFigure(fig);
    const title = out.layout.title;
    gd._fflabTitle = { size: Number((title && title.font && title.font.size) || 15),
      t: (out.layout.margin && out.layout.margin.t) || 50 };
    gd._fflabWidth = gd.clientWidth;
    // A figure of a set height keeps it when the window is resized: Plotly's responsive resize drops
    // layout.height and takes the box's height instead.
    gd.style.height = out.layout.height ? `${out.layout.height}px` : "";
    const fit = fitTitles(out.layout, out.frames, gd.clientWidth, gd._fflabTitle);
    if (fit) Object.assign(out, { frames: fit.frames, layout: { ...out.layout, title: fit.title, margin: fit.margin } });
    framesOf.set(gd, out.frames);
    out.layout[DONE] = true;
    return out;
  }

  /* Refit the titles when the figure's width changes (Plotly resizes responsive figures itself). */
  const resized = window.ResizeObserver && new ResizeObserver((entries) => {
    for (const { target: gd } of entries) {
      if (!gd.layout || !gd._fflabTitle || gd._fflabWidth === gd.clientWidth) continue;
      gd._fflabWidth = gd.clientWidth;
      const frames = framesOf.get(gd) || [];
      const fit = fitTitles(gd.layout, frames, gd.clientWidth, gd._fflabTitle);
      if (!fit || (fit.title.text === gd.layout.title.text && fit.margin.t === (gd.layout.margin || {}).t)) continue;
      window.Plotly.relayout(gd, { title: fit.title, margin: fit.margin });
      const titled = fit.frames.filter((f, i) => f !== frames[i]);
      if (titled.length) window.Plotly.addFrames(gd, titled);
    }
  });

  /* Wrap Plotly.react and Plotly.newPlot once: a figure not yet made by figureFor is, and every call
     gets plotConfig (zh-CN locale on zh pages); afterwards log axes get their decades. */
  function wrapPlotly() {
    const P = window.Plotly;
    if (!P || P.__fflab) return;
    P.__fflab = true;
    if (page.lang === "zh" && P.setPlotConfig) P.setPlotConfig({ locale: "zh-CN" });
    for (const name of ["react", "newPlot"]) {
      const original = P[name];
      P[name] = function (gd, fig, ...rest) {
        const div = typeof gd === "string" ? document.getElementById(gd) : gd;
        if (!div || !fig || !fig.data || rest.length) return original.call(P, gd, fig, ...rest);
        const drawn = fig.layout && fig.layout[DONE] ? { ...fig } : figureFor(div, fig);
        drawn.config = plotConfig(fig.config);
        if (resized) resized.observe(div);
        return original.call(P, div, drawn).then((g) => {
          if (!div._fflabTicks) { // after any redraw (a resize too), once Plotly has chosen its ticks
            div._fflabTicks = true;
            div.on("plotly_afterplot", () => setTimeout(() => decadeTicks(div), 0));
          }
          return Promise.resolve(decadeTicks(div)).then(() => g);
        });
      };
    }
  }
  wrapPlotly();

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /* The result's data as one long table, `series,index,value`: one row per number, so series of
     different lengths never sit side by side. A nested value's index is its path ("3,1" = row 3,
     column 1; a key for a named entry); a single number has an empty index. */
  function toCsv(data) {
    const cell = (x) => {
      if (x === null || x === undefined) return "";
      const t = String(x);
      return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
    };
    const lines = ["series,index,value"];
    const walk = (name, v, path) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(name, x, [...path, i]));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(name, x, [...path, k]);
      else lines.push([name, path.join(","), v].map(cell).join(","));
    };
    for (const [name, v] of Object.entries(data || {})) walk(name, v, []);
    return lines.join("\r\n") + "\r\n";
  }

  /* A text summary of a figure for screen readers and for anyone who wants the numbers. */
  function summarize(fig, name) {
    const title = (fig.layout && fig.layout.title && fig.layout.title.text) || name;
    const meta = fig.layout && fig.layout.meta;
    if (meta && typeof meta.summary === "string") return `${S.figure} — ${title}. ${meta.summary}`;
    const parts = [];
    for (const t of (fig.data || []).slice(0, 8)) {
      const label = t.name || t.type || "";
      if (t.type === "contour" || t.type === "heatmap") {
        const r = range(decode(t.z));
        if (r) parts.push(`${label || t.type}: ${S.from_to.replace("{a}", fmt(r[0])).replace("{b}", fmt(r[1]))}`);
        continue;
      }
      const y = decode(t.y);
      const r = range(y);
      if (r && label) parts.push(`${label}: ${S.from_to.replace("{a}", fmt(r[0])).replace("{b}", fmt(r[1]))}`);
    }
    return `${S.figure} — ${title}. ${parts.join("; ")}${parts.length ? "." : ""}`;
  }

  window.FFLab = { page, el, fmt, decode, range, dark, themed, themedFigure, figureFor, plotConfig, contrast, rgba,
    download, toCsv, summarize };
})();
