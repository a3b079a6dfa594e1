"""Mixed load against a real server: `make load`.

Starts uvicorn with 2 workers on 127.0.0.1 (a free port), then 32 concurrent clients for 60 s
request, at random: pages (index and exercise pages, both languages), static files (the ones the
pages link, Plotly included), and every experiment of the registry with random valid params (drawn
from its JSON Schema; cost fields log-uniformly, so most runs are cheap and some hit the budget).
Reports requests, statuses per class, p50/p99/max latency per class, and the RSS of the uvicorn
processes before and after; writes bench/LOAD.md.

    .venv/bin/python scripts/load.py [--seconds 60] [--clients 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import quantile, uvicorn_process, wait_until_warm  # noqa: E402


def tree_pids(pid: int) -> list[int]:
    out = [pid]
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                out += tree_pids(int(p.name))
    return out


def role(pid: int, root: int) -> str:
    """Name a server process: the uvicorn supervisor, a web worker, or a compute child."""
    if pid == root:
        return "supervisor"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    if "resource_tracker" in cmd:
        return "tracker"
    ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return "web worker" if ppid == root else "compute child"


def per_worker(base: str, workers: int, tries: int = 50) -> dict[int, dict]:
    """Ask /metrics on fresh connections until every web worker has answered: pid → its summary."""
    seen: dict[int, dict] = {}
    for _ in range(tries):
        body = httpx.get(base + "/metrics", headers={"connection": "close"}, timeout=5).json()
        seen[body["pid"]] = body
        if len(seen) == workers:
            break
    return seen


def rss_mb(pid: int) -> dict[int, float]:
    sizes = {}
    for p in tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes[p] = int(line.split()[1]) / 1024
        except OSError:
            pass
    return sizes


def draw(schema: dict, cost_fields: set[str], rng: random.Random) -> dict[str, str]:
    """Random valid-looking params: each field present with probability 1/2, within its bounds."""
    q = {}
    for name, prop in schema["properties"].items():
        if prop.get("x-hidden") or rng.random() < 0.5:
            continue
        if "enum" in prop:
            q[name] = str(rng.choice(prop["enum"]))
            continue
        kind = prop.get("type")
        lo = prop.get("minimum", prop.get("exclusiveMinimum"))
        hi = prop.get("maximum", prop.get("exclusiveMaximum"))
        if kind not in ("number", "integer") or lo is None or hi is None:
            continue
        if name in cost_fields or prop.get("x-scale") == "log":
            a = math.log(max(lo, 1e-6) if lo > 0 else 1.0)
            v = math.exp(rng.uniform(a, math.log(max(hi, 1.0))))
            v = min(max(v, lo), hi)
        else:
            v = rng.uniform(lo, hi)
        if "exclusiveMinimum" in prop and v <= lo:
            continue
        q[name] = str(int(round(v))) if kind == "integer" else f"{v:.6g}"
    return q


NOTES = "## Notes"


def pct(values: list[float], q: float) -> float:
    """Return the q-th percentile (0..100) of values."""
    return quantile(values, q / 100)


async def run_load(base: str, seconds: float, clients: int, on_third, seed: int = 0,
                   exercises: list[str] | None = None):
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:  # pages compute their defaults if not warm
        listing = [ex for ex in (await c.get("/api/exercises")).json() if not exercises or ex["id"] in exercises]
        pages = ["/", "/?lang=zh"] + [f"/exercises/{ex['id']}{q}" for ex in listing for q in ("", "?lang=zh")]
        html = ""
        for p in pages:  # warm the pages (their defaults are computed once, then cached)
            html += (await c.get(p)).text
        statics = sorted(set(re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', html)))
    experiments = [(exp["path"], exp["params"], set()) for ex in listing for exp in ex["experiments"]]
    # cost fields are not in the listing; treat every bounded integer as possibly costly (log-uniform)
    experiments = [(p, s, {n for n, v in s["properties"].items() if v.get("type") == "integer"})
                   for p, s, _ in experiments]
    results: dict[str, list[tuple[int, float, float]]] = defaultdict(list)  # (status, seconds, start)
    # Every client is built before the clock starts: building one takes ~20 ms of this process's
    # CPU (httpx loads TLS certificates even for http), and 32 built while others are timing
    # requests would add up to 0.6 s to theirs.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    sessions = [httpx.AsyncClient(base_url=base, timeout=30, limits=limits, headers={"accept-encoding": "gzip"})
                for _ in range(clients)]
    # ...and has its connection open: a client's first request costs it a few ms of set-up
    # (connection pool, h11 state), 32 of them at once stalled every first request by ~180 ms.
    for c in sessions:
        await c.get("/healthz")
    t0 = time.perf_counter()
    deadline = t0 + seconds

    async def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        c = sessions[i]
        try:
            while time.perf_counter() < deadline:
                r = rng.random()
                if r < 0.3:
                    kind, url, params = "page", rng.choice(pages), None
                elif r < 0.6:
                    kind, url, params = "static", rng.choice(statics), None
                else:
                    path, schema, cost_fields = rng.choice(experiments)
                    kind, url, params = "experiment", path, draw(schema, cost_fields, rng)
                t = time.perf_counter()
                try:
                    # Read the body as sent, without unpacking it: gunzipping plotly.js (1.5 MB) in
                    # this process would stall every other client's clock for ~20 ms.
                    async with c.stream("GET", url, params=params) as resp:
                        async for _ in resp.aiter_raw():
                            pass
                        status = resp.status_code
                except httpx.HTTPError as e:
                    status = f"error {type(e).__name__}"
                results[kind].append((status, time.perf_counter() - t, t - t0))
        finally:
            await c.aclose()

    async def third() -> None:
        await asyncio.sleep(seconds / 3)
        on_third()

    lags: list[tuple[float, float]] = []  # (start, ms this process's own loop was late)

    async def watch_loop() -> None:
        # How late this process wakes from a 10 ms sleep: what its own clocks add to every latency.
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((t - t0, (time.perf_counter() - t - 0.01) * 1000))

    await asyncio.gather(third(), watch_loop(), *(client(i) for i in range(clients)))
    return results, time.perf_counter() - t0, len(statics), len(pages), lags


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--queue-wait", type=float, default=2.0,
                    help="FFLAB_QUEUE_WAIT of the server: seconds a request waits for a compute slot before 503")
    ap.add_argument("--out", default=str(ROOT / "bench" / "LOAD.md"))
    ap.add_argument("--dump", help="also write every request as JSON lines (class, status, seconds, start)")
    ap.add_argument("--exercises", nargs="*", metavar="ID",
                    help="only these exercises' pages and experiments (default: all); a smoke run's pages are "
                         "then quick to warm, as the quotes in a page's text are computed on its first view")
    ap.add_argument("--no-warmup", action="store_true",
                    help="start the server without its warm-up (a smoke run of the script, as in the tests)")
    args = ap.parse_args()

    log = Path(tempfile.NamedTemporaryFile(prefix="fflab-load-", suffix=".log", delete=False).name)
    # As in the image (Dockerfile): two malloc arenas, so threads do not each grow their own heap.
    # The server as deployed, whatever this shell says: child-process compute, warm-up on.
    env = {"FFLAB_QUEUE_WAIT": str(args.queue_wait), "WEB_CONCURRENCY": str(args.workers),
           "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"), "FFLAB_ACCESS_LOG": "1",
           "FFLAB_COMPUTE": "process", "FFLAB_WARMUP": "0" if args.no_warmup else "1"}
    # One session with the server: with sched_autogroup (Linux), a server in a session of its own
    # gets half the CPU against this client whatever its niceness, and the client's own clock
    # stalled for up to 300 ms while the niced compute children ran (measured: its event loop woke
    # that late from a 10 ms sleep). A client on another machine would not compete at all.
    with uvicorn_process(env, workers=args.workers, log=log, new_session=False) as (base, server):
        warmed = 0.0 if args.no_warmup else wait_until_warm(base, args.workers)
        print(f"load: defaults computed in every worker after {warmed:.1f} s", flush=True)
        before = rss_mb(server.pid)
        print(f"load: {args.clients} clients for {args.seconds:.0f} s on {base} "
              f"({args.workers} workers); server log {log}", flush=True)
        during: dict[int, float] = {}
        results, elapsed, n_static, n_pages, lags = asyncio.run(
            run_load(base, args.seconds, args.clients, lambda: during.update(rss_mb(server.pid)),
                     exercises=args.exercises))
        time.sleep(1)
        after = rss_mb(server.pid)
        roles = {pid: role(pid, server.pid) for pid in after}
        served = {pid: m["requests"] for pid, m in per_worker(base, args.workers).items()}
    if args.dump:
        with open(args.dump, "w") as f:
            for kind, items in results.items():
                for status, seconds, start in items:
                    f.write(json.dumps([kind, status, round(seconds, 5), round(start, 4)]) + "\n")
            for start, ms in lags:
                f.write(json.dumps(["lag", None, round(ms / 1000, 5), round(start, 4)]) + "\n")
    log_lines = sum(1 for line in log.read_text(errors="replace").splitlines() if line.startswith("{"))

    total = sum(len(v) for v in results.values())
    rows, statuses = [], Counter()
    worst = 0.0
    for kind in ("page", "static", "experiment"):
        items = results.get(kind, [])
        lat = [t * 1000 for _, t, _ in items]
        by_status = Counter(s for s, _, _ in items)
        statuses.update(by_status)
        worst = max([worst, *lat])
        counts = ", ".join(f"{s}: {n}" for s, n in sorted(by_status.items(), key=str))
        rows.append(f"| {kind} | {len(items)} | {counts} "
                    f"| {pct(lat, 50):.1f} | {pct(lat, 99):.1f} | {max(lat, default=float('nan')):.1f} |")
        if kind == "experiment":
            for s in sorted(by_status, key=str):
                sub = [t * 1000 for st, t, _ in items if st == s]
                rows.append(f"| experiment {s} | {len(sub)} | | {pct(sub, 50):.1f} | {pct(sub, 99):.1f} | "
                            f"{max(sub):.1f} |")
    five_xx = {s: n for s, n in statuses.items() if isinstance(s, str) or s >= 500}
    page_static_p99 = max(pct([t * 1000 for _, t, _ in results.get(k, [])], 99) for k in ("page", "static"))
    rss_b, rss_d, rss_a = sum(before.values()), sum(during.values()), sum(after.values())
    checks = [
        ("no 5xx but deliberate 503s", all(s == 503 for s in five_xx)),
        ("no response slower than 5 s", worst < 5000),
        ("pages and static p99 < 200 ms", page_static_p99 < 200),
        ("memory flat (RSS growth over the last two thirds < 15 %)", rss_a < 1.15 * rss_d),
    ]
    late = [ms for _, ms in lags]
    report = "\n".join([
        "# Load test",
        "",
        f"`make load` on {dt.date.today().isoformat()}: uvicorn with {args.workers} workers on 127.0.0.1 "
        f"(FFLAB_QUEUE_WAIT={args.queue_wait:g} s), "
        f"{args.clients} concurrent clients for {elapsed:.0f} s, {os.cpu_count()} CPU cores. Mix: 30 % pages "
        f"({n_pages} URLs), 30 % static files ({n_static} URLs, Plotly included, gzip accepted), 40 % experiments "
        "(every experiment of the registry, random valid params; too costly ones are refused with 422).",
        "",
        f"**{total} requests, {total / elapsed:.0f} per second.** Access-log lines written: {log_lines}. "
        f"Requests served per web worker (its /metrics): "
        f"{', '.join(f'{n} (pid {pid})' for pid, n in sorted(served.items()))}.",
        "",
        f"The load client's own event loop woke late from a 10 ms sleep by {pct(late, 50):.1f} ms (p50), "
        f"{pct(late, 99):.1f} ms (p99), {max(late, default=0):.1f} ms (max): that much of each latency below "
        "is the client's, not the server's.",
        "",
        "| class | requests | statuses | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        f"Server memory (RSS of the uvicorn processes and their compute children): {rss_b:.0f} MB before "
        f"(after the warm-up, {warmed:.0f} s), {rss_d:.0f} MB after a third, {rss_a:.0f} MB after. Per process:",
        "",
        "| process | pid | before MB | after a third MB | after MB |",
        "|---|---|---|---|---|",
        *[f"| {roles.get(pid, 'gone')} | {pid} | {before.get(pid, float('nan')):.0f} | "
          f"{during.get(pid, float('nan')):.0f} | {after.get(pid, float('nan')):.0f} |"
          for pid in sorted(set(before) | set(during) | set(after))],
        "",
        "Each web worker keeps an LRU cache of gzipped results (FFLAB_CACHE_SIZE entries, FFLAB_CACHE_MB) and "
        "of rendered pages; each compute child returns its freed memory to the OS after every run.",
        "",
        *[f"- {'PASS' if ok else 'FAIL'}: {name}" for name, ok in checks],
        "",
    ])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Notes written by people below the generated report survive a new run.
    old = out.read_text() if out.exists() else ""
    notes = old[old.index(NOTES):] if NOTES in old else ""
    out.write_text(report + ("\n" + notes if notes else ""))
    print(report)


if __name__ == "__main__":
    main()
