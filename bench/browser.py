"""Section 3: exercise pages in a real Chromium (Playwright): first figure cold, warm, on a second and a third
visit; control → redraw."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass

from app.exercises.registry import EXERCISES
from bench.common import CHROMIUM, CHROMIUM_ARGS

# ms since navigation start (performance.timeOrigin) at which the first figure is drawn and visible
FIRST_FIGURE_JS = """() => {
  const e = document.querySelector('[data-figure] .main-svg');
  if (!e) return null;
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? performance.now() : null;
}"""

# Change one numeric control of a section as a user does (new value + `input` event) while looking
# at the section's first figure (scrolled to the top of the window: the page redraws the figures on
# screen first, the others when idle); resolve with {total: ms from the change to
# data-state="ready", request: ms from "busy" to "ready", state, debounce: ms the page waited}.
CONTROL_JS = """async ([sectionId, param, value]) => {
  const section = document.getElementById(sectionId);
  const input = section.querySelector(`[data-param="${param}"] input[type=number]`);
  section.querySelector('[data-figure]').scrollIntoView({block: 'start'});
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return await new Promise((resolve) => {
    let busyAt = null;
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      const s = section.dataset.state;
      if (s === 'busy' && busyAt === null) busyAt = performance.now();
      if (busyAt !== null && (s === 'ready' || s === 'error')) {
        obs.disconnect();
        const t = performance.now();
        requestAnimationFrame(() => resolve({total: t - t0, request: t - busyAt, state: s,
                                             debounce: Number(section.dataset.debounce)}));
      }
    });
    obs.observe(section, {attributes: true, attributeFilter: ['data-state']});
    setTimeout(() => { obs.disconnect(); resolve({total: null, request: null, state: 'timeout'}); }, 20000);
    input.value = String(value);
    input.dispatchEvent(new Event('input', {bubbles: true}));
  });
}"""

# Pick the control to change: a seed if there is one, else the first numeric control; a new value
# inside its bounds.
PICK_JS = """() => {
  for (const section of document.querySelectorAll('section.experiment')) {
    const boxes = [...section.querySelectorAll('[data-param] input[type=number]')];
    if (!boxes.length) continue;
    const box = boxes.find((b) => /seed/.test(b.closest('[data-param]').dataset.param)) || boxes[0];
    const v = Number(box.value), lo = box.min === '' ? -Infinity : Number(box.min),
          hi = box.max === '' ? Infinity : Number(box.max);
    const integer = box.step === '1';
    let next = integer ? v + 1 : v * 1.1 + (v === 0 ? 0.1 : 0);
    if (next > hi) next = integer ? v - 1 : v * 0.9;
    if (next < lo) next = lo;
    if (!integer) next = Number(next.toPrecision(4));
    return [section.id, box.closest('[data-param]').dataset.param, next];
  }
  return null;
}"""


CONTROL_CHANGES = 3  # control changes per page; the median is reported
VIEWPORT = {"width": 1280, "height": 900}


NAN = float("nan")


@dataclass
class PageTiming:
    exercise: str
    cold: float          # seconds from navigation start to the first figure: a browser process just started
    warm: float          # the same in a new context of the running browser (empty HTTP and code caches)
    control_total: float  # change a control -> section ready (includes the page's input debounce)
    control_request: float  # request start ("busy") -> ready: fetch + JSON + Plotly redraw
    control: str
    note: str = ""
    second: float = NAN   # second visit in the warm context: HTTP cache (Chromium makes the code cache)
    third: float = NAN    # third visit: HTTP cache and V8 code cache
    second_html: float = NAN  # second visit: navigation start -> page HTML received (responseEnd)
    second_dcl: float = NAN   # second visit: -> DOMContentLoaded end (deferred plotly.js + app ran)
    debounce: float = NAN     # ms the page waited before asking (its data-debounce), the largest of the changes


def available() -> str | None:
    """Return None when Playwright and a Chromium are there, else why not."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found"
    return None


NAV_JS = """() => { const n = performance.getEntriesByType('navigation')[0];
  return n ? [n.responseEnd, n.domContentLoadedEventEnd] : [NaN, NaN]; }"""


def _first_figure(page, url: str) -> float:
    page.goto(url, wait_until="commit")
    handle = page.wait_for_function(FIRST_FIGURE_JS, polling=5, timeout=30_000)
    return float(handle.json_value()) / 1e3


def _cold_first_figure(pw, url: str) -> float:
    """First figure in a browser just started: no HTTP cache, no code cache, no process warmed by a visit."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        return _first_figure(browser.new_context(viewport=VIEWPORT).new_page(), url)
    finally:
        browser.close()


def _nav(page) -> tuple[float, float]:
    page.wait_for_load_state("load")
    html, dcl = page.evaluate(NAV_JS)
    return html / 1e3, dcl / 1e3


def run(base_url: str) -> list[PageTiming]:
    from playwright.sync_api import sync_playwright

    out: list[PageTiming] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = [(ex.id, f"/exercises/{ex.id}") for ex in EXERCISES.values() if ex.experiments]
            for name, path in [*pages, ("playground", "/playground")]:
                url = f"{base_url}{path}?lang=en"
                context = None
                try:
                    # The server as deployed holds the page's results (it computes them at start):
                    # one visit first, then the cold visit in a browser process of its own.
                    context = browser.new_context(viewport=VIEWPORT)
                    _first_figure(context.new_page(), url)
                    context.close()
                    cold = _cold_first_figure(pw, url)
                    context = browser.new_context(viewport=VIEWPORT)  # empty caches; the server holds the results
                    page = context.new_page()
                    warm = _first_figure(page, url)
                    page.wait_for_load_state("load")
                    page.goto("about:blank")
                    second = _first_figure(page, url)
                    second_html, second_dcl = _nav(page)
                    page.goto("about:blank")
                    third = _first_figure(page, url)
                    picked = page.evaluate(PICK_JS)
                    total = request = float("nan")
                    control, note = "", ""
                    if picked:
                        section, param, value = picked
                        control = f"{section.removeprefix('exp-')}.{param}={value}"
                        page.wait_for_load_state("networkidle")  # the page has drawn and gone idle
                        totals, requests, waits = [], [], []
                        for k in range(CONTROL_CHANGES):  # new values each time: never a cached result
                            v = value + k if float(value).is_integer() else round(value * (1 + 0.01 * k), 6)
                            r = page.evaluate(CONTROL_JS, [section, param, v])
                            if r["state"] != "ready":
                                note = f"control change ended in state {r['state']}"
                                break
                            totals.append(r["total"] / 1e3)
                            requests.append(r["request"] / 1e3)
                            waits.append(r["debounce"])
                        else:
                            total, request = statistics.median(totals), statistics.median(requests)
                    out.append(PageTiming(name, cold, warm, total, request, control, note, second, third,
                                          second_html, second_dcl, max(waits, default=NAN)))
                except Exception as exc:  # one page failing must not stop the others
                    out.append(PageTiming(name, NAN, NAN, NAN, NAN, "",
                                          f"failed: {type(exc).__name__}: {str(exc)[:120]}"))
                finally:
                    if context is not None:
                        context.close()
        finally:
            browser.close()
    return out
