"""Run an experiment for the API and the pages: budget check, bounded concurrency, cache, JSON.

Results are deterministic, so a bounded LRU cache keyed by the canonical query is exact; it keeps
each result gzipped (what every browser asks for, and a fifth of the memory). At most
COMPUTE_SLOTS computations (one per core) run at once in the whole server, whichever web worker
took the request (app.slots); a request that cannot start within
QUEUE_WAIT_SECONDS is refused with `Busy` (the API answers 503 with Retry-After) instead of
piling up. Computations run in child processes (app.workers, FFLAB_COMPUTE=process, the default)
or on threads of this process (compute_mode "thread": the tests, and a fallback). The settings come
from app.settings.Settings through configure(), called when the app is created.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.cache import LRU, Entry, Languages
from app.exercises.base import Exercise, Experiment, Params, TooCostly
from app.results import encode
from app.settings import Settings
from app.slots import POLL_MAX, Slots, server_directory
from app.workers import Pool, WorkerLost, lower_priority

_log = logging.getLogger("fflab.compute")

# Set by configure(settings) when the app is created (app.main.create_app); these are the defaults.
COMPUTE_MODE = "process"  # "process": each computation in a child process (app.workers); "thread": here
COMPUTE_SLOTS = 1
QUEUE_WAIT_SECONDS = 2.0
# Computations run at a lower priority than the event loop, so pages and static files stay quick
# while experiments saturate the CPU; a child that has not answered in COMPUTE_TIMEOUT is replaced.
COMPUTE_NICE = 19
COMPUTE_TIMEOUT = 30.0
COMPUTE_DEADLINE = 10.0  # the backstop behind the work estimates (app.results.encode)
_slots: Slots | None = None
# The warm-up looks for a free slot this seldom; requests look every POLL_MAX (20 ms) at most.
BACKGROUND_POLL_SECONDS = 0.1


class Busy(RuntimeError):
    """Every compute slot stayed taken for the whole wait (or the computing child was lost)."""


CACHE = LRU(256, 64 * 2**20)


# Thread mode: experiments run on these threads only, niced once, never used to serve pages or files.
_executor: ThreadPoolExecutor | None = None
_pool: Pool | None = None
_pool_lock = threading.Lock()


def configure(settings: Settings) -> None:
    """Apply the operator's settings: compute mode, slots shared by the server's workers, cache bounds.

    Called by create_app; the compute children never call it (they need no slots and no cache).
    """
    global COMPUTE_MODE, COMPUTE_SLOTS, QUEUE_WAIT_SECONDS, COMPUTE_NICE, COMPUTE_TIMEOUT, COMPUTE_DEADLINE
    global _slots, _executor, _pool
    COMPUTE_MODE = settings.compute_mode
    COMPUTE_SLOTS = settings.slots
    QUEUE_WAIT_SECONDS = settings.queue_wait
    COMPUTE_NICE = settings.compute_nice
    COMPUTE_TIMEOUT = settings.compute_timeout
    COMPUTE_DEADLINE = settings.compute_deadline
    _slots = Slots(COMPUTE_SLOTS, server_directory(settings.workers))
    CACHE.size, CACHE.max_bytes = settings.cache_size, int(settings.cache_mb * 2**20)
    with _pool_lock:
        if _pool is not None:  # children started under the old settings
            _pool.close()
            _pool = None
    if _executor is not None:
        _executor.shutdown(wait=False)
    _executor = ThreadPoolExecutor(max_workers=COMPUTE_SLOTS, thread_name_prefix="fflab-compute",
                                   initializer=lower_priority, initargs=(COMPUTE_NICE,))


def slots() -> Slots:
    """Return the server's compute slots (configure() sets them up)."""
    if _slots is None:
        raise RuntimeError("app.compute is not configured: create the app with app.main.create_app")
    return _slots


def pool() -> Pool:
    """Return this worker's compute children, starting them on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = Pool(COMPUTE_SLOTS, COMPUTE_NICE, COMPUTE_TIMEOUT, start=1,  # more when needed
                         deadline=COMPUTE_DEADLINE)
        return _pool


def _key(exercise: Exercise, experiment: Experiment, params: Params) -> tuple[str, str, str]:
    """The cache key of a query: its experiment and its canonical params (defaults filled in). The
    language is not in it: one computation serves every language."""
    return (exercise.id, experiment.name, params.model_dump_json())


def cached_body(exercise: Exercise, experiment: Experiment, params: Params, lang: str = "en") -> bytes | None:
    """Return the cached result of this exact query in `lang`, if any."""
    held = CACHE.get(_key(exercise, experiment, params))
    entry = held.get(lang) if held else None
    return entry.body if entry else None


def result_body(exercise: Exercise, experiment: Experiment, params: Params,
                listener: Callable[[int], None] | None = None, wait: float | None = None,
                lang: str = "en") -> bytes:
    """Return the ExperimentResult JSON of one run (see `result_entry`)."""
    return result_entry(exercise, experiment, params, listener, wait, lang=lang).body


def result_entry(exercise: Exercise, experiment: Experiment, params: Params,
                 listener: Callable[[int], None] | None = None, wait: float | None = None,
                 background: bool = False, lang: str = "en") -> Entry:
    """Return the ExperimentResult JSON of one run in `lang`, from the cache when possible. One
    computation serves every language (app.results.encode draws them all).

    Raises TooCostly before computing when params are over the work budget, Busy when no
    compute slot frees up within `wait` seconds (default QUEUE_WAIT_SECONDS). `listener` hears
    every training checkpoint (app.nn.hooks) and may raise to abandon the run. `background` work
    (the warm-up) lets any request waiting beside it take a free slot first.
    """
    key = _key(exercise, experiment, params)
    held = CACHE.get(key)
    if held is not None and held.get(lang) is not None:
        return held.entries[lang]
    experiment.check_budget(params)
    if not slots().acquire(timeout=QUEUE_WAIT_SECONDS if wait is None else wait,
                           poll=BACKGROUND_POLL_SECONDS if background else POLL_MAX):
        raise Busy(exercise.id, experiment.name)
    try:
        if COMPUTE_MODE == "process":
            try:
                bodies = pool().run(exercise.id, experiment.name, params, listener)
            except WorkerLost as e:
                raise Busy(exercise.id, experiment.name, str(e)) from None
        else:
            assert _executor is not None
            bodies = _executor.submit(contextvars.copy_context().run, encode, exercise, experiment, params,
                                      listener, COMPUTE_DEADLINE).result()
    finally:
        slots().release()
    held = CACHE.get(key)  # another request may have drawn another language meanwhile
    entries = {**(held.entries if held else {}), **{k: Entry(v) for k, v in bodies.items()}}
    CACHE.put(key, Languages(entries), pin=params == type(params)())
    return entries[lang]


# Set once the server's warm-up is over (app.main): defaults computed, pages kept. /metrics says "warm".
WARM = threading.Event()


def warm_up(exercises: dict[str, Exercise], langs: tuple[str, ...] = ("en", "zh"), wait: float = 60.0) -> int:
    """Compute (and pin) every experiment's defaults in every language; return how many are ready
    (an experiment that draws apart from computing runs once for both languages).

    First page views then never wait for a computation. Runs one experiment at a time, so it
    takes one compute slot and leaves the others to requests; under load it queues for a slot
    like a request, but for up to `wait` seconds, so no default is skipped. A default stopped by the
    deadline (a starved machine) is logged and left to its first visitor; the warm-up goes on.
    """
    done = 0
    for exercise in exercises.values():
        for experiment in exercise.experiments:
            for lang in langs:
                params = experiment.params()
                if cached_body(exercise, experiment, params, lang) is not None:
                    done += 1
                    continue
                for _ in range(3):  # Busy here means a lost child (replaced at once) or a very long queue
                    try:
                        result_entry(exercise, experiment, params, wait=wait, background=True, lang=lang)
                        done += 1
                        break
                    except Busy:
                        continue
                    except TooCostly as e:  # past the deadline on a starved machine: the first visitor computes it
                        _log.warning("warm-up skipped %s/%s: %s", exercise.id, experiment.name, e)
                        break
                time.sleep(BACKGROUND_POLL_SECONDS / 2)  # a request that waited for this slot takes it now
    return done


def status() -> dict[str, Any]:
    """How this worker computes: mode, slots, children, cache fill, and whether the defaults are warm."""
    return {
        "mode": COMPUTE_MODE,
        "slots": COMPUTE_SLOTS,
        "children": len(_pool.pids()) if _pool is not None else 0,
        "warm": WARM.is_set(),
        "cache_entries": len(CACHE),
        "cache_mb": round(CACHE.bytes() / 2**20, 2),
    }
