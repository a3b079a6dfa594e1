"""The access log (one JSON line per request, bounded) and the /metrics summary."""

from __future__ import annotations

import json
import logging

from app.observability import MAX_KEYS, MAX_PATH, METRICS, cost_estimate


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "fflab.access"]


def test_one_structured_line_per_request_with_the_cost(client, caplog):
    with caplog.at_level(logging.INFO, logger="fflab.access"):
        client.get("/api/exercises/4-6/train?epochs=5&units=2")
        client.get("/api/exercises/4-6/train?epochs=20000&units=256")
        client.get("/static/css/site.css")
    a, b, c = _lines(caplog)[-3:]
    assert {"method", "path", "status", "ms", "route", "cost_s", "query_bytes", "params"} <= set(a)
    assert a["method"] == "GET" and a["path"] == "/api/exercises/4-6/train" and a["status"] == 200
    assert a["cost_s"] > 0 and a["ms"] > 0 and a["params"] == ["epochs", "units"]
    assert b["status"] == 422 and b["cost_s"] > 2  # refused as too costly: the estimate says why
    assert c["route"] == "/static/*" and c["cost_s"] is None


def test_log_lines_stay_bounded_whatever_the_url(client, caplog):
    many = "&".join(f"{'k' * 300}{i}=v" for i in range(100))
    with caplog.at_level(logging.INFO, logger="fflab.access"):
        client.get(f"/{'a' * 10000}?{many}")
        client.get("/api/exercises/4-6/train?secret=hunter2&token=abc")
    big, secret = _lines(caplog)[-2:]
    assert len(json.dumps(big)) < 2000 + MAX_PATH
    assert big["route"] == "unmatched" and len(big["params"]) == MAX_KEYS + 1
    assert "hunter2" not in json.dumps(secret) and "abc" not in json.dumps(secret)


def test_metrics_counts_routes_with_bounded_keys(client):
    METRICS.reset()
    for i in range(5):
        client.get(f"/no/such/page/{i}")
    client.get("/healthz")
    client.get("/api/exercises/4-4/derivative")
    body = client.get("/metrics").json()
    routes = body["routes"]
    assert routes["unmatched"]["count"] == 5 and routes["unmatched"]["statuses"] == {"404": 5}
    assert routes["/healthz"]["count"] == 1
    assert routes["/api/exercises/4-4/derivative"]["statuses"] == {"200": 1}
    for r in routes.values():
        assert 0 <= r["p50_ms"] <= r["p99_ms"] <= r["max_ms"]
    assert body["requests"] == sum(r["count"] for r in routes.values())
    compute = body["compute"]
    assert compute["mode"] == "thread" and compute["slots"] >= 1 and compute["cache_entries"] >= 1


def test_cost_estimate_only_for_valid_experiment_queries():
    assert cost_estimate("/api/exercises/4-6/train", b"epochs=10") > 0
    assert cost_estimate("/api/exercises/4-6/train/stream", b"epochs=10") > 0
    assert cost_estimate("/api/exercises/4-6/train", b"epochs=abc") is None
    assert cost_estimate("/api/exercises/4-6/train", b"%ff%fe=1") is None
    assert cost_estimate("/api/exercises/4-4/derivative", b"") is None  # no cost model
    assert cost_estimate("/", b"") is None


def test_metrics_and_healthz_carry_the_security_headers(client):
    h = client.get("/metrics").headers
    assert h["x-content-type-options"] == "nosniff" and "frame-ancestors 'none'" in h["content-security-policy"]
