"""Observability: one structured log line per request, and a `/metrics` JSON summary.

`AccessLog` is a pure ASGI middleware: it times each request from the moment it reaches the app's
routes to its last body byte (the gzip and header middlewares wrap it) and then

- writes one JSON line to the `fflab.access` logger: method, path (cut to 200 characters), status,
  duration in ms, the route it matched, the query's size and parameter names (never its values,
  and at most 20 names of at most 40 characters: nothing of unbounded size reaches the log), and
  for an experiment the cost estimate of its params in seconds (`request.state.cost_estimate`);
- counts it in `METRICS` under its route template (`/api/exercises/4-4/derivative`, `/static/*`,
  `unmatched`, ...: a bounded set of keys whatever the URLs sent), with latency percentiles over
  the last `WINDOW` requests of that route.

`GET /metrics` returns that summary for this worker process (with several uvicorn workers, each
keeps its own). Set FFLAB_ACCESS_LOG=0 to silence the log lines.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections import Counter, deque
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI

from app.compute import status as compute_status
from app.exercises.playground.experiment import PLAYGROUNDS
from app.exercises.registry import EXERCISES

log = logging.getLogger("fflab.access")
WINDOW = 2048  # latencies kept per route for the percentiles
MAX_PATH = 200
MAX_KEYS = 20
MAX_KEY = 40

# "/api/exercises/<id>/<name>", "/api/playground/<name>" (and ".../stream") -> the experiment, for the cost estimate.
_EXPERIMENTS = {f"/api/exercises/{ex.id}/{e.name}": e for ex in EXERCISES.values() for e in ex.experiments}
_EXPERIMENTS |= {f"/api/{ex.id}/{e.name}": e for ex in PLAYGROUNDS.values() for e in ex.experiments}


class _Stderr(logging.StreamHandler):
    """Write to whatever sys.stderr is at the time (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _configure_log(enabled: bool) -> None:
    if log.handlers or not enabled:
        if not log.handlers:
            log.disabled = True
        return
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class _RouteStats:
    __slots__ = ("count", "statuses", "latencies", "total_ms", "max_ms")

    def __init__(self) -> None:
        self.count = 0
        self.statuses: Counter[int] = Counter()
        self.latencies: deque[float] = deque(maxlen=WINDOW)
        self.total_ms = 0.0
        self.max_ms = 0.0


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[i]


class Metrics:
    """Request counts, statuses and latency percentiles per route, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, _RouteStats] = {}
        self.started = time.time()

    def record(self, route: str, status: int, ms: float) -> None:
        with self._lock:
            s = self._routes.get(route)
            if s is None:
                s = self._routes[route] = _RouteStats()
            s.count += 1
            s.statuses[status] += 1
            s.latencies.append(ms)
            s.total_ms += ms
            s.max_ms = max(s.max_ms, ms)

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self.started = time.time()

    def summary(self) -> dict[str, Any]:
        with self._lock:
            routes = {}
            for name, s in sorted(self._routes.items()):
                lat = sorted(s.latencies)
                routes[name] = {
                    "count": s.count,
                    "statuses": {str(k): v for k, v in sorted(s.statuses.items())},
                    "mean_ms": round(s.total_ms / s.count, 2),
                    "p50_ms": round(_percentile(lat, 50), 2),
                    "p90_ms": round(_percentile(lat, 90), 2),
                    "p99_ms": round(_percentile(lat, 99), 2),
                    "max_ms": round(s.max_ms, 2),
                }
            return {
                "pid": os.getpid(),
                "uptime_s": round(time.time() - self.started, 1),
                "requests": sum(r["count"] for r in routes.values()),
                "window": WINDOW,
                "routes": routes,
            }


METRICS = Metrics()
router = APIRouter(tags=["ops"])


@router.get("/metrics", summary="Request counts and latency percentiles per route, and compute status (this worker)")
def metrics() -> dict[str, Any]:
    return {**METRICS.summary(), "compute": compute_status()}


def route_key(scope: dict[str, Any]) -> str:
    """Name a request by what it matched: a route template, a mount, or `unmatched` (bounded keys)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    raw = scope.get("path", "")
    for prefix in ("/static/", "/vendor/"):
        if raw.startswith(prefix):
            return prefix + "*"
    return "unmatched"


def cost_estimate(path: str, query: bytes) -> float | None:
    """Estimated seconds of the experiment a request asks for, or None (not an experiment, invalid)."""
    experiment = _EXPERIMENTS.get(path.removesuffix("/stream"))
    if experiment is None or experiment.cost is None:
        return None
    try:
        params = experiment.params.model_validate(dict(parse_qsl(query.decode("utf-8", "strict"),
                                                                 keep_blank_values=True)))
        return round(float(experiment.cost(params)), 4)
    except Exception:  # an invalid query has no estimate; it was answered 422 anyway
        return None


def _query_summary(query: bytes) -> tuple[int, list[str]]:
    keys: list[str] = []
    for part in query.split(b"&")[: MAX_KEYS + 1]:
        if not part:
            continue
        key = part.split(b"=", 1)[0][:MAX_KEY].decode("utf-8", "replace")
        if len(keys) < MAX_KEYS:
            keys.append(key)
        else:
            keys.append("…")
            break
    return len(query), keys


class AccessLog:
    """Pure ASGI middleware: time, count and log every HTTP request."""

    def __init__(self, app: Any, enabled: bool = True) -> None:
        self.app = app
        _configure_log(enabled)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # what the client sees if the app raises before starting a response

        async def send_and_watch(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            ms = (time.perf_counter() - start) * 1000
            key = route_key(scope)
            METRICS.record(key, status, ms)
            if not log.disabled and log.isEnabledFor(logging.INFO):
                path = scope.get("path", "")
                query = scope.get("query_string", b"")
                state = scope.get("state")
                cost = state.get("cost_estimate") if isinstance(state, dict) else None
                if cost is None and status in (200, 422) and key != "unmatched":
                    cost = cost_estimate(path, query)
                size, keys = _query_summary(query)
                log.info(json.dumps({
                    "ts": round(time.time(), 3), "method": scope.get("method"),
                    "path": path[:MAX_PATH] + ("…" if len(path) > MAX_PATH else ""),
                    "route": key, "status": status, "ms": round(ms, 2),
                    "query_bytes": size, "params": keys, "cost_s": cost,
                }, ensure_ascii=False))


def install(app: FastAPI, access_log: bool = True) -> None:
    """Add `/metrics` and the access-log middleware (`access_log`: the FFLAB_ACCESS_LOG setting)."""
    app.include_router(router)
    app.add_middleware(AccessLog, enabled=access_log)
