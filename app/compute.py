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
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.cache import LRU, Entry, Languages
from app.exercises.base import Exercise, Experiment, Params, TooCostly
from app.results import drawings
from app.settings import Settings
from app.slots import POLL_MAX, Slots, server_directory
from app.workers import Pool, WorkerLost, lower_priority, tune_malloc

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


class GaveWay(Exception):
    """Background work stopped and gave its slot up because a request was waiting for one."""


# Set on the warm-up's thread: whatever it computes (the defaults, the numbers the pages quote) is
# background work, which gives way to requests.
BACKGROUND: contextvars.ContextVar[bool] = contextvars.ContextVar("fflab_background", default=False)
# Background work looks whether a request waits for its slot this often (process mode: as often as the
# child reports its progress, every 0.1 s).
GIVE_WAY_SECONDS = 0.05
# Background work that gave way starts again once no request has waited for a slot for this long.
QUIET_SECONDS = 1.0


CACHE = LRU(256, 64 * 2**20)


# Thread mode: experiments run on these threads only, niced once, never used to serve pages or files.
_executor: ThreadPoolExecutor | None = None
# Where a run's other languages are drawn (process mode: read from the child) after the first was answered.
_finisher: ThreadPoolExecutor | None = None
# The queries being computed or drawn right now, each with the token of its run; `_drawing_changed`
# wakes whoever waits for one of them whenever a language is stored or a run ends.
_drawing: dict[tuple[str, str, str], object] = {}
_drawing_changed = threading.Condition()
_store_lock = threading.Lock()
_pool: Pool | None = None
_pool_lock = threading.Lock()


def configure(settings: Settings) -> None:
    """Apply the operator's settings: compute mode, slots shared by the server's workers, cache bounds.

    Called by create_app; the compute children never call it (they need no slots and no cache).
    """
    global COMPUTE_MODE, COMPUTE_SLOTS, QUEUE_WAIT_SECONDS, COMPUTE_NICE, COMPUTE_TIMEOUT, COMPUTE_DEADLINE
    global _slots, _executor, _finisher, _pool
    settle()  # runs still drawing under the old settings finish first
    COMPUTE_MODE = settings.compute_mode
    COMPUTE_SLOTS = settings.slots
    QUEUE_WAIT_SECONDS = settings.queue_wait
    COMPUTE_NICE = settings.compute_nice
    COMPUTE_TIMEOUT = settings.compute_timeout
    COMPUTE_DEADLINE = settings.compute_deadline
    _slots = Slots(COMPUTE_SLOTS, server_directory(settings.workers))
    if COMPUTE_MODE == "thread":  # runs allocate here: the children's malloc thresholds (app.workers)
        tune_malloc()
    CACHE.size, CACHE.max_bytes = settings.cache_size, int(settings.cache_mb * 2**20)
    with _pool_lock:
        if _pool is not None:  # children started under the old settings
            _pool.close()
            _pool = None
    if _executor is not None:
        _executor.shutdown(wait=False)
    _executor = ThreadPoolExecutor(max_workers=COMPUTE_SLOTS, thread_name_prefix="fflab-compute",
                                   initializer=lower_priority, initargs=(COMPUTE_NICE,))
    if _finisher is not None:
        _finisher.shutdown(wait=False)
    _finisher = ThreadPoolExecutor(max_workers=COMPUTE_SLOTS, thread_name_prefix="fflab-finish")


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


def _held(exercise: Exercise, experiment: Experiment, params: Params, lang: str) -> Entry | None:
    held = CACHE.get(_key(exercise, experiment, params))
    return held.get(lang) if held else None


def is_cached(exercise: Exercise, experiment: Experiment, params: Params, lang: str = "en") -> bool:
    """Return whether the result of this exact query in `lang` is held (without unpacking it)."""
    return _held(exercise, experiment, params, lang) is not None


def cached_body(exercise: Exercise, experiment: Experiment, params: Params, lang: str = "en") -> bytes | None:
    """Return the cached result of this exact query in `lang`, if any."""
    entry = _held(exercise, experiment, params, lang)
    return entry.body if entry else None


def result_body(exercise: Exercise, experiment: Experiment, params: Params,
                listener: Callable[[int], None] | None = None, wait: float | None = None,
                lang: str = "en") -> bytes:
    """Return the ExperimentResult JSON of one run (see `result_entry`)."""
    return result_entry(exercise, experiment, params, listener, wait, lang=lang).body


def result_entry(exercise: Exercise, experiment: Experiment, params: Params,
                 listener: Callable[[int], None] | None = None, wait: float | None = None,
                 background: bool = False, lang: str = "en") -> Entry:
    """Return the ExperimentResult JSON of one run in `lang`, from the cache when possible.

    One computation serves every language: it is drawn in `lang` first and answered at once; the
    other languages are drawn right after (app.results.drawings), on the same compute slot, and
    cached — a request for one of them meanwhile waits for that drawing instead of computing again.

    Raises TooCostly before computing when params are over the work budget, Busy when no
    compute slot frees up within `wait` seconds (default QUEUE_WAIT_SECONDS). `listener` hears
    every training checkpoint (app.nn.hooks) and may raise to abandon the run. `background` work
    (the warm-up) lets any request waiting beside it take a free slot first, and stops with GaveWay,
    giving its slot up, when a request has to wait for one while it computes.
    """
    key = _key(exercise, experiment, params)
    while True:
        entry = _cached(key, lang)
        if entry is not None:
            return entry
        experiment.check_budget(params)
        if not slots().acquire(timeout=QUEUE_WAIT_SECONDS if wait is None else wait,
                               poll=BACKGROUND_POLL_SECONDS if background else POLL_MAX, background=background):
            raise Busy(exercise.id, experiment.name)
        # Announced before the run, so that a request for this query in any language arriving meanwhile
        # waits for it instead of computing it a second time; and looked at again now, for one that
        # arrived while this one waited for its slot (a class opening the same page at once).
        with _drawing_changed:
            held = CACHE.get(key)
            taken = key in _drawing or (held is not None and held.get(lang) is not None)
            if not taken:
                _drawing[key] = run = object()
        if not taken:
            break
        slots().release()
    if background:
        listener = _giving_way(listener)
    finishing = False
    try:
        if COMPUTE_MODE == "process":  # the child computes; this process only reads its pipe
            bodies = pool().bodies(exercise.id, experiment.name, params, listener, first=lang)
            on: Callable[..., Any] = _here
        else:
            bodies = drawings(exercise, experiment, params, listener, COMPUTE_DEADLINE, first=lang)
            on = _on_executor
        entry = on(_first_body, bodies, key, params)
        assert _finisher is not None
        _finisher.submit(on, _finish, bodies, key, params, run)
        finishing = True
        return entry
    finally:
        if not finishing:  # refused, failed or abandoned: whoever waited computes for itself
            slots().release()
            _forget_drawing(key, run)


def _giving_way(listener: Callable[[int], None] | None) -> Callable[[int], None]:
    """A listener for background work: raises GaveWay once a request has waited for a slot since now."""
    since = time.time()
    looked = time.monotonic()

    def listen(work: int) -> None:
        nonlocal looked
        if listener is not None:
            listener(work)
        if time.monotonic() - looked >= GIVE_WAY_SECONDS:
            looked = time.monotonic()
            if slots().wanted_since(since):
                raise GaveWay
    return listen


def background_entry(exercise: Exercise, experiment: Experiment, params: Params, lang: str = "en",
                     wait: float = 60.0) -> Entry:
    """`result_entry` as background work: it waits up to `wait` seconds for a slot (Busy after that), and
    whenever it gives way to a request it waits for a quiet moment and starts again."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return result_entry(exercise, experiment, params, wait=max(0.0, deadline - time.monotonic()),
                                background=True, lang=lang)
        except GaveWay:
            while slots().wanted_since(time.time() - QUIET_SECONDS):
                if time.monotonic() >= deadline:
                    raise Busy(exercise.id, experiment.name) from None
                time.sleep(QUIET_SECONDS / 4)


def _cached(key: tuple[str, str, str], lang: str) -> Entry | None:
    """The cached body of `key` in `lang`; if that query is being computed or drawn right now, wait
    until its `lang` is stored (None if that run ends without it, or takes over COMPUTE_TIMEOUT)."""
    end = time.monotonic() + COMPUTE_TIMEOUT
    with _drawing_changed:
        while True:
            held = CACHE.get(key)
            if held is not None and held.get(lang) is not None:
                return held.entries[lang]
            left = end - time.monotonic()
            if key not in _drawing or left <= 0:
                return None
            _drawing_changed.wait(left)


def _store(key: tuple[str, str, str], params: Params, lang: str, body: bytes) -> Entry:
    """Add one language of a result to the cache (beside those already drawn) and return it."""
    entry = Entry(body)
    with _store_lock:
        held = CACHE.get(key)
        CACHE.put(key, Languages({**(held.entries if held else {}), lang: entry}), pin=params == type(params)())
    with _drawing_changed:
        _drawing_changed.notify_all()
    return entry


def _here(fn: Callable[..., Any], *args: Any) -> Any:
    """Run fn(*args) on the calling thread (process mode: the work happens in the child)."""
    return fn(*args)


def _on_executor(fn: Callable[..., Any], *args: Any) -> Any:
    """Run fn(*args) on a compute thread (thread mode: the run and the drawing happen there)."""
    assert _executor is not None
    return _executor.submit(contextvars.copy_context().run, fn, *args).result()


def _first_body(bodies: Iterator[tuple[str, bytes]], key: tuple[str, str, str], params: Params) -> Entry:
    """Compute the run and draw its first language (raising what the run raises)."""
    try:
        lang, body = next(bodies)
    except WorkerLost as e:
        raise Busy(key[0], key[1], str(e)) from None
    return _store(key, params, lang, body)


def _finish(bodies: Iterator[tuple[str, bytes]], key: tuple[str, str, str], params: Params,
            run: object) -> None:
    """Draw and cache the remaining languages of a run, then free its compute slot."""
    try:
        for lang, body in bodies:
            _store(key, params, lang, body)
    except GaveWay:  # background work stopped drawing for a request: the rest is drawn when asked for
        pass
    except Exception:  # the first language was answered; the others are drawn again when asked for
        _log.exception("drawing %s/%s in another language failed", key[0], key[1])
    finally:
        slots().release()
        _forget_drawing(key, run)


def _forget_drawing(key: tuple[str, str, str], run: object) -> None:
    """Say that `run` (announced in `_drawing`) is over, waking whoever waits for it."""
    with _drawing_changed:
        if _drawing.get(key) is run:
            del _drawing[key]
        _drawing_changed.notify_all()


def settle(timeout: float | None = None) -> bool:
    """Wait until no run is still computing or drawing its other languages (up to `timeout`,
    default COMPUTE_TIMEOUT); True if none is. For whoever must see the cache and the slots at
    rest: tests, the bench, a change of settings."""
    with _drawing_changed:
        return _drawing_changed.wait_for(lambda: not _drawing, COMPUTE_TIMEOUT if timeout is None else timeout)


def clear_cache() -> None:
    """Forget every result, once the runs still drawing have put theirs in (tests and the bench)."""
    settle()
    CACHE.clear()


# Set once the server's warm-up is over (app.main): defaults computed, pages kept. /metrics says "warm".
WARM = threading.Event()


def warm_up(exercises: dict[str, Exercise], langs: tuple[str, ...] = ("en", "zh"), wait: float = 60.0) -> int:
    """Compute (and pin) every experiment's defaults in every language; return how many are ready
    (an experiment that draws apart from computing runs once for both languages).

    First page views then never wait for a computation. Runs one experiment at a time, so it
    takes one compute slot and leaves the others to requests; under load it queues for a slot
    like a request, but for up to `wait` seconds, so no default is skipped, and it gives its slot
    up to any request that would have to wait (a replica restarted under a class's load warms up
    in the quiet moments, never in a student's way). A default stopped by the
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
                        background_entry(exercise, experiment, params, lang, wait=wait)
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
