"""Run an experiment while streaming its progress as server-sent events, and stop it if the client leaves.

`GET /api/exercises/{id}/{experiment}/stream?…` answers `text/event-stream` with `progress`
events — `{"work": member-epochs done so far, "elapsed": s, "fraction": estimate}` — every
~150 ms, then one `result` event whose data is the ExperimentResult JSON (the same bytes as the
plain route), or an `error` event. Bad parameters are refused with the plain route's 422 before
the stream starts. When the client disconnects (a cancel, or a newer request superseding
this one), the next training checkpoint raises `Cancelled` and the computation ends.

The fraction is elapsed time over the experiment's own cost estimate (capped below 1); the work
count is exact.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from app.compute import Busy, cached_body, result_body
from app.exercises.base import Exercise, Experiment, Params, TooCostly

TICK_SECONDS = 0.15


class Cancelled(Exception):
    """The client went away; the computation is abandoned at the next checkpoint."""


class Run:
    """One streamed computation: its counters, and the flag that stops it."""

    def __init__(self, estimate: float) -> None:
        self.estimate = max(estimate, 0.05)
        self.work = 0
        self.started = time.perf_counter()
        self.stop = threading.Event()

    def listener(self, done: int) -> None:
        if self.stop.is_set():
            raise Cancelled
        self.work += done

    def progress(self) -> dict[str, Any]:
        elapsed = time.perf_counter() - self.started
        fraction = min(0.99, elapsed / self.estimate)
        return {"work": self.work, "elapsed": round(elapsed, 3), "fraction": round(fraction, 3)}


def _event(name: str, data: str) -> bytes:
    return f"event: {name}\ndata: {data}\n\n".encode()


def stream(exercise: Exercise, experiment: Experiment, params: Params, lang: str = "en") -> StreamingResponse:
    """Answer with an event stream for this run (raises TooCostly before streaming, like the plain route)."""
    body = cached_body(exercise, experiment, params, lang)
    if body is None:
        experiment.check_budget(params)
    run = Run(float(experiment.cost(params)) if experiment.cost else 0.1)

    async def events() -> AsyncIterator[bytes]:
        if body is not None:
            yield _event("result", body.decode())
            return
        task = asyncio.ensure_future(run_in_threadpool(result_body, exercise, experiment, params, run.listener,
                                                     None, lang))
        # A cancelled run ends in Cancelled, which nobody awaits: consume it here.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        try:
            while not task.done():
                yield _event("progress", json.dumps(run.progress()))
                await asyncio.wait({task}, timeout=TICK_SECONDS)
            try:
                yield _event("result", task.result().decode())
            except (Busy, TooCostly) as e:
                yield _event("error", json.dumps({"detail": str(e)}))
        finally:
            # Reached when the client disconnects mid-stream too: stop the computation.
            run.stop.set()

    response = StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    response.run = run  # type: ignore[attr-defined]  # for tests: the counters of this run
    return response
