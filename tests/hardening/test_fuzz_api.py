"""Schemathesis fuzzing of every operation of the OpenAPI document, in process.

Each operation gets at least 100 generated cases (plus schemathesis' boundary "coverage" cases),
with a fixed seed (derandomize), checked for server errors and for responses that do not match
the declared schema. While fuzzing, the work budget is lowered to FUZZ_BUDGET_SECONDS so that
expensive draws are refused quickly (422 too_costly, itself checked against the schema) while
cheap ones really run; the full budget is exercised at the corners in test_bounded_work.py.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.main import app
from tests.hardening.conftest import budget

FUZZ_BUDGET_SECONDS = 0.01
EXAMPLES = 100

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def _cheap_runs():
    with budget(FUZZ_BUDGET_SECONDS):
        yield


def test_every_experiment_is_an_operation():
    from tests.hardening.conftest import PAIRS, path_of

    paths = {op.path for op in (r.ok() for r in schema.get_all_operations())}
    assert {path_of(ex, e) for ex, e in PAIRS} <= paths
    assert {"/healthz", "/metrics", "/api/exercises", "/api/activations"} <= paths


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_operation(case):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
