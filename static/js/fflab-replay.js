/* Feedforward Lab — training replay, linked across a section's figures.
 *
 * A figure whose JSON has frames named by epoch is a replay. It gets one bar under it — play/pause,
 * one step back or forward, a slider over the recorded epochs and the epoch shown — and the bar
 * drives its frames. One epoch holds for the whole section: every replay shows the frame nearest
 * to it, every loss curve marks it with a dotted line, and clicking a loss curve moves everything
 * to the recorded epoch nearest the click. Only the figure JSON and Plotly's public API are used.
 */
"use strict";

(function () {
  const { el } = window.FFLab;
  const S = window.FFLab.page.strings;
  const MARKER = { color: "#888888", width: 1.5, dash: "dot" };
  const FRAME_MS = 250;

  /* The epochs of a figure's frames, or [] when it is no replay (no frames, or not named by numbers). */
  function frameEpochs(fig) {
    const epochs = ((fig && fig.frames) || []).map((f) => Number(f.name));
    return epochs.length && epochs.every(Number.isFinite) ? epochs : [];
  }

  /* Index of the value of `list` nearest to x (the first of two equally near). */
  function nearestIndex(list, x) {
    let best = 0;
    for (let i = 1; i < list.length; i++) if (Math.abs(list[i] - x) < Math.abs(list[best] - x)) best = i;
    return best;
  }

  /* One replay figure and its bar. `section` is the section's shared state (goTo, play, stop). */
  function makeBar(div, fig, section) {
    const names = fig.frames.map((f) => f.name);
    const epochs = frameEpochs(fig);
    const options = (fig.layout && fig.layout.meta && fig.layout.meta.replay) || {};
    const redraw = options.redraw !== false;
    const last = epochs.length - 1;
    const range = el("input", { type: "range", class: "replay-range", min: 0, max: last, step: 1, value: last,
      "aria-label": S.replay_position });
    const label = el("output", { class: "replay-epoch" });
    const play = el("button", { type: "button", class: "replay-play" });
    const back = el("button", { type: "button", class: "replay-back", text: "◀", "aria-label": S.step_back,
      title: S.step_back });
    const next = el("button", { type: "button", class: "replay-next", text: "▶", "aria-label": S.step_forward,
      title: S.step_forward });
    const bar = el("div", { class: "replay", role: "group", "aria-label": S.replay }, play, back, range, next, label);
    const self = { div, epochs, bar, play, label, index: last, frameMs: Number(options.frame_ms) || FRAME_MS };

    /* Show frame i: the figure, the slider, its spoken value and the label, all at once. */
    self.show = (i, animate = true) => {
      self.index = i;
      const text = `${S.epoch} ${names[i]}`;
      range.value = String(i);
      range.setAttribute("aria-valuetext", text);
      label.textContent = text;
      div.dataset.replayEpoch = String(epochs[i]);
      if (!animate) return;
      const done = window.Plotly.animate(div, [names[i]], { mode: "immediate",
        frame: { duration: 0, redraw }, transition: { duration: 0 } });
      if (done && done.catch) done.catch(() => {}); // a newer frame interrupted this one: nothing to do
    };
    self.setPlaying = (on) => {
      play.textContent = on ? S.pause : S.play;
      play.dataset.playing = on ? "true" : "false";
      label.setAttribute("aria-live", on ? "off" : "polite"); // no announcement four times a second
    };

    play.addEventListener("click", () => (section.playing ? section.stop() : section.play(self)));
    back.addEventListener("click", () => { section.stop(); section.goTo(epochs[Math.max(0, self.index - 1)], self); });
    next.addEventListener("click", () => { section.stop(); section.goTo(epochs[Math.min(last, self.index + 1)], self); });
    range.addEventListener("input", () => { section.stop(); section.goTo(epochs[Number(range.value)], self); });
    self.setPlaying(false);
    self.show(last, false); // the figure is drawn at its last frame
    div.closest(".figure-wrap").insertBefore(bar, div.nextSibling);
    return self;
  }

  /* Link the replays and loss curves of one experiment section (called after each draw). */
  function linkReplay(view) {
    if (view.replay) view.replay.stop();
    view.replay = null;
    view.figuresBox.querySelectorAll(".replay").forEach((b) => b.remove());
    const figs = (view.result && view.result.figures) || {};
    const divs = [...view.figuresBox.querySelectorAll("[data-figure]")].filter((d) => figs[d.dataset.figure]);
    const replayDivs = divs.filter((d) => frameEpochs(figs[d.dataset.figure]).length);
    // Loss curves, and any figure over the epochs that says so (layout.meta.epoch_axis), mark the epoch shown.
    const overEpochs = (d) => /loss/.test(d.dataset.figure) || Boolean(((figs[d.dataset.figure].layout || {}).meta
      || {}).epoch_axis);
    const losses = divs.filter((d) => overEpochs(d) && !replayDivs.includes(d));
    if (!replayDivs.length) {
      delete view.section.dataset.replayEpoch;
      return;
    }
    const section = { playing: null, timer: null, frozen: false };
    const bars = [];
    const allEpochs = [];

    /* The dotted line on every loss curve, over the figure's own shapes (reference lines) as drawn,
       that is in the page's theme. */
    const mark = (epoch) => {
      for (const d of losses) {
        if (!d.layout) continue; // not drawn (yet)
        const own = (d.layout.shapes || []).filter((s) => s.name !== "replay").map((s) => ({ ...s }));
        const line = { type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1,
          line: { ...MARKER }, name: "replay" };
        window.Plotly.relayout(d, { shapes: [...own, line] });
      }
      view.section.dataset.replayEpoch = String(epoch);
    };

    /* Move the section to the recorded epoch nearest `epoch`: the source bar's own frame when a bar
       moved, else the nearest frame of any replay; every replay then shows its frame nearest to it. */
    section.goTo = (epoch, source) => {
      if (section.frozen) return;
      const snapped = source ? source.epochs[nearestIndex(source.epochs, epoch)]
        : allEpochs[nearestIndex(allEpochs, epoch)];
      for (const b of bars) {
        const i = nearestIndex(b.epochs, snapped);
        if (i !== b.index || b === source) b.show(i);
      }
      mark(snapped);
    };
    section.stop = () => {
      clearInterval(section.timer);
      section.timer = null;
      section.playing = null;
      for (const b of bars) b.setPlaying(false);
    };
    /* Until the next link: a new result is being drawn, its frames may have other names. */
    section.freeze = () => {
      section.stop();
      section.frozen = true;
    };
    /* Play from the shown frame (from the start when at the end), one frame per tick, then stop. */
    section.play = (leader) => {
      if (section.frozen) return;
      section.stop();
      section.playing = leader;
      for (const b of bars) b.setPlaying(true);
      if (leader.index >= leader.epochs.length - 1) section.goTo(leader.epochs[0], leader);
      section.timer = setInterval(() => {
        const i = leader.index + 1;
        if (i >= leader.epochs.length) return section.stop();
        section.goTo(leader.epochs[i], leader);
        if (i === leader.epochs.length - 1) section.stop();
      }, leader.frameMs);
    };

    for (const d of replayDivs) {
      const b = makeBar(d, figs[d.dataset.figure], section);
      bars.push(b);
      allEpochs.push(...b.epochs);
    }
    view.replay = section;
    section.mark = mark; // a page script that redraws a marked figure marks it again
    mark(bars[0].epochs[bars[0].index]);

    // A click on a loss curve: the handler is added once per figure and asks the current links.
    view.clickLinked = view.clickLinked || new WeakSet();
    for (const d of losses) {
      if (view.clickLinked.has(d)) continue;
      view.clickLinked.add(d);
      d.on("plotly_click", (e) => {
        if (!view.replay || !e || !e.points || !e.points.length) return;
        view.replay.stop();
        view.replay.goTo(Number(e.points[0].x), null);
      });
    }
  }

  window.FFLab.linkReplay = linkReplay;
})();
