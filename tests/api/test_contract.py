"""The HTTP contract (README, "The JSON API"), on every registered experiment."""

from __future__ import annotations

import pytest

from app.exercises.registry import EXERCISES
from tests.conftest import strict_json

EXPERIMENTS = [(ex.id, e.name) for ex in EXERCISES.values() for e in ex.experiments]


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_exercise_list_has_the_nine_exercises_in_both_languages(client):
    body = client.get("/api/exercises").json()
    assert [e["id"] for e in body] == [f"4-{i}" for i in range(1, 10)]
    for ex in body:
        for key in ("title", "question"):
            assert ex[key]["en"] and ex[key]["zh"]
        for exp in ex["experiments"]:
            assert exp["path"] == f"/api/exercises/{ex['id']}/{exp['name']}"
            assert exp["params"]["type"] == "object" and exp["params"]["properties"]


def test_activations_list_every_core_function_with_latex(client):
    body = client.get("/api/activations").json()
    names = {a["name"] for a in body}
    assert {"relu", "swish", "gelu", "gelu_tanh", "gelu_sigmoid", "prelu", "hard_tanh"} <= names
    assert all(a["latex"] and a["derivative_latex"] for a in body)


@pytest.mark.parametrize(("exercise", "experiment"), EXPERIMENTS)
def test_experiment_at_defaults_is_a_deterministic_strict_json_result(client, exercise, experiment):
    path = f"/api/exercises/{exercise}/{experiment}"
    first = client.get(path)
    assert first.status_code == 200, first.text[:500]
    body = strict_json(first.text)
    assert set(body) == {"exercise", "experiment", "params", "metrics", "data", "figures"}
    assert (body["exercise"], body["experiment"]) == (exercise, experiment)
    assert "lang" not in body["params"]
    for fig in body["figures"].values():
        assert isinstance(fig["data"], list) and isinstance(fig["layout"], dict)
    from app.compute import clear_cache

    clear_cache()
    assert client.get(path).content == first.content


@pytest.mark.parametrize(("exercise", "experiment"), EXPERIMENTS)
def test_unknown_and_out_of_bounds_parameters_get_422_naming_the_field(client, exercise, experiment):
    path = f"/api/exercises/{exercise}/{experiment}"
    r = client.get(path, params={"zz_unknown": "1"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "zz_unknown"]
    schema = next(e for e in EXERCISES[exercise].experiments if e.name == experiment).params.model_json_schema()
    for name, prop in schema["properties"].items():
        if "maximum" in prop:
            r = client.get(path, params={name: prop["maximum"] * 10 + 1})
            assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == name
        if prop.get("type") == "number":
            for bad in ("nan", "inf", "abc"):
                r = client.get(path, params={name: bad})
                assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == name


def test_repeated_parameter_is_refused(client):
    r = client.get("/api/exercises/4-4/derivative?beta=1&beta=2")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "beta"]


def test_unknown_exercise_or_experiment_is_404_json(client):
    for path in ("/api/exercises/4-0/nothing", "/api/exercises/4-4/nothing"):
        r = client.get(path)
        assert r.status_code == 404 and "detail" in r.json()


def test_openapi_describes_the_result_model(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/exercises/4-4/derivative"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ExperimentResult")
    assert {p["name"] for p in op["parameters"]} >= {"function", "beta", "x_min", "x_max", "points"}


def test_security_headers_on_pages_api_and_static(client):
    for path in ("/", "/api/exercises", "/static/css/site.css"):
        h = client.get(path).headers
        assert h["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "script-src 'self'" in h["content-security-policy"]


def test_results_are_sent_gzipped_once_and_identically(client):
    import gzip

    from app.compute import CACHE, _key

    path = "/api/exercises/4-4/derivative?function=gelu"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    raw = []
    for _ in range(2):
        with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as r:
            assert r.headers["content-encoding"] == "gzip"
            raw.append(b"".join(r.iter_raw()))
    assert raw[0] == raw[1] and gzip.decompress(raw[0]) == plain.content
    ex = EXERCISES["4-4"]
    exp = ex.experiment("derivative")
    kept = CACHE.get(_key(ex, exp, exp.params(function="gelu"))).entries["en"]
    assert kept.gz == raw[0]  # the bytes kept are the bytes sent
