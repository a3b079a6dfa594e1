"""Bounded work and divergence, for every experiment of the registry.

Corners: each experiment at the corners of its allowed region is either refused before computing
(422 too_costly naming the cost fields, exactly when its estimate is over the budget, or a 422 of a
cross-field rule for params that are not valid) or completes with strict JSON. The corners: the
cartesian product of its cost fields at their min and max (other params default); every other
numeric param alone at its min and at its max (cost fields at their min); all other numeric params
at their max together, with the choice params at the values the estimate finds costliest (cost
fields at default). Nothing here times a run: whether the estimate (app.exercises.work) matches the
clock is the bench's question (bench/work_estimate.py, scripts/cost_check.py), and a run that
outlives it is stopped by the deadline (tests/api/test_deadline.py). test-artifacts/hardening-corners.md
lists every corner's estimate and outcome.

Estimates: every experiment at its defaults is well under the budget, and at its maximal corner (each
cost field at its costlier end, the choices at their costliest) over it, so refused; except the few
whose whole region is cheap (WITHIN_BUDGET), which must stay so.

Divergence: every training experiment (a learning-rate param `lr`, `lr_*` or `*_lr`) at the
largest allowed rate returns valid JSON with `metrics.diverged` (a bool, or a list of them), and
says True where its loss curve blew up (non-finite values, sent as null).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.compute import clear_cache
from app.exercises.base import WORK_BUDGET_SECONDS, TooCostly
from tests.conftest import configured, strict_json
from tests.hardening.conftest import IDS, PAIRS, detail_fields, fields, fmt, path_of

DEFAULTS_SHARE = 0.8  # an experiment's defaults are estimated at most this share of the budget
# Experiments whose every setting is cheap: their maximal corner is under the budget, and must stay so.
WITHIN_BUDGET = {"4-2/train", "4-3/one-unit", "4-5/parameter-count", "4-6/construct"}
COSTED = [(ex, e) for ex, e in PAIRS if e.cost is not None]
COSTED_IDS = [f"{ex.id}/{e.name}" for ex, e in COSTED]
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
    clear_cache()
    return client.get(path, params={k: fmt(v) for k, v in query.items()})


def _estimate(experiment, query: dict[str, Any]) -> float:
    """The estimate for a query; −inf for one that is not valid (a cross-field rule), so never the costlier."""
    try:
        return float(experiment.cost(experiment.params.model_validate(query)))
    except ValidationError:
        return float("-inf")


def maximal_corner(experiment) -> dict[str, Any]:
    """The choices at their costliest, then each cost field in turn at the end (min or max) the estimate
    finds costlier with the fields before it already there: the costliest valid corner, near enough."""
    query = dict(_costliest_choices(experiment))
    bounds = {f.name: f for f in fields(experiment)}
    for name in experiment.cost_fields:
        f = bounds[name]
        high, low = _estimate(experiment, {**query, name: f.hi}), _estimate(experiment, {**query, name: f.lo})
        query[name] = f.hi if high >= low else f.lo
    return query


@pytest.mark.parametrize(("exercise", "experiment"), COSTED, ids=COSTED_IDS)
def test_defaults_are_well_under_the_budget(exercise, experiment):
    estimate = float(experiment.cost(experiment.params()))
    assert 0 < estimate <= DEFAULTS_SHARE * WORK_BUDGET_SECONDS, f"{estimate:.2f} s at the defaults"


@pytest.mark.parametrize(("exercise", "experiment"), COSTED, ids=COSTED_IDS)
def test_the_maximal_corner_is_refused(exercise, experiment):
    query = maximal_corner(experiment)
    params = experiment.params.model_validate(query)
    if f"{exercise.id}/{experiment.name}" in WITHIN_BUDGET:
        assert float(experiment.cost(params)) <= WORK_BUDGET_SECONDS, query
        experiment.check_budget(params)
        return
    with pytest.raises(TooCostly) as caught:
        experiment.check_budget(params)
    assert caught.value.fields == experiment.cost_fields
    assert caught.value.estimate > WORK_BUDGET_SECONDS


def test_within_budget_names_real_experiments():
    assert WITHIN_BUDGET <= set(COSTED_IDS)


@pytest.fixture
def no_deadline():
    """Only the estimate decides here: the deadline (a backstop on the clock) would refuse a corner on a
    slow or busy machine, which says nothing about the estimate."""
    with configured(compute_deadline=1e6):
        yield


@pytest.mark.parametrize(("exercise", "experiment"), PAIRS, ids=IDS)
def test_corners_are_refused_or_complete(client, no_deadline, exercise, experiment):
    path = path_of(exercise, experiment)
    problems = []
    for name, query in corners(experiment):
        params = None
        try:
            params = experiment.params.model_validate(query)
        except ValueError:
            pass
        estimate = float(experiment.cost(params)) if params is not None and experiment.cost else None
        r = run(client, path, query)
        if r.status_code == 200:
            strict_json(r.text)
            outcome = "ok"
            if estimate is not None and estimate > WORK_BUDGET_SECONDS:
                problems.append(f"{name}: computed though estimated at {estimate:.2f} s")
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
        ROWS.append(f"| {exercise.id}/{experiment.name} | {name} | {est} | {outcome} |")
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
        r = run(client, path, {f.name: f.hi})
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
                          f"{', '.join(blew_up) or '–'} |")
        answered += 1
    assert answered, "no learning-rate param of this experiment could be set to its maximum alone"


def teardown_module() -> None:
    clear_cache()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hardening-corners.md").write_text(
        "| experiment | corner | estimate s | outcome |\n|---|---|---|---|\n"
        + "\n".join(ROWS)
        + "\n\n| experiment | largest rate | diverged | loss series with non-finite values |\n"
        + "|---|---|---|---|\n" + "\n".join(DIVERGENCE) + "\n")
