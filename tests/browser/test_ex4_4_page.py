"""The 4-4 page and the index in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_index_shows_nine_cards(page, live_server, console_errors):
    page.goto(live_server + "/?lang=en")
    expect(page.locator(".card")).to_have_count(9)
    assert console_errors == []


def test_figures_draw_and_beta_redraws_them(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-4?lang=en")
    section = page.locator("#exp-derivative")
    expect(section.locator("[data-figure=function] .main-svg").first).to_be_visible()
    expect(page.locator("#exp-swish-family [data-figure=swish] .main-svg").first).to_be_visible()
    before = section.locator('[data-metric="df_at_probe"] .value').inner_text()

    # Drag β's slider with the keyboard-free path a user takes: set the range and fire `input`.
    slider = section.locator('[data-param="beta"] input[type=range]')
    slider.evaluate("s => { s.value = 1.7; s.dispatchEvent(new Event('input', {bubbles: true})); }")
    expect(section).to_have_attribute("data-state", "ready", timeout=10_000)
    expect(section.locator('[data-metric="df_at_probe"] .value')).to_have_text("1.0980185722642861")
    assert section.locator('[data-metric="df_at_probe"] .value').inner_text() != before
    assert re.search(r"derivative\.beta=1\.7", page.url)
    # Each figure carries a one-sentence summary for screen readers, with its numbers.
    expect(section.locator('[data-summary="function"]')).to_contain_text("differ by at most")
    expect(page.locator('#exp-gelu-approximations [data-summary="errors"]')).to_contain_text("times smaller")
    page.screenshot(path=str(artifacts / "4-4.png"), full_page=True)
    assert console_errors == []


def test_state_in_url_survives_reload(page, live_server):
    page.goto(live_server + "/exercises/4-4?lang=en&derivative.function=gelu&derivative.x_probe=-0.7")
    section = page.locator("#exp-derivative")
    expect(section.locator('[data-param="function"] select')).to_have_value("gelu")
    expect(section.locator('[data-metric="df_at_probe"] .value')).to_have_text(re.compile(r"^0\.0233858988663401"))


def test_a_bad_value_shows_the_error_beside_its_control(page, live_server):
    page.goto(live_server + "/exercises/4-4?lang=en")
    box = page.locator('#exp-derivative [data-param="points"] input[type=number]')
    box.fill("5000")
    error = page.locator('#exp-derivative [data-param="points"] .error')
    # The refusal is the reader's sentence of app.messages: the control's label and the bound.
    expect(error).to_contain_text("Points: at most 2001", timeout=10_000)
    expect(box).to_have_attribute("aria-invalid", "true")


def test_switch_to_chinese_and_back(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-4?lang=en")
    page.click("#lang-switch")
    expect(page.locator("h1")).to_contain_text("Swish 与 GELU 的导数")
    expect(page.locator("#exp-gelu-approximations [data-figure=gelu] .gtitle")).to_contain_text("GELU 及其近似")
    page.click("#lang-switch")
    expect(page.locator("h1")).to_contain_text("Derivatives of Swish and GELU")
    assert console_errors == []


def test_api_docs_work_offline_under_the_csp(page, live_server, console_errors):
    page.goto(live_server + "/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=10_000)
    assert console_errors == []
