"""The playground in Chromium: every figure draws, the knobs come in groups with the irrelevant ones folded,
a feature checkbox changes the link and the result, a bad layers string is refused beside its control, the
replay bar is there, and axe finds nothing serious; the Chinese page too. A unit picked on the neuron map or
in the list is drawn in the browser from the result's numbers exactly as the server draws it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_controls import no_serious_axe_violations

FIGURES = ("surface", "neurons", "unit", "loss", "gradients", "dead_units", "seeds", "histogram")


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


def _unit_figure(page) -> dict:
    return page.evaluate("""() => {
      const gd = document.querySelector('#exp-train [data-figure="unit"]');
      return { unit: gd.dataset.unit, title: gd.layout.title.text, summary: gd.layout.meta.summary,
               names: gd.data.map((t) => t.name), y: gd.data.map((t) => Array.from(window.FFLab.decode(t.y))),
               caption: document.querySelector('#exp-train [data-summary="unit"]').textContent };
    }""")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_unit_picked_on_the_map_or_in_the_list_is_drawn_as_the_server_draws_it(page, server, console_errors, lang):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/playground?lang={lang}&train.layers=3,2&train.epochs=40")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    server_fig = _unit_figure(page)
    pick = section.locator(".unit-pick select")
    expect(pick).to_have_value("0.0")
    assert pick.locator("option").count() == 3 + 2 + 1  # every hidden unit and the output

    # The browser's drawing of the server's own unit: the same words and numbers (a second code path).
    pick.select_option("0.1")
    page.wait_for_function("() => document.querySelector('#exp-train [data-figure=unit]').dataset.unit === '0.1'")
    pick.select_option("0.0")
    page.wait_for_function("() => document.querySelector('#exp-train [data-figure=unit]').dataset.unit === '0.0'")
    page.evaluate("() => { const v = window.fflab.views[0]; const f = v.result.figures.unit;"
                  " f.layout.meta.units.layer = -1; window.FFLab.playgroundUnits.show(0, 0); }")  # force the JS path
    browser_fig = _unit_figure(page)
    assert browser_fig["title"] == server_fig["title"] and browser_fig["summary"] == server_fig["summary"]
    assert browser_fig["names"] == server_fig["names"]
    for a, b in zip(browser_fig["y"], server_fig["y"], strict=True):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-300)

    # A click on the output unit of the neuron map (layer 3 of the map) shows its two incoming weights and its bias.
    centre = page.evaluate("""() => {
      const gd = document.querySelector('#exp-train [data-figure="neurons"]');
      gd.scrollIntoView({ block: "center" });
      const t = gd.data.find((d) => d.customdata);
      const cd = Array.from(t.customdata), k = cd.findIndex((c) => c[0] === 3);
      const xs = window.FFLab.decode(t.x), ys = window.FFLab.decode(t.y);
      const fl = gd._fullLayout, b = gd.getBoundingClientRect();
      return [b.left + fl.xaxis._offset + fl.xaxis.d2p(xs[k]), b.top + fl.yaxis._offset + fl.yaxis.d2p(ys[k])];
    }""")
    page.mouse.click(*centre)
    page.wait_for_function("() => document.querySelector('#exp-train [data-figure=unit]').dataset.unit === '2.0'")
    out = _unit_figure(page)
    assert len(out["names"]) == 2 + 1 and pick.input_value() == "2.0"
    data = page.evaluate("() => window.fflab.views[0].result.data")
    assert out["y"][1] == pytest.approx([w[1][0] for w in data["weights"][2]], rel=1e-12)
    assert out["y"][2] == pytest.approx([b[0] for b in data["biases"][2]], rel=1e-12)
    assert out["caption"].endswith(out["summary"])

    # A new result keeps the chosen unit while the network still has it.
    section.locator('[data-param="epochs"] input').first.fill("41")
    section.locator('[data-param="epochs"] input').first.press("Enter")
    page.wait_for_function("() => window.fflab.views[0].result.params.epochs === 41"
                           " && document.querySelector('#exp-train').dataset.state === 'ready'")
    page.wait_for_function("() => document.querySelector('#exp-train [data-figure=unit]')"
                           ".layout.meta.units.layer === 2")
    assert console_errors == []
