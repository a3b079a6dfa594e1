"""Section 1: every registered experiment at its defaults through the ASGI app, result cache off.

Each request finds the server idle: a result's other language, drawn after the answer, is finished
before the next request starts (not timed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi.testclient import TestClient

from app import compute
from app.cache import gzip_bytes
from app.exercises.registry import EXERCISES
from app.main import app
from bench.common import is_sweep

REQUESTS = 20
SLOW_SECONDS = 1.0  # an experiment slower than this gets SLOW_REQUESTS requests, to keep the run short
SLOW_REQUESTS = 5


@dataclass
class Latency:
    exercise: str
    experiment: str
    sweep: bool
    n: int
    median: float
    p95: float
    raw_bytes: int
    gzip_bytes: int
    cached_median: float   # from the result cache, gzip requested (as browsers do)
    status: int
    cached_identity: float = float("nan")  # from the result cache, no compression asked


def _to_last_byte(client: TestClient, url: str, encoding: str) -> float:
    """Seconds from sending the request to its body's last byte as sent: the client's own unpacking of a
    gzipped body (about 1 ms per 100 KB, the browser's work) is not the server's time."""
    t = time.perf_counter()
    with client.stream("GET", url, headers={"Accept-Encoding": encoding}) as r:
        for _ in r.iter_raw():
            pass
    return time.perf_counter() - t


def run(quantile, requests: int = REQUESTS) -> list[Latency]:
    out: list[Latency] = []
    client = TestClient(app)
    size = compute.CACHE.size
    try:
        for ex in EXERCISES.values():
            for exp in ex.experiments:
                url = f"/api/exercises/{ex.id}/{exp.name}"
                compute.CACHE.size = 0
                compute.clear_cache()
                times: list[float] = []
                body, status = b"", 0
                n_requests = requests
                while len(times) < n_requests:
                    t = time.perf_counter()
                    r = client.get(url)
                    times.append(time.perf_counter() - t)
                    compute.settle()  # other languages are drawn after the answer: wait (untimed)
                    body, status = r.content, r.status_code
                    if times[0] > SLOW_SECONDS:
                        n_requests = min(requests, SLOW_REQUESTS)
                compute.CACHE.size = size
                client.get(url)  # fill the cache
                cached: list[float] = []
                plain: list[float] = []
                for _ in range(requests):
                    cached.append(_to_last_byte(client, url, "gzip"))
                    plain.append(_to_last_byte(client, url, "identity"))
                out.append(Latency(ex.id, exp.name, is_sweep(exp), len(times), quantile(times, 0.5),
                                   quantile(times, 0.95), len(body), len(gzip_bytes(body)),
                                   quantile(cached, 0.5), status, quantile(plain, 0.5)))
    finally:
        compute.CACHE.size = size
        compute.clear_cache()
    return out
