"""The playground's rows of `make bench` (issue 14): its default run, a 100-seed ensemble, its largest answer.

Through the ASGI app in process with the result cache off, like section 1; each request finds the server
idle (the other language is drawn after the answer, untimed). Its page in Chromium (first figure, control →
redraw) is a row of section 3 (bench/browser.py).
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi.testclient import TestClient

from app import compute
from app.main import app
from bench.common import ms, quantile
from bench.report import Report, kb, table

PATH = "/api/playground/train"
DEFAULT_S, ENSEMBLE_S, SIZE_BYTES, REDRAW_S = 0.150, 1.0, 300 * 1024, 0.300
# (name, settings, requests, what the issue asks of it)
CASES = [
    ("default (circles, 2-4-4-1 tanh, 300 epochs, 1 seed)", {}, 20, "time"),
    ("100 seeds of 2-8-8-1 tanh, 500 epochs, 200 points", {"layers": "8,8", "epochs": 500, "n_seeds": 100}, 5,
     "time"),
    ("largest network: 6 × 32 tanh, 5 epochs", {"layers": "32,32,32,32,32,32", "epochs": 5}, 3, "size"),
]


@dataclass
class Row:
    name: str
    query: dict
    median: float
    p95: float
    raw_bytes: int
    gzip_bytes: int
    status: int


def run(requests: int = 20) -> list[Row]:
    client = TestClient(app)
    size = compute.CACHE.size
    compute.CACHE.size = 0  # every request computes
    out = []
    try:
        for name, query, n, _ in CASES:
            url = f"{PATH}?{urlencode(query)}" if query else PATH
            times, r = [], None
            for _ in range(min(n, requests)):
                compute.clear_cache()
                t = time.perf_counter()
                r = client.get(url, headers={"Accept-Encoding": "gzip"})
                times.append(time.perf_counter() - t)
                compute.settle()
            body = r.content
            out.append(Row(name, query, quantile(times, 0.5), quantile(times, 0.95), len(body),
                           len(gzip.compress(body, 6)), r.status_code))
    finally:
        compute.CACHE.size = size
        compute.clear_cache()
    return out


def section(rep: Report, requests: int) -> None:
    """Measure and report the playground's rows and targets."""
    rows = run(requests)
    rep.section("1b. The playground (ASGI app in process, result cache off)",
                table(["run", "median ms", "p95 ms", "raw KB", "gzip KB", "status"],
                      [[r.name, ms(r.median), ms(r.p95), kb(r.raw_bytes), kb(r.gzip_bytes), r.status] for r in rows])
                + "\n\nThe page's first figure and its control → redraw are the row `playground` of section 3.")
    default, ensemble, largest = rows
    rep.timed("playground default run, median", DEFAULT_S, [(default.name, default.median)],
              "training 300 epochs of 140 points (~1,500 NumPy calls) and 25 replay frames of the 31² surface")
    rep.timed("playground 100-seed ensemble, median", ENSEMBLE_S, [(ensemble.name, ensemble.median)],
              "500 full-batch steps of 100 stacked networks on 200 points: some twenty passes per step over "
              "1.3 MB activation arrays (tanh, its derivative, bias adds, the stacked products), bound by "
              "memory traffic, not by Python")
    met = largest.gzip_bytes <= SIZE_BYTES
    rep.target("playground largest answer", "≤ 300 KB gzipped", f"{kb(largest.gzip_bytes)} KB ({largest.name})", met,
               "" if met else "neuron thumbnails and weight trajectories: fewer frames / coarser tiles")
