"""Checks shared by the pages' browser tests: a training replay draws with one bar of controls (the
page's, no Plotly slider or buttons), and the figure's frame, the bar's slider, its label and the
loss curves' marker always show the same recorded epoch.

The state is read from the page's own result JSON (window.fflab) and from Plotly's public graph
fields (gd.data, gd.layout); the figure shows frame f when its traces hold f's data.
"""

from __future__ import annotations

import time

from playwright.sync_api import expect

# Sum of every finite number in the traces' y and z: changes when a frame changes what is drawn.
SIGNATURE = """gd => {
  let s = 0;
  const walk = (a) => { for (const x of a) { if (typeof x === 'number') { if (Number.isFinite(x)) s += x; }
                                            else if (x && x.length !== undefined) walk(x); } };
  for (const t of gd._fullData) for (const k of ['y', 'z']) if (t[k]) walk(t[k]);
  return s;
}"""

# Everything that shows the replay's epoch, for the replay `name` of section `sec`.
STATE = """([sec, name]) => {
  const view = window.fflab.views.find((v) => v.name === sec);
  const fig = view.result.figures[name];
  const gd = view.figuresBox.querySelector(`[data-figure="${name}"]`);
  const bar = gd.closest('figure').querySelector('.replay');
  const range = bar.querySelector('input[type=range]');
  const play = bar.querySelector('.replay-play');
  // A typed array as sent ({dtype, bdata, shape}; Plotly adds its decoded copy to the object).
  const spec = (v) => (v && v.bdata ? [v.dtype, v.bdata, v.shape] : v);
  const same = (a, b) => JSON.stringify(spec(a)) === JSON.stringify(spec(b));
  // The frames whose data the figure's traces hold now (several frames may hold the same data).
  const shown = fig.frames.filter((f) => f.traces.every((t, k) =>
    Object.keys(f.data[k]).filter((a) => a === 'y' || a === 'z').every((a) => same(gd.data[t][a], f.data[k][a]))))
    .map((f) => f.name);
  const losses = [...view.figuresBox.querySelectorAll('[data-figure*="loss"]')].filter((d) => !view.result
    .figures[d.dataset.figure].frames);
  return {
    names: fig.frames.map((f) => f.name), shown, label: bar.querySelector('.replay-epoch').textContent,
    index: Number(range.value), valuetext: range.getAttribute('aria-valuetext'),
    section: view.section.dataset.replayEpoch,
    markers: losses.map((d) => (d.layout.shapes || []).filter((s) => s.name === 'replay').map((s) => s.x0)),
    play: play.textContent, playing: play.dataset.playing, strings: window.FFLab.page.strings,
    sliders: gd.querySelectorAll('.slider-container, .updatemenu-container').length,
  };
}"""


def replay_state(page, section: str, name: str) -> dict:
    """Return what the replay `name` of the experiment `section` shows (see STATE)."""
    return page.evaluate(STATE, [section, name])


def _synced(s: dict) -> bool:
    name = s["names"][s["index"]]
    text = f"{s['strings']['epoch']} {name}"
    return (name in s["shown"] and s["label"] == text and s["valuetext"] == text
            and s["section"] is not None and float(s["section"]) == float(name)
            and all(m == [float(name)] for m in s["markers"]))


def assert_in_sync(page, section: str, name: str, epoch: float | None = None, timeout: float = 10.0) -> dict:
    """Wait until the figure's frame, the bar's slider and label, the section's epoch and every loss
    marker show one recorded epoch (`epoch` if given); return the state."""
    deadline = time.monotonic() + timeout
    while True:
        s = replay_state(page, section, name)
        ok = _synced(s) and (epoch is None or float(s["names"][s["index"]]) == float(epoch))
        if ok or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    s.pop("strings")
    assert ok, f"replay {section}/{name} out of sync (wanted epoch {epoch}): {s}"
    return s


def _wait(page, section: str, name: str, test, what: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        s = replay_state(page, section, name)
        if test(s):
            return s
        assert time.monotonic() < deadline, f"{what}: {s}"
        time.sleep(0.05)


def check_replay(page, section: str, name: str, min_frames: int = 15) -> None:
    """Assert the replay `name` of the experiment `section` draws at its last epoch with one bar of
    controls, that the bar's slider taken to the start (Home key) shows the first epoch with other
    data, and that the loss curves (if any) mark that epoch; ends there."""
    fig = page.locator(f"#exp-{section} [data-figure={name}]")
    expect(fig.locator(".main-svg").first).to_be_visible()
    expect(page.locator(f"#exp-{section}")).to_have_attribute("data-drawn", "all", timeout=15_000)
    bar = page.locator(f"#exp-{section} figure:has([data-figure={name}]) .replay")
    expect(bar).to_have_count(1)
    s = assert_in_sync(page, section, name)
    assert len(s["names"]) >= min_frames and s["index"] == len(s["names"]) - 1
    assert s["sliders"] == 0  # no Plotly slider or play button on the figure
    final = fig.evaluate(SIGNATURE)

    bar.locator("input[type=range]").focus()
    page.keyboard.press("Home")
    first = s["names"][0]
    assert_in_sync(page, section, name, float(first))
    assert fig.evaluate(SIGNATURE) != final


def check_replay_controls(page, section: str, name: str) -> None:
    """Drive every control of the replay `name` and assert all views stay on one epoch each time: the
    keyboard on the slider, the step buttons, play and pause (the button's text says which), and a
    click on a loss curve between two recorded epochs (the replay snaps to the nearer one)."""
    bar = page.locator(f"#exp-{section} figure:has([data-figure={name}]) .replay")
    rng = bar.locator("input[type=range]")
    rng.focus()
    page.keyboard.press("End")
    strings = shell_strings(page)
    s = assert_in_sync(page, section, name)
    last = len(s["names"]) - 1
    assert s["index"] == last and s["play"] == strings["play"] and s["playing"] == "false"
    page.keyboard.press("ArrowLeft")
    assert assert_in_sync(page, section, name)["index"] == last - 1
    bar.locator(".replay-back").click()
    assert assert_in_sync(page, section, name)["index"] == last - 2
    bar.locator(".replay-next").click()
    assert assert_in_sync(page, section, name)["index"] == last - 1

    # Play from the end starts over at the first epoch; the button reads Pause while playing.
    rng.focus()
    page.keyboard.press("End")
    assert_in_sync(page, section, name)
    play = bar.locator(".replay-play")
    play.focus()
    page.keyboard.press("Space")
    expect(play).to_have_text(strings["pause"])
    expect(play).to_have_attribute("data-playing", "true")
    _wait(page, section, name, lambda s: 1 <= s["index"] < last, "play does not advance from the start")
    page.keyboard.press("Space")
    expect(play).to_have_text(strings["play"])
    expect(play).to_have_attribute("data-playing", "false")
    stopped = assert_in_sync(page, section, name)
    time.sleep(0.6)  # paused: nothing moves any more
    assert assert_in_sync(page, section, name)["index"] == stopped["index"]

    loss = page.locator(f"#exp-{section} .figure[data-figure*=loss]")
    if loss.count():
        click_loss_between_frames(page, section, name, loss.first)


def shell_strings(page) -> dict:
    """The page's shell strings (its language)."""
    return page.evaluate("window.FFLab.page.strings")


def click_loss_between_frames(page, section: str, name: str, loss) -> None:
    """Click a loss curve 30 % of the way from one recorded epoch to the next (the widest such gap):
    the figure, the bar and the marker all move to the nearer recorded epoch, not to the clicked one."""
    names = replay_state(page, section, name)["names"]
    epochs = [float(n) for n in names]
    gaps = [(epochs[i + 1] - epochs[i], i) for i in range(len(epochs) - 2)]  # never the last frame
    _, i = max(gaps)
    target = epochs[i] + 0.3 * (epochs[i + 1] - epochs[i])
    loss.scroll_into_view_if_needed()
    x0, x1 = loss.evaluate("gd => gd.layout.xaxis.range")
    area = loss.locator(".nsewdrag").first.bounding_box()
    px = area["x"] + (target - x0) / (x1 - x0) * area["width"]
    py = area["y"] + area["height"] / 2
    page.mouse.move(px - 3, py)
    page.mouse.move(px, py)
    page.wait_for_timeout(150)
    page.mouse.click(px, py)
    s = assert_in_sync(page, section, name, epochs[i])
    assert s["markers"] and all(m == [epochs[i]] for m in s["markers"])
