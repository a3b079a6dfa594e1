"""The 4-1 page in a real browser: figures draw, a control redraws, the trajectory slider animates."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay


def test_figures_draw_and_the_shift_redraws_them(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-1?lang=en")
    section = page.locator("#exp-centering")
    for name in ("loss", "trajectory", "update_signs"):
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    sweep = page.locator("#exp-shift-sweep")
    for name in ("epochs_vs_shift", "condition_vs_shift"):
        expect(sweep.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    expect(section.locator('[data-metric="same_sign_fraction_raw"] .value')).to_have_text("100 %")
    before = section.locator('[data-metric="condition_number_raw"] .value').inner_text()
    page.screenshot(path=str(artifacts / "4-1.png"), full_page=True)

    box = section.locator('[data-param="shift"] input[type=number]')
    box.fill("1")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(section.locator('[data-metric="condition_number_raw"] .value')).not_to_have_text(before, timeout=15_000)
    assert re.search(r"centering\.shift=1", page.url)
    assert console_errors == []


def test_trajectory_replay_moves_the_paths_with_the_pages_bar(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-1?lang=en")
    fig = page.locator("#exp-centering [data-figure=trajectory]")
    expect(fig.locator(".main-svg").first).to_be_visible()
    count = "el => el._fullData[2].x.length"  # points of the raw path currently drawn
    full = fig.evaluate(count)
    check_replay(page, "centering", "trajectory")  # one bar, no Plotly slider; Home shows the first frame
    page.wait_for_function("el => el._fullData[2].x.length < 5", arg=fig.element_handle(), timeout=5_000)
    page.keyboard.press("End")  # the last frame brings the whole path back
    page.wait_for_function(f"el => el._fullData[2].x.length === {full}", arg=fig.element_handle(), timeout=5_000)
    assert console_errors == []


def test_figure_summaries_quote_the_results(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-1?lang=en")
    section = page.locator("#exp-centering")
    expect(section.locator('[data-summary="update_signs"]')).to_contain_text("100 % of the raw run's", timeout=15_000)
    raw = section.locator('[data-metric="epochs_to_target_raw"] .value').inner_text()
    expect(section.locator('[data-summary="loss"]')).to_contain_text(f"epoch {raw}")
    sweep = page.locator("#exp-shift-sweep")
    expect(sweep.locator('[data-summary="condition_vs_shift"]')).to_contain_text("with centred inputs it stays at")
    # The prose quotes the same numbers as the metrics beside the figures.
    quoted = page.locator('.quote[data-quote="centering:epochs_to_target_raw"][data-params=""]').first
    assert quoted.inner_text() == raw
    assert console_errors == []


def test_the_page_speaks_chinese(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-1?lang=zh")
    expect(page.locator("h1")).to_contain_text("输入不以零为中心")
    expect(page.locator("#exp-centering [data-figure=loss] .gtitle")).to_contain_text("损失")
    assert console_errors == []
