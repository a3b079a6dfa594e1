/* Feedforward Lab — the one generic script of every exercise page.
 *
 * For each experiment section it builds the controls from the params' JSON Schema (fflab-controls.js),
 * keeps their state in the URL query as `experiment.param=value`, asks the API on change
 * (debounced, superseded requests aborted), draws the figures with Plotly.react and the metrics
 * as cards, and shows a 422's message next to the control it names. Each figure's one-sentence
 * summary sits in a visually hidden caption that describes it to screen readers. Helpers come
 * from fflab-util.js, the controls from fflab-controls.js and the training replay from
 * fflab-replay.js, all loaded before it.
 */
"use strict";

(function () {
  // Wait for a pause before asking the server: long while typing, short while dragging a slider
  // (superseded requests are aborted anyway), none for a discrete choice.
  const DEBOUNCE_MS = { typing: 120, slider: 60, choice: 0 };
  const { page, el, fmt, dark, themed, download, toCsv, summarize, Control } = window.FFLab;
  const S = page.strings;
  const lang = page.lang;

  const tr = (t) => (t ? t[lang] || t.en : "");

  /* ---- classroom mode: ?hide=experiment.param,param,experiment.* ---- */
  const hidden = new Set((new URLSearchParams(window.location.search).get("hide") || "").split(",").filter(Boolean));
  const isHidden = (exp, name) => hidden.has(`${exp}.${name}`) || hidden.has(name) || hidden.has(`${exp}.*`);

  /* ---- one experiment section ---- */
  class ExperimentView {
    constructor(section, info, query, errors) {
      this.section = section;
      this.name = info.name;
      this.info = info;
      this.path = info.path;
      this.schema = info.params;
      this.timer = null;
      this.abort = null;
      this.form = section.querySelector("form.controls");
      this.status = section.querySelector(".status");
      this.metricsBox = section.querySelector(".metrics");
      this.figuresBox = section.querySelector(".figures");
      this.controls = {};
      for (const [name, prop0] of Object.entries(this.schema.properties || {})) {
        const prop = this.resolve(prop0);
        if (prop["x-hidden"]) continue;
        const c = new Control(this, name, prop);
        c.value = name in query ? query[name] : c.defaultString;
        this.controls[name] = c;
        if (isHidden(this.name, name)) {
          c.wrap.hidden = true;
          this.classroom = true;
        }
        this.form.append(c.wrap);
      }
      const reset = el("button", { type: "button", class: "reset", text: S.reset });
      reset.addEventListener("click", () => {
        for (const c of Object.values(this.controls)) c.value = c.defaultString;
        this.changed("choice");
      });
      this.form.append(reset);
      if (this.classroom) this.form.prepend(el("p", { class: "classroom", text: S.classroom }));
      this.form.addEventListener("submit", (e) => e.preventDefault());
      this.buildToolbar();
      const initial = JSON.parse(section.querySelector("script.result-json").textContent);
      if (initial) this.draw(initial);
      if (errors && errors.length) this.showErrors(errors);
      else if (!initial) this.request(); // the server was busy: ask for the result from here
    }

    buildToolbar() {
      const bar = el("div", { class: "toolbar", role: "group", "aria-label": S.api_box });
      const copy = el("button", { type: "button", class: "copy-link", text: S.copy_link });
      copy.addEventListener("click", async () => {
        const url = window.location.href;
        try {
          await navigator.clipboard.writeText(url);
        } catch (e) {
          window.prompt(S.copy_link, url);
        }
        this.setStatus("ready", S.copied);
      });
      const json = el("button", { type: "button", class: "download-json", text: S.download_json });
      json.addEventListener("click", () => this.result &&
        download(`${page.exercise}-${this.name}.json`, "application/json", JSON.stringify(this.result, null, 1)));
      const csv = el("button", { type: "button", class: "download-csv", text: S.download_csv });
      csv.addEventListener("click", () => this.result &&
        download(`${page.exercise}-${this.name}.csv`, "text/csv", toCsv(this.result.data || {})));
      bar.append(copy, json, csv);
      this.apiBox = el("details", { class: "api-box" }, el("summary", { text: S.api_box }));
      this.curl = el("pre", { class: "curl" });
      this.python = el("pre", { class: "python" });
      this.apiBox.append(el("p", { text: S.api_curl }), this.curl, el("p", { text: S.api_python }), this.python);
      this.section.querySelector(".output").append(bar, this.apiBox);
      this.updateApiBox();
    }

    updateApiBox() {
      if (!this.curl) return;
      const q = this.query();
      const url = `${window.location.origin}${this.path}?${q}`;
      this.curl.textContent = `curl '${url}'`;
      const params = [...q.entries()].map(([k, v]) => `"${k}": ${JSON.stringify(v)}`).join(", ");
      this.python.textContent = [
        "import httpx",
        "",
        `r = httpx.get("${window.location.origin}${this.path}", params={${params}})`,
        "r.raise_for_status()",
        "result = r.json()",
        'print(result["metrics"])',
      ].join("\n");
    }

    resolve(prop) {
      if (prop.$ref) {
        const key = prop.$ref.split("/").pop();
        return { ...this.schema.$defs[key], ...prop };
      }
      if (prop.allOf && prop.allOf.length === 1 && prop.allOf[0].$ref) {
        return { ...this.resolve(prop.allOf[0]), ...prop };
      }
      return prop;
    }

    query() {
      const q = new URLSearchParams();
      for (const [name, c] of Object.entries(this.controls)) q.set(name, c.value);
      return q;
    }

    writeUrl() {
      const url = new URL(window.location.href);
      for (const [name, c] of Object.entries(this.controls)) {
        const key = `${this.name}.${name}`;
        if (c.value === c.defaultString) url.searchParams.delete(key);
        else url.searchParams.set(key, c.value);
      }
      window.history.replaceState(null, "", url);
    }

    changed(kind) {
      this.writeUrl();
      this.updateApiBox();
      clearTimeout(this.timer);
      const wait = DEBOUNCE_MS[kind] ?? DEBOUNCE_MS.typing;
      this.section.dataset.debounce = String(wait); // how long this change waited (shown to tests and tools)
      this.timer = setTimeout(() => this.request(), wait);
    }

    setStatus(kind, text) {
      this.section.dataset.state = kind;
      this.section.setAttribute("aria-busy", kind === "busy" ? "true" : "false");
      this.status.textContent = text;
    }

    async request() {
      if (this.abort) this.abort.abort();
      const controller = new AbortController();
      this.abort = controller;
      const q = this.query();
      q.set("lang", lang);
      this.setStatus("busy", S.working);
      const url = `${this.info.stream_path || this.path}?${q}`;
      const progressTimer = setTimeout(() => this.showProgress(0, 0), 300);
      try {
        const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json, text/event-stream" } });
        const type = response.headers.get("content-type") || "";
        if (response.ok && type.startsWith("text/event-stream")) {
          await this.readStream(response, controller);
        } else {
          const body = await response.json().catch(() => null);
          this.handle(response.status, body);
        }
      } catch (e) {
        if (e.name !== "AbortError") this.setStatus("error", S.request_failed);
        else if (this.abort === controller) this.setStatus("ready", S.cancelled);
      } finally {
        clearTimeout(progressTimer);
        if (this.abort === controller) this.hideProgress();
      }
    }

    /* Read server-sent events from a fetch body: `progress` updates the bar, `result` draws. */
    async readStream(response, controller) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block);
          const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
          if (!event || this.abort !== controller) continue;
          if (event[1] === "progress") {
            const p = JSON.parse(data);
            this.showProgress(p.fraction, p.work);
          } else if (event[1] === "result") {
            this.handle(200, JSON.parse(data));
          } else if (event[1] === "error") {
            this.handle(503, JSON.parse(data));
          }
        }
      }
    }

    handle(status, body) {
      if (status === 200 && body) {
        this.clearErrors();
        this.draw(body);
      } else if (status === 422 && body) {
        this.showErrors(body.detail || []);
      } else {
        this.setStatus("error", (body && typeof body.detail === "string" && body.detail) || `${S.request_failed} (${status})`);
      }
    }

    showProgress(fraction, work) {
      if (!this.progressBox) {
        this.progressBar = el("progress", { max: "1", value: "0", "aria-label": S.working });
        this.progressText = el("span", { class: "progress-text" });
        const cancel = el("button", { type: "button", class: "cancel", text: S.cancel });
        cancel.addEventListener("click", () => {
          if (this.abort) this.abort.abort();
        });
        this.progressBox = el("div", { class: "progress" }, this.progressBar, this.progressText, cancel);
        this.status.after(this.progressBox);
      }
      this.progressBox.hidden = false;
      this.progressBar.value = fraction;
      this.progressText.textContent = work ? S.work_done.replace("{n}", work.toLocaleString()) : "";
    }

    hideProgress() {
      if (this.progressBox) this.progressBox.hidden = true;
    }

    clearErrors() {
      for (const c of Object.values(this.controls)) c.showError("");
    }

    showErrors(detail) {
      this.clearErrors();
      const general = [];
      for (const d of detail) {
        const name = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : null;
        const c = this.controls[name];
        if (c) c.showError(d.msg);
        else general.push(d.msg);
      }
      this.setStatus("error", `${S.error}: ${general.join("; ") || detail.map((d) => d.msg).join("; ")}`);
    }

    draw(result) {
      if (this.replay) this.replay.freeze(); // new frames are coming: the old bar moves nothing
      this.result = result;
      this.drawMetrics(result.metrics || {});
      this.drawFigures(result.figures || {}, () => {
        window.FFLab.linkReplay(this);
        this.section.dispatchEvent(new CustomEvent("fflab:drawn", { bubbles: true, detail: result }));
      });
      const m = result.metrics || {};
      const some = (v) => Array.isArray(v) && v.includes(true);
      this.setStatus("ready", m.diverged === true ? S.diverged : m.stalled === true ? S.stalled
        : some(m.diverged) ? S.some_diverged : S.ready);
    }

    drawMetrics(metrics) {
      const labels = this.info.metrics || {};
      this.metricsBox.replaceChildren();
      for (const [key, value] of Object.entries(metrics)) {
        const m = labels[key];
        const card = el("div", { class: "metric", "data-metric": key });
        const isLatex = typeof value === "string" && key.endsWith("_latex");
        card.append(el("dt", { text: m ? tr(m.label) : key.replace(/_/g, " ") }));
        const dd = el("dd");
        if (isLatex && page.mathml && page.mathml[value]) {
          dd.innerHTML = page.mathml[value]; // server-rendered MathML of a known formula
          dd.tabIndex = 0; // may scroll sideways: reachable by keyboard
        } else {
          dd.append(isLatex ? el("code", { text: value }) : el("span", { class: "value", text: fmt(value, m && m.full_precision) }));
        }
        if (m && m.unit) dd.append(el("span", { class: "unit", text: " " + tr(m.unit) }));
        card.append(dd);
        if (m && m.meaning) card.append(el("dd", { class: "meaning", text: tr(m.meaning) }));
        this.metricsBox.append(card);
      }
    }

    /* Draw every figure of a result. The ones on screen are drawn at once; the
       others one per idle moment after, so a control change redraws what the reader is looking at
       without waiting for figures further down. `done` runs once all are drawn; a newer result
       arriving meanwhile cancels the rest (it draws them itself). */
    drawFigures(figures, done) {
      const generation = (this.generation = (this.generation || 0) + 1);
      const later = [];
      for (const [name, fig] of Object.entries(figures)) {
        const div = this.figureDiv(name);
        this.figuresBox.querySelector(`[data-summary="${name}"]`).textContent = summarize(fig, name);
        if (onScreen(div)) this.plot(div, name, fig);
        else later.push([div, name, fig]);
      }
      this.section.dataset.drawn = later.length ? "partly" : "all";
      const next = () => {
        if (generation !== this.generation) return;
        const item = later.shift();
        if (item) {
          this.plot(...item);
          whenIdle(next);
        } else {
          this.section.dataset.drawn = "all";
          if (done) done();
        }
      };
      if (later.length) whenIdle(next);
      else if (done) done();
    }

    figureDiv(name) {
      let div = this.figuresBox.querySelector(`[data-figure="${name}"]`);
      if (!div) {
        // The summary is for screen readers (a sighted reader has the figure): the figure's caption,
        // visually hidden, and the description of the plot itself.
        const id = `summary-${this.name}-${name}`;
        const wrap = el("figure", { class: "figure-wrap" });
        div = el("div", { class: "figure", "data-figure": name, "aria-describedby": id });
        const caption = el("figcaption", { class: "fig-summary visually-hidden", id, "data-summary": name });
        wrap.append(div, caption);
        this.figuresBox.append(wrap);
      }
      return div;
    }

    plot(div, name, fig) {
      window.Plotly.react(div, {
        data: fig.data,
        layout: themed({ ...fig.layout }),
        frames: fig.frames || [],
        config: {
          responsive: true,
          displaylogo: false,
          toImageButtonOptions: { filename: `${page.exercise}-${this.name}-${name}` },
          // Offline and private: no "Share chart" upload to Plotly's cloud.
          modeBarButtonsToRemove: ["sendChartToCloud"],
          modeBarButtonsToAdd: [{
            name: "downloadSvg",
            title: S.download_svg,
            icon: window.Plotly.Icons.disk,
            click: (gd) => window.Plotly.downloadImage(gd, { format: "svg", filename: `${page.exercise}-${this.name}-${name}` }),
          }],
        },
      });
    }
  }

  /* Any part of it in the window (the rest are drawn within a few frames, before a reader scrolls). */
  function onScreen(div) {
    const r = div.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  }

  /* Run `fn` when the page is idle (soon in any case), so input and painting come first. */
  function whenIdle(fn) {
    if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 100 });
    else setTimeout(fn, 0);
  }

  const views = [];
  page.experiments.forEach((e) => {
    const section = document.getElementById(`exp-${e.info.name}`);
    if (section) views.push(new ExperimentView(section, e.info, e.query, e.errors));
  });
  if (dark && dark.addEventListener) {
    dark.addEventListener("change", () => views.forEach((v) => v.result
      && v.drawFigures(v.result.figures || {}, () => window.FFLab.linkReplay(v))));
  }
  window.fflab = { views };
})();
