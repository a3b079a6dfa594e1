"""How one server runs: every setting an operator may change, read from the environment in one place.

`create_app(settings)` takes a Settings; `Settings.from_env()` reads the FFLAB_* variables (and
uvicorn's WEB_CONCURRENCY) when the app is created, never when a module is imported, so a test
configures an app by passing a Settings instead of patching module globals.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "off", "false", "no")


@dataclass(frozen=True)
class Settings:
    """The operator's knobs (README, "Operating it"), with their defaults."""

    compute_mode: str = "process"     # FFLAB_COMPUTE: "process" (child processes) or "thread"
    compute_slots: int = 0            # FFLAB_COMPUTE_SLOTS: computations at once, server-wide; 0 = one per core
    queue_wait: float = 2.0           # FFLAB_QUEUE_WAIT: seconds a request waits for a slot before 503
    compute_nice: int = 19            # FFLAB_COMPUTE_NICE: priority of the computations
    compute_timeout: float = 30.0     # FFLAB_COMPUTE_TIMEOUT: a child that runs longer is replaced
    compute_deadline: float = 10.0    # FFLAB_COMPUTE_DEADLINE: a run still going stops, refused as too costly
    cache_size: int = 256             # FFLAB_CACHE_SIZE: results kept per worker
    cache_mb: float = 64.0            # FFLAB_CACHE_MB: and at most this many megabytes
    page_cache_size: int = 64         # FFLAB_PAGE_CACHE_SIZE: rendered pages kept per worker
    workers: int = 1                  # WEB_CONCURRENCY: uvicorn's worker processes sharing the slots
    warmup: bool = True               # FFLAB_WARMUP: compute the defaults and render the pages at start
    access_log: bool = True           # FFLAB_ACCESS_LOG: one JSON line per request on stderr
    shutdown_grace: float = 20.0      # FFLAB_SHUTDOWN_GRACE: after SIGTERM, runs still going are cancelled (503)

    @property
    def slots(self) -> int:
        """The number of compute slots: as set, or one per core."""
        return self.compute_slots or (os.cpu_count() or 1)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from the environment (or from `env`), defaults for what is unset."""
        env = os.environ if env is None else env
        d = cls()

        def get(name: str, default: object) -> str:
            value = env.get(name, "")
            return value if value.strip() else str(default)

        return cls(
            compute_mode=get("FFLAB_COMPUTE", d.compute_mode),
            compute_slots=int(get("FFLAB_COMPUTE_SLOTS", d.compute_slots)),
            queue_wait=float(get("FFLAB_QUEUE_WAIT", d.queue_wait)),
            compute_nice=int(get("FFLAB_COMPUTE_NICE", d.compute_nice)),
            compute_timeout=float(get("FFLAB_COMPUTE_TIMEOUT", d.compute_timeout)),
            compute_deadline=float(get("FFLAB_COMPUTE_DEADLINE", d.compute_deadline)),
            cache_size=int(get("FFLAB_CACHE_SIZE", d.cache_size)),
            cache_mb=float(get("FFLAB_CACHE_MB", d.cache_mb)),
            page_cache_size=int(get("FFLAB_PAGE_CACHE_SIZE", d.page_cache_size)),
            workers=max(1, int(get("WEB_CONCURRENCY", d.workers))),
            warmup=_flag(get("FFLAB_WARMUP", "1")),
            access_log=_flag(get("FFLAB_ACCESS_LOG", "1")),
            shutdown_grace=float(get("FFLAB_SHUTDOWN_GRACE", d.shutdown_grace)),
        )
