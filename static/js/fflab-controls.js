/* Feedforward Lab — the controls of an experiment and the numbers it shows.
 *
 * Control: one parameter's control, built from its JSON Schema. A bounded number becomes a number box
 * and a slider (on a log scale when the schema says x-scale=log), an enum a select showing its options'
 * labels (x-option-labels) in the page's language, a boolean a checkbox, anything else a text box; each
 * with its label, help text, a place for the server's message and one for the usable range the work
 * budget leaves. The number box is the control's one tab stop: arrow keys step by the schema's step, or
 * along 1-2-5 (0.1, 0.2, 0.5, 1 …) on a log scale, never by 1 across a decade. A change tells the
 * experiment how it happened (typing, a step, a choice, a commit), which decides how long it waits.
 *
 * metricCards: the metrics as cards (3 significant digits, fractions as percentages, full precision where
 * asked, lists as small tables). state: classroom mode and the link as given (Reset returns to it), keys
 * no control knows (said once, dropped), the language link kept in step. After fflab-util.js; on FFLab.
 */
"use strict";
(function () {
  const { page, el } = window.FFLab;
  const S = page.strings;
  const lang = page.lang;
  const tr = (t) => (t ? t[lang] || t.en : "");

  /* ---- schema -> control ---- */
  const bounds = (prop) => [prop.minimum ?? prop.exclusiveMinimum, prop.maximum ?? prop.exclusiveMaximum];
  const isLog = (prop) => prop["x-scale"] === "log";
  const clean = (x) => Number(x.toPrecision(12)); // no 0.30000000000000004 in a box

  function sliderToValue(prop, s) {
    if (isLog(prop)) return Number((10 ** s).toPrecision(3));
    return prop.type === "integer" ? Math.round(s) : clean(s);
  }

  const valueToSlider = (prop, v) => (isLog(prop) ? Math.log10(v) : v);

  /* The next value up (dir 1) or down (-1) from v: along 1-2-5 on a log scale, else on the step's grid. */
  function stepValue(prop, v, dir, times) {
    const [lo, hi] = bounds(prop);
    let x = v;
    for (let i = 0; i < times; i++) {
      if (isLog(prop)) {
        const d = Math.floor(Math.log10(x > 0 ? x : lo > 0 ? lo : 1e-6));
        const grid = [d - 1, d, d + 1].flatMap((e) => [1, 2, 5].map((m) => clean(m * 10 ** e)));
        x = (dir > 0 ? grid.find((g) => g > x * (1 + 1e-9)) : grid.reverse().find((g) => g < x * (1 - 1e-9))) ?? x;
      } else {
        const step = prop.type === "integer" ? 1
          : Number(prop["x-step"]) || 10 ** Math.round(Math.log10((hi - lo) / 100)) || 1;
        const k = dir > 0 ? Math.floor(x / step + 1e-9) + 1 : Math.ceil(x / step - 1e-9) - 1;
        x = clean(k * step);
      }
    }
    if (lo !== undefined && x < lo) x = prop.exclusiveMinimum !== undefined ? v : lo;
    if (hi !== undefined && x > hi) x = prop.exclusiveMaximum !== undefined ? v : hi;
    return x;
  }

  class Control {
    constructor(exp, name, prop) {
      this.exp = exp;
      this.name = name;
      this.prop = prop;
      this.id = `c-${exp.name}-${name}`;
      this.wrap = el("div", { class: "control", "data-param": name });
      this.label = tr(prop["x-label"]) || prop.title || name;
      const help = tr(prop["x-help"]) || prop.description || "";
      const [helpId, errId, limitId] = ["help", "error", "limit"].map((part) => `${this.id}-${part}`);
      this.wrap.append(el("label", { for: this.id, text: this.label }));
      const [lo, hi] = bounds(prop);
      const describedBy = `${helpId} ${errId} ${limitId}`;
      if (prop.enum) {
        const labels = prop["x-option-labels"] || {};
        this.input = el("select", { id: this.id, name, "aria-describedby": describedBy });
        for (const o of prop.enum) this.input.append(el("option", { value: o, text: tr(labels[o]) || String(o) }));
        this.wrap.append(this.input);
      } else if (prop.type === "boolean") {
        this.input = el("input", { id: this.id, name, type: "checkbox", "aria-describedby": describedBy });
        this.wrap.append(this.input);
      } else if (prop.type === "number" || prop.type === "integer") {
        this.input = el("input", {
          id: this.id, name, type: "number", inputmode: "decimal", "aria-describedby": describedBy,
          step: prop.type === "integer" ? 1 : prop["x-step"] || "any", min: lo, max: hi,
        });
        this.number();
        if (lo !== undefined && hi !== undefined) {
          this.smin = valueToSlider(prop, lo > 0 || !isLog(prop) ? lo : 1e-6);
          this.smax = valueToSlider(prop, hi);
          const step = isLog(prop) ? (this.smax - this.smin) / 200
            : prop.type === "integer" ? 1 : prop["x-step"] || (this.smax - this.smin) / 200;
          // The number box is the keyboard's control; the slider is the mouse's and touch's.
          this.slider = el("input", { type: "range", min: this.smin, max: this.smax, step, tabindex: "-1",
            "aria-hidden": "true" });
          this.over = el("span", { class: "over-budget", hidden: true });
          const track = el("span", { class: "track" }, this.slider, this.over);
          this.wrap.append(el("div", { class: "pair" }, track, this.input));
          this.slider.addEventListener("input", () => {
            this.input.value = this.withinBudget(sliderToValue(prop, Number(this.slider.value)));
            this.syncSlider();
            this.exp.changed("slider");
          });
        } else {
          this.wrap.append(this.input);
        }
      } else {
        this.input = el("input", { id: this.id, name, type: "text", "aria-describedby": describedBy,
          maxlength: prop.maxLength, spellcheck: "false" });
        this.wrap.append(this.input);
      }
      this.error = el("p", { class: "error", id: errId, role: "alert" });
      this.limitNote = el("p", { class: "limit", id: limitId });
      this.wrap.append(el("p", { class: "help", id: helpId, text: help }), this.error, this.limitNote);
      const typed = this.input.type === "text" || this.input.type === "number";
      this.input.addEventListener(typed ? "input" : "change", (e) => {
        this.syncSlider();
        // Typed characters (an InputEvent with an inputType) wait for a pause; a spinner click (a plain
        // input event) is one step, like a slider's; Enter or leaving the box commits at once.
        const step = this.input.type === "number" && !e.inputType;
        this.exp.changed(!typed ? "choice" : step ? "slider" : "typing");
      });
      if (typed) this.input.addEventListener("change", () => this.exp.changed("commit"));
    }

    /* Keys and commas of a number box: arrows step (PageUp/PageDown ten steps), "0,1" reads as 0.1. */
    number() {
      const integer = this.prop.type === "integer";
      this.input.addEventListener("keydown", (e) => {
        const dir = { ArrowUp: 1, ArrowDown: -1, PageUp: 1, PageDown: -1 }[e.key];
        if (!dir || e.altKey || e.ctrlKey || e.metaKey) return;
        e.preventDefault();
        const v = Number(this.input.value === "" ? this.defaultString : this.input.value);
        const times = e.key.startsWith("Page") ? (isLog(this.prop) ? 3 : 10) : 1; // a decade, or ten steps
        const next = this.withinBudget(stepValue(this.prop, v, dir, times));
        if (next === v) return;
        this.input.value = String(next);
        this.syncSlider();
        this.exp.changed("slider");
      });
      // Chromium reads "0,1" in a number box as 01. A comma in a decimal is read as its point; in a whole
      // number it is refused (1,000 is not 1.000), with a word on how to write it.
      this.input.addEventListener("beforeinput", (e) => {
        const data = e.data ?? (e.dataTransfer && e.dataTransfer.getData("text/plain"));
        if (!data || !data.includes(",")) return;
        e.preventDefault();
        if (!integer) return document.execCommand("insertText", false, data.replace(/,/g, "."));
        this.held = true; // nothing is sent until Enter or leaving the box confirms what it holds
        this.showError(S.comma_integer.replace("{label}", this.label));
      });
      this.input.addEventListener("change", () => { this.held = false; });
    }

    /* A number over the budget's limit (learnt from a refusal at these settings) is brought back to it. */
    withinBudget(v) {
      const b = this.budget;
      return !b ? v : b.bound === "min" ? Math.max(v, b.limit) : Math.min(v, b.limit);
    }

    /* Show how far this control may go with the others as they are (`others`: their values then). */
    setBudget(limit, bound, others) {
      this.budget = { limit, bound, others };
      this.limitNote.textContent = (bound === "min" ? S.budget_min : S.budget_max).replace("{limit}", limit);
      if (this.slider) {
        const p = (valueToSlider(this.prop, limit) - this.smin) / (this.smax - this.smin);
        const at = `${(100 * Math.min(1, Math.max(0, p))).toFixed(1)}%`;
        this.over.hidden = false;
        this.over.style.left = bound === "min" ? "0" : at;
        this.over.style.right = bound === "min" ? `calc(100% - ${at})` : "0";
      }
    }

    clearBudget() {
      this.budget = null;
      this.limitNote.textContent = "";
      if (this.over) this.over.hidden = true;
    }

    /* Nothing to send while typing: no number yet ("", "-", "1e"), or a comma still to be confirmed. */
    get incomplete() {
      const v = this.input.validity;
      return this.input.type === "number" && (this.held || v.badInput || this.input.value === "");
    }

    get value() {
      if (this.prop.type === "boolean") return this.input.checked ? "true" : "false";
      return this.input.value;
    }

    set value(v) {
      if (this.prop.type === "boolean") this.input.checked = v === true || v === "true";
      else this.input.value = v;
      this.syncSlider();
    }

    /* The value as a reader reads it: an option's label, yes/no, or the number. */
    get shown() {
      if (this.prop.enum) return tr((this.prop["x-option-labels"] || {})[this.value]) || this.value;
      if (this.prop.type === "boolean") return this.input.checked ? S.yes : S.no;
      return this.value;
    }

    get defaultString() {
      return this.prop.default === undefined ? "" : String(this.prop.default);
    }

    syncSlider() {
      if (!this.slider) return;
      const v = Number(this.input.value);
      if (Number.isFinite(v) && this.input.value !== "") this.slider.value = valueToSlider(this.prop, v);
    }

    showError(msg) {
      this.error.textContent = msg || "";
      if (msg) this.input.setAttribute("aria-invalid", "true");
      else this.input.removeAttribute("aria-invalid");
    }
  }

  /* ---- numbers on the cards ---- */
  const INDEX_KEYS = ["lrs", "learning_rates", "widths", "depths", "betas"]; // a list other lists run along

  /* A fraction of a whole (shown as a percentage): its name, unit or meaning says so, and it lies in [0, 1]. */
  function isFraction(key, m, value) {
    const said = /(^|_)(fraction|accuracy|success_rate)(_|$)/.test(key) || /^fraction/i.test((m && m.unit && m.unit.en) || "")
      || /^(fraction|share) of/i.test((m && m.meaning && m.meaning.en) || "");
    const all = [value].flat(2).flatMap((x) => (x && typeof x === "object" ? Object.values(x).flat() : [x]));
    return said && all.every((x) => x === null || (typeof x === "number" && x >= 0 && x <= 1));
  }

  function num(v, { pct, full } = {}) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "boolean") return v ? S.yes : S.no;
    if (typeof v !== "number") return String(v);
    if (pct) {
      const p = v > 0 && v < 5e-4 ? "<0.1" : (100 * v).toFixed(1).replace(/\.0$/, ""); // never "0 %" for a few
      return lang === "zh" ? `${p}%` : `${p} %`;
    }
    if (Number.isInteger(v) || full) return String(v);
    const a = Math.abs(v);
    if (a < 1e-3 || a >= 1e6) return v.toExponential(2).replace(/\.?0+e/, "e");
    if (a >= 1000) return String(Math.round(v));
    const short = v.toPrecision(3);
    // 0.6000000000000001 reads 0.6; 1.0046 reads 1.00 (three digits, not exactly 1).
    return Math.abs(Number(short) - v) <= 1e-12 * a ? String(Number(short)) : short;
  }

  function table(head, rows, corner) {
    const th = (text, scope) => el("th", { scope, text });
    const t = el("table", { class: "metric-table" });
    const top = corner !== undefined ? th(corner, "col") : null;
    if (head) t.append(el("thead", {}, el("tr", {}, top, ...head.map((h) => th(h, "col")))));
    const body = el("tbody");
    for (const [label, cells] of rows) {
      body.append(el("tr", {}, label !== null ? th(label, "row") : null, ...cells.map((c) => el("td", { text: c }))));
    }
    t.append(body);
    return t;
  }

  /* One metric's value: a number, a short inline list, or a small table (per key, per learning rate, per layer). */
  function metricValue(key, value, metrics, info, optionLabel) {
    const m = info[key];
    const opts = { pct: isFraction(key, m, value), full: m && m.full_precision };
    const f = (x) => num(x, opts);
    const indexKey = INDEX_KEYS.find((k) => k !== key && Array.isArray(metrics[k]));
    const index = indexKey && metrics[indexKey];
    const indexed = (list) => index && index.length === list.length; // e.g. one value per learning rate
    const along = (list) => (indexed(list) ? index.map((x) => num(x)) : list.map((_, i) => String(i + 1)));
    const corner = (list) => (indexed(list) ? tr(info[indexKey] && info[indexKey].label) || indexKey : "#");
    if (Array.isArray(value) && !value.some((x) => x && typeof x === "object")) {
      if (value.length <= 6 && !indexed(value)) {
        return el("span", { class: "value", text: value.map(f).join(", ") });
      }
      return el("div", { class: "value" }, table(along(value), [[tr(m && m.label) || key, value.map(f)]], corner(value)));
    }
    if (value && typeof value === "object") {
      const entries = Object.entries(value);
      const lists = entries.filter(([, v]) => Array.isArray(v));
      if (lists.length === entries.length && entries.length) {
        const first = lists[0][1]; // a row per key, a column per learning rate (or per index)
        const rows = entries.map(([k, v]) => [optionLabel(k), v.map(f)]);
        return el("div", { class: "value" }, table(along(first), rows, corner(first)));
      }
      const row = [[null, entries.map(([, v]) => f(v))]];
      return el("div", { class: "value" }, table(entries.map(([k]) => optionLabel(k)), row));
    }
    return el("span", { class: "value", text: f(value) });
  }

  /* Fill `box` (a <dl>) with one card per metric. `labels` maps option values to their labels. */
  function metricCards(box, metrics, info, labels) {
    const optionLabel = (k) => tr(labels[k]) || k;
    box.replaceChildren();
    for (const [key, value] of Object.entries(metrics)) {
      const m = info[key];
      const card = el("div", { class: "metric", "data-metric": key });
      const isLatex = typeof value === "string" && key.endsWith("_latex");
      const special = window.FFLab.answerValue && window.FFLab.answerValue(key, value, metrics);
      if (special === null) continue; // shown by another card (the LaTeX of a formula shown as MathML)
      card.append(el("dt", { text: m ? tr(m.label) : key.replace(/_/g, " ") }));
      const dd = el("dd");
      if (special) dd.append(special); // an answer check's sentence, formula or link (fflab-answers.js)
      else if (isLatex && page.mathml && page.mathml[value]) {
        dd.innerHTML = page.mathml[value]; // server-rendered MathML of a known formula
        dd.tabIndex = 0; // may scroll sideways: reachable by keyboard
      } else if (isLatex) {
        dd.append(el("code", { text: value }));
      } else {
        const shown = metricValue(key, value, metrics, info, optionLabel);
        if (shown.tagName === "DIV") card.classList.add("wide");
        dd.append(shown);
      }
      if (m && m.unit) {
        const pct = !isLatex && isFraction(key, m, value); // "28.1 % (fraction of hidden units)"
        dd.append(el("span", { class: "unit", text: pct ? ` (${tr(m.unit)})` : " " + tr(m.unit) }));
      }
      card.append(dd);
      if (m && m.meaning) card.append(el("dd", { class: "meaning", text: tr(m.meaning) }));
      box.append(card);
    }
    // A table wider than its card scrolls sideways: then it is reachable by keyboard.
    for (const t of box.querySelectorAll("div.value")) if (t.scrollWidth > t.clientWidth + 1) t.tabIndex = 0;
  }

  /* ---- the page's state in its URL: classroom mode (?hide=experiment.param,param,experiment.*,answer),
     the link as given, unknown keys, the language link ---- */
  const here = new URLSearchParams(window.location.search);
  const hidden = new Set((here.get("hide") || "").split(",").filter(Boolean));
  const classroom = hidden.size > 0;
  // The link as given (kept in history.state, so a reload keeps it): a classroom's Reset returns to it.
  const link = new URLSearchParams((window.history.state && window.history.state.fflabLink) || window.location.search);
  const known = new Set(["lang", "hide"]);
  for (const e of page.experiments) {
    for (const [n, p] of Object.entries(e.info.params.properties || {})) if (!p["x-hidden"]) known.add(`${e.info.name}.${n}`);
  }
  const unknown = [...here.keys()].filter((k) => !known.has(k));
  for (const k of unknown) link.delete(k);

  /* The 中文/English link keeps the whole state and the anchor. */
  function followLanguage() {
    const a = document.getElementById("lang-switch");
    if (!a) return;
    const url = new URL(window.location.href);
    url.searchParams.set("lang", a.getAttribute("hreflang"));
    a.setAttribute("href", url.pathname + url.search + url.hash);
  }

  function replaceUrl(url) {
    window.history.replaceState({ ...(window.history.state || {}), fflabLink: link.toString() }, "", url);
    followLanguage();
  }

  const state = {
    unknown,
    replaceUrl,
    isHidden: (exp, name) => hidden.has(`${exp}.${name}`) || hidden.has(name) || hidden.has(`${exp}.*`),

    /* Reset returns every visible control of `view` to the defaults, or in a classroom to the link; it never
       touches a hidden control, and a section with none visible has none. The note lists the fixed values. */
    reset(view, fixed) {
      const visible = Object.values(view.controls).filter((c) => !c.wrap.hidden);
      if (visible.length) {
        const reset = el("button", { type: "button", class: "reset", text: classroom ? S.reset_link : S.reset });
        reset.addEventListener("click", () => {
          for (const c of visible) {
            const key = `${view.name}.${c.name}`;
            c.value = classroom && link.has(key) ? link.get(key) : c.defaultString;
          }
          view.changed("choice");
        });
        view.form.append(reset);
      }
      if (fixed.length) {
        const values = fixed.map((c) => `${c.label} = ${c.shown}`).join(page.lang === "zh" ? "；" : "; ");
        view.form.prepend(el("p", { class: "classroom", text: S.classroom.replace("{fixed}", values) }));
      }
    },

    /* Once for the page: unknown keys of the link said and dropped (so copied links lose them too);
       a homework link's hidden answer said; the language link kept in step. */
    announce() {
      if (unknown.length) {
        const url = new URL(window.location.href);
        for (const k of unknown) url.searchParams.delete(k);
        replaceUrl(url);
        const names = unknown.map((k) => `${k}=${here.get(k)}`).join(page.lang === "zh" ? "；" : "; ");
        document.querySelector("article.exercise h1")
          .after(el("p", { class: "url-note", role: "note", text: S.unknown_params.replace("{names}", names) }));
      }
      const question = document.querySelector("section.question");
      if (hidden.has("answer") && question) question.append(el("p", { class: "classroom", text: S.answer_hidden }));
      followLanguage();
      window.addEventListener("hashchange", followLanguage);
    },
  };

  /* A property of the params schema with its $ref (an enum's definition) merged in. */
  function resolve(schema, prop) {
    if (prop.$ref) return { ...schema.$defs[prop.$ref.split("/").pop()], ...prop };
    if (prop.allOf && prop.allOf.length === 1 && prop.allOf[0].$ref) return { ...resolve(schema, prop.allOf[0]), ...prop };
    return prop;
  }

  Object.assign(window.FFLab, { Control, metricCards, num, resolve, state });
})();
