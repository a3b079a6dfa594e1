"""The backstop behind the work estimates: a run past its deadline is refused like a too costly one."""

from __future__ import annotations

import pytest

from app import results
from app.exercises.base import TooCostly
from app.exercises.registry import EXERCISES
from app.workers import Pool
from tests.conftest import configured

EX = EXERCISES["4-2"]
TRAIN = EX.experiment("train")


def test_an_overrun_is_refused_as_too_costly(monkeypatch):
    monkeypatch.setattr(results, "DEADLINE_SECONDS", 0.0)
    with pytest.raises(TooCostly) as caught:
        results.encode(EX, TRAIN, TRAIN.params(epochs=50))
    assert caught.value.fields == TRAIN.cost_fields


def test_an_overrun_in_a_child_comes_back_as_too_costly():
    pool = Pool(1, nice=19, timeout=30, deadline=0.0)
    try:
        with pytest.raises(TooCostly):
            pool.run(EX.id, TRAIN.name, TRAIN.params(epochs=50), None)
        assert pool.run(EX.id, "handcrafted", EX.experiment("handcrafted").params(), None)  # no checkpoint
    finally:
        pool.close()


def test_the_api_answers_422_for_an_overrun(client):
    with configured(compute_deadline=0.0):
        r = client.get("/api/exercises/4-2/train?epochs=77")
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "too_costly"
