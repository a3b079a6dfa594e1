"""A checkpoint that long computations call between epochs, so a caller can watch or stop them.

The core knows nothing of who listens: a caller (the web layer) installs a function with
`watching(fn)`; `checkpoint(done)` calls it with the number of epochs just finished, and the
function may raise to abandon the computation (a cancelled request). A caller may also set a
`deadline(seconds)`: a checkpoint past it raises Overrun, the backstop behind the work estimate
(an estimate that is wrong for some corner still cannot hold a core for long). Without either a
checkpoint costs two context-variable lookups.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_listener: ContextVar[Callable[[int], None] | None] = ContextVar("fflab_checkpoint", default=None)
_deadline: ContextVar[float | None] = ContextVar("fflab_deadline", default=None)


class Overrun(RuntimeError):
    """A computation went on past its deadline (see `deadline`)."""


def checkpoint(done: int = 1) -> None:
    """Report `done` units of work (epochs × members) to the listener, if any; it may raise to stop.
    Past the deadline, if one is set, raise Overrun."""
    listener = _listener.get()
    if listener is not None:
        listener(done)
    limit = _deadline.get()
    if limit is not None and time.monotonic() > limit:
        raise Overrun("still running at the deadline")


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Stop computations in this context at their first checkpoint after `seconds` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def watching(listener: Callable[[int], None]) -> Iterator[None]:
    """Install `listener` for checkpoints made in this context (this thread or task)."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
