"""A busy server (503) in Chromium: the page asks again by itself after a moment, saying so, and gives
up with the busy message after its retries (static/js/fflab-memo.js busyRetryDelay); a change of the
controls meanwhile drops the retry. Behind nginx every replica may refuse at a burst: the student
should see a slower answer, not an error."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_memo import set_value

BUSY = {"status": 503, "headers": {"Retry-After": "5", "Content-Type": "application/json"},
        "body": json.dumps({"detail": "the server is busy; try again in a few seconds"})}


def refuse_first(page, experiment: str, refusals: int) -> list[str]:
    """Answer the first `refusals` requests for `experiment` with 503, let the rest through; return the
    URLs asked, in order."""
    asked: list[str] = []

    def handler(route):
        asked.append(route.request.url)
        if len(asked) <= refusals:
            route.fulfill(**BUSY)
        else:
            route.continue_()
    page.route(f"**/{experiment}**", handler)
    return asked


def move_while_refused(page, open_exercise, refusals: int, lang: str = "en"):
    """Open 4-4, refuse its derivative's next `refusals` requests, move x_min; return the section and
    the URLs asked."""
    open_exercise("4-4", lang)
    section = page.locator("#exp-derivative")
    asked = refuse_first(page, "derivative", refusals)
    set_value(section, "x_min", "-3")
    return section, asked


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_busy_answer_is_asked_again_and_the_result_drawn(page, open_exercise, console_errors, lang):
    section, asked = move_while_refused(page, open_exercise, 1, lang)
    expect(section).to_have_attribute("data-state", "busy", timeout=5_000)
    expect(section.locator(".status")).to_have_text(
        "The server is busy; asking again in a moment …" if lang == "en" else "服务器正忙，稍后自动重试……")
    expect(section).to_have_attribute("data-state", "ready", timeout=10_000)
    assert len(asked) == 2 and asked[0] == asked[1]
    assert page.evaluate("(s) => s.dataset.stale === undefined", section.element_handle())
    assert [e for e in console_errors if "503" not in e] == []  # Chromium logs the refused fetch itself


def test_after_its_retries_the_page_says_the_server_is_busy(page, open_exercise, console_errors):
    section, asked = move_while_refused(page, open_exercise, 99)
    expect(section).to_have_attribute("data-state", "error", timeout=10_000)
    expect(section.locator(".status")).to_have_text("The server is busy; try again in a few seconds.")
    page.wait_for_timeout(500)
    assert len(asked) == 3  # the first answer and two retries


def test_a_change_while_waiting_to_ask_again_drops_the_retry(page, open_exercise, console_errors):
    section, asked = move_while_refused(page, open_exercise, 1)
    expect(section).to_have_attribute("data-state", "busy", timeout=5_000)
    set_value(section, "x_min", "-4")
    expect(section).to_have_attribute("data-state", "ready", timeout=10_000)
    page.wait_for_timeout(1_500)  # past the first retry's moment
    assert len(asked) == 2 and "x_min=-4" in asked[1], asked
