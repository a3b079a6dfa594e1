"""Every replay of every page in Chromium: one set of controls (the page's bar, no Plotly slider),
keyboard operable, labelled in the page's language, and in sync — the figure's frame, the bar's
slider and label, and the loss curves' marker always show the same recorded epoch, whichever
control moved (slider keys, step buttons, play/pause, a click on a loss curve)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.exercises.registry import EXERCISES
from tests.browser.replay_page import assert_in_sync, check_replay, check_replay_controls, replay_state

WITH_EXPERIMENTS = [ex.id for ex in EXERCISES.values() if ex.experiments]

# (section, figure) of every figure with frames on the page, in page order.
REPLAYS = """() => window.fflab.views.flatMap((v) => Object.entries(v.result.figures)
  .filter(([, f]) => f.frames && f.frames.length).map(([name]) => [v.name, name]))"""


def _replays(page) -> list[tuple[str, str]]:
    return [tuple(r) for r in page.evaluate(REPLAYS)]


@pytest.mark.parametrize("exercise", WITH_EXPERIMENTS)
def test_every_replay_has_one_bar_and_stays_in_sync(page, open_exercise, console_errors, artifacts, exercise):
    replays = _replays(open_exercise(exercise))
    # One set of controls per figure: no Plotly slider or play button anywhere, one bar per replay.
    assert page.locator(".slider-container, .updatemenu-container").count() == 0
    assert page.locator(".replay").count() == len(replays)
    for section, name in replays:
        check_replay(page, section, name)
        check_replay_controls(page, section, name)
        wrap = page.locator(f"#exp-{section} figure:has([data-figure={name}])")
        wrap.scroll_into_view_if_needed()
        wrap.screenshot(path=str(artifacts / f"replay-{exercise}-{section}-{name}.png"))
    assert console_errors == []


def test_the_replay_bar_speaks_chinese(page, open_exercise, console_errors):
    replays = _replays(open_exercise("4-8", "zh"))
    section, name = replays[0]
    bar = page.locator(f"#exp-{section} figure:has([data-figure={name}]) .replay")
    expect(bar).to_have_attribute("aria-label", "训练回放")
    expect(bar.locator("input[type=range]")).to_have_attribute("aria-label", "显示的轮次")
    expect(bar.locator(".replay-back")).to_have_attribute("aria-label", "后退一步")
    expect(bar.locator(".replay-next")).to_have_attribute("aria-label", "前进一步")
    last = replay_state(page, section, name)["names"][-1]
    expect(bar.locator(".replay-epoch")).to_have_text(f"轮次 {last}")
    play = bar.locator(".replay-play")
    expect(play).to_have_text("播放")
    play.click()
    expect(play).to_have_text("暂停")
    play.click()
    expect(play).to_have_text("播放")
    assert_in_sync(page, section, name)
    assert console_errors == []


def test_a_new_result_resets_the_replay_to_its_last_epoch(page, open_exercise, console_errors):
    replays = _replays(open_exercise("4-8"))
    section, name = replays[0]
    bar = page.locator(f"#exp-{section} figure:has([data-figure={name}]) .replay")
    bar.locator("input[type=range]").focus()
    page.keyboard.press("Home")
    assert_in_sync(page, section, name, 0)
    before = replay_state(page, section, name)["names"]
    page.locator(f'#exp-{section} [data-param="seed"] input[type=number]').fill("7")
    # The new result is drawn with a new bar at its last epoch, in sync with the rest.
    last = str(len(before) - 1)
    expect(bar.locator("input[type=range]")).to_have_value(last, timeout=15_000)
    s = assert_in_sync(page, section, name)
    assert s["index"] == len(s["names"]) - 1
    assert "initialization.seed=7" in page.url
    assert page.locator(f"#exp-{section} .replay").count() == 1
    assert console_errors == []
