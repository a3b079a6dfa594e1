"""The 4-1 page in a real browser: figures draw, a control redraws, the trajectory slider animates."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_figures_draw_and_the_shift_redraws_them(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-1?lang=en")
    section = page.locator("#exp-centering")
    for name in ("loss", "trajectory", "update_signs"):
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    sweep = page.locator("#exp-shift-sweep")
    for name in ("epochs_vs_shift", "condition_vs_shift"):
        expect(sweep.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    expect(section.locator('[data-metric="same_sign_fraction_raw"] .value')).to_have_text("1")
    before = section.locator('[data-metric="condition_number_raw"] .value').inner_text()
    page.screenshot(path=str(artifacts / "4-1.png"), full_page=True)

    box = section.locator('[data-param="shift"] input[type=number]')
    box.fill("1")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(section.locator('[data-metric="condition_number_raw"] .value')).not_to_have_text(before, timeout=15_000)
    assert re.search(r"centering\.shift=1", page.url)
    assert console_errors == []


def test_trajectory_slider_moves_the_frames(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-1?lang=en")
    fig = page.locator("#exp-centering [data-figure=trajectory]")
    expect(fig.locator(".main-svg").first).to_be_visible()
    expect(fig.locator(".slider-container")).to_be_visible()
    count = "el => el._fullData[2].x.length"  # points of the raw path currently drawn
    full = fig.evaluate(count)
    first = fig.evaluate("el => el._transitionData._frames[0].name")
    fig.evaluate(f"el => Plotly.animate(el, [{first!r}], {{mode: 'immediate', frame: {{duration: 0, redraw: false}},"
                 " transition: {duration: 0}})")
    page.wait_for_function("el => el._fullData[2].x.length < 5", arg=fig.element_handle(), timeout=5_000)
    assert fig.evaluate(count) < full
    # the last frame brings the whole path back
    last = fig.evaluate("el => el._transitionData._frames.at(-1).name")
    fig.evaluate(f"el => Plotly.animate(el, [{last!r}], {{mode: 'immediate', frame: {{duration: 0, redraw: false}},"
                 " transition: {duration: 0}})")
    page.wait_for_function(f"el => el._fullData[2].x.length === {full}", arg=fig.element_handle(), timeout=5_000)
    assert console_errors == []


def test_the_page_speaks_chinese(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-1?lang=zh")
    expect(page.locator("h1")).to_contain_text("输入不以零为中心")
    expect(page.locator("#exp-centering [data-figure=loss] .gtitle")).to_contain_text("损失")
    assert console_errors == []
