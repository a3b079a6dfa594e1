/* Feedforward Lab — training replay, linked across a section's figures.
 *
 * A figure with Plotly frames (named by epoch) gets a keyboard-friendly bar — play, pause, step,
 * scrub — and drives the others: every other replay of the section jumps to the same epoch, and
 * every loss curve shows that epoch as a dotted line; clicking a loss curve moves the replays.
 */
"use strict";

(function () {
  const { el } = window.FFLab;
  const S = window.FFLab.page.strings;

  /* Training replay, linked: a figure with frames (named by epoch) drives the others — every other
     replay figure of the section jumps to the same epoch, and loss curves show it as a line;
     clicking a loss curve moves every replay to the nearest recorded epoch. */
function linkReplay(view) {
    const divs = [...view.figuresBox.querySelectorAll("[data-figure]")];
    const replays = divs.filter((d) => d._transitionData && d._transitionData._frames && d._transitionData._frames.length);
    const losses = divs.filter((d) => /loss/.test(d.dataset.figure));
    if (!replays.length) return;
    const epochsOf = (d) => d._transitionData._frames.map((f) => Number(f.name)).filter(Number.isFinite);
    const mark = (epoch) => {
      for (const d of losses) {
        // Keep the figure's own shapes (reference lines); add or move the replay's line.
        if (!d._baseShapes) d._baseShapes = (d.layout && d.layout.shapes ? d.layout.shapes : []).slice();
        const line = { type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1,
          line: { color: "#888888", width: 1.5, dash: "dot" }, name: "replay" };
        window.Plotly.relayout(d, { shapes: [...d._baseShapes, line] });
      }
      view.section.dataset.replayEpoch = String(epoch);
    };
    const goTo = (epoch, source) => {
      for (const d of replays) {
        if (d === source) continue;
        const epochs = epochsOf(d);
        if (!epochs.length) continue;
        const nearest = epochs.reduce((a, b) => (Math.abs(b - epoch) < Math.abs(a - epoch) ? b : a));
        window.Plotly.animate(d, [String(nearest)], { mode: "immediate", frame: { duration: 0, redraw: true },
          transition: { duration: 0 } });
      }
      mark(epoch);
    };
    for (const d of replays) {
      replayBar(view, d, epochsOf(d), goTo);
      if (d.dataset.linked) continue;
      d.dataset.linked = "1";
      d.on("plotly_sliderchange", (e) => goTo(Number(e.step.label), d));
      d.on("plotly_animatingframe", (e) => {
        if (e && e.name !== undefined) {
          mark(Number(e.name));
          if (d._replayRange) d._replayRange.value = epochsOf(d).indexOf(Number(e.name));
        }
      });
    }
    for (const d of losses) {
      if (d.dataset.linked) continue;
      d.dataset.linked = "1";
      d.on("plotly_click", (e) => e.points && e.points.length && goTo(Number(e.points[0].x), null));
    }
  }

  /* A keyboard-friendly replay control under a figure with frames: play, pause, step, scrub. */
function replayBar(view, div, epochs, goTo) {
    const wrap = div.closest(".figure-wrap");
    let bar = wrap.querySelector(".replay");
    if (bar) bar.remove();
    const last = epochs.length - 1;
    const range = el("input", { type: "range", min: 0, max: last, step: 1, value: last,
      "aria-label": `${S.replay}: ${div.dataset.figure}` });
    const label = el("output", { class: "replay-epoch", text: `${S.epoch} ${epochs[last]}` });
    const show = (i) => {
      range.value = i;
      label.textContent = `${S.epoch} ${epochs[i]}`;
      window.Plotly.animate(div, [String(epochs[i])], { mode: "immediate", frame: { duration: 0, redraw: true },
        transition: { duration: 0 } });
      goTo(epochs[i], div);
    };
    let timer = null;
    const stop = () => {
      clearInterval(timer);
      timer = null;
      play.setAttribute("aria-pressed", "false");
    };
    const play = el("button", { type: "button", class: "replay-play", text: S.play, "aria-pressed": "false" });
    play.addEventListener("click", () => {
      if (timer) return stop();
      let i = Number(range.value) >= last ? 0 : Number(range.value);
      play.setAttribute("aria-pressed", "true");
      timer = setInterval(() => {
        show(i);
        if (++i > last) stop();
      }, 250);
    });
    const back = el("button", { type: "button", class: "replay-back", text: "◀", "aria-label": S.step_back });
    const next = el("button", { type: "button", class: "replay-next", text: "▶", "aria-label": S.step_forward });
    back.addEventListener("click", () => { stop(); show(Math.max(0, Number(range.value) - 1)); });
    next.addEventListener("click", () => { stop(); show(Math.min(last, Number(range.value) + 1)); });
    range.addEventListener("input", () => { stop(); show(Number(range.value)); });
    div._replayRange = range;
    bar = el("div", { class: "replay", role: "group", "aria-label": S.replay }, play, back, range, next, label);
    wrap.insertBefore(bar, wrap.querySelector(".fig-summary"));
  }

  window.FFLab.linkReplay = linkReplay;
})();
