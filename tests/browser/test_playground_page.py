"""The playground in Chromium: every figure draws, the knobs come in groups with the irrelevant ones folded,
a feature checkbox changes the link and the result, a bad layers string is refused beside its control, the
replay bar is there, and axe finds nothing serious; the Chinese page too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_controls import no_serious_axe_violations

FIGURES = ("surface", "neurons", "loss", "gradients", "dead_units", "seeds")


@pytest.fixture
def server(live_server) -> str:
    return live_server


def test_the_playground_draws_and_its_knobs_work(page, server, console_errors, artifacts):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server + "/playground?lang=en&train.dataset=xor&train.layers=")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    expect(section).to_have_attribute("data-playground", "ready")
    for name in FIGURES:
        expect(section.locator(f"[data-figure={name}] .main-svg").first).to_be_visible()
    expect(section.locator("[data-figure=surface]").locator("xpath=..").locator(".replay")).to_be_visible()
    expect(section.locator("fieldset.knobs legend")).to_have_text(["Data and features", "Network", "Training", "Seeds"])

    # Knobs that do not apply are folded away until they do.
    elu = section.locator('[data-param="elu_alpha"]')
    expect(elu).to_be_hidden()
    section.locator('[data-param="activation"] select').select_option("elu")
    expect(elu).to_be_visible()
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)

    # XOR with no hidden layer stays near chance; the feature x1x2 separates it.
    accuracy = section.locator('[data-metric="test_accuracy"] .value')
    before_text = accuracy.inner_text()  # read before the change: its answer may come back at once
    assert float(before_text.rstrip(" %")) < 80
    section.locator('[data-param="features"] input[value="x1x2"]').check()
    expect(section.locator('[data-param="features"] input[type=text]')).to_have_value("x1,x2,x1x2")
    expect(accuracy).not_to_have_text(before_text, timeout=15_000)
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    assert float(accuracy.inner_text().rstrip(" %")) >= 90
    assert "train.features=x1%2Cx2%2Cx1x2" in page.url or "train.features=x1,x2,x1x2" in page.url

    # A layers string that does not parse is refused beside its control, in words.
    layers = section.locator('[data-param="layers"] input')
    layers.fill("4,x")
    layers.press("Enter")
    expect(section.locator('[data-param="layers"] .error')).to_contain_text("layer 2", timeout=15_000)
    page.screenshot(path=str(artifacts / "playground.png"), full_page=True)
    no_serious_axe_violations(page)
    assert [e for e in console_errors if "status of 422" not in e] == []  # the refusal itself


def test_the_chinese_page_draws(page, server, console_errors):
    page.goto(server + "/playground?lang=zh&train.epochs=50")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    expect(page.locator("h1")).to_have_text("游乐场")
    expect(section.locator("fieldset.knobs legend").nth(1)).to_have_text("网络")
    expect(section.locator("[data-figure=neurons] .gtitle")).to_contain_text("每个单元")
    assert console_errors == []
