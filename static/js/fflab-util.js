/* Feedforward Lab — small helpers shared by the page scripts: DOM building, number formatting,
 * Plotly typed arrays, the dark theme for figures, downloads, CSV, and text summaries of figures.
 * Loaded before exercise.js; everything lives on window.FFLab.
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
      if (Number.isInteger(v)) return String(v);
      if (full) return String(v);
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
    if (!finite.length) return null;
    return [Math.min(...finite.slice(0, 100000)), Math.max(...finite.slice(0, 100000))];
  }

  /* ---- the system's dark theme, applied to figures too ---- */
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  function themed(layout) {
    if (!dark || !dark.matches) return layout;
    const axis = (a) => ({ ...(a || {}), gridcolor: "#30363d", linecolor: "#8b949e", zerolinecolor: "#30363d" });
    const out = { ...layout, paper_bgcolor: "#0d1117", plot_bgcolor: "#161b22",
      font: { ...(layout.font || {}), color: "#e6edf3" } };
    for (const key of Object.keys(layout)) if (/^[xy]axis\d*$/.test(key)) out[key] = axis(layout[key]);
    if (!out.xaxis) out.xaxis = axis({});
    if (!out.yaxis) out.yaxis = axis({});
    return out;
  }

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function toCsv(data) {
    const cols = Object.entries(data).filter(([, v]) => Array.isArray(v));
    const scalars = Object.entries(data).filter(([, v]) => !Array.isArray(v));
    const n = Math.max(0, ...cols.map(([, v]) => v.length));
    const cell = (x) => {
      if (x === null || x === undefined) return "";
      const t = typeof x === "object" ? JSON.stringify(x) : String(x);
      return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
    };
    const lines = [cols.map(([k]) => cell(k)).join(",")];
    for (let i = 0; i < n; i++) lines.push(cols.map(([, v]) => cell(v[i])).join(","));
    for (const [k, v] of scalars) lines.push(`# ${k}: ${JSON.stringify(v)}`);
    return lines.join("\n") + "\n";
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

  window.FFLab = { page, el, fmt, decode, range, dark, themed, download, toCsv, summarize };
})();
