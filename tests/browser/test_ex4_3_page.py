"""The 4-3 page in a real browser: every experiment's figures draw with their summaries, ELU has its own α,
a control change redraws, the prose quotes the metrics it shows, and the Chinese page uses the book's terms."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay

FIGURES = {
    "one-unit": ("unit_output", "unit_bias"),
    "dying": ("dead_units", "loss", "preactivations", "fit", "fit_replay", "unit_map"),
    "seeds": ("dead_by_seed", "came_back"),
    "lr-sweep": ("dead_vs_lr",),
}


def test_figures_draw_and_activation_redraws_them(page, open_exercise, console_errors, artifacts):
    open_exercise("4-3", "en")
    for name, figures in FIGURES.items():
        section = page.locator(f"#exp-{name}")
        for fig in figures:
            expect(section.locator(f"[data-figure={fig}] .main-svg").first).to_be_visible()
    section = page.locator("#exp-dying")
    expect(section.locator('[data-param="elu_alpha"] input').first).to_have_value("1")
    expect(section.locator('[data-param="elu_alpha"]')).to_contain_text("α (ELU)")
    caption = section.locator('[data-summary="dead_units"]')
    expect(caption).to_contain_text("of 64 hidden units dead before training")

    value = section.locator('[data-metric="dead_units_final"] .value')
    quoted = page.locator('.answer .quote[data-quote="dying:dead_units_final"][data-params=""]').first
    assert value.inner_text() == quoted.inner_text()

    section.locator('[data-param="activation"] select').select_option("leaky_relu")
    expect(value).to_have_text("0", timeout=15_000)
    expect(section).to_have_attribute("data-state", "ready")
    expect(section.locator("[data-figure=dead_units] .gtitle")).to_contain_text("Leaky ReLU")
    expect(caption).to_contain_text("Leaky ReLU: 0 of 64 hidden units dead before training")
    assert re.search(r"dying\.activation=leaky_relu", page.url)
    page.screenshot(path=str(artifacts / "4-3.png"), full_page=True)
    assert console_errors == []


def test_the_one_unit_example_follows_its_rate(page, open_exercise, console_errors):
    open_exercise("4-3", "en", "one-unit.lr=1")
    section = page.locator("#exp-one-unit")
    expect(section.locator('[data-metric="dead_after_first_step"] .value')).to_have_text("no")
    expect(section.locator('[data-summary="unit_bias"]')).to_contain_text("stays above the edge at every step")
    assert console_errors == []


def test_chinese_page(page, open_exercise, console_errors):
    open_exercise("4-3", "zh")
    expect(page.locator("#exp-dying [data-figure=unit_map] .gtitle")).to_contain_text("哪些单元死亡")
    expect(page.locator("#exp-dying [data-figure=preactivations] .gtitle")).to_contain_text("净输入")
    expect(page.locator(".answer")).to_contain_text("死亡ReLU问题")
    expect(page.locator(".question")).to_contain_text("举例说明")
    assert "预激活" not in page.content()
    assert console_errors == []


def test_the_training_replay_moves_with_its_slider(page, open_exercise, console_errors):
    open_exercise("4-3", "en")
    check_replay(page, "dying", "fit_replay")
    assert console_errors == []
