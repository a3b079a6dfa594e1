"""Streamed runs: progress events, the same result bytes, 422 before streaming, and cancellation."""

from __future__ import annotations

import asyncio

from app import progress
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
