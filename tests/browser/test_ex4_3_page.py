"""The 4-3 page in a real browser: figures draw, a control change redraws them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay

FIGURES = ("dead_units", "loss", "preactivations", "fit", "fit_replay", "unit_map")


def test_figures_draw_and_activation_redraws_them(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-3?lang=en")
    section = page.locator("#exp-dying")
    for name in FIGURES:
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    expect(page.locator("#exp-lr-sweep [data-figure=dead_vs_lr] .main-svg").first).to_be_visible()
    value = section.locator('[data-metric="dead_fraction_final"] .value')
    before = value.inner_text()
    assert float(before) >= 0.2

    section.locator('[data-param="activation"] select').select_option("leaky_relu")
    expect(value).to_have_text("0", timeout=15_000)
    expect(section).to_have_attribute("data-state", "ready")
    expect(section.locator("[data-figure=dead_units] .gtitle")).to_contain_text("Leaky ReLU")
    assert re.search(r"dying\.activation=leaky_relu", page.url)
    page.screenshot(path=str(artifacts / "4-3.png"), full_page=True)
    assert console_errors == []


def test_chinese_figures(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-3?lang=zh")
    expect(page.locator("#exp-dying [data-figure=unit_map] .gtitle")).to_contain_text("哪些单元死亡")
    assert console_errors == []


def test_the_training_replay_moves_with_its_slider(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-3?lang=en")
    check_replay(page, "dying", "fit_replay")
    assert console_errors == []
