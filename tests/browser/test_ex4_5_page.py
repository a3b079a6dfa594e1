"""The 4-5 page in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

# With the warm-up off (as in these tests) the first visit renders the page, computing the results its
# prose quotes (app.quotes); on a loaded 2-core machine that can take longer than Playwright's 30 s.
FIRST_VISIT_MS = 120_000


def test_figures_draw_and_a_control_redraws(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-5?lang=en", timeout=FIRST_VISIT_MS)
    count = page.locator("#exp-parameter-count")
    for name in ("params_vs_layers", "breakdown"):
        expect(count.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    depth = page.locator("#exp-depth-at-budget")
    for name in ("loss_vs_layers", "boundaries"):
        expect(depth.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    expect(count.locator('[data-metric="best_layers"] .value')).to_have_text("2")
    expect(count.locator('[data-metric="all_match"] .value')).to_have_text("yes")
    expect(count.locator('[data-summary="params_vs_layers"]')).to_contain_text("L = 1: 1441, L = 2: 4381")

    box = count.locator('[data-param="input_dim"] input[type=number]')
    box.fill("100")
    box.dispatch_event("change")
    expect(count).to_have_attribute("data-state", "ready", timeout=10_000)
    expect(count.locator('[data-metric="best_layers"] .value')).to_have_text("1", timeout=10_000)
    expect(count.locator('[data-summary="params_vs_layers"]')).to_contain_text("M₀ = 100")
    assert re.search(r"parameter-count\.input_dim=100", page.url)
    page.screenshot(path=str(artifacts / "4-5.png"), full_page=True)
    assert console_errors == []


def test_depth_control_redraws(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-5?lang=en", timeout=FIRST_VISIT_MS)
    depth = page.locator("#exp-depth-at-budget")
    expect(depth.locator("[data-figure=boundaries] .main-svg").first).to_be_visible()
    before = depth.locator('[data-metric="params_by_layers"] .value').inner_text()
    box = depth.locator('[data-param="n_hidden"] input[type=number]')
    box.fill("12")
    box.dispatch_event("change")
    expect(depth.locator('[data-metric="params_by_layers"] .value')).not_to_have_text(before, timeout=15_000)
    expect(depth).to_have_attribute("data-state", "ready", timeout=15_000)
    assert re.search(r"depth-at-budget\.n_hidden=12", page.url)
    assert console_errors == []
