/* Feedforward Lab — one control of an experiment, built from its parameter's JSON Schema.
 *
 * A bounded number becomes a slider and a number box (the slider on a log scale when the schema
 * says x-scale=log), an enum a select, a boolean a checkbox, anything else a text box; each with
 * its label, help text and a place for the server's error. A change tells the experiment how it
 * happened (typing, a slider step, a choice), which decides how long it waits before asking.
 * Loaded after fflab-util.js and before exercise.js; lives on window.FFLab.Control.
 */
"use strict";

(function () {
  const { page, el } = window.FFLab;
  const lang = page.lang;
  const tr = (t) => (t ? t[lang] || t.en : "");

  /* ---- schema -> control ---- */
  function bounds(prop) {
    const lo = prop.minimum ?? prop.exclusiveMinimum;
    const hi = prop.maximum ?? prop.exclusiveMaximum;
    return [lo, hi];
  }

  function sliderToValue(prop, s) {
    if (prop["x-scale"] === "log") return Number((10 ** s).toPrecision(3));
    return prop.type === "integer" ? Math.round(s) : s;
  }

  function valueToSlider(prop, v) {
    return prop["x-scale"] === "log" ? Math.log10(v) : v;
  }

  class Control {
    constructor(exp, name, prop) {
      this.exp = exp;
      this.name = name;
      this.prop = prop;
      this.id = `c-${exp.name}-${name}`;
      this.wrap = el("div", { class: "control", "data-param": name });
      const labelText = tr(prop["x-label"]) || prop.title || name;
      const help = tr(prop["x-help"]) || prop.description || "";
      const helpId = this.id + "-help";
      const errId = this.id + "-error";
      this.wrap.append(el("label", { for: this.id, text: labelText }));
      const [lo, hi] = bounds(prop);
      const describedBy = `${helpId} ${errId}`;
      if (prop.enum) {
        this.input = el("select", { id: this.id, name, "aria-describedby": describedBy });
        for (const option of prop.enum) this.input.append(el("option", { value: option, text: String(option) }));
        this.wrap.append(this.input);
      } else if (prop.type === "boolean") {
        this.input = el("input", { id: this.id, name, type: "checkbox", "aria-describedby": describedBy });
        this.wrap.append(this.input);
      } else if (prop.type === "number" || prop.type === "integer") {
        this.input = el("input", {
          id: this.id, name, type: "number", inputmode: "decimal", "aria-describedby": describedBy,
          step: prop.type === "integer" ? 1 : prop["x-step"] || "any",
          min: lo, max: hi,
        });
        if (lo !== undefined && hi !== undefined) {
          const log = prop["x-scale"] === "log";
          const smin = valueToSlider(prop, lo > 0 || !log ? lo : 1e-6);
          const smax = valueToSlider(prop, hi);
          const step = log ? (smax - smin) / 200 : prop.type === "integer" ? 1 : prop["x-step"] || (smax - smin) / 200;
          this.slider = el("input", {
            type: "range", min: smin, max: smax, step, "aria-label": labelText, tabindex: "-1",
            "aria-hidden": "true",
          });
          this.wrap.append(el("div", { class: "pair" }, this.slider, this.input));
          this.slider.addEventListener("input", () => {
            this.input.value = sliderToValue(prop, Number(this.slider.value));
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
      this.wrap.append(el("p", { class: "help", id: helpId, text: help }), this.error);
      const event = this.input.type === "text" || this.input.type === "number" ? "input" : "change";
      this.input.addEventListener(event, (e) => {
        this.syncSlider();
        // Typed characters (an InputEvent with an inputType) wait for the next keystroke; a spinner
        // click or an arrow key on a number box (a plain input event) is one step, like a slider's.
        const step = this.input.type === "number" && !e.inputType;
        this.exp.changed(event !== "input" ? "choice" : step ? "slider" : "typing");
      });
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

    get defaultString() {
      const d = this.prop.default;
      return d === undefined ? "" : String(d);
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

  window.FFLab.Control = Control;
})();
