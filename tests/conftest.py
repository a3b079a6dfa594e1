"""Shared fixtures: an in-process client of the app."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os

import pytest
from fastapi.testclient import TestClient

# Tests start from an empty cache; the background warm-up would race them for the CPU.
os.environ["FFLAB_WARMUP"] = "0"
# In-process tests compute on threads (spies and monkeypatched experiments stay visible); the
# browser tests' real server and tests/api/test_workers.py use the default child processes.
os.environ["FFLAB_COMPUTE"] = "thread"
# The computations run niced (19): on a machine saturated by the other test workers and their browsers a
# default that takes 0.5 s alone can take ten times that, and the deadline (a backstop, tested on its own
# in tests/api/test_deadline.py) would refuse it. Tests check results, not the clock.
os.environ["FFLAB_COMPUTE_DEADLINE"] = "120"

from app import compute  # noqa: E402
from app.main import app  # noqa: E402
from app.settings import Settings  # noqa: E402
from tests.browser import server as shared_server  # noqa: E402

TEST_SETTINGS = Settings.from_env()


def _reject(name: str) -> None:
    raise ValueError(f"non-JSON constant {name}")


def strict_json(text: str):
    """Parse JSON, refusing NaN and Infinity as a strict client would."""
    return json.loads(text, parse_constant=_reject)


@pytest.fixture(scope="session")
def client() -> TestClient:
    with TestClient(app) as c:
        yield c


@contextlib.contextmanager
def configured(**overrides):
    """Run with the compute settings changed (app.settings.Settings fields), then restore them."""
    compute.configure(dataclasses.replace(TEST_SETTINGS, **overrides))
    try:
        yield
    finally:
        compute.configure(TEST_SETTINGS)


# One live server for the browser tests of an xdist run (tests/browser/server.py): the controller starts it
# before the workers, hands them its URL and stops it after them.
def pytest_configure(config):
    if shared_server.wanted(config):
        shared_server.start(config)


def pytest_unconfigure(config):
    shared_server.stop(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    url = shared_server.url_for_workers(node.config)
    if url:
        node.workerinput[shared_server.KEY] = url
