"""Results and pages are deterministic per installation and say so in HTTP: ETag, Cache-Control, 304."""

from __future__ import annotations

import pytest

PATHS = ["/api/exercises/4-4/derivative?function=gelu", "/exercises/4-4?lang=zh", "/"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_etag_cache_control_and_304(client, path, encoding):
    first = client.get(path, headers={"accept-encoding": encoding})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong: these exact bytes
    assert first.headers["cache-control"] == "public, max-age=3600"
    assert "Accept-Encoding" in first.headers["vary"]
    again = client.get(path, headers={"accept-encoding": encoding})
    assert again.headers["etag"] == etag and again.content == first.content
    cached = client.get(path, headers={"accept-encoding": encoding, "if-none-match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    other = client.get(path, headers={"accept-encoding": encoding, "if-none-match": '"0000"'})
    assert other.status_code == 200


def test_each_representation_has_its_own_tag_and_either_validates(client):
    path = PATHS[0]
    gz = client.get(path, headers={"accept-encoding": "gzip"}).headers["etag"]
    plain = client.get(path, headers={"accept-encoding": "identity"}).headers["etag"]
    assert gz != plain and gz.endswith('-gz"')
    assert client.get(path, headers={"accept-encoding": "identity", "if-none-match": gz}).status_code == 304


def test_results_vary_only_on_encoding_pages_also_on_language(client):
    assert client.get(PATHS[0]).headers["vary"] == "Accept-Encoding"
    assert set(client.get(PATHS[1]).headers["vary"].split(", ")) == {"Accept-Encoding", "Accept-Language", "Cookie"}


def test_another_query_another_tag(client):
    a = client.get("/api/exercises/4-4/derivative?function=gelu").headers["etag"]
    b = client.get("/api/exercises/4-4/derivative?function=swish").headers["etag"]
    assert a != b


def test_errors_are_not_cached(client):
    r = client.get("/exercises/nothing")
    assert r.status_code == 404 and "public" not in r.headers.get("cache-control", "")
    r = client.get("/api/exercises/4-4/derivative?beta=-5")
    assert r.status_code == 422 and "etag" not in r.headers
