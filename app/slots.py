"""Compute slots shared by every web worker of one server: one lock file per slot (flock).

Why shared: with `uvicorn --workers N` the kernel gives each new connection to whichever worker
accepts first, and under a burst one worker takes nearly all of them (measured under `make load`
with 2 workers and 32 keep-alive clients: 2977 requests on one worker, 6 on the other). Slots
fixed per worker (cores ÷ N each) then leave a core idle while the busy worker answers 503.
With one lock file per core, any worker computes on any free core, and the server as a whole
never runs more computations than it has cores.

The kernel drops a process's locks when it dies, so a crashed worker never keeps a slot. The
lock files live in a directory named after the server: the uvicorn supervisor's pid when there
are several workers (WEB_CONCURRENCY > 1), this process's own pid otherwise.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

# A waiting request looks for a free slot after 2 ms, then backs off to every 20 ms.
POLL_FIRST, POLL_MAX = 0.002, 0.02


class Slots:
    """A counting semaphore across processes: `acquire` takes any free slot, `release` gives one back."""

    def __init__(self, count: int, directory: Path) -> None:
        self.count = count
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.paths = [directory / f"slot-{i}" for i in range(count)]
        # Touched by a request while it waits for a slot: background work sees it and gives way.
        self.wanted = directory / "wanted"
        self._held: list[int] = []  # descriptors of the slots this process holds
        self._lock = threading.Lock()

    def _try_any(self) -> bool:
        for path in self.paths:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                # Each open() is its own lock owner: two threads of one process exclude each other too.
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            with self._lock:
                self._held.append(fd)
            return True
        return False

    def acquire(self, blocking: bool = True, timeout: float | None = None, poll: float = POLL_MAX,
                background: bool = False) -> bool:
        """Take a free slot, waiting up to `timeout` seconds (forever if None); False if none freed up.

        A waiter looks again after 2 ms, then less and less often, down to every `poll` seconds:
        background work passes a longer `poll` than requests, so a request waiting beside it
        gets the next free slot. A request that has to wait says so (`wanted_since`), so that
        background work holding a slot can give it up.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = POLL_FIRST
        while True:
            if self._try_any():
                return True
            if blocking and not background:
                self._want()
            if not blocking or (deadline is not None and time.monotonic() >= deadline):
                return False
            time.sleep(pause if deadline is None else max(0.0, min(pause, deadline - time.monotonic())))
            pause = min(2 * pause, poll)

    def release(self) -> None:
        """Give back one slot this process holds."""
        with self._lock:
            fd = self._held.pop()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def _want(self) -> None:
        try:
            os.utime(self.wanted)
        except FileNotFoundError:
            self.wanted.touch(mode=0o600)

    def wanted_since(self, when: float) -> bool:
        """Whether a request of this server has waited for a slot since `when` (time.time())."""
        try:
            return self.wanted.stat().st_mtime >= when
        except FileNotFoundError:
            return False

    def held(self) -> int:
        with self._lock:
            return len(self._held)


def server_directory(workers: int) -> Path:
    """Where this server's lock files live: shared by the workers of one uvicorn supervisor.

    Directories left by servers that have exited are removed on the way, so they never pile up.
    """
    owner = os.getppid() if workers > 1 else os.getpid()
    prefix = f"fflab-slots-{os.getuid()}-"
    root = Path(tempfile.gettempdir())
    for old in root.glob(prefix + "*"):
        pid = old.name.removeprefix(prefix)
        if pid.isdigit() and int(pid) != owner and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return root / f"{prefix}{owner}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
