/* Feedforward Lab — the one generic script of every exercise page.
 *
 * For each experiment section it builds the controls from the params' JSON Schema (fflab-controls.js),
 * keeps their state in the URL query as `experiment.param=value` (the language link follows it), asks
 * the API on change (debounced, superseded requests aborted), draws the figures with Plotly.react and
 * the metrics as cards. A refusal is said once, in the page's language: beside the control it names,
 * or in the status line; until a result comes, the figures and cards are dimmed and say they show the
 * last valid settings. Classroom links (?hide=…) fix some controls and Reset returns to the link.
 * Each figure's one-sentence summary sits in a visually hidden caption for screen readers; its toolbar
 * stays out of the tab order, one "Download figure" menu per figure instead. Results already received
 * are remembered (fflab-memo.js): a control moved back to a value seen before redraws with no request.
 * Helpers come from fflab-util.js, the controls from fflab-controls.js, the replay from fflab-replay.js.
 */
"use strict";

(function () {
  // Wait for a pause before asking the server: long while typing (so "5" on the way to "5000" is never
  // drawn), short while dragging a slider (superseded requests are aborted anyway), none for a choice
  // or a commit (Enter, or leaving the box). A step that comes alone (a spinner click or an arrow key
  // more than STEP_ALONE_MS after the last) is a deliberate change: it goes at once too.
  const DEBOUNCE_MS = { typing: 700, slider: 60, choice: 0, commit: 0 };
  const STEP_ALONE_MS = 120;
  // Figures out of the window are redrawn once a section has had no new answer for this long (drawLater).
  const QUIET_MS = 250;
  const { page, el, dark, themed, summarize, Control, metricCards, resolve, state, Memo, memoKey,
    readEvents, readJson, Progress, Toolbar, busyRetryDelay } = window.FFLab;
  const S = page.strings;

  const optionLabels = {};
  for (const e of page.experiments) {
    for (const p of Object.values(e.info.params.properties || {})) Object.assign(optionLabels, p["x-option-labels"]);
  }

  /* ---- one experiment section ---- */
  class ExperimentView {
    constructor(section, info, query, errors) {
      this.section = section;
      this.name = info.name;
      this.info = info;
      this.path = info.path;
      this.schema = info.params;
      this.form = section.querySelector("form.controls");
      this.status = section.querySelector(".status");
      this.metricsBox = section.querySelector(".metrics");
      this.figuresBox = section.querySelector(".figures");
      this.staleNote = el("p", { class: "stale-note", text: S.stale, hidden: true });
      this.status.after(this.staleNote);
      this.progress = new Progress(this.status, () => this.abort && this.abort.abort());
      this.controls = {};
      this.memo = new Memo(); // results already received, by canonical query
      this.optionLabels = optionLabels; // a sweep's keys (relu, zeros …) read like the page's menus
      const fixed = [];
      for (const [name, prop0] of Object.entries(this.schema.properties || {})) {
        const prop = resolve(this.schema, prop0);
        if (prop["x-hidden"]) continue;
        const c = new Control(this, name, prop);
        c.value = name in query ? query[name] : c.defaultString;
        this.controls[name] = c;
        if (state.isHidden(this.name, name)) {
          c.wrap.hidden = true;
          fixed.push(c);
        }
        this.form.append(c.wrap);
      }
      state.reset(this, fixed);
      this.form.addEventListener("submit", (e) => e.preventDefault());
      this.toolbar = new Toolbar(this);
      const embedded = section.querySelector("script.result-json").textContent, initial = JSON.parse(embedded);
      if (initial) this.draw(initial);
      this.asked = initial ? this.query().toString() : null;
      if (initial) this.memo.put(this.asked, embedded);
      // An unknown key of the URL is said once for the page (above) and dropped, not again here.
      const own = (errors || []).filter((d) => !state.unknown.includes(`${this.name}.${d.loc[d.loc.length - 1]}`));
      if (own.length) this.showErrors(own);
      else if (!initial) this.request(); // the server was busy, or the link had an unknown key: ask from here
    }

    query() {
      const q = new URLSearchParams();
      for (const [name, c] of Object.entries(this.controls)) q.set(name, c.value);
      return q;
    }

    /* The other controls' values: a budget limit learnt from a refusal holds while they stay. */
    others(name) {
      const q = this.query();
      q.delete(name);
      return q.toString();
    }

    writeUrl() {
      const url = new URL(window.location.href);
      for (const [name, c] of Object.entries(this.controls)) {
        const key = `${this.name}.${name}`;
        if (c.value === c.defaultString) url.searchParams.delete(key);
        else url.searchParams.set(key, c.value);
      }
      state.replaceUrl(url);
    }

    changed(kind) {
      this.touched = true; // the reader is at work here: figures out of the window wait for a pause
      this.writeUrl();
      if (this.toolbar) this.toolbar.update(); // not yet while the constructor sets the controls
      for (const [n, c] of Object.entries(this.controls)) if (c.budget && c.budget.others !== this.others(n)) c.clearBudget();
      clearTimeout(this.timer);
      if (kind === "commit" && this.query().toString() === this.asked) return; // already asked while typing
      if (kind !== "typing" && this.recall()) return; // a value seen before: at once (typed digits wait)
      this.markStale(true);
      let wait = DEBOUNCE_MS[kind] ?? DEBOUNCE_MS.typing;
      if (kind === "slider") {
        const now = performance.now();
        if (!(now - this.lastStep <= STEP_ALONE_MS)) wait = 0; // the first step of a drag or key repeat too
        this.lastStep = now;
      }
      this.section.dataset.debounce = String(wait); // how long this change waited (shown to tests and tools)
      if (wait === 0) this.inFlight = true; // asked for at once: figures further down wait for the answer
      this.timer = setTimeout(() => {
        // A box still being typed ("", "-", "1e") has nothing to send yet; Enter or leaving it sends.
        if (kind !== "typing" || !Object.values(this.controls).some((c) => c.incomplete)) this.recall() || this.request();
      }, wait);
    }

    /* Draw the remembered result of the controls' values at once, if any (dropping a pending request). */
    recall() {
      const q = this.query();
      const result = this.memo.get(memoKey(this, q));
      if (!result) return false;
      if (this.abort) this.abort.abort();
      this.abort = null;
      this.inFlight = false;
      this.asked = q.toString();
      this.progress.hide();
      this.clearErrors();
      this.draw(result);
      return true;
    }

    /* Results that no longer match the controls (a request pending, or refused) are dimmed and say so. */
    markStale(on) {
      const stale = on && !!this.result;
      this.section.toggleAttribute("data-stale", stale);
      this.staleNote.hidden = !stale;
    }

    setStatus(kind, text) {
      this.section.dataset.state = kind;
      this.section.setAttribute("aria-busy", kind === "busy" ? "true" : "false");
      this.status.textContent = text;
    }

    /* Ask the server for the controls' values; `attempt` counts the times a busy server was asked again. */
    async request(attempt = 0) {
      this.attempt = attempt;
      if (this.abort) this.abort.abort();
      const controller = new AbortController();
      this.abort = controller;
      const q = this.query();
      this.asked = q.toString();
      const key = memoKey(this, q);
      q.set("lang", page.lang);
      this.markStale(true);
      this.setStatus("busy", S.working);
      let url = `${this.info.stream_path || this.path}?${q}`;
      let init = { signal: controller.signal, headers: { Accept: "application/json, text/event-stream" } };
      if (this.beforeFetch) [url, init] = this.beforeFetch(url, init, q); // the playground may POST its data
      const progressTimer = setTimeout(() => this.progress.show(0, 0), 300);
      this.inFlight = true;
      try {
        const response = await fetch(url, init);
        const type = response.headers.get("content-type") || "";
        if (response.ok && type.startsWith("text/event-stream")) {
          await readEvents(response, (event, data, text) => {
            if (this.abort !== controller) return;
            if (event === "progress") this.progress.show(data.fraction, data.work);
            else if (event === "result" || event === "error") this.handle(event === "result" ? 200 : 503, data, key, text);
          });
        } else {
          const { body, text } = await readJson(response);
          if (this.abort === controller) this.handle(response.status, body, key, text); // else superseded
        }
      } catch (e) {
        if (e.name !== "AbortError") this.setStatus("error", S.request_failed);
        else if (this.abort === controller) this.setStatus("ready", S.cancelled);
        if (this.abort === controller) this.asked = null; // not answered: a commit asks again
      } finally {
        clearTimeout(progressTimer);
        if (this.abort === controller) {
          this.progress.hide();
          this.inFlight = false;
          this.drawLater();
        }
      }
    }

    handle(status, body, key, text) {
      if (status === 200 && body) {
        this.memo.put(key, text);
        this.clearErrors();
        this.draw(body);
      } else if (status === 422 && body && Array.isArray(body.detail)) {
        this.showErrors(body.detail);
      } else if (status === 503 && busyRetryDelay(this.attempt) !== null) {
        this.setStatus("busy", S.busy_retry); // a new change clears the timer: the retry is dropped
        this.timer = setTimeout(() => this.request(this.attempt + 1), busyRetryDelay(this.attempt));
      } else {
        this.setStatus("error", status === 503 ? S.busy : S.request_failed); // never the server's English
      }
    }

    clearErrors() {
      for (const c of Object.values(this.controls)) c.showError("");
    }

    /* Each refusal's `message` (the reader's sentence; `msg` is for developers) once: beside its control,
       or in the status line when it names none (or a hidden one). A too-costly refusal also says, under
       the control, how far it may go with the others as they are, and the slider stops there. */
    showErrors(detail) {
      this.clearErrors();
      const general = [];
      const said = new Set();
      for (const d of detail) {
        const text = d.message || S.not_accepted;
        if (said.has(text)) continue;
        said.add(text);
        const name = Array.isArray(d.loc) ? d.loc[d.loc.length - 1] : null;
        const c = this.controls[name];
        if (c && !c.wrap.hidden) {
          c.showError(text);
          const ctx = d.ctx || {};
          if (d.type === "too_costly" && typeof ctx.limit === "number") c.setBudget(ctx.limit, ctx.bound, this.others(c.name));
        } else {
          general.push(text);
        }
      }
      this.setStatus("error", general.length ? general.join(" ") : S.not_updated);
      this.markStale(true);
    }

    draw(result) {
      if (this.replay) this.replay.freeze(); // new frames are coming: the old bar moves nothing
      this.result = result;
      this.markStale(false);
      metricCards(this.metricsBox, result.metrics || {}, this.info.metrics || {}, this.optionLabels);
      this.drawFigures(result.figures || {}, () => {
        window.FFLab.linkReplay(this);
        this.section.dispatchEvent(new CustomEvent("fflab:drawn", { bubbles: true, detail: result }));
      });
      const m = result.metrics || {};
      const some = (v) => Array.isArray(v) && v.includes(true);
      this.setStatus("ready", m.diverged === true ? S.diverged : m.stalled === true ? S.stalled
        : some(m.diverged) ? S.some_diverged : S.ready);
    }

    /* A figure's Plotly config, made once: Plotly.react compares it with the one drawn, and any new
       value (a new click function) would make it build the whole figure again, twice. */
    config(div, name) {
      const filename = `${page.exercise}-${this.name}-${name}`;
      div._fflabConfig = div._fflabConfig || {
        responsive: true,
        displaylogo: false,
        toImageButtonOptions: { filename },
        // Offline and private: no "Share chart" upload to Plotly's cloud.
        modeBarButtonsToRemove: ["sendChartToCloud"],
        modeBarButtonsToAdd: [{
          name: "downloadSvg",
          title: S.download_svg,
          icon: window.Plotly.Icons.disk,
          click: (gd) => window.Plotly.downloadImage(gd, { format: "svg", filename }),
        }],
      };
      return div._fflabConfig;
    }

    /* Draw every figure of a result: the ones on screen at once, the others later (drawLater), so a control
       change redraws what the reader is looking at without waiting for figures further down. `done` runs
       once all are drawn; a newer result arriving meanwhile drops the rest (it draws them itself). */
    drawFigures(figures, done) {
      const later = [];
      for (const [name, fig] of Object.entries(figures)) {
        const div = this.figureDiv(name);
        this.figuresBox.querySelector(`[data-summary="${name}"]`).textContent = summarize(fig, name);
        if (onScreen(div)) this.plot(div, name, fig);
        else later.push([div, name, fig]);
      }
      this.queue = { later, done };
      this.drawLater();
    }

    /* Draw the queued figures, one per idle moment; once the reader has changed a control here, only after
       the section has been quiet for QUIET_MS: changing values in a row, each answer is drawn where they look,
       not behind a redraw further down (a figure scrolled into view meanwhile is drawn at once). A request
       in flight pauses them: it replaces them all; a request that brings no result resumes. */
    drawLater() {
      const queue = this.queue;
      if (!queue) return;
      this.section.dataset.drawn = queue.later.length ? "partly" : "all";
      const next = () => {
        if (queue !== this.queue || this.inFlight) return;
        const item = queue.later.shift();
        if (item) {
          this.plot(...item);
          whenIdle(next);
        } else {
          this.section.dataset.drawn = "all";
          this.queue = null;
          if (queue.done) queue.done();
        }
      };
      clearTimeout(this.quiet);
      if (!queue.later.length) return next();
      this.watchLater(queue);
      this.quiet = setTimeout(() => whenIdle(next), this.touched ? QUIET_MS : 0);
    }

    /* Draw a queued figure as soon as it comes into the window (the queue draws the rest). */
    watchLater(queue) {
      if (!window.IntersectionObserver) return;
      this.watcher = this.watcher || new IntersectionObserver((entries) => {
        const q = this.queue;
        if (!q || this.inFlight) return;
        for (const e of entries) {
          const i = e.isIntersecting ? q.later.findIndex(([div]) => div === e.target) : -1;
          if (i >= 0) this.plot(...q.later.splice(i, 1)[0]);
        }
      });
      this.watcher.disconnect();
      for (const [div] of queue.later) this.watcher.observe(div);
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
        // One tab stop per figure to save it (Plotly's toolbar buttons are kept out of the tab order).
        const save = el("details", { class: "fig-save" }, el("summary", { text: S.save_figure, "aria-describedby": id }));
        const filename = `${page.exercise}-${this.name}-${name}`;
        for (const format of ["png", "svg"]) {
          const b = el("button", { type: "button", "data-format": format, text: format.toUpperCase() });
          b.addEventListener("click", () => window.Plotly.downloadImage(div, { format, filename }));
          save.append(b);
        }
        wrap.append(div, caption, save);
        this.figuresBox.append(wrap);
      }
      return div;
    }

    plot(div, name, fig) {
      const quiet = () => div.querySelectorAll(".modebar-btn").forEach((b) => b.setAttribute("tabindex", "-1"));
      return Promise.resolve(window.Plotly.react(div, {
        data: fig.data,
        layout: themed({ ...fig.layout }),
        frames: fig.frames || [],
        config: this.config(div, name),
      })).then(() => {
        quiet();
        if (!div.dataset.quiet) div.on("plotly_afterplot", quiet); // the toolbar may be rebuilt
        div.dataset.quiet = "1";
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

  state.announce();

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
