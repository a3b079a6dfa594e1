"""The 4-7 page in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay

# The first visit renders the page: it computes every result the prose quotes (a dozen runs, some of them
# networks), which a busy 2-core machine can stretch past Playwright's default 30 s.
FIRST_LOAD_MS = 120_000


def test_figures_draw_and_offset_redraws(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-7?lang=en", timeout=FIRST_LOAD_MS)
    section = page.locator("#exp-bias-regularization")
    for name in ("fits", "test_error", "biases", "fits_replay"):
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    expect(page.locator("#exp-offset-sweep [data-figure=error_vs_offset] .main-svg").first).to_be_visible()
    seeds = page.locator("#exp-seeds")
    expect(seeds.locator("[data-figure=error_by_seed] .main-svg").first).to_be_visible(timeout=15_000)
    # Every figure's summary is the sentence the server wrote (layout.meta.summary), with its numbers.
    expect(seeds.locator('[data-summary="error_by_seed"]')).to_contain_text("Over 10 seeds")
    expect(section.locator('[data-summary="biases"]')).to_contain_text("The learned bias is")
    metric = section.locator('[data-metric="output_bias_weights_and_biases"] .value')
    before = metric.inner_text()

    slider = section.locator('[data-param="offset"] input[type=range]')
    slider.evaluate("s => { s.value = 20; s.dispatchEvent(new Event('input', {bubbles: true})); }")
    expect(metric).not_to_have_text(before, timeout=10_000)
    expect(section).to_have_attribute("data-state", "ready", timeout=10_000)
    assert float(metric.inner_text()) > 15
    assert re.search(r"bias-regularization\.offset=20", page.url)
    page.screenshot(path=str(artifacts / "4-7.png"), full_page=True)
    assert console_errors == []


def test_network_model_from_the_url(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-7?lang=zh&bias-regularization.model=network", timeout=FIRST_LOAD_MS)
    section = page.locator("#exp-bias-regularization")
    expect(section.locator('[data-param="model"] select')).to_have_value("network")
    expect(section.locator('[data-metric="offset_in_hidden_weights_and_biases"] .value')).to_be_visible(timeout=15_000)
    expect(section.locator("[data-figure=biases] .main-svg").first).to_be_visible()
    expect(section.locator('[data-summary="biases"]')).to_contain_text("隐藏单元承担的水平")
    # The prose names figures by their titles, never by their keys.
    answer = page.locator("section.answer").inner_text()
    assert "fits_replay" not in answer and "error_vs_offset" not in answer and "预激活" not in answer
    assert "净输入" in answer
    page.screenshot(path=str(artifacts / "4-7-network.png"), full_page=True)
    assert console_errors == []


def test_the_training_replay_moves_with_its_slider(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-7?lang=en", timeout=FIRST_LOAD_MS)
    check_replay(page, "bias-regularization", "fits_replay")
    assert console_errors == []
