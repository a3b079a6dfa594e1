"""Browser tests: a real uvicorn on 127.0.0.1 and a real Chromium driven by Playwright.

Debian's /usr/bin/chromium is used when present (Playwright cannot download here); otherwise
Playwright's own Chromium (installed by `make test` through scripts/ensure_browser.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.common import CHROMIUM, CHROMIUM_ARGS
from tests.browser import server

ARTIFACTS = server.ARTIFACTS


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(request) -> str:
    """The base URL of a real uvicorn for the whole session: in an xdist run the one server the
    controller started for every worker (tests/browser/server.py, its log in test-artifacts/server.log),
    otherwise one of this session's own (test-artifacts/server-own.log)."""
    shared = getattr(request.config, "workerinput", {}).get(server.KEY)
    if shared:
        yield shared
        return
    with server.serve(ARTIFACTS / "server-own.log", warm=False) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if os.path.exists(CHROMIUM):
        args["executable_path"] = CHROMIUM
    return args


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def shots(artifacts) -> Path:
    """Where whole-page screenshots go for a reviewer to look at (test-artifacts/screenshots/)."""
    folder = artifacts / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def console_errors(page):
    """Collect console errors and page errors; a test asserts the list is empty."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.fixture
def open_exercise(page, live_server):
    """Return open(exercise, lang="en", query=""): load the page at 1366 × 900 and wait until every
    experiment section has drawn all its figures (slow pages compute on the server first)."""

    def open_(exercise: str, lang: str = "en", query: str = ""):
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server}/exercises/{exercise}?lang={lang}{'&' + query if query else ''}", timeout=90_000)
        sections = page.locator("section.experiment")
        assert sections.count(), page.content()[:500]
        for section in sections.all():
            expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
        return page

    return open_
