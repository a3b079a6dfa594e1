"""A checkpoint that long computations call between epochs, so a caller can watch or stop them.

The core knows nothing of who listens: a caller (the web layer) installs a function with
`watching(fn)`; `checkpoint(done)` calls it with the number of epochs just finished, and the
function may raise to abandon the computation (a cancelled request). Without a listener a
checkpoint costs one context-variable lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_listener: ContextVar[Callable[[int], None] | None] = ContextVar("fflab_checkpoint", default=None)


def checkpoint(done: int = 1) -> None:
    """Report `done` units of work (epochs × members) to the listener, if any; it may raise to stop."""
    listener = _listener.get()
    if listener is not None:
        listener(done)


@contextmanager
def watching(listener: Callable[[int], None]) -> Iterator[None]:
    """Install `listener` for checkpoints made in this context (this thread or task)."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
