"""`make bench` / `python -m bench.run`: measure, print a table, write bench/RESULTS.md.

Sections (issues 6 and 15): 0. the machine's speed index, from a fixed calibration workload timed at the
start and at the end (bench/calibrate.py); 1. every experiment at its defaults through the ASGI app
(result cache off, then a cached repeat); 1b. the playground's default run, a 100-seed ensemble and its
largest answer (bench/playground.py); 2. the 1000 x 5000 XOR ensemble (core, one after another,
batched PyTorch, GFLOP/s against the measured matmul peak); 3. pages in Chromium (first figure cold, warm,
second and third visit; control change -> redraw); 4. uvicorn under 1, 8 and 32 concurrent clients; then
profiles of the experiments over their target and of the ensemble. Each timing target is reported raw and
normalised to the reference machine. A section that cannot run (no torch, no browser) is skipped with a
note. Timings are wall-clock unless marked CPU; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

# Quiet access log: one line per request would drown the report.
os.environ.setdefault("FFLAB_ACCESS_LOG", "0")
# No background warm-up competing with the measurements (section 3 visits each page once before its
# cold visit instead: a deployed app has computed its pages' results at start).
os.environ.setdefault("FFLAB_WARMUP", "0")

from app.cache import GZIP_LEVEL
from bench import playground
from bench.calibrate import REFERENCE_S, calibrate
from bench.common import load_average, machine, ms, quantile, uvicorn_server
from bench.lessons import LESSON
from bench.report import Report, kb, profile, table

RESULTS = Path(__file__).with_name("RESULTS.md")

# Targets of issues 6 and 15 (seconds / bytes)
EXPERIMENT_MEDIAN = 0.100
SWEEP_MEDIAN = 0.600
CACHED = 0.005
GZIP_BYTES = 300 * 1024
ENSEMBLE_WALL = 1.0
SEQUENTIAL_RATIO = 20.0
SECOND_VISIT_FIRST_FIGURE = 0.5
COLD_OVER_WARM = 2.0
CONTROL_REDRAW = 0.250
MAX_PROFILES = 6  # experiments profiled at most (those over their target, slowest first)
def _debounce(kind: str) -> int:
    """Read how long static/js/exercise.js waits after a change of this kind before it asks the server."""
    js = (Path(__file__).resolve().parents[1] / "static" / "js" / "exercise.js").read_text(encoding="utf-8")
    m = re.search(rf"DEBOUNCE_MS = \{{[^}}]*\b{kind}: (\d+)", js)
    return int(m.group(1)) if m else 0


# The bench's control change is a plain `input` event on a number box: a step, as a spinner click or
# an arrow key sends. A step alone is sent at once; steps in a row wait DEBOUNCE_MS (typed digits
# TYPING_MS); the page says which (data-debounce) and the bench reports it.
DEBOUNCE_MS, TYPING_MS = _debounce("slider"), _debounce("typing")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def section_api(rep: Report, requests: int) -> list:
    from bench import api_latency

    _log("1/5 experiment latency through the ASGI app ...")
    lat = api_latency.run(quantile, requests)
    rows = []
    for r in lat:
        goal = SWEEP_MEDIAN if r.sweep else EXPERIMENT_MEDIAN
        rows.append([f"{r.exercise} {r.experiment}", "sweep" if r.sweep else "", r.n, ms(r.median), ms(r.p95),
                     kb(r.raw_bytes), kb(r.gzip_bytes), ms(r.cached_median), ms(r.cached_identity),
                     "ok" if r.median <= goal and r.status == 200 else f"over ({ms(goal)} ms)"])
    rep.section("1. Experiments at defaults (ASGI app in process, result cache off)",
                table(["experiment", "kind", "n", "median ms", "p95 ms", "raw KB", "gzip KB", "cached ms",
                        "cached, no gzip ms",
                        "target"], rows)
                + "\n\nn requests each (5 when one takes over 1 s); gzip KB = the body as the app sends it to "
                  f"a browser (kept gzipped, level {GZIP_LEVEL}); cached ms = the same request answered from the "
                  "result cache "
                  "with gzip asked (as browsers do), "
                  "then without, to the body's last byte as sent (the client's unpacking, a browser's work, not "
                  "counted).")
    if not lat:
        rep.target("experiments at defaults", "median ≤ 100 ms", "no experiments registered", None)
        return lat
    for sweep, goal in ((False, EXPERIMENT_MEDIAN), (True, SWEEP_MEDIAN)):
        rep.timed("experiments at defaults, median" + (" (sweeps)" if sweep else ""), goal,
                  [(f"{r.exercise} {r.experiment}", r.median) for r in lat if r.sweep == sweep],
                  "see the profiles below")
    worst_cache = max(lat, key=lambda r: r.cached_median)
    worst_plain = max(lat, key=lambda r: r.cached_identity)
    met = worst_cache.cached_median <= CACHED
    rep.target("cached repeat", "≤ 5 ms", f"worst median {ms(worst_cache.cached_median)} ms with gzip "
               f"({worst_cache.exercise} {worst_cache.experiment}); without gzip worst "
               f"{ms(worst_plain.cached_identity)} ms", met,
               "" if met else "results are kept gzipped (app/cache.py), so what remains is the request path "
               "itself (validation, routing, middleware)")
    big = max(lat, key=lambda r: r.gzip_bytes)
    rep.target("response size", "≤ 300 KB gzipped", f"largest {kb(big.gzip_bytes)} KB ({big.exercise} "
               f"{big.experiment})", big.gzip_bytes <= GZIP_BYTES, "" if big.gzip_bytes <= GZIP_BYTES else
               "figure arrays: subsample snapshots / grids")
    return lat


def section_ensemble(rep: Report, install_torch: bool = True) -> Any:
    from bench import ensemble

    _log("2/5 the 1000 x 5000 XOR ensemble ...")
    if install_torch:
        from bench import torch_xor

        why = torch_xor.install()
        if why:
            rep.notes.append(f"PyTorch row skipped: {why}")
    e = ensemble.run()
    load = load_average()
    rows = [
        ["core ensemble path (best of 3)", f"{e.core_wall:.3f}", f"{e.core_cpu:.3f}", "1.0×",
         f"runs {', '.join(f'{t:.3f}' for t in e.core_runs)}"],
        ["core, (S, N, n) path (before this work)", f"{e.reference_wall:.3f}", f"{e.reference_cpu:.3f}",
         f"{e.reference_wall / e.core_wall:.1f}×", f"final losses differ by ≤ {e.max_abs_loss_diff:.1e}"],
        [f"one network at a time ({ensemble.SEQUENTIAL} timed, ×{ensemble.S // ensemble.SEQUENTIAL})",
         f"{e.sequential_wall:.1f}", "", f"{e.sequential_wall / e.core_wall:.0f}×", "extrapolated"],
        ["PyTorch CPU, torch.bmm batched", f"{e.torch_wall:.3f}" if e.torch_wall == e.torch_wall else "skipped",
         "", f"{e.torch_wall / e.core_wall:.2f}×" if e.torch_wall == e.torch_wall else "",
         e.torch_note + (f"; final losses differ by ≤ {e.torch_max_abs_loss_diff:.1e}"
                         if e.torch_max_abs_loss_diff == e.torch_max_abs_loss_diff else "")],
    ]
    body = table(["job", "wall s", "CPU s", "vs core", "note"], rows)
    body += (f"\n\nAchieved {e.achieved_gflops:.2f} GFLOP/s ({e.flops / 1e9:.2f} GFLOP of matrix products: "
             f"6·N·Σ n_in·n_out per network and step; elementwise work not counted) against a measured peak of "
             f"{e.peak_gflops:.1f} GFLOP/s (2048² float64 matmul, NumPy, same run): "
             f"{100 * e.achieved_gflops / e.peak_gflops:.1f}% of peak. {100 * e.solved_fraction:.1f}% of the "
             f"1000 networks end with loss < 0.01. Load average at the end: {load:.2f}.")
    rep.section("2. Ensemble: 1000 XOR networks 2-2-1, ReLU, half-MSE, full batch, N(0,1), lr 0.1, 5000 epochs",
                body)
    busy = f"load average {load:.2f} on {machine()['cpus']} CPUs; CPU time {e.core_cpu:.3f} s"
    rep.target("XOR ensemble wall time", "≤ 1.0 s", f"{e.core_wall:.3f} s (CPU {e.core_cpu:.3f} s)",
               e.core_wall <= ENSEMBLE_WALL, "" if e.core_wall <= ENSEMBLE_WALL else
               f"{busy}: Python/NumPy call overhead, ~30 array operations per step × 5000 steps")
    ratio = e.sequential_wall / e.core_wall
    rep.target("ensemble vs one at a time", "≥ 20×", f"{ratio:.0f}×", ratio >= SEQUENTIAL_RATIO)
    if e.torch_wall == e.torch_wall:
        rep.target("ensemble vs batched PyTorch", "faster", f"core {e.core_wall:.3f} s vs torch {e.torch_wall:.3f} s"
                   f" ({e.torch_wall / e.core_wall:.2f}×)", e.core_wall < e.torch_wall,
                   "" if e.core_wall < e.torch_wall else "per-op overhead")
    else:
        rep.target("ensemble vs batched PyTorch", "faster", e.torch_note, None)
    return e


def _waited(pages: list) -> str:
    waits = sorted({int(p.debounce) for p in pages if p.debounce == p.debounce})
    return " or ".join(f"{w} ms" for w in waits) or "not measured"


def section_browser(rep: Report) -> None:
    from bench import browser

    why = browser.available()
    if why:
        rep.section("3. Pages in Chromium", f"Skipped: {why}.")
        rep.target("second visit first figure", "≤ 500 ms", f"skipped: {why}", None)
        rep.target("control change → redrawn figure", "≤ 250 ms", f"skipped: {why}", None)
        return
    _log("3/5 pages in Chromium ...")
    from app.assets import plotly_file

    with uvicorn_server() as url:
        pages = browser.run(url)
    raw, packed = plotly_file().raw, plotly_file().gz
    rows = [[p.exercise, ms(p.cold), ms(p.warm), ms(p.second), ms(p.third), ms(p.second_html), ms(p.second_dcl),
             ms(p.control_total), ms(p.control_request), p.control, p.note] for p in pages]
    body = table(["page", "cold ms", "warm ms", "second visit ms", "third visit ms", "second: HTML received ms",
                  "second: DOMContentLoaded ms", "control → ready ms", "request → ready ms", "control changed",
                  "note"], rows)
    body += (f"\n\nFirst figure, from navigation start (performance.timeOrigin) to the first `[data-figure] "
             f".main-svg` drawn and visible. The server holds the page's results (one visit first), as "
             f"a deployed app does once it has warmed up at start. Cold: a Chromium process just started (no "
             f"HTTP cache, no code cache, no process a visit has warmed). Warm: a new context of the running "
             f"browser (its HTTP and code caches empty too). Second and third visit: the same context again (HTML "
             f"revalidated, scripts from the HTTP cache at their versioned, immutable URLs; Chromium compiles a "
             f"script's code cache on its second load and uses it from the third); the second visit's "
             f"HTML-received and DOMContentLoaded times (deferred scripts, plotly.js included, have run by then) "
             f"show where the time goes. "
             f"Control: a numeric control (a seed if any) changed with an `input` event while the section's "
             f"first figure is at the top of the window, to the section's data-state=\"ready\" after the redraw "
             f"(figures on screen are redrawn before \"ready\", the others when the page is idle); median of "
             f"{browser.CONTROL_CHANGES} changes to values not seen before (a value seen before is redrawn from "
             f"the page's memory with no request) once the page is idle; it includes the page's debounce (the "
             f"event is a plain `input`, as a spinner click or an arrow key sends: a step alone goes at once, "
             f"steps in a row wait {DEBOUNCE_MS} ms, typed digits {TYPING_MS} ms; waited here: "
             f"{_waited(pages)}); request → ready is the fetch, JSON and Plotly redraw alone. "
             f"plotly.js: {raw and len(raw) / 1e6:.2f} MB, {len(packed) / 1e6:.2f} MB gzipped, "
             f"served with an immutable Cache-Control on a versioned URL and `defer`.")
    rep.section("3. Pages in Chromium (Playwright, /usr/bin/chromium headless)", body)
    rep.timed("second visit first figure", SECOND_VISIT_FIRST_FIGURE, [(p.exercise, p.second) for p in pages],
              "parsing and running the deferred plotly.js, then the first Plotly draw (see the HTML-received and "
              "DOMContentLoaded columns)")
    good = [p for p in pages if p.cold == p.cold and p.warm == p.warm]
    if good:
        worst = max(good, key=lambda p: p.cold / p.warm)
        ratio = worst.cold / worst.warm
        rep.target("cold page first figure", f"≤ {COLD_OVER_WARM:g}× warm", f"worst {ratio:.2f}× ({worst.exercise}: "
                   f"cold {ms(worst.cold)} ms, warm {ms(worst.warm)} ms)", ratio <= COLD_OVER_WARM,
                   "" if ratio <= COLD_OVER_WARM else "a browser process's first page: starting its renderer, "
                   "then fetching, parsing and compiling plotly.js with nothing cached")
    rep.timed("control change → redrawn figure", CONTROL_REDRAW,
              [(f"{p.exercise} {p.control}", p.control_total) for p in pages if p.control],
              f"the page's debounce ({_waited(pages)}), then the experiment's compute and the redraw of the "
              "figures on screen (request → ready column)")


def section_load(rep: Report, seconds: float) -> None:
    from bench import load

    _log("4/5 uvicorn under concurrency ...")
    # In this session, as `make load` runs it: see scripts/load.py on the kernel's session groups.
    with uvicorn_server(env={"FFLAB_CACHE_SIZE": "0"}, new_session=False) as url:
        levels = load.run(url, quantile, seconds=seconds)
    if not levels:
        rep.section("4. Server under concurrency", "Skipped: no experiments registered.")
        return
    rows = [[lv.clients, lv.requests, f"{lv.rps:.1f}", ms(lv.p50), ms(lv.p99),
             ", ".join(f"{k}: {v}" for k, v in lv.errors.items()) or "none"] for lv in levels]
    rep.section("4. Server under concurrency (uvicorn, 1 worker, 127.0.0.1, result cache off)",
                table(["clients", "requests", "req/s", "p50 ms", "p99 ms", "errors"], rows)
                + f"\n\nEach level runs {seconds:.0f} s; every client cycles through every experiment at its "
                  f"defaults ({len(load.mix())} URLs), so the mix is the pages' own. The server runs at most "
                  "one computation per core at once, shared by its workers (FFLAB_COMPUTE_SLOTS), and queues the rest.")


def section_profiles(rep: Report, lat: list) -> None:
    _log("5/5 profiles ...")
    from app.exercises.registry import EXERCISES
    from app.nn.data import xor
    from app.nn.network import init_network
    from app.nn.train import train

    parts = []
    # Every experiment over its target (normalised to the machine), slowest first; else the slowest one.
    over = sorted((r for r in lat if r.median * rep.index > (SWEEP_MEDIAN if r.sweep else EXPERIMENT_MEDIAN)),
                  key=lambda r: -r.median)[:MAX_PROFILES] or sorted(lat, key=lambda r: -r.median)[:1]
    for slow in over:
        exp = EXERCISES[slow.exercise].experiment(slow.experiment)
        params = exp.params()
        parts.append(f"### {slow.exercise} {slow.experiment} (median {ms(slow.median)} ms, "
                     f"{ms(slow.median * rep.index)} ms normalised; computation only, no figures)\n\n"
                     + profile(lambda: exp.run(params)))  # noqa: B023  (called at once)
    X, Y = xor()
    net = init_network((2, 2, 1), "relu", "linear", seeds=list(range(1000)))
    parts.append("### The XOR ensemble, 1000 networks × 1000 epochs (fast path)\n\n"
                 + profile(lambda: train(net, X, Y, eta=0.1, epochs=1000)))
    rep.section("5. Profiles (cProfile, top functions by own time)", "\n\n".join(parts))


def speed_section(rep: Report, start, end) -> None:
    """Section 0: the machine's speed index at the start and the end; the run's index is their geometric mean."""
    rep.index = math.sqrt(start.index * end.index)
    drift = max(start.index, end.index) / min(start.index, end.index) - 1
    runs = lambda c: ", ".join(f"{t * 1e3:.1f}" for t in c.runs)  # noqa: E731
    body = table(["when", "workload median ms", "runs ms", "speed index"],
                 [["start", f"{start.seconds * 1e3:.1f}", runs(start), f"{start.index:.2f}"],
                  ["end", f"{end.seconds * 1e3:.1f}", runs(end), f"{end.index:.2f}"]])
    body += (f"\n\n**Machine speed index {rep.index:.2f}** (geometric mean of start and end; 1.00 = the reference "
             f"machine, whose workload takes {REFERENCE_S * 1e3:.0f} ms: full-batch steps of a small tanh network "
             f"and a 100 × 100 surface, bench/calibrate.py). Normalised time = measured time × index: what the "
             f"reference machine would take. The index measures NumPy work; pages in Chromium are normalised "
             f"by it too, as a rough guide.")
    if drift > 0.25:
        body += f" The machine's speed changed by {100 * drift:.0f}% during the run: normalised numbers are rough."
        rep.notes.append(f"speed index moved {start.index:.2f} → {end.index:.2f} during the run")
    rep.sections.insert(0, f"## 0. Machine speed\n\n{body}\n")
    print(f"\n== 0. Machine speed\n{body}", flush=True)


def write(rep: Report, started: float, info: dict[str, str], argv: list[str], path: Path = RESULTS) -> None:
    lines = [
        "# Benchmarks (`make bench`)",
        "",
        f"Written by `python -m bench.run{' ' + ' '.join(argv) if argv else ''}` on "
        f"{dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} in "
        f"{time.perf_counter() - started:.0f} s. Timings are wall-clock unless marked CPU.",
        "",
        "## Machine",
        "",
        *[f"- {k.replace('_', ' ')}: {v}" for k, v in info.items()],
        f"- load average at the end: {load_average():.2f}",
        "",
        "## Targets (issues 6 and 15)",
        "",
        rep.target_table(),
        "",
        *rep.sections,
        LESSON,
    ]
    if rep.notes:
        lines += ["## Notes", "", *[f"- {n}" for n in rep.notes], ""]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="requests per experiment (section 1)")
    parser.add_argument("--load-seconds", type=float, default=4.0, help="seconds per concurrency level")
    parser.add_argument("--only", nargs="*", default=None,
                        choices=["api", "playground", "ensemble", "browser", "load", "profile"],
                        help="run only these sections")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the report (bench/RESULTS.md)")
    parser.add_argument("--no-torch-install", action="store_true",
                        help="do not try `pip install` of the bench extra's torch when it is missing")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    info = machine()
    rep = Report()
    _log("0/5 calibration workload ...")
    start_cal = calibrate()
    rep.index = start_cal.index  # until the end's measurement refines it
    lat: list = []
    want = set(args.only or ["api", "playground", "ensemble", "browser", "load", "profile"])
    steps = [
        ("api", lambda: lat.extend(section_api(rep, args.requests))),
        ("playground", lambda: playground.section(rep, args.requests)),
        ("ensemble", lambda: section_ensemble(rep, not args.no_torch_install)),
        ("browser", lambda: section_browser(rep)),
        ("load", lambda: section_load(rep, args.load_seconds)),
        ("profile", lambda: section_profiles(rep, lat)),
    ]
    failed = False
    for name, step in steps:
        if name not in want:
            continue
        try:
            step()
        except Exception:  # report and go on: one broken section must not hide the others
            failed = True
            rep.notes.append(f"section {name} failed: " + traceback.format_exc(limit=3).strip().replace("\n", " ⏎ "))
            traceback.print_exc()
    speed_section(rep, start_cal, calibrate())
    print("\n== Targets\n" + rep.target_table())
    write(rep, started, info, argv if argv is not None else sys.argv[1:], args.output)
    _log(f"wrote {args.output} in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
