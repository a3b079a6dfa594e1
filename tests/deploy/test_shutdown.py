"""SIGTERM on a real server started as the image starts it (2 web workers, compute children).

A container or pod is stopped with SIGTERM, then SIGKILL after its grace period (30 s). The server
must answer what is in flight, a finished result or a clean 503, exit before that, and leave no
process behind (no compute child outliving its web worker).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx

from tests.deploy.stack import Replica, free_port

# Not cached (seed 1), and long enough to be running when the signal comes (~1 s estimated).
LONG = "/api/exercises/4-1/shift-sweep?seed=1"


def session_pids(sid: int) -> list[int]:
    """Every live process of the session `sid` (a replica runs in a session of its own)."""
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                pids.append(int(p.name))
    return pids


def run_then_terminate(tmp_path, env: dict[str, str], after: float = 0.5) -> tuple[object, float, list[int]]:
    """Start a replica, ask LONG, SIGTERM it `after` s later; return (response or error, exit s, leftovers)."""
    replica = Replica(free_port(), tmp_path / "replica.log", env={"FFLAB_WARMUP": "0", **env})
    replica.start()
    answer: dict[str, object] = {}

    def ask() -> None:
        try:
            answer["r"] = httpx.get(f"http://127.0.0.1:{replica.port}{LONG}", timeout=60)
        except httpx.HTTPError as e:
            answer["r"] = e

    try:
        client = threading.Thread(target=ask)
        client.start()
        time.sleep(after)
        t = time.monotonic()
        replica.proc.send_signal(signal.SIGTERM)
        replica.proc.wait(timeout=40)
        exited = time.monotonic() - t
        client.join(timeout=40)
        time.sleep(0.5)
        return answer.get("r"), exited, session_pids(replica.proc.pid)
    finally:
        if replica.proc.poll() is None:
            os.killpg(replica.proc.pid, signal.SIGKILL)
        for pid in session_pids(replica.proc.pid):
            os.kill(pid, signal.SIGKILL)


def test_sigterm_finishes_the_running_computation_then_exits_leaving_nothing(tmp_path):
    r, exited, left = run_then_terminate(tmp_path, {})
    assert isinstance(r, httpx.Response), r
    assert r.status_code == 200 and r.json()["params"]["seed"] == 1
    assert exited < 30, f"took {exited:.1f} s to exit after SIGTERM"
    assert left == [], f"processes left behind: {left}"


def test_sigterm_past_the_grace_period_cancels_the_run_with_a_clean_503(tmp_path):
    r, exited, left = run_then_terminate(tmp_path, {"FFLAB_SHUTDOWN_GRACE": "0.1"}, after=0.3)
    assert isinstance(r, httpx.Response), r
    # Cancelled (503, Retry-After) — or, on a very fast machine, already finished (200).
    assert r.status_code in (200, 503), r.text[:300]
    if r.status_code == 503:
        assert r.headers.get("retry-after") and "busy" in r.json()["detail"]
    assert exited < 30
    assert left == [], f"processes left behind: {left}"
