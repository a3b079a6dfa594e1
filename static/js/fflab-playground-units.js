/* Feedforward Lab — the playground's unit view: pick a unit, see its incoming weights and bias over the epochs.
 *
 * The server draws the "unit" figure for the first hidden unit (app/figures/playground_units.py) and sends
 * every weight of the first network at the recorded epochs (data.weight_epoch, data.weights[l] (F, n_in,
 * n_out), data.biases[l] (F, n_out)). A click on a unit of the neuron map, or the list above the figure
 * (for the keyboard), redraws the figure for that unit from those numbers, with the words, colours and
 * layout the server's figure carries (layout.meta.units), so it reads as the server would have drawn it.
 * A new result keeps the chosen unit when the network still has it. Loaded after fflab-playground.js.
 */
"use strict";

(function () {
  if (!window.FFLab.playground) return; // not the playground page (fflab-playground.js)
  const { el, summarize, playground: { view, fill } } = window.FFLab;

  let chosen = null; // [layer, unit] picked by the reader; null: the server's own figure
  let select = null;

  /* A number as app.format.number(v, sig=3) writes it: 3 significant digits, a true minus sign,
     × 10ⁿ for the very small and the large. */
  const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  function sig3(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "—";
    const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
    let text;
    const e = v === 0 ? 0 : Number(v.toExponential(2).split("e")[1]);
    if (e < -4 || e >= 3) {
      const [m, x] = v.toExponential(2).split("e");
      text = `${strip(m)} × 10${String(Number(x)).split("").map((c) => SUP[c]).join("")}`;
    } else {
      text = strip(v.toFixed(Math.max(0, 2 - e)));
    }
    return (text === "-0" ? "0" : text).replace(/-/g, "−");
  }

  /* The figure of unit j of weight layer l, from the numbers of `result` and the server's figure. */
  function unitFigure(result, l, j) {
    const base = result.figures.unit;
    const meta = base.layout.meta.units;
    const d = result.data;
    const epochs = d.weight_epoch;
    const W = d.weights[l];
    const b = d.biases[l];
    const mode = epochs.length <= meta.markers_up_to ? "lines+markers" : "lines";
    const colour = (i) => meta.palette[i % meta.palette.length];
    const trace = (y, name, i, dash) => ({
      type: "scatter", mode, name, x: epochs, y,
      line: { color: colour(i), width: 2, ...(dash ? { dash } : {}) },
      ...(mode === "lines+markers" ? { marker: { color: colour(i), size: 5 } } : {}),
    });
    const sources = meta.sources[l];
    const data = sources.map((src, i) => trace(W.map((row) => row[i][j]), fill(meta.words.from, { src }), i));
    data.push(trace(b.map((row) => row[j]), meta.words.bias, meta.palette.length - 1, "dash"));
    const name = meta.names[l][j];
    const last = W.length - 1;
    const list = sources.map((src, i) => `${src} ${sig3(W[last][i][j])}`).join(", ");
    const summary = fill(meta.words.summary,
      { unit: name, e: epochs[last], list, b: sig3(b[last][j]), n: epochs.length });
    const layout = {
      ...base.layout,
      title: { ...base.layout.title, text: fill(meta.words.title, { unit: name }) },
      meta: { ...base.layout.meta, summary, units: { ...meta, layer: l, unit: j } },
    };
    return { data, layout };
  }

  function unitDiv() {
    return view.figuresBox.querySelector('[data-figure="unit"]');
  }

  /* Draw the chosen unit (or leave the server's figure) and bring the list and the caption in line. */
  function show(l, j) {
    const result = view.result;
    const div = unitDiv();
    if (!result || !div || !result.figures || !result.figures.unit) return;
    const meta = result.figures.unit.layout.meta.units;
    const fig = l === meta.layer && j === meta.unit ? result.figures.unit : unitFigure(result, l, j);
    Promise.resolve(view.plot(div, "unit", fig)).then(() => { // then the replay's line, as on every epoch axis
      const epoch = Number(view.section.dataset.replayEpoch);
      if (view.replay && view.replay.mark && Number.isFinite(epoch)) view.replay.mark(epoch);
    });
    const caption = view.figuresBox.querySelector('[data-summary="unit"]');
    if (caption) caption.textContent = summarize(fig, "unit");
    div.dataset.unit = `${l}.${j}`;
    if (select) select.value = `${l}.${j}`;
  }

  /* The list of units above the figure: one option per unit, grouped by layer. */
  function buildList() {
    const result = view.result;
    const div = unitDiv();
    if (!result || !div || !result.figures || !result.figures.unit) return;
    const meta = result.figures.unit.layout.meta.units;
    const wrap = div.closest(".figure-wrap");
    let box = wrap.querySelector(".unit-pick");
    if (!box) {
      const id = `${view.name}-unit-pick`;
      select = el("select", { id });
      select.addEventListener("change", () => {
        const [l, j] = select.value.split(".").map(Number);
        chosen = [l, j];
        show(l, j);
      });
      box = el("div", { class: "unit-pick" }, el("label", { for: id, text: `${meta.words.pick} ` }), select,
        el("span", { class: "hint", text: ` ${meta.words.hint}` }));
      wrap.insertBefore(box, div);
    }
    select.replaceChildren(...meta.names.map((names) => el("optgroup", { label: names.length > 1 ? names[0].replace(/[,，].*$/, "") : names[0] },
      ...names.map((n, j) => el("option", { value: `${meta.names.indexOf(names)}.${j}`, text: n })))));
  }

  /* A click on a unit of the neuron map (its invisible hover markers carry [column, unit]). */
  function listenToMap() {
    const gd = view.figuresBox.querySelector('[data-figure="neurons"]');
    if (!gd || gd.dataset.unitClicks || !gd.on) return;
    gd.dataset.unitClicks = "1";
    gd.on("plotly_click", (e) => {
      const p = e && e.points && e.points.find((q) => Array.isArray(q.customdata));
      if (!p || p.customdata[0] < 1) return; // an input feature has no incoming weights
      chosen = [p.customdata[0] - 1, p.customdata[1]];
      show(...chosen);
      unitDiv().scrollIntoView({ block: "nearest" });
    });
  }

  function onResult() {
    buildList();
    listenToMap();
    const result = view.result;
    if (!result || !result.figures || !result.figures.unit) return;
    const meta = result.figures.unit.layout.meta.units;
    const [l, j] = chosen || [meta.layer, meta.unit];
    const fits = l < meta.names.length && j < meta.names[l].length;
    if (!fits) chosen = null;
    if (chosen && fits) show(l, j);
    else if (select) select.value = `${meta.layer}.${meta.unit}`;
  }

  view.section.addEventListener("fflab:drawn", onResult);
  onResult(); // the page's first result is drawn before this script runs
  window.FFLab.playgroundUnits = { show, sig3 };
})();
