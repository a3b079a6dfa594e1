"""Compute children (app.workers): same bytes as in-process, low priority, progress, stop, recovery."""

from __future__ import annotations

import gzip
import json
import os
import signal
import time

import pytest

from app import compute
from app.exercises.registry import EXERCISES
from app.results import encode
from app.workers import Pool, WorkerLost
from tests.conftest import configured

EX = EXERCISES["4-6"]
TRAIN = EX.experiment("train")


@pytest.fixture(scope="module")
def pool():
    p = Pool(2, nice=19, timeout=30)
    yield p
    p.close()


def test_a_child_computes_the_same_bytes_as_this_process(pool):
    for ex_id, name, overrides in (("4-4", "derivative", {"function": "gelu"}), ("4-2", "train", {}),
                                   ("4-6", "train", {"epochs": 200})):
        ex = EXERCISES[ex_id]
        exp = ex.experiment(name)
        params = exp.params(**overrides)
        assert pool.run(ex_id, name, params, None) == encode(ex, exp, params)


def test_children_run_at_the_lowest_priority(pool):
    pool.run("4-4", "derivative", EXERCISES["4-4"].experiment("derivative").params(), None)
    assert pool.pids() and all(os.getpriority(os.PRIO_PROCESS, pid) == 19 for pid in pool.pids())


def test_a_watched_run_reports_progress_and_stops_when_the_listener_raises(pool):
    heard: list[int] = []

    class Stop(Exception):
        pass

    def listener(done: int) -> None:
        heard.append(done)
        raise Stop

    # 20000 epochs of one network: 20000 units of work, ~1 s here; the first report comes long before the end.
    with pytest.raises(Stop):
        pool.run(EX.id, TRAIN.name, TRAIN.params(epochs=20000, units=16), listener)
    assert len(heard) == 1 and 0 < heard[0] < 20000
    # The child is in step again: the next run gets its own answer, not a stale reply.
    small = TRAIN.params(epochs=50)
    assert pool.run(EX.id, TRAIN.name, small, None) == encode(EX, TRAIN, small)


def test_an_experiment_that_fails_in_a_child_is_an_error_and_the_child_stays_usable(pool):
    wrong = EXERCISES["4-4"].experiment("derivative").params()  # 4-4's params given to 4-6's train
    with pytest.raises(RuntimeError, match="AttributeError"):
        pool.run(EX.id, TRAIN.name, wrong, None)
    small = TRAIN.params(epochs=50)
    assert pool.run(EX.id, TRAIN.name, small, None) == encode(EX, TRAIN, small)


def test_children_start_when_first_needed_and_never_more_than_size():
    p = Pool(2, nice=19, timeout=30)
    try:
        assert p.pids() == []
        params = TRAIN.params(epochs=50)
        p.run(EX.id, TRAIN.name, params, None)
        p.run(EX.id, TRAIN.name, params, None)
        assert len(p.pids()) == 1  # one at a time needs one child
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as ex:
            list(ex.map(lambda _: p.run(EX.id, TRAIN.name, TRAIN.params(epochs=400), None), range(2)))
        assert len(p.pids()) == 2
    finally:
        p.close()


def test_a_dead_child_is_replaced():
    p = Pool(1, nice=19, timeout=30)
    try:
        params = TRAIN.params(epochs=50)
        p.run(EX.id, TRAIN.name, params, None)
        (pid,) = p.pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerLost):
            p.run(EX.id, TRAIN.name, params, None)
        assert p.run(EX.id, TRAIN.name, params, None) == encode(EX, TRAIN, params)
        (new,) = p.pids()
        assert new != pid
    finally:
        p.close()


def test_a_child_that_overruns_is_killed_and_replaced():
    p = Pool(1, nice=19, timeout=0.3, start=1)
    try:
        (pid,) = p.pids()
        with pytest.raises(WorkerLost, match="no answer"):
            p.run(EX.id, TRAIN.name, TRAIN.params(epochs=20000, units=16), None)  # ~1 s here: well over 0.3
        assert p.pids() == []
        time.sleep(0.05)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        p.close()


def test_the_server_path_turns_a_lost_child_into_busy():
    with configured(compute_mode="process", compute_slots=1):
        compute.clear_cache()
        params = TRAIN.params(epochs=60)
        entry = compute.result_entry(EX, TRAIN, params)
        assert json.loads(gzip.decompress(entry.gzipped()))["params"]["epochs"] == 60
        compute.result_entry(EX, TRAIN, params, lang="zh")  # waits for the child to draw its other language
        compute.clear_cache()
        os.kill(compute.pool().pids()[0], signal.SIGKILL)
        with pytest.raises(compute.Busy):
            compute.result_entry(EX, TRAIN, params)
        assert compute.result_entry(EX, TRAIN, params).gzipped() == entry.gzipped()
    compute.clear_cache()


def test_glibc_takes_the_malloc_thresholds_of_a_run():
    # Linux with glibc (the image, CI): mallopt accepts both; a run's temporaries then stay on the heap.
    import platform

    from app.workers import tune_malloc

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert tune_malloc() is True
