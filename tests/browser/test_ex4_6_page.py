"""The 4-6 page in a real browser: figures, a control change, typed formulas good and bad."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay


def test_page_draws_and_controls_redraw(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-6?lang=en")
    section = page.locator("#exp-construct")
    for name in ("approximation", "hinges", "error_vs_units"):
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    for name in ("fit", "fit_replay", "loss"):
        expect(page.locator(f"#exp-train [data-figure={name}] .main-svg").first).to_be_visible()
    sup = section.locator('[data-metric="sup_error"] .value')
    before = sup.inner_text()

    box = section.locator('[data-param="units"] input[type=number]')
    box.fill("32")
    expect(sup).to_have_text("0.00479", timeout=10_000)  # 3 significant digits on the card
    expect(section).to_have_attribute("data-state", "ready")
    assert sup.inner_text() != before
    assert re.search(r"construct\.units=32", page.url)
    page.screenshot(path=str(artifacts / "4-6.png"), full_page=True)
    assert console_errors == []


def test_a_typed_formula_updates_the_fit_and_a_bad_one_shows_its_error(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-6?lang=en")
    section = page.locator("#exp-construct")
    expect(section.locator("[data-figure=approximation] .main-svg").first).to_be_visible()
    sup = section.locator('[data-metric="sup_error"] .value')
    section.locator('[data-param="target"] select').select_option("expression")
    expect(sup).to_have_text("0.211", timeout=10_000)  # the default formula sin(2*x) + abs(x)/2

    expression = section.locator('[data-param="expression"] input')
    expression.fill("x**2")
    # The interpolation error of x² is h²/4 on every piece: (2π/8)²/4 = 0.154213...
    expect(sup).to_have_text("0.154", timeout=10_000)
    assert "construct.expression=x" in page.url

    expression.fill("log(x) + __import__")
    error = section.locator('[data-param="expression"] .error')
    expect(error).to_contain_text("unknown name", timeout=10_000)
    expect(expression).to_have_attribute("aria-invalid", "true")
    expression.fill("log(x)")
    expect(error).to_contain_text("not finite", timeout=10_000)
    expression.fill("sqrt(abs(x))")
    expect(error).to_have_text("", timeout=10_000)
    expect(section).to_have_attribute("data-state", "ready")
    # The browser logs each refused request; nothing else may appear.
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_the_training_replay_moves_with_its_slider(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-6?lang=en")
    check_replay(page, "train", "fit_replay")
    assert console_errors == []


def test_the_step_reports_the_whole_jump_for_even_and_half_for_odd_units(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-6?lang=en&construct.target=step&construct.units=64")
    section = page.locator("#exp-construct")
    sup = section.locator('[data-metric="sup_error"] .value')
    expect(sup).to_have_text(re.compile(r"^1(\.00)?$"), timeout=15_000)  # the whole jump
    expect(section.locator('[data-summary="error_vs_units"]')).to_contain_text("slope −0.50")
    box = section.locator('[data-param="units"] input[type=number]')
    box.fill("63")
    expect(sup).to_have_text("0.5", timeout=10_000)
    assert console_errors == []
