"""The page's memory of results (static/js/fflab-memo.js), in Chromium: a control moved back to a value seen
before — the page's first, embedded result included — redraws with no request, and the figures and cards
show that value's numbers again; the memo keeps at most its bound, least recently used out first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_controls import api_requests

# What a section shows, as numbers: every trace's coordinates of every figure, and the cards' text. In a
# section with a replay the figures are left out (cards only): their traces are the frame the replay shows,
# which moves on its own after a redraw (the replay tests check those figures against their frames).
SHOWN_JS = """(section) => ({
  figures: Object.fromEntries([...section.querySelectorAll('[data-figure]')]
    .filter(() => !section.querySelector('.replay'))
    .map((d) => [d.dataset.figure, JSON.stringify((d.data || []).map((t) => [t.x, t.y, t.z]))])),
  cards: section.querySelector('.metrics').innerText,
})"""


def set_value(section, name: str, value: str) -> None:
    """Type a value into a control's box and commit it (Enter), as a reader does."""
    box = section.locator(f'[data-param="{name}"] input:not([type=range])')
    box.fill(value)
    box.press("Enter")


def settled(section) -> None:
    expect(section).to_have_attribute("data-state", "ready", timeout=30_000)
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    expect(section).not_to_have_attribute("data-stale", "")


@pytest.mark.parametrize(("exercise", "experiment", "param", "other"), [
    ("4-7", "bias-regularization", "seed", "2"),   # a streamed experiment (it has a cost)
    ("4-4", "derivative", "x_min", "-3"),          # a plain JSON one
])
def test_a_value_seen_before_redraws_with_no_request(page, open_exercise, console_errors,
                                                     exercise, experiment, param, other):
    open_exercise(exercise, "en")
    section = page.locator(f"#exp-{experiment}")
    box = section.locator(f'[data-param="{param}"] input:not([type=range])')
    first_value = box.input_value()
    assert first_value != other
    first = section.evaluate(SHOWN_JS)
    asked = api_requests(page, experiment)

    set_value(section, param, other)  # a new value: asked once
    # (its answer may come and be drawn before a look at data-stale would catch it: wait for the result)
    page.wait_for_function(f"() => String(window.fflab.views.find((v) => v.name === '{experiment}').result"
                           f".params['{param}']) === String(Number('{other}'))", timeout=30_000)
    settled(section)
    assert len(asked) == 1 and f"{param}={other}" in asked[0], asked
    second = section.evaluate(SHOWN_JS)
    assert second != first

    set_value(section, param, first_value)  # back to the page's first value: from memory
    settled(section)
    assert section.evaluate(SHOWN_JS) == first
    set_value(section, param, other)  # and forth again: the received result, from memory too
    settled(section)
    assert section.evaluate(SHOWN_JS) == second
    page.wait_for_timeout(300)  # longer than any debounce: a request would have left by now
    assert len(asked) == 1, asked
    assert page.url.count(f"{experiment}.{param}={other}") == 1  # the URL follows as for any change
    assert not console_errors


def test_the_memo_is_bounded_least_recently_used_out_first(page, open_exercise):
    open_exercise("4-4", "en")
    kept = page.evaluate("""() => {
      const m = new window.FFLab.Memo(4, 100);
      const text = (i, n) => JSON.stringify({i, pad: 'x'.repeat(n - 16)});  // n characters
      for (let i = 0; i < 6; i++) m.put(`k${i}`, text(i, 20));
      m.get('k2');                      // used again: kept
      m.put('k6', text(6, 20));
      const byCount = [...m.entries.keys()];
      m.put('big', text(7, 45));        // over the 100 characters: the oldest go until it fits
      const byChars = [...m.entries.keys()];
      m.put('huge', text(8, 101));      // larger than the whole budget: not kept
      const hit = m.get('k2');
      hit.i = -1;                       // a recalled result is a fresh copy: changing it changes no other
      return {byCount, byChars, chars: m.chars, hit: m.get('k2').i, miss: m.get('k0') ?? null,
              huge: m.get('huge') ?? null};
    }""")
    assert kept["byCount"] == ["k4", "k5", "k2", "k6"]
    assert kept["byChars"] == ["k2", "k6", "big"] and kept["chars"] == 85
    assert kept["hit"] == 2 and kept["miss"] is None and kept["huge"] is None
