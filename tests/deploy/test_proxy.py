"""deploy/nginx.conf live: when no replica can answer, a student's page gets the app's "busy" 503."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.deploy.stack import free_port, scale_stack


@pytest.mark.skipif(scale_stack.nginx_binary() is None, reason="nginx is not installed (.ci/run installs it)")
def test_no_replica_answering_is_a_busy_503_the_page_asks_again():
    # Nothing listens on the upstream ports: nginx tries each, then makes its own 502, which it
    # turns into the 503 + Retry-After the app sends when its cores are taken (the page retries those).
    work = Path(tempfile.mkdtemp(prefix="fflab-proxy-"))
    work.chmod(0o755)  # nginx's workers (nobody, when started by root) reach their cache under it
    nginx = scale_stack.Nginx(work, free_port(), [free_port(), free_port()])
    nginx.start()
    try:
        for path in ("/api/exercises/4-1/centering", "/api/exercises/4-1/centering/stream", "/exercises/4-1"):
            r = httpx.get(nginx.url + path, headers={"accept": "application/json"}, timeout=10)
            assert r.status_code == 503, path
            assert r.headers["retry-after"] == "2" and r.headers["cache-control"] == "no-store"
            assert json.loads(r.text) == {"detail": "the server is busy; try again in a few seconds"}
            assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    finally:
        nginx.stop()
        shutil.rmtree(work, ignore_errors=True)
