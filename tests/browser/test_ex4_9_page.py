"""The 4-9 page in a real browser: both experiments draw, a control change redraws."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay

FIGURES = {
    "vanishing": ("gradient_norms", "gradient_heatmap", "loss", "gradient_replay"),
    "learning-rates": ("loss_by_lr", "relative_update_by_layer", "cure_comparison"),
}


def test_figures_draw_and_activation_redraws(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-9?lang=en")
    for exp, names in FIGURES.items():
        section = page.locator(f"#exp-{exp}")
        for name in names:
            expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    heat = page.locator("#exp-vanishing [data-figure=gradient_heatmap] .heatmaplayer image, "
                        "#exp-vanishing [data-figure=gradient_heatmap] .hm")
    expect(heat.first).to_be_attached()

    section = page.locator("#exp-vanishing")
    ratio = section.locator('[data-metric="grad_ratio_first_to_last"] .value')
    before = ratio.inner_text()
    assert re.search(r"e-", before), before  # orders of magnitude below 1 at the defaults
    section.locator('[data-param="activation"] select').select_option("relu")
    section.locator('[data-param="init"] select').select_option("he")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(ratio).not_to_have_text(before, timeout=15_000)
    assert float(ratio.inner_text()) > 1e-2
    assert re.search(r"vanishing\.activation=relu", page.url)
    assert re.search(r"vanishing\.init=he", page.url)

    lr = page.locator("#exp-learning-rates")
    ratios = lr.locator('[data-metric="first_step_update_ratio"] tbody td').all_inner_texts()
    assert len(ratios) == 5 and len(set(ratios)) == 1
    expect(lr.locator('[data-summary="loss_by_lr"]')).to_contain_text("(diverged)")
    page.screenshot(path=str(artifacts / "4-9.png"), full_page=True)
    assert console_errors == []


def test_chinese_page_draws(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-9?lang=zh")
    expect(page.locator("h1")).to_contain_text("梯度消失与学习率")
    expect(page.locator("#exp-learning-rates [data-figure=cure_comparison] .gtitle")).to_contain_text("更大的学习率")
    assert console_errors == []


def test_a_blown_up_run_still_draws(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-9?lang=en&vanishing.activation=relu&vanishing.init=he&vanishing.lr=5")
    section = page.locator("#exp-vanishing")
    for name in FIGURES["vanishing"]:
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    expect(section.locator('[data-metric="diverged"] .value')).to_have_text("yes")
    expect(section.locator('[data-metric="final_loss"] .value')).to_have_text("—")
    assert console_errors == []


def test_the_training_replay_moves_with_its_slider(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-9?lang=en")
    check_replay(page, "vanishing", "gradient_replay")
    assert console_errors == []


def test_adam_link_evens_out_the_first_step(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-9?lang=en")
    page.locator('a[href="?vanishing.optimizer=adam&vanishing.lr=0.01#exp-vanishing"]').first.click()
    section = page.locator("#exp-vanishing")
    expect(section.locator('[data-param="optimizer"] select')).to_have_value("adam", timeout=15_000)
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    ratio = section.locator('[data-metric="first_step_ratio"] .value')
    expect(ratio).not_to_contain_text("e-", timeout=15_000)
    assert float(ratio.inner_text()) > 0.05
    expect(section.locator('[data-summary="gradient_norms"]')).to_contain_text("At init the gradient norm")
    assert console_errors == []
