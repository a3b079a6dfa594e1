"""The 4-2 page in a real browser: figures, a redraw on a control change, the URL, the replay slider."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.replay_page import check_replay

FIGURES = {
    "handcrafted": ("decision_surface", "hidden_space", "network"),
    "train": ("loss", "decision_surface", "hidden_space", "replay"),
    "seeds": ("final_loss_histogram",),
    "width-sweep": ("success_vs_width",),
}

# With the warm-up off (as in these tests) the first visit renders the page, computing the results its
# prose quotes (app.quotes); on a loaded 2-core machine that can take longer than Playwright's 30 s.
FIRST_VISIT_MS = 120_000


def test_figures_draw_and_a_weight_change_redraws(page, live_server, console_errors, artifacts):
    page.goto(live_server + "/exercises/4-2?lang=en", timeout=FIRST_VISIT_MS)
    for experiment, names in FIGURES.items():
        for name in names:
            expect(page.locator(f"#exp-{experiment} [data-figure={name}] .main-svg").first).to_be_visible()
    section = page.locator("#exp-handcrafted")
    solves = section.locator('[data-metric="solves_xor"] .value')
    expect(solves).to_have_text("yes")
    expect(page.locator("#exp-handcrafted [data-figure=network]")).to_contain_text("W₁[1,2] = -1")
    # The controls carry the page's symbols: b₂ is the output bias, b₁[2] the bias of h₂.
    expect(section.locator('[data-param="b2"]')).to_contain_text("b₂ (output bias)")
    expect(section.locator('[data-param="b1_2"]')).to_contain_text("b₁[2] (bias of h₂)")
    summary = section.locator('[data-summary="network"]')
    expect(summary).to_contain_text("W₁ = [[1, −1], [−1, 1]], b₁ = [0, 0], w₂ = [1, 1], b₂ = 0.")

    box = section.locator('[data-param="b2"] input[type=number]')
    box.fill("0.6")
    box.dispatch_event("change")
    expect(section).to_have_attribute("data-state", "ready", timeout=10_000)
    expect(solves).to_have_text("no", timeout=10_000)
    expect(section.locator('[data-metric="outputs"] .value')).to_have_text("0.6, 1.6, 1.6, 0.6")
    expect(page.locator("#exp-handcrafted [data-figure=network]")).to_contain_text("b₂ = 0.6")
    expect(summary).to_contain_text("b₂ = 0.6.")
    assert re.search(r"handcrafted\.b2=0\.6", page.url)
    page.screenshot(path=str(artifacts / "4-2.png"), full_page=True)
    assert console_errors == []


def test_replay_slider_moves_the_frames(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-2?lang=en", timeout=FIRST_VISIT_MS)
    fig = page.locator("#exp-train [data-figure=replay]")
    expect(fig.locator(".main-svg").first).to_be_visible()
    surface = "gd => Array.from(gd._fullData[0].z.flat ? gd._fullData[0].z.flat() : gd._fullData[0].z)"
    final_z = fig.evaluate(surface)
    check_replay(page, "train", "replay", min_frames=20)  # ends with the slider dragged back to epoch 0
    assert fig.evaluate(surface) != final_z
    assert console_errors == []


def test_training_control_redraws_train_and_keeps_state_in_url(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-2?lang=en&train.seed=3", timeout=FIRST_VISIT_MS)
    section = page.locator("#exp-train")
    expect(section.locator('[data-metric="solves_xor"] .value')).to_have_text("no")
    expect(section.locator('[data-metric="dead_hidden_units"] .value')).to_have_text("1")
    select = section.locator('[data-param="hidden_units"] input[type=number]')
    select.fill("8")
    select.dispatch_event("change")
    expect(section).to_have_attribute("data-state", "ready", timeout=10_000)
    expect(section.locator('[data-metric="solves_xor"] .value')).to_have_text("yes", timeout=10_000)
    assert re.search(r"train\.hidden_units=8", page.url)
    assert console_errors == []


def test_the_second_solution_link_sets_the_second_solution(page, live_server, console_errors):
    page.goto(live_server + "/exercises/4-2?lang=en", timeout=FIRST_VISIT_MS)
    page.locator(".try a", has_text="Type the second solution").click()
    section = page.locator("#exp-handcrafted")
    expect(section.locator('[data-metric="outputs"] .value')).to_have_text("0, 1, 1, 0", timeout=10_000)
    expect(section.locator('[data-param="b1_2"] input[type=number]')).to_have_value("-1")
    expect(section.locator('[data-param="w2_2"] input[type=number]')).to_have_value("-2")
    expect(section.locator('[data-param="b2"] input[type=number]')).to_have_value("0")
    expect(section.locator('[data-summary="hidden_space"]')).to_contain_text("(0,1) and (1,0) coincide")
    assert console_errors == []
