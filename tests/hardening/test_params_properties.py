"""Property tests of every params model, generic over the registry (hypothesis).

Accepted queries run: any query whose values lie within the declared bounds is answered either
with a strict-JSON 200 echoing the params, with a 422 naming the fields of a cross-field rule,
or with a 422 too_costly naming the experiment's cost fields. The budget is lowered to
PROPERTY_BUDGET_SECONDS and the cost fields are drawn mostly near their minimum, so many draws
really run while the test stays fast. Rejected queries name the field: one bad value (out of
bounds, not a number, not a member, too long) gets a 422 whose loc is that parameter.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.exercises.base import TooCostly
from tests.conftest import strict_json
from tests.hardening.conftest import IDS, PAIRS, Field, budget, detail_fields, fields, fmt, path_of

PROPERTY_BUDGET_SECONDS = 0.05
SETTINGS = settings(max_examples=20, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", autouse=True)
def _cheap_runs():
    with budget(PROPERTY_BUDGET_SECONDS):
        yield


def _valid(f: Field, cheap: bool) -> st.SearchStrategy[Any]:
    if f.kind == "enum":
        return st.sampled_from(f.enum)
    if f.kind == "boolean":
        return st.booleans()
    if f.kind == "string":
        return st.just(f.default)  # free text is fuzzed by schemathesis and the hostile corpus
    if f.kind == "integer":
        lo, hi = int(f.lo), int(f.hi)
        near = st.integers(lo, min(hi, lo + max(1, (hi - lo) // 50)))
        return near if cheap else st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi]))
    if f.kind == "number":
        whole = st.floats(f.lo, f.hi, allow_nan=False, allow_infinity=False)
        near = st.floats(f.lo, f.lo + (f.hi - f.lo) / 50, allow_nan=False, allow_infinity=False)
        return near if cheap else st.one_of(whole, st.sampled_from([f.lo, f.hi]))
    return st.just(f.default)


def _queries(experiment) -> st.SearchStrategy[dict[str, str]]:
    required, optional = {}, {}
    for f in fields(experiment):
        if f.hidden or f.default is None and f.kind == "other":
            continue
        if f.name in experiment.cost_fields:
            required[f.name] = st.one_of(_valid(f, cheap=True), _valid(f, cheap=True), _valid(f, cheap=False))
        else:
            optional[f.name] = _valid(f, cheap=False)
    return st.fixed_dictionaries(required, optional=optional).map(lambda q: {k: fmt(v) for k, v in q.items()})


@pytest.mark.parametrize(("exercise", "experiment"), PAIRS, ids=IDS)
def test_every_accepted_query_runs(client, exercise, experiment):
    @given(_queries(experiment))
    @SETTINGS
    def check(query: dict[str, str]) -> None:
        r = client.get(path_of(exercise, experiment), params=query)
        try:
            params = experiment.params.model_validate(query)
        except ValidationError as e:  # a cross-field rule (e.g. x_max > x_min)
            assert r.status_code == 422, r.text[:300]
            blamed = {str(err["loc"][-1]) for err in e.errors() if err["loc"]}
            assert set(detail_fields(r.json())) & blamed, (query, r.text[:300])
            return
        try:
            experiment.check_budget(params)
        except TooCostly:
            assert r.status_code == 422, (query, r.text[:300])
            detail = r.json()["detail"]
            assert {d["type"] for d in detail} == {"too_costly"}
            assert detail_fields(r.json()) == list(experiment.cost_fields)
            return
        assert r.status_code == 200, (query, r.text[:500])
        body = strict_json(r.text)
        assert body["params"] == params.state()
        assert set(body) == {"exercise", "experiment", "params", "metrics", "data", "figures"}

    check()


def _invalid(f: Field) -> st.SearchStrategy[str]:
    junk = st.sampled_from(["abc", "nan", "inf", "-inf", "1e309", "", "0x10", "1,5", "true!", "∞"])
    if f.numeric:
        options = [junk]
        if f.hi is not None:
            options.append(st.floats(min_value=f.hi, exclude_min=True, allow_nan=False, allow_infinity=False,
                                     max_value=f.hi + max(1.0, abs(f.hi)) * 1e6)
                           .filter(lambda v, hi=f.hi: v > hi).map(fmt))
        if f.lo is not None:
            options.append(st.floats(max_value=f.lo, exclude_max=True, allow_nan=False, allow_infinity=False,
                                     min_value=f.lo - max(1.0, abs(f.lo)) * 1e6)
                           .filter(lambda v, lo=f.lo: v < lo).map(fmt))
        if f.kind == "integer":
            options.append(st.sampled_from(["1.5", "2.000001", "1e400"]))
        return st.one_of(options)
    if f.kind == "enum":
        return st.text(min_size=0, max_size=20).filter(lambda s: s not in {str(v) for v in f.enum})
    if f.kind == "string" and f.max_length:
        return st.integers(f.max_length + 1, f.max_length + 500).map(lambda n: "x" * n)
    return st.nothing()


@pytest.mark.parametrize(("exercise", "experiment"), PAIRS, ids=IDS)
def test_every_rejected_query_names_the_field(client, exercise, experiment):
    candidates = [f for f in fields(experiment) if f.numeric or f.kind == "enum"
                  or (f.kind == "string" and f.max_length)]

    @given(st.sampled_from(candidates).flatmap(lambda f: st.tuples(st.just(f.name), _invalid(f))))
    @SETTINGS
    def check(bad: tuple[str, str]) -> None:
        name, value = bad
        r = client.get(path_of(exercise, experiment), params={name: value})
        assert r.status_code == 422, (name, value, r.text[:300])
        assert name in detail_fields(r.json()), (name, value, r.text[:300])

    check()
