"""Bounded work and divergence, for every experiment of the registry.

Corners: each experiment at the corners of its allowed region is either refused before computing
(422 too_costly naming the cost fields, or a 422 of a cross-field rule) or completes with strict
JSON within the time limit. The corners: the cartesian product of its cost fields at their min and
max (other params default); every other numeric param alone at its min and at its max (cost fields
at their min); all other numeric params at their max together, with the choice params at the
values the cost model finds costliest (cost fields at default). A completed corner taking longer
than the limit means a cost model underestimates: test-artifacts/hardening-corners.md lists
estimate against measurement for each corner (scripts/cost_check.py probes the budget edges).

Divergence: every training experiment (a learning-rate param `lr`, `lr_*` or `*_lr`) at the
largest allowed rate returns valid JSON with `metrics.diverged` (a bool, or a list of them), and
says True where its loss curve blew up (non-finite values, sent as null).
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.compute import CACHE
from app.exercises.base import WORK_BUDGET_SECONDS
from tests.conftest import strict_json
from tests.hardening.conftest import IDS, PAIRS, detail_fields, fields, fmt, path_of

LIMIT_SECONDS = 3.0  # min(wall, CPU) of one completed corner; the budget is 2 s
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ROWS: list[str] = []
DIVERGENCE: list[str] = []


def corners(experiment) -> list[tuple[str, dict[str, Any]]]:
    numeric = {f.name: f for f in fields(experiment) if f.numeric and f.lo is not None and f.hi is not None}
    cost = [numeric[n] for n in experiment.cost_fields if n in numeric]
    low = {f.name: f.lo for f in cost}
    out: list[tuple[str, dict[str, Any]]] = []
    for combo in itertools.product(*[(("min", f.lo), ("max", f.hi)) for f in cost]):
        out.append(("cost " + " ".join(f"{f.name}={tag}" for f, (tag, _) in zip(cost, combo, strict=True)),
                    {f.name: v for f, (_, v) in zip(cost, combo, strict=True)}))
    others = [f for f in numeric.values() if f.name not in experiment.cost_fields]
    for f in others:
        out.append((f"{f.name}=min", {**low, f.name: f.lo}))
        out.append((f"{f.name}=max", {**low, f.name: f.hi}))
    worst = _costliest_choices(experiment)
    if others or worst:
        out.append(("all others=max" + "".join(f" {k}={v}" for k, v in worst.items()),
                    _valid_subset(experiment, {**worst, **{f.name: f.hi for f in others}})))
    seen, unique = set(), []
    for name, q in out:
        key = tuple(sorted(q.items()))
        if key not in seen:
            seen.add(key)
            unique.append((name, q))
    return unique


def _costliest_choices(experiment) -> dict[str, Any]:
    """For each choice param (activation, model ...), the value the cost model finds costliest."""
    if experiment.cost is None:
        return {}
    worst = {}
    for f in fields(experiment):
        if f.kind != "enum" or f.hidden or len(f.enum) < 2:
            continue
        costs = {}
        for v in f.enum:
            try:
                costs[v] = float(experiment.cost(experiment.params.model_validate({f.name: v})))
            except ValueError:
                continue
        if costs and max(costs.values()) > min(costs.values()):
            worst[f.name] = max(costs, key=costs.get)
    return worst


def _valid_subset(experiment, query: dict[str, Any]) -> dict[str, Any]:
    """Drop the params a cross-field rule blames (x_max > x_min ...) until the query is valid."""
    for _ in range(len(query)):
        try:
            experiment.params.model_validate(query)
            break
        except ValidationError as e:
            blamed = {str(err["loc"][-1]) for err in e.errors() if err["loc"]} & set(query)
            if not blamed:
                break
            query = {k: v for k, v in query.items() if k not in blamed}
    return query


def run(client, path: str, query: dict[str, Any]):
    CACHE.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    r = client.get(path, params={k: fmt(v) for k, v in query.items()})
    return r, time.perf_counter() - wall, time.process_time() - cpu


@pytest.mark.parametrize(("exercise", "experiment"), PAIRS, ids=IDS)
def test_corners_are_refused_or_complete_in_time(client, exercise, experiment):
    path = path_of(exercise, experiment)
    problems = []
    for name, query in corners(experiment):
        params = None
        try:
            params = experiment.params.model_validate(query)
        except ValueError:
            pass
        estimate = float(experiment.cost(params)) if params is not None and experiment.cost else None
        r, wall, cpu = run(client, path, query)
        taken = min(wall, cpu)
        if r.status_code == 200:
            strict_json(r.text)
            outcome = "ok"
            if taken > LIMIT_SECONDS:
                problems.append(f"{name}: took {wall:.2f} s wall / {cpu:.2f} s CPU, estimated {estimate}")
                outcome = "SLOW"
        elif r.status_code == 422:
            detail = r.json()["detail"]
            costly = {d["type"] for d in detail} == {"too_costly"}
            outcome = "too_costly" if costly else "422 " + ",".join(detail_fields(r.json()))
            if costly:
                assert detail_fields(r.json()) == list(experiment.cost_fields)
                assert estimate is not None and estimate > WORK_BUDGET_SECONDS
            else:
                assert params is None, f"{name}: refused though valid: {r.text[:300]}"
        else:
            problems.append(f"{name}: status {r.status_code}: {r.text[:200]}")
            outcome = str(r.status_code)
        est = f"{estimate:.3f}" if estimate is not None else "–"
        ROWS.append(f"| {exercise.id}/{experiment.name} | {name} | {est} | {wall:.3f} | {cpu:.3f} | {outcome} |")
    assert not problems, problems


def _is_lr(name: str) -> bool:
    return name == "lr" or name.startswith("lr_") or name.endswith("_lr")


TRAINING = [(ex, e) for ex, e in PAIRS if any(_is_lr(f.name) for f in fields(e))]


def _has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


def _flags(value: Any) -> list[bool]:
    if isinstance(value, bool):
        return [value]
    assert isinstance(value, list), f"diverged must be a bool or a list of them, not {value!r}"
    return [b for v in value for b in _flags(v)]


def test_every_training_experiment_is_checked():
    assert any(e.name == "train" for _, e in TRAINING)
    assert {ex.id for ex, _ in TRAINING} >= {"4-6"}


@pytest.mark.parametrize(("exercise", "experiment"), TRAINING, ids=[f"{ex.id}/{e.name}" for ex, e in TRAINING])
def test_largest_learning_rate_gives_valid_json_with_diverged(client, exercise, experiment):
    path = path_of(exercise, experiment)
    answered = 0
    for f in fields(experiment):
        if not (_is_lr(f.name) and f.numeric and f.hi is not None):
            continue
        r, wall, _ = run(client, path, {f.name: f.hi})
        if r.status_code == 422:  # a cross-field rule (lr_min < lr_max ...) or the budget: not this corner
            assert f.name in detail_fields(r.json()) or r.json()["detail"][0]["type"] in ("too_costly", "order")
            continue
        assert r.status_code == 200, r.text[:300]
        body = strict_json(r.text)
        assert "diverged" in body["metrics"], f"{f.name}={f.hi}: no metrics.diverged"
        flags = _flags(body["metrics"]["diverged"])
        blew_up = [k for k, v in body["data"].items() if "loss" in k.lower() and _has_null(v)]
        if blew_up:
            assert any(flags), f"{f.name}={f.hi}: {blew_up} has non-finite values but diverged is {flags}"
        DIVERGENCE.append(f"| {exercise.id}/{experiment.name} | {f.name}={fmt(f.hi)} | {flags} | "
                          f"{', '.join(blew_up) or '–'} | {wall:.2f} |")
        answered += 1
    assert answered, "no learning-rate param of this experiment could be set to its maximum alone"


def teardown_module() -> None:
    CACHE.clear()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hardening-corners.md").write_text(
        "| experiment | corner | estimate s | wall s | CPU s | outcome |\n|---|---|---|---|---|---|\n"
        + "\n".join(ROWS)
        + "\n\n| experiment | largest rate | diverged | loss series with non-finite values | wall s |\n"
        + "|---|---|---|---|---|\n" + "\n".join(DIVERGENCE) + "\n")
