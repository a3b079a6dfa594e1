"""The 4-8 page in a real browser: figures draw, switching the init redraws them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay

FIGURES = ("unit_weights", "loss", "decision_boundary", "boundary_replay", "similarity")


def test_figures_draw_and_init_redraws_them(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-8?lang=en")
    section = page.locator("#exp-initialization")
    for name in FIGURES:
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    for name in ("loss_by_init", "distinct_units_by_init"):
        expect(page.locator(f"#exp-compare [data-figure={name}] .main-svg").first).to_be_visible()
    distinct = section.locator('[data-metric="distinct_hidden_units_final"] .value')
    expect(distinct).to_have_text("1")
    # the zero-initialised run sits on its plateau: stalled, not diverged, as the text says
    expect(section.locator(".status")).to_contain_text("stalled")
    expect(section.locator('[data-summary="similarity"]')).to_contain_text("every cosine similarity is 1")

    section.locator('[data-param="init"] select').select_option("normal")
    expect(distinct).to_have_text("8", timeout=15_000)
    expect(section).to_have_attribute("data-state", "ready")
    expect(section.locator("[data-figure=unit_weights] .gtitle")).to_contain_text("normal")
    assert re.search(r"initialization\.init=normal", page.url)
    page.screenshot(path=str(artifacts / "4-8.png"), full_page=True)
    assert console_errors == []


def test_full_batch_link_freezes_everything(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-8?lang=en&initialization.batch_size=256")
    section = page.locator("#exp-initialization")
    expect(section.locator('[data-metric="hidden_weights_moved"] .value')).to_have_text("no")
    expect(section.locator('[data-metric="output_weights_moved"] .value')).to_have_text("no")
    assert console_errors == []


def test_the_training_replay_moves_with_its_slider(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-8?lang=en")
    check_replay(page, "initialization", "boundary_replay")
    assert console_errors == []


def test_chinese_page_uses_the_books_term_and_states_the_convention(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-8?lang=zh&initialization.activation=tanh")
    expect(page.locator("main")).to_contain_text("对称权重现象")
    section = page.locator("#exp-initialization")
    expect(section.locator('[data-metric="zero_hidden_units_final"] .value')).to_have_text("8")
    expect(section.locator('[data-summary="similarity"]')).to_contain_text("按约定记为 1")
    expect(section.locator(".status")).to_contain_text("停滞")
    assert console_errors == []
