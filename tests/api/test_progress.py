"""Streamed runs: progress events, the same result bytes, 422 before streaming, and cancellation; the plain answer
that a client accepting JSON gets on the stream route for a quick or cached run."""

from __future__ import annotations

import asyncio

from app import api, progress
from app.compute import clear_cache
from app.exercises.registry import EXERCISES
from tests.conftest import strict_json

EX = EXERCISES["4-6"]
TRAIN = EX.experiment("train")


def events(text: str) -> list[tuple[str, str]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], lines["data"]))
    return out


def test_stream_ends_with_the_same_result_as_the_plain_route(client):
    clear_cache()
    streamed = events(client.get("/api/exercises/4-6/train/stream?epochs=300").text)
    assert streamed[-1][0] == "result"
    assert all(name == "progress" for name, _ in streamed[:-1])
    plain = client.get("/api/exercises/4-6/train?epochs=300").text
    assert streamed[-1][1] == plain
    assert strict_json(plain)["params"]["epochs"] == 300


PAGE_ACCEPT = {"Accept": "application/json, text/event-stream", "Accept-Encoding": "gzip"}  # the pages' fetch


def test_a_quick_run_asked_by_a_page_is_answered_as_the_plain_route(client):
    clear_cache()
    url = "/api/exercises/4-6/train?epochs=40"
    assert TRAIN.cost(TRAIN.params(epochs=40)) < api.STREAM_MIN_SECONDS
    r = client.get(url.replace("?", "/stream?"), headers=PAGE_ACCEPT)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["content-encoding"] == "gzip" and r.headers["etag"].endswith('-gz"')
    assert "public" in r.headers["cache-control"] and r.headers["vary"] == "Accept-Encoding, Accept"
    plain = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.content == plain.content and r.headers["etag"] == plain.headers["etag"]  # the very same bytes
    again = client.get(url.replace("?", "/stream?"), headers={**PAGE_ACCEPT, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content


def test_a_long_run_streams_to_a_page_until_it_is_computed(client, monkeypatch):
    monkeypatch.setattr(api, "STREAM_MIN_SECONDS", 0.0)  # every run counts as long
    clear_cache()
    url = "/api/exercises/4-6/train/stream?epochs=41"
    first = client.get(url, headers=PAGE_ACCEPT)
    assert first.headers["content-type"].startswith("text/event-stream")
    assert first.headers["cache-control"] == "no-store" and "content-encoding" not in first.headers
    result = events(first.text)[-1]
    assert result[0] == "result"
    held = client.get(url, headers=PAGE_ACCEPT)  # computed now: no progress to show
    assert held.headers["content-type"] == "application/json" and held.headers["content-encoding"] == "gzip"
    assert held.text == result[1]  # httpx unpacks the gzip


def test_an_event_source_always_gets_the_stream(client):
    clear_cache()
    r = client.get("/api/exercises/4-6/train/stream?epochs=40", headers={"Accept": "text/event-stream"})
    assert r.headers["content-type"].startswith("text/event-stream") and events(r.text)[-1][0] == "result"


def test_bad_parameters_are_refused_before_streaming(client):
    r = client.get("/api/exercises/4-6/train/stream?epochs=-1")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "epochs"]


def test_a_client_that_leaves_stops_the_computation():
    clear_cache()
    params = TRAIN.params(epochs=15000, units=16)  # ~0.8 s here, within the budget: the client leaves long before

    async def leave_early() -> progress.Run:
        response = progress.stream(EX, TRAIN, params)
        body = response.body_iterator
        seen = 0
        async for chunk in body:
            seen += chunk.startswith(b"event: progress")
            if seen == 2:
                break
        await body.aclose()
        run = response.run
        before = run.work
        await asyncio.sleep(0.5)
        assert run.stop.is_set()
        return run, before

    run, before = asyncio.run(leave_early())
    # At most one more epoch ran after the stop; 15000 epochs were asked for.
    assert run.work <= before + 1 and run.work < 15000
