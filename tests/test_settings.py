"""Settings are read when the app is created, from the environment or from a Settings given."""

from __future__ import annotations

import subprocess
import sys

from app.settings import Settings


def test_defaults_and_environment():
    s = Settings.from_env({})
    assert s == Settings() and s.compute_mode == "process" and s.warmup and s.access_log
    s = Settings.from_env({"FFLAB_COMPUTE": "thread", "FFLAB_COMPUTE_SLOTS": "3", "FFLAB_QUEUE_WAIT": "0.5",
                           "FFLAB_CACHE_MB": "8", "WEB_CONCURRENCY": "2", "FFLAB_WARMUP": "0",
                           "FFLAB_ACCESS_LOG": "off", "FFLAB_PAGE_CACHE_SIZE": ""})
    assert (s.compute_mode, s.slots, s.queue_wait, s.cache_mb, s.workers) == ("thread", 3, 0.5, 8.0, 2)
    assert not s.warmup and not s.access_log and s.page_cache_size == 64


def test_importing_the_app_modules_reads_no_setting():
    """A bad value in the environment matters only when an app is created, not at import."""
    code = "import app.compute, app.pages, app.api, app.observability; print('ok')"
    env = {"FFLAB_COMPUTE_SLOTS": "not a number", "FFLAB_CACHE_SIZE": "x", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-500:]


def test_create_app_applies_the_settings():
    from app import compute, pages
    from app.main import create_app
    from tests.conftest import TEST_SETTINGS

    try:
        create_app(Settings(compute_mode="thread", compute_slots=1, cache_size=7, page_cache_size=5,
                            warmup=False, access_log=False))
        assert (compute.COMPUTE_SLOTS, compute.CACHE.size, pages.PAGES.size) == (1, 7, 5)
    finally:
        compute.configure(TEST_SETTINGS)
        pages.configure(TEST_SETTINGS)
