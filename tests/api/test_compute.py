"""Computing a result: defaults pinned, warm-up, busy slots, compute threads, deferred pages."""

from __future__ import annotations

import threading

from app import compute, pages
from app.exercises.registry import EXERCISES
from tests.conftest import configured


def test_results_at_defaults_are_pinned():
    compute.clear_cache()
    ex = EXERCISES["4-4"]
    exp = ex.experiment("derivative")
    compute.result_entry(ex, exp, exp.params())
    compute.result_entry(ex, exp, exp.params(beta=2.0))
    assert len(compute.CACHE._pinned) == 1 and len(compute.CACHE._items) == 1


def test_experiments_run_on_low_priority_compute_threads():
    ex = EXERCISES["4-4"]
    exp = ex.experiment("swish-family")
    names = []

    def spy(params):
        names.append(threading.current_thread().name)
        return exp.run(params)

    from dataclasses import replace

    compute.clear_cache()
    compute.result_entry(ex, replace(exp, run=spy), exp.params(points=11))
    assert names and names[0].startswith("fflab-compute")


def test_warm_up_pins_the_defaults_of_every_experiment_in_each_language():
    compute.clear_cache()
    subset = {"4-4": EXERCISES["4-4"]}
    assert compute.warm_up(subset, langs=("en", "zh")) == 2 * len(EXERCISES["4-4"].experiments)
    n = len(EXERCISES["4-4"].experiments)
    assert len(compute.CACHE._pinned) == n and not compute.CACHE._items  # one entry per query, both languages
    assert compute.status()["cache_entries"] == n
    for exp in EXERCISES["4-4"].experiments:
        held = compute.CACHE.get(compute._key(EXERCISES["4-4"], exp, exp.params()))
        assert set(held.entries) == {"en", "zh"}


def test_a_default_stopped_by_the_deadline_is_skipped_and_the_warm_up_goes_on():
    """On a starved machine a default can run past the deadline (TooCostly): the warm-up logs it and
    computes the others instead of dying with the first."""
    from dataclasses import replace

    from app.exercises.base import TooCostly

    ex = EXERCISES["4-4"]
    first, *rest = ex.experiments

    def starved(params):
        raise TooCostly(("points",), 9.9)

    compute.clear_cache()
    crippled = replace(ex, experiments=(replace(first, run=starved), *rest))
    assert compute.warm_up({"4-4": crippled}, langs=("en",)) == len(rest)


def test_switching_language_never_recomputes():
    """An experiment that draws apart from computing runs once; the other language is drawn, not run."""
    from dataclasses import replace

    from app.exercises.base import Result

    ex = EXERCISES["4-4"]
    exp = ex.experiment("derivative")
    runs = []

    def run(params):
        runs.append(params)
        return Result({"answer": 42.0}, {"x": [1.0, 2.0]}, views={"label": "y"})

    def draw(result, params, lang):
        return {"plot": {"data": [], "layout": {"title": {"text": {"en": "answer", "zh": "答案"}[lang]}}}}

    spied = replace(exp, run=run, draw=draw)
    compute.clear_cache()
    en = compute.result_body(ex, spied, exp.params(), lang="en")
    zh = compute.result_body(ex, spied, exp.params(), lang="zh")
    assert len(runs) == 1
    import json

    a, b = json.loads(en), json.loads(zh)
    assert a["metrics"] == b["metrics"] and a["data"] == b["data"]
    assert a["figures"]["plot"]["layout"]["title"]["text"] == "answer"
    assert b["figures"]["plot"]["layout"]["title"]["text"] == "答案"
    compute.clear_cache()


def test_requests_arriving_during_a_run_wait_for_it_in_any_language():
    """A query asked again (in the same or the other language) while it is being computed is
    answered from that computation, not run a second time."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from app.exercises.base import Result

    ex = EXERCISES["4-4"]
    exp = ex.experiment("derivative")
    started, go, runs = threading.Event(), threading.Event(), []

    def run(params):
        runs.append(params)
        started.set()
        assert go.wait(10)
        return Result({"answer": 42.0}, {"x": [1.0, 2.0]}, views={"label": "y"})

    def draw(result, params, lang):
        return {"plot": {"data": [], "layout": {"title": {"text": {"en": "answer", "zh": "答案"}[lang]}}}}

    spied = replace(exp, run=run, draw=draw)
    compute.clear_cache()
    with ThreadPoolExecutor(3) as threads:
        first = threads.submit(compute.result_body, ex, spied, exp.params(), lang="en")
        assert started.wait(10)
        later = [threads.submit(compute.result_body, ex, spied, exp.params(), lang=lang) for lang in ("zh", "en")]
        go.set()
        bodies = [first.result(10)] + [f.result(10) for f in later]
    assert len(runs) == 1
    import json

    assert bodies[0] == bodies[2]
    assert json.loads(bodies[1])["figures"]["plot"]["layout"]["title"]["text"] == "答案"
    compute.clear_cache()


def test_requests_that_queued_for_a_slot_together_compute_once():
    """A class opening a page at once: every slot is busy, three requests for one query queue for a slot;
    the first to get one computes, the others answer from its result."""
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    ex = EXERCISES["4-4"]
    exp = ex.experiment("derivative")
    runs: list[object] = []

    def run(params):
        runs.append(params)
        return exp.run(params)

    spied = replace(exp, run=run)
    compute.clear_cache()
    taken = [compute.slots().acquire(blocking=False) for _ in range(compute.COMPUTE_SLOTS)]
    assert all(taken)
    with ThreadPoolExecutor(3) as threads:
        asked = [threads.submit(compute.result_body, ex, spied, exp.params(points=33), wait=10, lang=lang)
                 for lang in ("en", "en", "zh")]
        threading.Event().wait(0.3)  # all three are waiting for a slot now
        for _ in taken:
            compute.slots().release()
        bodies = [f.result(20) for f in asked]
    assert len(runs) == 1
    assert bodies[0] == bodies[1] != bodies[2]
    compute.clear_cache()


def test_pages_asking_for_one_quote_at_once_compute_it_once():
    from concurrent.futures import ThreadPoolExecutor

    from app import quotes

    calls: list[tuple] = []
    go = threading.Event()

    def slow(exercise_id, experiment, path):
        calls.append((exercise_id, experiment, path))
        assert go.wait(10)
        return {"answer": len(calls)}

    once = quotes._once(slow)
    with ThreadPoolExecutor(4) as threads:
        asked = [threads.submit(once, "4-4", "derivative", ()) for _ in range(4)]
        threading.Event().wait(0.2)
        go.set()
        answers = [f.result(10) for f in asked]
    assert calls == [("4-4", "derivative", ())] and answers == [{"answer": 1}] * 4
    assert once("4-4", "derivative", ()) == {"answer": 1}  # kept


def test_warm_up_waits_for_a_slot_instead_of_skipping_a_default():
    with configured(queue_wait=0.1):  # a request would give up long before 0.3 s
        _warm_up_waits()


def _warm_up_waits() -> None:
    compute.clear_cache()
    assert compute.slots().acquire(blocking=False)  # one slot is busy for 0.3 s
    threading.Timer(0.3, compute.slots().release).start()
    taken = [compute.slots().acquire(blocking=False) for _ in range(compute.COMPUTE_SLOTS - 1)]
    try:
        assert compute.warm_up({"4-4": EXERCISES["4-4"]}, langs=("en",), wait=5) == len(EXERCISES["4-4"].experiments)
    finally:
        for ok in taken:
            if ok:
                compute.slots().release()


def busy_page(client, monkeypatch) -> str:
    """Fetch 4-4's page while every compute slot is taken, from empty caches: it must not wait."""
    compute.clear_cache()
    pages.PAGES.clear()
    taken = [compute.slots().acquire(blocking=False) for _ in range(compute.COMPUTE_SLOTS)]
    try:
        monkeypatch.setattr("app.pages.PAGE_WAIT_SECONDS", 0.01)
        r = client.get("/exercises/4-4?lang=en")
    finally:
        for ok in taken:
            if ok:
                compute.slots().release()
    assert r.status_code == 200
    return r.text


def test_a_busy_page_is_sent_at_once_and_fetches_its_result_itself(client, monkeypatch):
    import json
    import re

    text = busy_page(client, monkeypatch)
    page = json.loads(re.search(r'id="page-data">(.*?)</script>', text, re.S).group(1))
    assert all(e["deferred"] and not e["errors"] for e in page["experiments"])
    assert text.count('class="result-json">null</script>') == len(EXERCISES["4-4"].experiments)


def test_a_page_with_a_deferred_result_is_not_kept(client, monkeypatch):
    deferred = busy_page(client, monkeypatch)
    assert not pages.PAGES._items
    complete = client.get("/exercises/4-4?lang=en").text
    assert complete != deferred and '"deferred":true' not in complete
    assert len(pages.PAGES._items) == 1
    # The kept page is sent again byte for byte, gzipped or not.
    assert client.get("/exercises/4-4?lang=en").text == complete
    assert client.get("/exercises/4-4?lang=en", headers={"accept-encoding": "identity"}).text == complete


def test_background_work_gives_its_slot_to_a_request_and_starts_again_when_all_is_quiet():
    """A replica warming up under a class's load must not make a student wait: the warm-up's run stops
    at its next checkpoint once a request waits for the slot, and runs again in a quiet moment."""
    import time
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from app.nn.hooks import checkpoint

    ex = EXERCISES["4-4"]
    exp, other = ex.experiment("derivative"), ex.experiment("swish-family")
    started, runs = threading.Event(), []

    def slow(params):  # the first run would hold the slot for 3 s; the second is the plain run
        runs.append(time.monotonic())
        started.set()
        while len(runs) == 1 and time.monotonic() - runs[0] < 3.0:
            checkpoint(1)
            time.sleep(0.005)
        return exp.run(params)

    with configured(compute_slots=1, queue_wait=0.1):
        compute.clear_cache()
        with ThreadPoolExecutor(1) as threads:
            warming = threads.submit(compute.background_entry, ex, replace(exp, run=slow), exp.params(), "en", 30)
            assert started.wait(10)
            # A request that would be refused (Busy) if the warm-up kept the slot past its 2 s wait.
            asked = time.monotonic()
            compute.result_entry(ex, other, other.params(), wait=2.0)
            answered = time.monotonic()
            entry = warming.result(30)
        compute.settle()
    # Had the warm-up kept its slot, the request would have been refused (Busy) after its 2 s wait; it was
    # answered before the background run would have ended (how much sooner depends on the machine's load).
    assert answered - runs[0] < 3.0, "the request waited for the background run"
    # Again once it was quiet: no request has asked for a slot for QUIET_SECONDS (counted from the asking,
    # not the answer, which under load can come a good part of a second later), and after the answer.
    assert len(runs) == 2 and runs[1] - asked >= compute.QUIET_SECONDS * 0.9 and runs[1] > answered
    assert entry.body == compute.cached_body(ex, exp, exp.params(), "en")
    compute.clear_cache()
