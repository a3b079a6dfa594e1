"""Shared helpers of the benchmarks: timing statistics, the machine, a uvicorn subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium, and the flags it needs here (no sandbox, no GPU, nothing fetched from the network).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


SWEEP = re.compile(r"sweep|seeds|rates|lrs", re.I)


def is_sweep(exp) -> bool:
    """A seed or learning-rate sweep (target 600 ms, not 100 ms; the students' "some running sweeps"):
    told by its name, title or parameters."""
    text = " ".join([exp.name, exp.title.get("en", ""), *exp.params.model_fields])
    return bool(SWEEP.search(text))


def quantile(values: Sequence[float], q: float) -> float:
    """Return the q-quantile (0..1) of values, linear interpolation; NaN for none."""
    return float(np.quantile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def ms(seconds: float) -> str:
    """Format seconds as milliseconds, 3 significant figures."""
    if seconds != seconds:  # NaN
        return "n/a"
    v = seconds * 1e3
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def wait_until_warm(base: str, workers: int, timeout: float = 180) -> float:
    """Wait until every web worker of the server at `base` reports its defaults computed (/metrics:
    compute.warm, told apart by pid); return the seconds waited."""
    started = time.perf_counter()
    warm: set[int] = set()
    while len(warm) < workers and time.perf_counter() - started < timeout:
        try:
            body = httpx.get(base + "/metrics", headers={"connection": "close"}, timeout=5).json()
        except httpx.HTTPError:
            body = {}
        if body.get("compute", {}).get("warm"):
            warm.add(body["pid"])
        else:
            time.sleep(0.5)
    return time.perf_counter() - started


def machine() -> dict[str, str]:
    """Describe the machine: CPUs, model, load, Python, NumPy and its BLAS."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    blas = "unknown"
    with contextlib.suppress(Exception):
        cfg = np.show_config(mode="dicts")  # numpy >= 1.25
        info = cfg["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    load = "n/a"
    with contextlib.suppress(OSError):
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cpus": str(os.cpu_count()),
        "cpu_model": model,
        "load_average": load,
        "python": platform.python_version(),
        "numpy": f"{np.__version__} ({blas})",
        "platform": platform.platform(),
    }


def load_average() -> float:
    """Return the 1-minute load average (NaN where unknown)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def uvicorn_process(env: dict[str, str] | None = None, workers: int = 1, log: Path | None = None,
                    new_session: bool = True) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `uvicorn app.main:app` on a free loopback port as a subprocess; yield its base URL and process.

    The server's output (its access log included) goes to `log`, or to an anonymous temporary file
    (never to a pipe nobody reads: a full pipe would freeze the server); it is quoted if the server
    does not start.
    `new_session=False` keeps the server in this process's session: where the kernel groups CPU
    time by session (sched_autogroup), only then do the server's niced compute children yield the
    CPU to a client running here, as they yield it to the web workers.
    """
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--http", "app.server:HTTPProtocol",
           "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning", "--no-access-log"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    out = open(log, "w+b") if log else tempfile.TemporaryFile()  # noqa: SIM115  (closed in finally)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                            stdout=out, stderr=out, start_new_session=new_session)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out.seek(0)
                raise RuntimeError(f"uvicorn did not start: {out.read()[-500:].decode(errors='replace')}")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()


@contextlib.contextmanager
def uvicorn_server(env: dict[str, str] | None = None, workers: int = 1, log: Path | None = None,
                   new_session: bool = True) -> Iterator[str]:
    """Run `uvicorn app.main:app` as a subprocess (see uvicorn_process); yield its base URL."""
    with uvicorn_process(env, workers, log, new_session) as (url, _):
        yield url


def quiet_import(module: str):
    """Import a module with its import-time output swallowed; None if it is not installed."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            return __import__(module)
        except ImportError:
            return None
