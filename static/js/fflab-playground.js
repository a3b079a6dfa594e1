/* Feedforward Lab — what the playground page adds to the generic exercise page (exercise.js).
 *
 * exercise.js builds the playground's controls from its params schema like any other page; this script
 * only arranges them: the controls go into four groups (the schema's x-group: data, network, training,
 * seeds), a knob that the other settings make irrelevant (ELU α unless the activation is ELU, momentum
 * unless the optimiser is momentum …) is folded away, the input features get one checkbox each and the
 * hidden layers − and + buttons (per layer, and for the number of layers), all kept in step with the
 * text boxes that the URL and the API use. Loaded after exercise.js.
 */
"use strict";

(function () {
  const views = (window.fflab && window.fflab.views) || [];
  const view = views.find((v) => v.path && v.path.startsWith("/api/playground/"));
  if (!view) return;
  const { el, page } = window.FFLab;
  const lang = page.lang;
  /* A text with its {fields} filled in (a {name} without a field stays as it is). */
  const fill = (template, fields = {}) => template.replace(/\{(\w+)\}/g, (m, k) => (k in fields ? String(fields[k]) : m));
  // What the playground's other scripts (fflab-playground-data.js, -units.js) share, loaded after this one.
  window.FFLab.playground = { view, fill };

  const GROUPS = {
    data: { en: "Data and features", zh: "数据与特征" },
    network: { en: "Network", zh: "网络" },
    training: { en: "Training", zh: "训练" },
    seeds: { en: "Seeds", zh: "种子" },
  };
  const FEATURES = [["x1", "x₁"], ["x2", "x₂"], ["x1sq", "x₁²"], ["x2sq", "x₂²"], ["x1x2", "x₁x₂"],
    ["sinx1", "sin πx₁"], ["sinx2", "sin πx₂"]];
  const CURVES = ["sine", "step", "abs", "cubic", "formula", "custom_curve"]; // 1-D sets: only the x₁ features apply
  const CUSTOM = ["custom", "custom_curve"]; // the reader's own points (fflab-playground-data.js)
  const ONE_D = ["x1", "x1sq", "sinx1"];

  // When a knob matters, given the values of all (strings, as the controls hold them).
  const APPLIES = {
    leaky_alpha: (v) => v.activation === "leaky_relu",
    prelu_alpha: (v) => v.activation === "prelu",
    elu_alpha: (v) => v.activation === "elu",
    swish_beta: (v) => v.activation === "swish",
    init_scale: (v) => ["normal", "uniform", "constant"].includes(v.init),
    momentum: (v) => v.optimizer === "momentum",
    l2_biases: (v) => Number(v.l2) > 0,
    formula: (v) => v.dataset === "formula",
    n_points: (v) => !CUSTOM.includes(v.dataset),
    noise: (v) => !CUSTOM.includes(v.dataset),
  };

  /* ---- groups ---- */
  const props = view.schema.properties || {};
  const sets = {};
  for (const [name, c] of Object.entries(view.controls)) {
    const group = (props[name] && props[name]["x-group"]) || "data";
    if (!sets[group]) {
      sets[group] = el("fieldset", { class: "knobs", "data-group": group },
        el("legend", { text: (GROUPS[group] || { en: group })[lang] || group }));
    }
    sets[group].append(c.wrap);
  }
  const reset = view.form.querySelector("button.reset");
  for (const group of Object.keys(GROUPS)) {
    const set = sets[group];
    if (!set) continue;
    view.form.insertBefore(set, reset);
    // A classroom link may hide every knob of a group: then the group goes too.
    set.hidden = [...set.querySelectorAll(".control")].every((w) => w.hidden);
  }

  /* ---- features: a checkbox each, in step with the text box ---- */
  const features = view.controls.features;
  const boxes = {};
  if (features && !features.wrap.hidden) {
    const group = el("div", { class: "feature-boxes", role: "group", "aria-label": features.label });
    for (const [name, label] of FEATURES) {
      const id = `${features.id}-${name}`;
      const box = el("input", { type: "checkbox", id, value: name });
      box.addEventListener("change", () => {
        features.value = FEATURES.map(([n]) => n).filter((n) => boxes[n].checked).join(",");
        features.input.dispatchEvent(new Event("change")); // exercise.js: a committed change
      });
      boxes[name] = box;
      group.append(el("label", { for: id, class: "feature" }, box, document.createTextNode(` ${label}`)));
    }
    features.input.after(group);
    features.input.addEventListener("input", () => sync());
  }

  /* ---- layers: − and + per layer and for the number of layers, in step with the text box ---- */
  const layers = view.controls.layers;
  const MAX_LAYERS = props.layers && props.layers["x-max-layers"]; // the params model's bounds
  const MAX_WIDTH = props.layers && props.layers["x-max-width"];
  const W = {
    add: { en: "Add a layer", zh: "增加一层" },
    remove: { en: "Remove the last layer", zh: "删除最后一层" },
    wider: { en: "One unit more in layer {i}", zh: "第 {i} 层增加一个单元" },
    narrower: { en: "One unit fewer in layer {i}", zh: "第 {i} 层减少一个单元" },
    layer: { en: "layer {i}: {n}", zh: "第 {i} 层：{n}" },
    none: { en: "no hidden layer", zh: "没有隐藏层" },
    fewer: { en: "− layer", zh: "− 层" },
    more: { en: "+ layer", zh: "+ 层" },
  };
  const w = (key, fields) => fill(W[key][lang], fields);
  let layerBox = null;
  const widths = () => (layers.value.trim() ? layers.value.split(/[,，]/).map((x) => Number(x.trim())) : []);
  function setWidths(list) {
    layers.value = list.join(",");
    layers.input.dispatchEvent(new Event("change")); // exercise.js: a committed change
  }
  const button = (text, label, onClick, disabled) => {
    const b = el("button", { type: "button", class: "layer-step", text, "aria-label": label, title: label });
    b.disabled = disabled;
    b.addEventListener("click", onClick);
    return b;
  };
  /* Rebuild the buttons from the text box (nothing when it does not parse: its error says why). */
  function drawLayers() {
    if (!layerBox) return;
    const list = widths();
    if (list.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_WIDTH) || list.length > MAX_LAYERS) {
      layerBox.replaceChildren();
      return;
    }
    const rows = list.map((n, k) => el("span", { class: "layer-width" },
      button("−", w("narrower", { i: k + 1 }), () => setWidths(list.map((m, j) => (j === k ? m - 1 : m))), n <= 1),
      el("span", { text: w("layer", { i: k + 1, n }) }),
      button("+", w("wider", { i: k + 1 }), () => setWidths(list.map((m, j) => (j === k ? m + 1 : m))), n >= MAX_WIDTH)));
    if (!list.length) rows.push(el("span", { class: "layer-width", text: w("none") }));
    rows.push(el("span", { class: "layer-count" },
      button(w("fewer"), w("remove"), () => setWidths(list.slice(0, -1)), !list.length),
      button(w("more"), w("add"), () => setWidths([...list, list.length ? list[list.length - 1] : 4]),
        list.length >= MAX_LAYERS)));
    layerBox.replaceChildren(...rows);
  }
  if (layers && !layers.wrap.hidden) {
    layerBox = el("div", { class: "layer-steps", role: "group", "aria-label": layers.label });
    layers.input.after(layerBox);
    layers.input.addEventListener("input", drawLayers);
  }

  function values() {
    return Object.fromEntries(Object.entries(view.controls).map(([n, c]) => [n, c.value]));
  }

  /* Bring the checkboxes and the folded knobs in line with the values. */
  function sync() {
    drawLayers();
    const v = values();
    const chosen = new Set((v.features || "").split(",").map((s) => s.trim()));
    const curve = CURVES.includes(v.dataset);
    for (const [name, box] of Object.entries(boxes)) {
      box.checked = chosen.has(name);
      box.disabled = curve && !ONE_D.includes(name);
      box.parentElement.classList.toggle("not-applicable", box.disabled);
    }
    for (const [name, applies] of Object.entries(APPLIES)) {
      const c = view.controls[name];
      if (c) c.wrap.classList.toggle("not-applicable", !applies(v));
    }
  }

  // Every change (a control, Reset, a classroom reset) passes through view.changed: follow it.
  const changed = view.changed.bind(view);
  view.changed = (kind) => {
    sync();
    changed(kind);
  };
  sync();
  view.section.dataset.playground = "ready";
})();
