"""Export, sharing, classroom mode, keyboard, dark theme, progress, replay and redraw order.

Accessibility (axe), the figures' text summaries and the page widths from a phone to a projector are checked
in the one page load per page, language and theme of tests/browser/test_screenshots.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect


def test_export_json_and_csv_and_the_api_box(page, live_server):
    page.goto(live_server + "/exercises/4-4?lang=en&derivative.function=gelu")
    section = page.locator("#exp-derivative")
    with page.expect_download() as dl:
        section.locator("button.download-json").click()
    body = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert body["params"]["function"] == "gelu" and body["metrics"]["max_abs_error"] < 1e-8
    with page.expect_download() as dl:
        section.locator("button.download-csv").click()
    header = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header == "series,index,value"
    section.locator(".api-box summary").click()
    expect(section.locator(".api-box .curl")).to_contain_text("/api/exercises/4-4/derivative?")
    expect(section.locator(".api-box .curl")).to_contain_text("function=gelu")
    expect(section.locator(".api-box .python")).to_contain_text("httpx.get(")


def test_copy_link_reproduces_the_same_numbers(page, live_server, context):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server + "/exercises/4-4?lang=en")
    section = page.locator("#exp-derivative")
    section.locator('[data-param="x_probe"] input[type=number]').fill("-0.7")
    expect(section.locator('[data-metric="probe_x"] .value')).to_have_text("-0.7", timeout=10_000)
    value = section.locator('[data-metric="df_at_probe"] .value').inner_text()
    section.locator("button.copy-link").click()
    link = page.evaluate("navigator.clipboard.readText()")
    assert "derivative.x_probe=-0.7" in link
    other = context.new_page()
    other.goto(link)
    expect(other.locator('#exp-derivative [data-metric="df_at_probe"] .value')).to_have_text(value)


def test_classroom_mode_hides_chosen_controls(page, live_server):
    page.goto(live_server + "/exercises/4-4?lang=en&hide=derivative.x_min,derivative.x_max,points")
    section = page.locator("#exp-derivative")
    expect(section.locator('[data-param="beta"]')).to_be_visible()
    for name in ("x_min", "x_max", "points"):
        expect(section.locator(f'[data-param="{name}"]')).to_be_hidden()
    expect(page.locator('#exp-swish-family [data-param="points"]')).to_be_hidden()
    expect(page.locator('#exp-swish-family [data-param="x_min"]')).to_be_visible()


def test_controls_work_by_keyboard(page, live_server):
    page.goto(live_server + "/exercises/4-4?lang=en")
    box = page.locator('#exp-derivative [data-param="beta"] input[type=number]')
    box.focus()
    page.keyboard.press("ArrowUp")
    expect(box).to_have_value("1.1")
    expect(page.locator("#exp-derivative")).to_have_attribute("data-state", "ready", timeout=10_000)
    assert "derivative.beta=1.1" in page.url


def test_every_figure_exports_svg_from_its_toolbar(page, live_server):
    page.goto(live_server + "/exercises/4-4?lang=en")
    fig = page.locator("#exp-derivative [data-figure=function]")
    expect(fig.locator(".main-svg").first).to_be_visible(timeout=15_000)
    fig.hover()
    with page.expect_download() as dl:
        fig.locator('.modebar-btn[data-title="Download plot as SVG"]').click()
    assert dl.value.suggested_filename == "4-4-derivative-function.svg"
    assert Path(dl.value.path()).read_text(encoding="utf-8").lstrip().startswith("<svg")
    # Nothing leaves the machine: Plotly's "Share chart" (an upload to its cloud) is not offered.
    assert fig.locator('.modebar-btn[data-title="Share chart..."]').count() == 0


def test_dark_theme_follows_the_system_figures_included(browser, live_server, artifacts):
    page = browser.new_page(color_scheme="dark")
    page.goto(live_server + "/exercises/4-4?lang=en")
    expect(page.locator("[data-figure=function] .main-svg").first).to_be_visible(timeout=15_000)
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(13, 17, 23)"
    paper = page.locator("[data-figure=function] .main-svg rect.bg").first.get_attribute("style")
    assert "rgb(22, 27, 34)" in paper
    page.screenshot(path=str(artifacts / "4-4-dark.png"))
    page.close()


def test_a_long_run_shows_progress_and_can_be_cancelled(page, live_server):
    page.goto(live_server + "/exercises/4-6?lang=en")
    section = page.locator("#exp-train")
    expect(section.locator("[data-figure=fit] .main-svg").first).to_be_visible(timeout=60_000)
    # However fast this machine computes, the run lasts until it is cancelled: its request is held here.
    # (The server's own progress events and its side of a cancel are tested in tests/api/test_progress.py.)
    held = []
    page.route(re.compile(r"/api/exercises/4-6/train"), lambda route: held.append(route))
    box = section.locator('[data-param="units"] input[type=number]')
    box.fill("31")
    box.press("Enter")
    bar = section.locator(".progress progress")
    expect(bar).to_be_visible(timeout=10_000)
    assert held, "the run's request reached the page's route"
    section.locator(".progress .cancel").click()
    expect(section.locator(".status")).to_contain_text("Cancelled")
    expect(section.locator(".progress")).to_be_hidden()
    for route in held:
        route.abort()


def test_replay_by_keyboard_moves_the_frames_and_marks_the_loss_curve(page, live_server):
    page.goto(live_server + "/exercises/4-2?lang=en")
    section = page.locator("#exp-train")
    expect(section.locator("[data-figure=replay] .main-svg").first).to_be_visible(timeout=30_000)
    bar = section.locator(".replay").first
    expect(bar.locator(".replay-epoch")).to_have_text("epoch 5000")
    bar.locator("input[type=range]").focus()
    page.keyboard.press("Home")
    expect(bar.locator(".replay-epoch")).to_have_text("epoch 0")
    expect(bar.locator("input[type=range]")).to_have_attribute("aria-valuetext", "epoch 0")
    assert section.get_attribute("data-replay-epoch") == "0"
    # The loss curve shows the moment as a vertical line (one: the replay's, moved, not added).
    expect(section.locator("[data-figure=loss] .shapelayer path")).to_have_count(1)
    page.keyboard.press("ArrowRight")
    expect(bar.locator(".replay-epoch")).not_to_have_text("epoch 0")
    expect(section.locator("[data-figure=loss] .shapelayer path")).to_have_count(1)


# Every tick label of every figure of the page (SVG text of the axes' ticks).
TICKS = """() => [...document.querySelectorAll('[data-figure]')].flatMap((gd) =>
  [...gd.querySelectorAll('.xtick text, .ytick text, .xtick2 text, .ytick2 text')]
    .map((t) => [gd.dataset.figure, t.textContent]))"""


@pytest.mark.parametrize("path", [
    ("4-2", "en", "train.lr=10"),  # blows up to ~1e303: its log axis once showed "Infinity^−NaN"
    ("4-9", "zh", ""),  # the largest learning rates diverge at the defaults
])
def test_no_axis_tick_reads_nan_or_infinity(page, open_exercise, console_errors, artifacts, path):
    open_exercise(*path)
    ticks = page.evaluate(TICKS)
    assert ticks
    bad = [(name, text) for name, text in ticks if re.search(r"NaN|Infinity|∞|undefined", text)]
    assert not bad, bad
    if path[0] == "4-2":
        loss = page.locator("#exp-train [data-figure=loss]")
        assert loss.evaluate("gd => gd.layout.yaxis.range[1]") > 300  # the blow-up is on the axis, not cut off
        loss.scroll_into_view_if_needed()
        loss.screenshot(path=str(artifacts / "4-2-diverged-loss.png"))
    assert console_errors == []


# Sum of every finite y of a figure's traces: changes when the figure is redrawn with other data.
Y_SUM = """gd => gd._fullData.reduce((s, t) => s + Array.from(t.y || []).filter(Number.isFinite)
                                                       .reduce((a, b) => a + b, 0), 0)"""


def test_figures_on_screen_are_redrawn_before_ready_and_the_others_follow(page, live_server, console_errors):
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(f"{live_server}/exercises/4-1?lang=en")
    section = page.locator("#exp-centering")
    expect(section).to_have_attribute("data-drawn", "all", timeout=15_000)
    on_screen = section.locator("[data-figure=loss]")
    below = section.locator("[data-figure=update_signs]")
    page.evaluate("window.scrollTo(0, document.querySelector('#exp-centering [data-figure=loss]')"
                  ".getBoundingClientRect().top + window.scrollY)")
    seen, unseen = on_screen.evaluate(Y_SUM), below.evaluate(Y_SUM)
    below_top = below.evaluate("el => el.getBoundingClientRect().top")
    assert below_top > 600  # below the window: drawn when the page is idle

    # Record, at the very moment the section turns "ready" after being busy, what the figure in the
    # window shows: a cached answer can make "busy" too brief for polling to see.
    section.evaluate("""(el) => {
      const gd = el.querySelector('[data-figure=loss]');
      window.__atReady = null;
      let busy = false;
      new MutationObserver(() => {
        if (el.dataset.state === 'busy') busy = true;
        else if (busy && el.dataset.state === 'ready' && window.__atReady === null)
          window.__atReady = (""" + Y_SUM + """)(gd);
      }).observe(el, {attributes: true, attributeFilter: ['data-state']});
      window.__svgs = [...el.querySelectorAll('[data-figure] .main-svg')];
    }""")
    section.locator('[data-param="seed"] input[type=number]').fill("5")
    page.wait_for_function("() => window.__atReady !== null", timeout=15_000)
    # At "ready" the figure in the window already shows the new run ...
    assert page.evaluate("window.__atReady") != seen
    # ... and the one further down follows once the page is idle.
    expect(section).to_have_attribute("data-drawn", "all", timeout=5_000)
    assert below.evaluate(Y_SUM) != unseen
    # Redrawn in place (Plotly.react updating the figures), not built again from nothing: a config
    # that differs from the one drawn (a new function in it) makes Plotly purge and plot anew.
    assert page.evaluate("window.__svgs.length") >= 2
    assert page.evaluate("window.__svgs.every((svg) => svg.isConnected)")
    assert console_errors == []


def test_a_step_alone_goes_at_once_steps_in_a_row_wait_like_a_slider_and_typing_waits_longer(
        page, live_server, console_errors):
    page.goto(f"{live_server}/exercises/4-1?lang=en")
    section = page.locator("#exp-centering")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    box = section.locator('[data-param="seed"] input[type=number]')
    box.focus()
    page.keyboard.press("ArrowUp")  # a step alone (a spinner click, an arrow key): one deliberate change
    expect(section).to_have_attribute("data-debounce", "0")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    # Steps in a row (a key held down, a slider dragged) wait for a pause: one request at the end.
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/api/" in r.url else None)
    with page.expect_response(lambda r: "/api/" in r.url, timeout=15_000):
        page.evaluate("""() => { const box = document.querySelector('#exp-centering [data-param="seed"] input');
          for (let i = 0; i < 3; i++) {
            box.value = String(Number(box.value) + 1);
            box.dispatchEvent(new Event('input'));
          } }""")
        expect(section).to_have_attribute("data-debounce", "60")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    page.wait_for_timeout(200)  # longer than the debounce: another request would have left by now
    final = box.input_value()
    assert len(requests) == 1 and re.search(rf"[?&]seed={final}(&|$)", requests[0]), (final, requests)
    page.keyboard.type("3")  # typed digits: wait for the next keystroke
    expect(section).to_have_attribute("data-debounce", "700")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    assert console_errors == []
