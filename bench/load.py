"""Section 4: uvicorn on 127.0.0.1 under a mixed load of experiment requests at 1, 8 and 32 clients."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from app.exercises.registry import EXERCISES

LEVELS = (1, 8, 32)
SECONDS = 4.0


@dataclass
class LoadLevel:
    clients: int
    requests: int
    rps: float
    p50: float
    p99: float
    errors: dict[str, int]


def mix() -> list[str]:
    """Every experiment at its defaults, with seed-free variety: the same list the pages ask for."""
    return [f"/api/exercises/{ex.id}/{exp.name}?lang=en" for ex in EXERCISES.values() for exp in ex.experiments]


async def _level(base_url: str, clients: int, seconds: float, quantile) -> LoadLevel:
    paths = mix()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        async def worker(k: int) -> None:
            i = k
            while time.perf_counter() < deadline:
                path = paths[i % len(paths)]
                i += clients
                t = time.perf_counter()
                try:
                    # The body as sent, not unpacked: gunzipping here would hold up the other clients' clocks.
                    async with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as r:
                        async for _ in r.aiter_raw():
                            pass
                        code = str(r.status_code)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                dt = time.perf_counter() - t
                if code == "200":
                    latencies.append(dt)
                else:
                    errors[code] = errors.get(code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(clients)))
        elapsed = time.perf_counter() - start
    return LoadLevel(clients, len(latencies), len(latencies) / elapsed, quantile(latencies, 0.5),
                     quantile(latencies, 0.99), errors)


def run(base_url: str, quantile, levels=LEVELS, seconds: float = SECONDS) -> list[LoadLevel]:
    if not mix():
        return []
    return [asyncio.run(_level(base_url, n, seconds, quantile)) for n in levels]
