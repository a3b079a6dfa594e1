"""Helpers of the hardening tests, generic over the registry and each params model's JSON Schema."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

import app.exercises.base as base
from app.exercises.base import Exercise, Experiment
from app.exercises.registry import EXERCISES

PAIRS: list[tuple[Exercise, Experiment]] = [(ex, e) for ex in EXERCISES.values() for e in ex.experiments]
IDS = [f"{ex.id}/{e.name}" for ex, e in PAIRS]


def path_of(exercise: Exercise, experiment: Experiment) -> str:
    return f"/api/exercises/{exercise.id}/{experiment.name}"


@dataclass(frozen=True)
class Field:
    """One query parameter as its JSON Schema describes it."""

    name: str
    kind: str  # number | integer | enum | string | boolean | other
    default: Any = None
    lo: float | None = None  # inclusive bounds, exclusive ones already nudged inwards
    hi: float | None = None
    enum: tuple[Any, ...] = ()
    max_length: int | None = None
    hidden: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "integer")


def _bounds(prop: dict[str, Any], integer: bool) -> tuple[float | None, float | None]:
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if "exclusiveMinimum" in prop:
        x = prop["exclusiveMinimum"]
        lo = x + 1 if integer else math.nextafter(x, math.inf)
    if "exclusiveMaximum" in prop:
        x = prop["exclusiveMaximum"]
        hi = x - 1 if integer else math.nextafter(x, -math.inf)
    return lo, hi


def fields(experiment: Experiment) -> list[Field]:
    """The params of an experiment, read from its model's JSON Schema (what clients see)."""
    out = []
    for name, prop in experiment.params.model_json_schema()["properties"].items():
        kind = prop.get("type", "other")
        if "enum" in prop:
            out.append(Field(name, "enum", prop.get("default"), enum=tuple(prop["enum"]),
                             hidden=bool(prop.get("x-hidden"))))
        elif kind in ("number", "integer"):
            lo, hi = _bounds(prop, kind == "integer")
            out.append(Field(name, kind, prop.get("default"), lo, hi))
        elif kind == "string":
            out.append(Field(name, "string", prop.get("default"), max_length=prop.get("maxLength")))
        else:
            out.append(Field(name, kind, prop.get("default")))
    return out


def fmt(value: Any) -> str:
    """A query-string spelling of a value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def formula_setup(experiment: Experiment) -> dict[str, str]:
    """Extra query that makes a free-text formula field count (4-6: target=expression)."""
    fs = {f.name: f for f in fields(experiment)}
    target = fs.get("target")
    if "expression" in fs and target is not None and "expression" in target.enum:
        return {"target": "expression"}
    return {}


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Lower the work budget (read at call time by Experiment.check_budget) for fast fuzzing."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(base, "WORK_BUDGET_SECONDS", seconds)
        yield


def detail_fields(body: dict[str, Any]) -> list[str]:
    """The parameter names a 422 body blames (the last item of each loc)."""
    return [str(d["loc"][-1]) for d in body.get("detail", []) if d.get("loc")]
