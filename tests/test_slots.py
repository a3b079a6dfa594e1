"""Compute slots shared across processes (app/slots.py): a count held in lock files."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.slots import Slots, server_directory

ROOT = Path(__file__).resolve().parents[1]


def test_two_workers_share_one_count(tmp_path):
    a, b = Slots(2, tmp_path), Slots(2, tmp_path)  # two web workers of one server
    assert a.acquire(blocking=False) and b.acquire(blocking=False)
    assert not a.acquire(blocking=False) and not b.acquire(blocking=False)
    b.release()
    assert a.acquire(blocking=False) and a.held() == 2 and b.held() == 0
    a.release()
    a.release()
    assert a.held() == 0 and b.acquire(blocking=False) and b.acquire(blocking=False)


def test_a_wait_ends_false_when_no_slot_frees_and_true_when_one_does(tmp_path):
    slots = Slots(1, tmp_path)
    assert slots.acquire(blocking=False)
    assert not slots.acquire(timeout=0.05)
    other = Slots(1, tmp_path)
    threading.Timer(0.05, slots.release).start()
    assert other.acquire(timeout=5)


def test_a_dead_process_never_keeps_a_slot(tmp_path):
    with subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from app.slots import Slots; from pathlib import Path; "
         "s = Slots(1, Path(sys.argv[1])); assert s.acquire(); print('held', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}) as holder:
        try:
            assert holder.stdout.readline().strip() == "held"
            slots = Slots(1, tmp_path)
            assert not slots.acquire(blocking=False)
        finally:
            holder.kill()
    deadline = time.monotonic() + 5
    while not slots.acquire(blocking=False):
        assert time.monotonic() < deadline, "the kernel did not drop the dead holder's lock"
        time.sleep(0.01)


def test_workers_of_one_supervisor_share_a_directory():
    assert server_directory(2).name.endswith(f"-{os.getppid()}")
    assert server_directory(1).name.endswith(f"-{os.getpid()}")


def test_directories_of_servers_that_exited_are_swept():
    with subprocess.Popen([sys.executable, "-c", "pass"]) as gone:
        gone.wait()
    mine = server_directory(1)
    stale = mine.with_name(mine.name.rsplit("-", 1)[0] + f"-{gone.pid}")
    stale.mkdir(exist_ok=True)
    (stale / "slot-0").touch()
    live = mine.with_name(mine.name.rsplit("-", 1)[0] + f"-{os.getppid()}")
    live.mkdir(exist_ok=True)
    server_directory(1)
    assert not stale.exists() and live.exists()


def test_a_request_waiting_beside_background_work_gets_the_next_free_slot(tmp_path):
    holder, background, request = Slots(1, tmp_path), Slots(1, tmp_path), Slots(1, tmp_path)
    assert holder.acquire(blocking=False)
    won: list[str] = []

    def wait(slots: Slots, name: str, poll: float) -> None:
        if slots.acquire(timeout=5, poll=poll):
            won.append(name)
            time.sleep(0.5)
            slots.release()

    threads = [threading.Thread(target=wait, args=(background, "background", 0.5)),
               threading.Thread(target=wait, args=(request, "request", 0.02))]
    for t in threads:
        t.start()
    time.sleep(0.3)  # both are waiting; the background one now looks only every 0.5 s
    holder.release()
    for t in threads:
        t.join()
    assert won == ["request", "background"]


def test_a_request_that_waits_is_seen_by_background_work_and_background_waits_are_not(tmp_path):
    import time as clock

    slots, other = Slots(1, tmp_path), Slots(1, tmp_path)
    assert slots.acquire(blocking=False)
    since = clock.time()
    assert not other.acquire(blocking=False) and not other.wanted_since(since)  # a glance is no wait
    assert not other.acquire(timeout=0.05, background=True) and not slots.wanted_since(since)
    assert not other.acquire(timeout=0.05) and slots.wanted_since(since)  # a request waited
    assert not slots.wanted_since(clock.time() + 1)
