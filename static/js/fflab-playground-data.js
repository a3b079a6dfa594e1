/* Feedforward Lab — the playground's own data: click on the plane to add or remove points, drag one to
 * move it, paste CSV.
 *
 * With the data set custom (two classes) or custom_curve (x, y) a panel opens under the data set: the class
 * of a new point, the number of points, Clear, and a box for pasted rows. A click on the decision surface
 * (or the curve's plot) adds a point of the chosen class there; a click within a few pixels of a point
 * removes it; a point pressed and dragged follows the pointer and moves where it is released (one request,
 * after the release). The CSV box is the way in without a mouse. The points live in the `points` control,
 * whose code (four base64url characters a point: x index (12 bits), y index (11 bits), class (1 bit);
 * app/exercises/playground/custom.py) travels in the link, so a drawing is shared by its link. Pasted rows
 * that fit the link (≤ 200 points in [−6, 6], read here at 0.01) become points too; others (more rows,
 * larger values, or a row the page cannot read) are sent in the request body (POST, through exercise.js's
 * beforeFetch hook), the server refuses a bad row by its number beside the box, and the page says that the
 * link no longer holds the data.
 * Loaded after fflab-playground.js.
 */
"use strict";

(function () {
  if (!window.FFLab.playground) return; // not the playground page (fflab-playground.js)
  const { el, page, playground: { view, fill } } = window.FFLab;
  if (!view.controls.points || !view.controls.dataset) return;
  const lang = page.lang;
  const T = {
    hint: { en: "Click on the plane to add a point of the chosen class; click a point to remove it; drag a point " +
      "to move it. Without a mouse, type the points into the CSV box below.",
    zh: "在平面上点击即可添加所选类别的点；点击已有的点即可删除它；拖动一个点可以移动它。" +
      "不用鼠标时，可在下方的 CSV 框中输入这些点。" },
    hint_curve: { en: "Click on the plot to add a point (x, y); click a point to remove it; drag a point to move " +
      "it. Without a mouse, type the points into the CSV box below.",
    zh: "在图上点击即可添加点 (x, y)；点击已有的点即可删除它；拖动一个点可以移动它。" +
      "不用鼠标时，可在下方的 CSV 框中输入这些点。" },
    new_class: { en: "Class of a new point:", zh: "新点的类别：" },
    class_k: { en: "class {k}", zh: "类别 {k}" },
    count: { en: "{n} points in the link (at most 200).", zh: "链接中有 {n} 个点（最多 200 个）。" },
    full: { en: "The link holds at most 200 points: remove one first, or paste a larger set as CSV.",
      zh: "链接最多保存 200 个点：请先删除一个，或把更大的数据集以 CSV 粘贴。" },
    clear: { en: "Clear points", zh: "清除所有点" },
    paste: { en: "Paste rows (CSV)", zh: "粘贴数据（CSV）" },
    paste_help: { en: "One point a row: x1,x2,label (label 0 or 1), or x,y for custom_curve; up to 1000 rows.",
      zh: "每行一个点：x1,x2,label（标签为 0 或 1），custom_curve 则为 x,y；最多 1000 行。" },
    use: { en: "Use these rows", zh: "使用这些行" },
    rounded: { en: "{n} rows read into the link, rounded to 0.01.", zh: "已把 {n} 行写入链接，数值取到 0.01。" },
    started: { en: "The link held no points: started from {n}. Click to add more.",
      zh: "链接中没有点：已从 {n} 个点开始，点击可添加更多。" },
    sent: { en: "The link no longer holds the data: {n} pasted rows travel in each request (the link holds at " +
      "most 200 points within [−6, 6]). Save them yourself to share this setting.",
    zh: "链接已不再包含数据：{n} 行粘贴的数据随每次请求发送（链接最多保存 200 个 [−6, 6] 内的点）。" +
      "如需分享此设置，请自行保存这些数据。" },
    pasted_drawing: { en: "Drawing works on points in the link: use Clear to leave the pasted rows.",
      zh: "绘制只作用于链接中的点：请先点“清除所有点”，离开粘贴的数据。" },
  };
  const t = (key, vars) => fill(T[key][lang], vars);

  /* ---- the points code (as app/exercises/playground/custom.py) ---- */
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const LIMIT = 6;
  const LEVELS = 1200;
  const MAX_LINK = 200;
  const PICK_PX = 9;
  const MOVE_PX = 5; // a press released nearer than this is a click, farther a drag
  const CUSTOM = ["custom", "custom_curve"];
  const index = (v) => Math.min(LEVELS, Math.max(0, Math.round((v + LIMIT) * 100)));
  const round2 = (v) => Math.round(v * 100) / 100;

  function encode(points) {
    return points.map(({ x, y, c }) => {
      const w = (index(x) << 12) | (index(y) << 1) | (c ? 1 : 0);
      return [18, 12, 6, 0].map((s) => ALPHABET[(w >> s) & 63]).join("");
    }).join("");
  }

  function decode(code) {
    const out = [];
    for (let i = 0; i + 4 <= code.length; i += 4) {
      let w = 0;
      for (const ch of code.slice(i, i + 4)) w = (w << 6) | Math.max(0, ALPHABET.indexOf(ch));
      out.push({ x: round2((w >> 12) / 100 - LIMIT), y: round2(((w >> 1) & 2047) / 100 - LIMIT), c: w & 1 });
    }
    return out;
  }

  /* Rows the link can hold, or null: every row readable, ≤ 200 of them, within [−6, 6]. The server reads
     (and refuses) anything else, naming the row. */
  function linkRows(text, columns) {
    const out = [];
    for (const line of text.split(/\r?\n/)) {
      const s = line.trim();
      if (!s || s.startsWith("#")) continue;
      const fields = s.split(/[,;\t ]+/).filter(Boolean);
      const values = fields.map((f) => (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(f) ? Number(f) : NaN));
      if (!out.length && values.every(Number.isNaN)) continue; // a header
      if (fields.length !== columns || !values.every((v) => Math.abs(v) <= LIMIT)) return null;
      if (columns === 3 && values[2] !== 0 && values[2] !== 1) return null;
      out.push(columns === 3 ? { x: values[0], y: values[1], c: values[2] } : { x: values[0], y: values[1], c: 0 });
      if (out.length > MAX_LINK) return null;
    }
    return out.length ? out : null;
  }

  const points = view.controls.points;
  const dataset = view.controls.dataset;
  let pasted = null; // { text, n }: rows sent in the request body instead of the link
  const isCustom = () => CUSTOM.includes(dataset.value);
  const isCurve = () => dataset.value === "custom_curve";

  /* ---- the panel ---- */
  const hint = el("p", { class: "hint" });
  const choice = el("div", { class: "class-choice", role: "radiogroup", "aria-labelledby": "own-class-label" },
    el("span", { id: "own-class-label", text: t("new_class") }));
  for (const k of [0, 1]) {
    const id = `own-class-${k}`;
    choice.append(" ", el("span", { class: "pick" }, // a radio never parted from its label by a line break
      el("input", { type: "radio", name: "own-class", id, value: String(k), checked: k === 1 }),
      el("label", { for: id, text: ` ${t("class_k", { k })}` })));
  }
  const count = el("p", { class: "count", "aria-live": "polite" });
  const clear = el("button", { type: "button", class: "clear-points", text: t("clear") });
  const area = el("textarea", { id: "own-csv", rows: "5", spellcheck: "false", "aria-describedby": "own-csv-help own-csv-error" });
  const csvError = el("p", { class: "error", id: "own-csv-error", role: "alert" });
  const use = el("button", { type: "button", class: "use-csv", text: t("use") });
  const note = el("p", { class: "link-note", hidden: true });
  const panel = el("div", { class: "own-data", "data-own-data": "" }, hint, choice, count, clear, points.wrap,
    el("label", { for: "own-csv", text: t("paste") }), area,
    el("p", { class: "help", id: "own-csv-help", text: t("paste_help") }), use, csvError, note);
  (view.controls.formula || dataset).wrap.after(panel);
  // The panel's own box sends pasted rows in the request body; the API's `csv` field needs no box of its own.
  if (view.controls.csv) view.controls.csv.wrap.hidden = true;

  function update() {
    panel.hidden = !isCustom() || dataset.wrap.hidden;
    hint.textContent = t(isCurve() ? "hint_curve" : "hint");
    choice.hidden = isCurve();
    count.textContent = pasted ? "" : t("count", { n: decode(points.value).length });
    note.hidden = !pasted;
    if (pasted) note.textContent = t("sent", { n: pasted.n });
  }

  function setPoints(list) {
    pasted = null;
    points.value = encode(list);
    update();
    view.changed("choice");
  }

  /* A custom set that starts empty starts from the points of the last result, if they fit. */
  function seed() {
    const d = (view.result && view.result.data) || {};
    const xs = [...(d.x_train || []), ...(d.x_test || [])];
    const ys = [...(d.y_train || []), ...(d.y_test || [])];
    const width = isCurve() ? 1 : 2;
    if (!xs.length || !Array.isArray(xs[0]) || xs[0].length !== width) return;
    const list = xs.slice(0, MAX_LINK).map((x, i) => (width === 2 ? { x: x[0], y: x[1], c: ys[i] > 0.5 ? 1 : 0 }
      : { x: x[0], y: ys[i], c: 0 }));
    points.value = encode(list.filter((p) => Math.abs(p.x) <= LIMIT && Math.abs(p.y) <= LIMIT));
  }

  const changed = view.changed.bind(view);
  view.changed = (kind) => {
    if (!isCustom()) pasted = null;
    else if (!pasted && !points.value) seed();
    update();
    changed(kind);
  };

  view.beforeFetch = (url, init, q) => {
    if (!pasted || !isCustom()) return [url, init];
    const body = { ...Object.fromEntries(q), csv: pasted.text };
    delete body.points;
    return [`${view.info.stream_path || view.path}?lang=${lang}`,
      { ...init, method: "POST", headers: { ...init.headers, "Content-Type": "application/json" }, body: JSON.stringify(body) }];
  };

  const showErrors = view.showErrors.bind(view);
  view.showErrors = (detail) => {
    const mine = (d) => Array.isArray(d.loc) && d.loc[d.loc.length - 1] === "csv";
    showErrors(detail.filter((d) => !mine(d)));
    csvError.textContent = detail.filter(mine).map((d) => d.message).join(" ");
  };
  const clearErrors = view.clearErrors.bind(view);
  view.clearErrors = () => {
    clearErrors();
    csvError.textContent = "";
  };

  clear.addEventListener("click", () => setPoints([]));
  use.addEventListener("click", () => {
    const text = area.value;
    const rows = linkRows(text, isCurve() ? 2 : 3);
    csvError.textContent = "";
    if (rows) {
      setPoints(rows);
      count.textContent = t("rounded", { n: rows.length });
      return;
    }
    pasted = { text, n: text.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith("#")).length };
    points.value = "";
    update();
    view.changed("choice");
  });

  /* ---- clicks and drags on the plane ---- */

  /* Where the pointer is on the figure's plot area, in pixels from its top left corner; outside it (the
     legend, the colour bar …) null, or with `clamp` the nearest place inside it. */
  function planeAt(gd, ev, clamp) {
    const fl = gd._fullLayout;
    if (!fl || !fl.xaxis || !fl.yaxis) return null;
    const xa = fl.xaxis;
    const ya = fl.yaxis;
    const box = gd.getBoundingClientRect();
    let px = ev.clientX - box.left - xa._offset;
    let py = ev.clientY - box.top - ya._offset;
    if (clamp) {
      px = Math.min(xa._length, Math.max(0, px));
      py = Math.min(ya._length, Math.max(0, py));
    } else if (px < 0 || px > xa._length || py < 0 || py > ya._length) return null;
    return { xa, ya, px, py };
  }

  /* The index of the point of `list` within PICK_PX pixels of `at` (the nearest), or −1. */
  function nearest(list, at) {
    let near = -1;
    let best = PICK_PX;
    list.forEach((p, i) => {
      const d = Math.hypot(at.xa.d2p(p.x) - at.px, at.ya.d2p(p.y) - at.py);
      if (d <= best) [near, best] = [i, d];
    });
    return near;
  }

  const dataAt = (at) => ({ x: round2(at.xa.p2d(at.px)), y: round2(at.ya.p2d(at.py)) });

  function onClick(gd, ev) {
    const at = isCustom() && planeAt(gd, ev, false);
    if (!at) return;
    if (pasted) {
      count.textContent = t("pasted_drawing");
      return;
    }
    const list = decode(points.value);
    const near = nearest(list, at);
    if (near >= 0) {
      list.splice(near, 1);
    } else {
      const { x, y } = dataAt(at);
      if (Math.abs(x) > LIMIT || Math.abs(y) > LIMIT) return;
      if (list.length >= MAX_LINK) {
        count.textContent = t("full");
        return;
      }
      list.push({ x, y, c: Number((choice.querySelector("input:checked") || {}).value || 1) });
    }
    setPoints(list);
  }

  /* The drawn marker of point p: the SVG path Plotly places by its transform (and places again on every
     redraw), so moving it by hand during a drag costs nothing and leaves nothing behind. */
  function markerOf(gd, p) {
    for (const node of gd.querySelectorAll(".scatterlayer path.point")) {
      const d = node.__data__;
      if (d && Math.abs(d.x - p.x) < 0.006 && Math.abs(d.y - p.y) < 0.006) return node;
    }
    return null;
  }

  /* A press on the figure: where, when, and which point of the link (if any) is under it. */
  function pressOn(gd, ev) {
    const p = { gd, x: ev.clientX, y: ev.clientY, at: Date.now(), index: -1, code: points.value, moved: false };
    const at = isCustom() && !pasted && planeAt(gd, ev, false);
    if (!at) return p;
    const list = decode(points.value);
    p.index = nearest(list, at);
    p.mark = p.index >= 0 ? markerOf(gd, list[p.index]) : null;
    p.transform = p.mark && p.mark.getAttribute("transform");
    return p;
  }

  /* During a drag the point's marker follows the pointer (kept inside the plot area) and the hover label
     left where the press was is hidden; nothing is sent. */
  function follow(p, ev) {
    if (!p.moved && Math.hypot(ev.clientX - p.x, ev.clientY - p.y) < MOVE_PX) return;
    p.moved = true;
    hoverShown(p.gd, false);
    const at = planeAt(p.gd, ev, true);
    if (at && p.mark) p.mark.setAttribute("transform", `translate(${at.px},${at.py})`);
  }

  /* The release of a drag: the point moves to where it was let go (inside the plot area, within
     [−6, 6]), and the new link is asked once. */
  function drop(p, ev) {
    const at = planeAt(p.gd, ev, true);
    const list = decode(points.value);
    if (!at || points.value !== p.code || !list[p.index]) return unfollow(p); // the points changed meanwhile
    const { x, y } = dataAt(at);
    const inside = (v) => Math.max(-LIMIT, Math.min(LIMIT, v));
    list[p.index] = { ...list[p.index], x: inside(x), y: inside(y) };
    if (encode(list) === points.value) return unfollow(p);
    setPoints(list);
  }

  function unfollow(p) {
    if (p.mark && p.transform) p.mark.setAttribute("transform", p.transform);
  }

  function hoverShown(gd, on) {
    const layer = gd.querySelector(".hoverlayer");
    if (layer) layer.style.visibility = on ? "" : "hidden";
  }

  /* Plotly covers the page while a button is down (to follow a drag), so neither the click nor the moves
     reach the figure: the press is heard on the figure, the moves and the release on the window. A release
     within a few pixels of the press, soon after, is the click; a press on a point that moves farther is
     a drag. */
  let press = null;
  function listen() {
    const gd = view.figuresBox.querySelector('[data-figure="surface"]');
    if (gd && !gd.dataset.ownData) {
      gd.dataset.ownData = "1";
      gd.addEventListener("pointerdown", (ev) => {
        press = ev.button === 0 ? pressOn(gd, ev) : null;
      }, true);
    }
  }
  window.addEventListener("pointermove", (ev) => {
    if (press && press.index >= 0) follow(press, ev);
  }, true);
  window.addEventListener("pointerup", (ev) => {
    const p = press;
    press = null;
    if (!p) return;
    hoverShown(p.gd, true);
    const far = Math.hypot(ev.clientX - p.x, ev.clientY - p.y) >= MOVE_PX;
    if (p.index >= 0 && (p.moved || far)) drop(p, ev);
    else if (!far && Date.now() - p.at < 800) onClick(p.gd, ev);
  }, true);
  window.addEventListener("pointercancel", () => { // a touch that became a scroll
    if (press) {
      unfollow(press);
      hoverShown(press.gd, true);
    }
    press = null;
  }, true);
  view.section.addEventListener("fflab:drawn", listen);
  listen(); // the page's first result is drawn before this script runs
  points.input.addEventListener("input", () => {
    pasted = null;
    update();
  });
  /* A link to your own points that holds none (and no earlier result to start from) would leave no plot to
     click on: start from a few points, said in the count line, and let the reader change them. */
  const STARTERS = {
    custom: [{ x: -1, y: -1, c: 0 }, { x: -1, y: 1, c: 1 }, { x: 1, y: -1, c: 1 }, { x: 1, y: 1, c: 0 }],
    custom_curve: [-1, -0.5, 0, 0.5, 1].map((x) => ({ x, y: x * x, c: 0 })),
  };
  update();
  if (isCustom() && !points.value && !view.result && !dataset.wrap.hidden && !points.wrap.hidden) {
    setPoints(STARTERS[dataset.value]);
    count.textContent = t("started", { n: STARTERS[dataset.value].length });
  }
  view.section.dataset.ownData = "ready";
})();
