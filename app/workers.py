"""Experiments computed in child processes, so training never holds the event loop's GIL.

Why processes: a training run is thousands of small NumPy calls, each taking the GIL. On a
compute *thread* the event loop waits for the GIL behind it, and niceness makes that worse (the
niced thread is preempted while holding the lock the loop needs). A child process has its own
GIL, and its low priority (nice 19 by default) then does what it should: the web process, at
normal priority, gets a core the moment a page or a file is asked for.

Each uvicorn worker starts `size` children with the "spawn" method (a clean interpreter: no copy
of the event loop, its threads or its sockets). A child serves one run at a time over a pipe:

    parent → child   (exercise id, experiment name, params, watch, first language)
    child  → parent  ("progress", work done since the last report)   … only when watched
                     ("body", lang, gzipped result JSON, last?)       … once per language, the first first
                     | ("cancelled",) | ("too_costly", fields, seconds) | ("error", text)

The first language's body goes back as soon as it is drawn; the parent answers with it while the
child draws the others (app.compute keeps the compute slot until the last one is in).

The parent stops a watched run by setting the child's shared `cancel` byte; the child checks it
at every training checkpoint (app.nn.hooks). A child that dies or overruns is replaced, and the
request gets `WorkerLost` (the API answers 503).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing as mp
import os
import queue
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.exercises.base import TooCostly

PROGRESS_SECONDS = 0.1  # a watched child reports its work at most this often


class WorkerLost(RuntimeError):
    """The child computing a request died or overran its time; it has been replaced."""


class _Stop(Exception):
    """Raised inside a child at a checkpoint once the parent has asked it to stop."""


def _libc(name: str) -> Callable[..., int] | None:
    """Return the C library's function `name` (glibc's malloc tuning), or None where there is none."""
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):
        return None


def _trim_heap() -> Callable[[], None]:
    """Return glibc's malloc_trim(0) (give freed memory back to the OS), or a no-op elsewhere."""
    trim = _libc("malloc_trim")
    return (lambda: None) if trim is None else (lambda: trim(0))


# glibc malloc, tuned for a run's temporaries: arrays up to 32 MB come from the heap, not from a fresh
# mmap each (whose pages fault in again at every allocation), and the heap is not trimmed while a run
# frees and reallocates them; malloc_trim after the run still gives the memory back. On 4-3's learning-
# rate sweep (temporaries of 0.8 MB) this is a third of the run's time on a virtual machine.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_BYTES = 32 << 20  # glibc's largest
TRIM_THRESHOLD_BYTES = 128 << 20


def tune_malloc() -> bool:
    """Set the thresholds above with glibc's mallopt; return whether glibc took them (elsewhere: False)."""
    mallopt = _libc("mallopt")
    return (mallopt is not None and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
            and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1)


def lower_priority(nice: int) -> None:
    """Nice the calling thread (Linux: a thread is a task with its own nice value); else do nothing."""
    if nice <= 0:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):
        pass


def _child_main(conn, cancel, nice: int, deadline: float) -> None:
    """The loop of a compute child: receive a run, compute it, send the gzipped result per language."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it closes our pipe
    tune_malloc()
    if os.getpriority(os.PRIO_PROCESS, 0) < nice:  # born niced when started by a Pool; else nice it now
        lower_priority(nice)
    from app.exercises.playground.experiment import PLAYGROUNDS
    from app.exercises.registry import EXERCISES
    from app.results import LANGS, drawings

    gc.freeze()  # the imported modules are permanent: keep them out of every collection
    trim = _trim_heap()
    while True:
        try:
            exercise_id, name, params, watch, first = conn.recv()
        except (EOFError, OSError):
            return  # the web process is gone
        listener = None
        if watch:
            pending, last = 0, time.monotonic()

            def listener(done: int) -> None:
                nonlocal pending, last
                if cancel.value:
                    raise _Stop
                pending += done
                if time.monotonic() - last >= PROGRESS_SECONDS:
                    conn.send(("progress", pending))
                    pending, last = 0, time.monotonic()

        exercise = EXERCISES.get(exercise_id) or PLAYGROUNDS[exercise_id]
        try:
            for i, (lang, body) in enumerate(drawings(exercise, exercise.experiment(name), params, listener,
                                                      deadline, first)):
                reply = ("body", lang, body, i == len(LANGS) - 1)
                if i < len(LANGS) - 1:
                    conn.send(reply)
        except _Stop:
            reply = ("cancelled",)
        except TooCostly as e:  # past the deadline (app.results): the parent refuses it as too costly
            reply = ("too_costly", e.fields, e.estimate)
        except Exception as e:  # a bug in an experiment: the parent raises it as a 500
            reply = ("error", f"{type(e).__name__}: {e}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
        del reply
        trim()  # a run's temporaries are freed; keep the child's memory at its steady size


class Worker:
    """One compute child and the parent's end of its pipe."""

    def __init__(self, ctx: Any, nice: int, deadline: float) -> None:
        self.conn, child_end = ctx.Pipe()
        self.cancel = ctx.Value("b", 0, lock=False)
        self.process = ctx.Process(target=_child_main, args=(child_end, self.cancel, nice, deadline),
                                   name="fflab-compute", daemon=True)
        self.process.start()
        child_end.close()
        self.in_sync = True

    def bodies(self, exercise_id: str, name: str, params: Any, listener: Callable[[int], None] | None,
               timeout: float, first: str = "en") -> Iterator[tuple[str, bytes]]:
        """Compute one run in the child; yield its gzipped result JSON per language, `first` first
        (app.results.drawings). The child draws the next language while the caller uses this one.

        `listener` hears the work reported by the child and may raise to stop the run: the child
        is told to stop, and the exception is re-raised once it has. Raises WorkerLost when the
        child dies or takes longer than `timeout` seconds, RuntimeError when the experiment failed.
        """
        self.cancel.value = 0
        self.in_sync = False  # True again once the child's final reply has been read
        stopping: BaseException | None = None
        deadline = time.monotonic() + timeout
        try:
            self.conn.send((exercise_id, name, params, listener is not None, first))
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self.conn.poll(left):
                    raise WorkerLost(f"no answer within {timeout:g} s")
                kind, *rest = self.conn.recv()
                self.in_sync = kind not in ("progress", "body") or rest[-1]
                if kind == "progress":
                    if stopping is None and listener is not None:
                        try:
                            listener(rest[0])
                        except BaseException as e:  # noqa: BLE001  (re-raised when the child has stopped)
                            stopping = e
                            self.cancel.value = 1
                    continue
                if stopping is not None:
                    raise stopping
                if kind == "body":
                    lang, body, last = rest
                    yield lang, body
                    if last:
                        return
                    continue
                if kind == "cancelled":
                    raise WorkerLost("the run was cancelled by nobody")  # cannot happen: only we cancel
                if kind == "too_costly":
                    raise TooCostly(rest[0], rest[1])
                raise RuntimeError(rest[0])
        except (EOFError, OSError) as e:
            raise WorkerLost(f"the compute process died: {e}") from None

    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self) -> None:
        """Stop the child (at once: it holds no state worth keeping)."""
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


# Every pool of this process, so a server shutting down can stop their children (stop_all, close_all).
_POOLS: weakref.WeakSet[Pool] = weakref.WeakSet()


class Pool:
    """Up to `size` compute children, started when first needed; one per computation at a time.

    The caller bounds concurrency (app.compute's slots); the pool hands out an idle child or
    starts one, and replaces a child that died, overran or fell out of step.
    """

    def __init__(self, size: int, nice: int, timeout: float, start: int = 0, deadline: float = 10.0) -> None:
        _POOLS.add(self)
        self.stopped = False  # set by stop(): no child is started any more
        self._ctx = mp.get_context("spawn")
        self._nice = nice
        self._deadline = deadline  # a run past it stops and is refused as too costly (app.results)
        # Children are started from this niced thread and inherit its priority from birth: the
        # interpreter start-up and the imports (~0.5 s of CPU) never compete with the web process.
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="fflab-spawn", initializer=lower_priority,
                                           initargs=(nice,))
        self.size = size
        self.timeout = timeout
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        for _ in range(start):
            self._idle.put(self._start())

    def _start(self) -> Worker | None:
        """Start one more child unless `size` exist already."""
        with self._lock:
            if len(self._all) >= self.size:
                return None
            worker = self._spawner.submit(Worker, self._ctx, self._nice, self._deadline).result()
            self._all.append(worker)
            return worker

    def _take(self) -> Worker:
        if self.stopped:
            raise WorkerLost("the server is shutting down")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        # With a slot held, either fewer than `size` children exist, or one is being handed back.
        return self._start() or self._idle.get(timeout=5)

    def bodies(self, exercise_id: str, name: str, params: Any, listener: Callable[[int], None] | None,
               first: str = "en") -> Iterator[tuple[str, bytes]]:
        """Compute one run on an idle child, yielding its result per language (see Worker.bodies).
        The child goes back to the pool once the last language is read (or is replaced if the
        caller stops reading early)."""
        worker = self._take()
        try:
            yield from worker.bodies(exercise_id, name, params, listener, self.timeout, first)
        finally:
            if worker.in_sync and worker.alive():
                self._idle.put(worker)
            else:  # dead, overrunning, or a reply still in the pipe: start afresh (when next needed)
                self._retire(worker)

    def run(self, exercise_id: str, name: str, params: Any,
            listener: Callable[[int], None] | None) -> dict[str, bytes]:
        """Compute one run on an idle child; return its result in every language: {lang: body}."""
        return dict(self.bodies(exercise_id, name, params, listener))

    def _retire(self, worker: Worker) -> None:
        worker.close()
        with self._lock:
            if worker in self._all:  # close() may have let go of every child already
                self._all.remove(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid is not None]

    def stop(self) -> None:
        """Cancel every running computation and start no more (a shutdown past its grace period).

        The children are killed, not their pipes closed: a request waiting on a pipe then reads its
        end at once and answers 503 (WorkerLost → Busy), where closing the pipe under a waiting
        thread might never wake it.
        """
        self.stopped = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            if w.process.is_alive():
                w.process.kill()

    def close(self) -> None:
        self.stopped = True
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.close()
        self._spawner.shutdown(wait=False)


def stop_all() -> None:
    """Cancel the running computations of every pool of this process (see Pool.stop)."""
    for pool in list(_POOLS):
        pool.stop()


def close_all() -> None:
    """Stop the children of every pool of this process: none outlives the web worker that started it."""
    for pool in list(_POOLS):
        pool.close()
