"""Run an experiment for the API and the pages: budget check, bounded concurrency, cache, JSON.

Results are deterministic, so a bounded LRU cache keyed by the canonical query is exact. At most
`os.cpu_count()` computations run at once; a request that cannot start within `QUEUE_WAIT_SECONDS`
is refused with `Busy` (the API answers 503 with Retry-After) instead of piling up.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from app.exercises.base import Exercise, Experiment, Params, finite_or_none
from app.nn.hooks import watching

CACHE_SIZE = int(os.environ.get("FFLAB_CACHE_SIZE", "256"))
QUEUE_WAIT_SECONDS = float(os.environ.get("FFLAB_QUEUE_WAIT", "10"))
_slots = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


class Busy(RuntimeError):
    """Every compute slot stayed taken for the whole wait."""


class _LRU:
    """A small thread-safe LRU cache of response bodies."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = _LRU(CACHE_SIZE)


@functools.lru_cache(maxsize=CACHE_SIZE or 1)
def gzipped(body: bytes) -> bytes:
    """Return `body` gzipped (level 6, no timestamp: deterministic), remembered for cached bodies.

    A cached body is the same bytes object every time, whose hash Python keeps, so the lookup
    is cheap and a repeated request is not compressed again.
    """
    return gzip.compress(body, compresslevel=6, mtime=0)


def dumps(value: Any) -> bytes:
    """Serialise to compact UTF-8 JSON; NaN and infinity are refused (they are not JSON)."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode()


def cached_body(exercise: Exercise, experiment: Experiment, params: Params) -> bytes | None:
    """Return the cached result of this exact query, if any."""
    return CACHE.get((exercise.id, experiment.name, params.model_dump_json()))


def result_body(exercise: Exercise, experiment: Experiment, params: Params,
                listener: Callable[[int], None] | None = None) -> bytes:
    """Return the ExperimentResult JSON of one run, from the cache when possible.

    Raises TooCostly before computing when params are over the work budget, Busy when no
    compute slot frees up in time. `listener` hears every training checkpoint (app.nn.hooks)
    and may raise to abandon the run.
    """
    key = (exercise.id, experiment.name, params.model_dump_json())
    body = CACHE.get(key)
    if body is not None:
        return body
    experiment.check_budget(params)
    if not _slots.acquire(timeout=QUEUE_WAIT_SECONDS):
        raise Busy(exercise.id, experiment.name)
    try:
        if listener is None:
            result = experiment.run(params)
        else:
            with watching(listener):
                result = experiment.run(params)
    finally:
        _slots.release()
    body = dumps({
        "exercise": exercise.id,
        "experiment": experiment.name,
        "params": params.state(),
        "metrics": finite_or_none(result.metrics),
        "data": finite_or_none(result.data),
        "figures": finite_or_none(result.figures),
    })
    CACHE.put(key, body)
    return body
