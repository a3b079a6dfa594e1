/* Feedforward Lab — where a section's results come from: the ones it already holds, and the server's stream.
 *
 * Results are deterministic (the server says so with ETags), so a section keeps those it has received —
 * the page's embedded first result included — in a small least-recently-used memo keyed by the
 * experiment's canonical query (the controls' values in schema order, as the API is asked). Moving a
 * control back to a value seen before redraws at once, with no request and no debounce. A result is kept
 * as the JSON text it came as and parsed anew when recalled: Plotly and the replay change the traces
 * they draw in place, and a recalled result must show its own numbers. The memo is bounded twice: at
 * most MAX_RESULTS per section and MAX_CHARS of JSON text, so a class leaving a page open all lesson
 * does not grow the tab without end. readEvents reads server-sent events from a fetch
 * body (the streamed experiments send progress, then the result), Progress shows that progress, and
 * busyRetryDelay says when to ask a busy server again.
 * Loaded after fflab-util.js.
 */
"use strict";

(function () {
  const MAX_RESULTS = 64;
  const MAX_CHARS = 24e6; // JSON text per section: ~50 of the largest results (0.5 MB); smaller ones stop at 64

  /* A bounded LRU map from a query string to a result's JSON text. */
  class Memo {
    constructor(maxResults = MAX_RESULTS, maxChars = MAX_CHARS) {
      this.maxResults = maxResults;
      this.maxChars = maxChars;
      this.entries = new Map(); // insertion order = least recently used first
      this.chars = 0;
    }

    get size() {
      return this.entries.size;
    }

    /* The result kept for `key` (now the most recently used), parsed anew; undefined when none. */
    get(key) {
      const text = this.entries.get(key);
      if (text === undefined) return undefined;
      this.entries.delete(key);
      this.entries.set(key, text);
      return JSON.parse(text);
    }

    put(key, text) {
      if (!key || typeof text !== "string") return;
      const old = this.entries.get(key);
      if (old !== undefined) {
        this.chars -= old.length;
        this.entries.delete(key);
      }
      if (text.length > this.maxChars) return; // larger than the whole budget: not kept
      this.entries.set(key, text);
      this.chars += text.length;
      for (const [k, t] of this.entries) {
        if (this.entries.size <= this.maxResults && this.chars <= this.maxChars) break;
        this.entries.delete(k);
        this.chars -= t.length;
      }
    }
  }

  /* The memo's key for a view's controls: their canonical query, and the body the page sends with it when it
     sends one (the playground POSTs pasted rows that no query holds: exercise.js's beforeFetch hook). */
  function memoKey(view, query) {
    if (!view.beforeFetch) return query.toString();
    const q = new URLSearchParams(query);
    q.set("lang", window.FFLab.page.lang);
    const [, init] = view.beforeFetch("", { headers: {} }, q);
    return init && init.body ? `${query}\n${init.body}` : query.toString();
  }

  /* Read server-sent events from a fetch response; call onEvent(name, parsed JSON data, its text) for each. */
  async function readEvents(response, onEvent) {
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
        if (event) onEvent(event[1], JSON.parse(data), data);
      }
    }
  }

  /* A response's JSON body (null when it is not JSON: said as a failed request) and its text. */
  async function readJson(response) {
    const text = await response.text();
    try {
      return { body: JSON.parse(text), text };
    } catch (e) {
      return { body: null, text };
    }
  }

  /* A streamed run's progress under a section's status: a bar, the work done, and a cancel button. */
  class Progress {
    constructor(after, cancel) {
      this.after = after; // the element the bar goes after, made when first shown
      this.cancel = cancel;
    }

    show(fraction, work) {
      const { el, page } = window.FFLab, S = page.strings;
      if (!this.box) {
        this.bar = el("progress", { max: "1", value: "0", "aria-label": S.working });
        this.text = el("span", { class: "progress-text" });
        const cancel = el("button", { type: "button", class: "cancel", text: S.cancel });
        cancel.addEventListener("click", this.cancel);
        this.box = el("div", { class: "progress" }, this.bar, this.text, cancel);
        this.after.after(this.box);
      }
      this.box.hidden = false;
      this.bar.value = fraction;
      this.text.textContent = work ? S.work_done.replace("{n}", work.toLocaleString()) : "";
    }

    hide() {
      if (this.box) this.box.hidden = true;
    }
  }

  /* How long to wait before asking a busy server (503) again: about BUSY_RETRY_MS[attempt] ms, jittered
     so that a class refused at the same moment does not come back at the same moment; null once the
     retries are spent (the section then says the server is busy). */
  const BUSY_RETRY_MS = [1000, 2500];
  function busyRetryDelay(attempt) {
    const ms = BUSY_RETRY_MS[attempt];
    return ms === undefined ? null : ms * (0.75 + Math.random() / 2);
  }

  Object.assign(window.FFLab, { Memo, memoKey, readEvents, readJson, Progress, busyRetryDelay });
})();
