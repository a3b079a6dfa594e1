"""The playground's controls and outputs in Chromium, one class at a time: a menu, a number box, a text box, a
checkbox each change the link and the result; the replay moves the surface and the neuron map and marks the
epoch on the loss, the gradient flow and the unit; an ensemble's statistics (seed bars, histogram, success
rate) count every network; the gradient flow has one curve per weight layer on a log axis; JSON, CSV and
figure exports download what is shown; a classroom link hides controls and keeps their values; the layer
buttons follow and change the layers box.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect


def _open(page, server: str, query: str, lang: str = "en"):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/playground?lang={lang}&{query}")
    section = page.locator("#exp-train")
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    return section


def _params(page) -> dict:
    return page.evaluate("() => window.fflab.views[0].result.params")


def _wait_for(page, **params) -> dict:
    """Wait until the result shown is that of `params` and the section is ready; return its params."""
    check = " && ".join(f"p[{json.dumps(k)}] === {json.dumps(v)}" for k, v in params.items())
    page.wait_for_function(f"() => {{ const v = window.fflab.views[0]; const p = v.result && v.result.params;"
                           f" return p && {check} && v.section.dataset.state === 'ready'; }}", timeout=20_000)
    return _params(page)


def test_every_class_of_control_changes_the_link_and_the_result(page, live_server, console_errors):
    section = _open(page, live_server, "train.epochs=30")
    section.locator('[data-param="activation"] select').select_option("relu")  # a menu
    _wait_for(page, activation="relu")
    epochs = section.locator('[data-param="epochs"] input:not([type=range])')  # a number box
    epochs.fill("35")
    epochs.press("Enter")
    _wait_for(page, activation="relu", epochs=35)
    layers = section.locator('[data-param="layers"] input')  # a text box
    layers.fill("5,3,2")
    layers.press("Enter")
    _wait_for(page, layers="5,3,2", epochs=35)
    section.locator('[data-param="l2"] input:not([type=range])').fill("0.001")
    section.locator('[data-param="l2"] input:not([type=range])').press("Enter")
    _wait_for(page, l2=0.001)
    section.locator('[data-param="l2_biases"] input[type=checkbox]').check()  # a checkbox
    p = _wait_for(page, l2_biases=True)
    for part in ("train.activation=relu", "train.epochs=35", "train.layers=5%2C3%2C2", "train.l2_biases=true"):
        assert part in page.url, part
    assert p["layers"] == "5,3,2" and page.evaluate("() => window.fflab.views[0].result.metrics.parameters") == (
        2 * 5 + 5 + 5 * 3 + 3 + 3 * 2 + 2 + 2 + 1)
    # The neuron map has a column per layer: input, three hidden, output.
    assert page.evaluate("() => document.querySelector('#exp-train [data-figure=neurons]').layout.annotations"
                         ".filter((a) => a.yref === 'y' && a.y < 0).length") == 5
    assert console_errors == []


def test_the_replay_moves_the_surface_and_the_units_and_marks_the_epoch(page, live_server, console_errors):
    section = _open(page, live_server, "train.epochs=60")
    last = section.get_attribute("data-replay-epoch")
    assert last == "60"
    title = lambda: page.evaluate(  # noqa: E731
        "() => document.querySelector('#exp-train [data-figure=surface]').layout.title.text")
    before = title()
    epoch = last
    while int(epoch) > 20:  # step back through the surface's frames to an early epoch
        section.locator("button.replay-back").first.click()
        page.wait_for_function(f"() => document.querySelector('#exp-train').dataset.replayEpoch !== '{epoch}'")
        epoch = section.get_attribute("data-replay-epoch")
    page.wait_for_function(f"() => document.querySelector('#exp-train [data-figure=surface]').layout.title.text"
                           f".includes('epoch {epoch}:')")
    assert title() != before
    neurons = page.evaluate("() => document.querySelector('#exp-train [data-figure=neurons]').layout.title.text")
    shown = int(neurons.rsplit("epoch ", 1)[1])  # the map's nearest frame to the epoch shown
    frames = page.evaluate("() => window.fflab.views[0].result.figures.neurons.frames.map((f) => Number(f.name))")
    assert shown == min(frames, key=lambda e: (abs(e - int(epoch)), e)) and shown != 60
    for name in ("loss", "gradients", "unit"):  # every figure over the epochs marks the epoch shown
        marks = page.evaluate(f"() => (document.querySelector('#exp-train [data-figure={name}]').layout.shapes || [])"
                              ".filter((s) => s.name === 'replay').map((s) => s.x0)")
        assert marks == [int(epoch)], name
    section.locator(".unit-pick select").select_option("1.0")  # redrawn in the page: marked again
    page.wait_for_function(f"() => (document.querySelector('#exp-train [data-figure=unit]').layout.shapes || [])"
                           f".some((s) => s.name === 'replay' && s.x0 === {int(epoch)})"
                           " && document.querySelector('#exp-train [data-figure=unit]').dataset.unit === '1.0'")
    assert console_errors == []


def test_an_ensemble_counts_every_network_in_its_statistics(page, live_server, console_errors):
    section = _open(page, live_server, "train.dataset=xor&train.layers=4&train.activation=relu&train.n_seeds=12"
                                  "&train.epochs=80")
    counts = page.evaluate("""() => {
      const sum = (name, pick) => document.querySelector(`#exp-train [data-figure=${name}]`).data
        .filter(pick).map((t) => window.FFLab.decode(t.y)).flat().length;
      const total = (name, pick) => document.querySelector(`#exp-train [data-figure=${name}]`).data
        .filter(pick).map((t) => window.FFLab.decode(t.y).reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0);
      return { bars: sum('seeds', (t) => t.type === 'bar'),
               scores: total('histogram', (t) => t.xaxis !== 'x2'),
               reached: total('histogram', (t, i) => i === 0),
               losses: total('histogram', (t) => t.xaxis === 'x2'),
               rate: window.fflab.views[0].result.metrics.success_rate };
    }""")
    assert counts["bars"] == 12 and counts["scores"] == 12 and counts["losses"] == 12
    assert counts["reached"] == round(12 * counts["rate"])
    expect(section.locator('[data-metric="networks"] .value')).to_have_text("12")
    title = page.evaluate("() => document.querySelector('#exp-train [data-figure=loss]').layout.title.text")
    assert "median of 12 networks" in title
    assert console_errors == []


def test_the_gradient_flow_has_a_curve_per_weight_layer_on_a_log_axis(page, live_server, console_errors):
    _open(page, live_server, "train.activation=sigmoid&train.layers=6,6,6,6&train.epochs=40")
    g = page.evaluate("""() => { const gd = document.querySelector('#exp-train [data-figure=gradients]');
      return { n: gd.data.length, type: gd._fullLayout.yaxis.type, names: gd.data.map((t) => t.name),
               first: gd.data.map((t) => window.FFLab.decode(t.y)[0]) }; }""")
    assert g["n"] == 5 and g["type"] == "log" and g["names"][-1] == "output layer"
    assert g["first"][0] < g["first"][3]  # a sigmoid stack: smaller toward the input at the first step
    assert console_errors == []


def test_exports_download_the_result_shown(page, live_server, console_errors):
    section = _open(page, live_server, "train.epochs=25&train.n_seeds=2")
    with page.expect_download() as dl:
        section.locator("button.download-json").click()
    body = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert dl.value.suggested_filename == "playground-train.json"
    assert body["params"]["epochs"] == 25 and set(body["figures"]) >= {"surface", "unit", "histogram"}
    with page.expect_download() as dl:
        section.locator("button.download-csv").click()
    rows = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert dl.value.suggested_filename == "playground-train.csv" and rows[0] == "series,index,value"
    assert any(r.startswith("train_loss,") for r in rows) and any(r.startswith("weight_epoch,") for r in rows)
    wrap = section.locator('[data-figure="histogram"]').locator("xpath=..")
    wrap.locator(".fig-save summary").click()
    with page.expect_download() as dl:
        wrap.locator(".fig-save button[data-format=svg]").click()
    assert dl.value.suggested_filename == "playground-train-histogram.svg"
    section.locator(".api-box summary").click()
    expect(section.locator(".api-box .curl")).to_contain_text("/api/playground/train?")
    expect(section.locator(".api-box .curl")).to_contain_text("n_seeds=2")
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en"])  # the exercises' classroom tests run in both languages
def test_a_classroom_link_hides_controls_and_keeps_their_values(page, live_server, console_errors, lang):
    section = _open(page, live_server, "train.dataset=xor&train.layers=8&train.activation=relu&train.epochs=40"
                                  "&hide=train.dataset,train.layers,train.activation", lang)
    for name in ("dataset", "layers", "activation"):
        expect(section.locator(f'[data-param="{name}"]')).to_be_hidden()
    expect(section.locator('[data-param="epochs"]')).to_be_visible()
    epochs = section.locator('[data-param="epochs"] input:not([type=range])')
    epochs.fill("45")
    epochs.press("Enter")
    p = _wait_for(page, epochs=45)
    assert (p["dataset"], p["layers"], p["activation"]) == ("xor", "8", "relu")
    assert "hide=" in page.url
    assert console_errors == []


@pytest.mark.parametrize("lang", ["zh"])  # its words in Chinese; the English ones are the same code
def test_the_layer_buttons_follow_and_change_the_layers_box(page, live_server, console_errors, lang):
    section = _open(page, live_server, "train.layers=3&train.epochs=20", lang)
    steps = section.locator('[data-param="layers"] .layer-steps')
    box = section.locator('[data-param="layers"] input')
    steps.locator("button.layer-step").last.click()  # + layer: a copy of the last width
    expect(box).to_have_value("3,3")
    _wait_for(page, layers="3,3")
    steps.locator(".layer-width").nth(1).locator("button").last.click()  # one unit more in layer 2
    expect(box).to_have_value("3,4")
    _wait_for(page, layers="3,4")
    steps.locator(".layer-width").first.locator("button").first.click()  # one unit fewer in layer 1
    _wait_for(page, layers="2,4")
    expect(steps.locator(".layer-width")).to_have_count(2)
    box.fill("1")  # the buttons follow the box; the narrowest layer cannot lose its last unit
    box.press("Enter")
    _wait_for(page, layers="1")
    expect(steps.locator(".layer-width").first.locator("button").first).to_be_disabled()
    steps.locator("button.layer-step").nth(-2).click()  # − layer: none left
    _wait_for(page, layers="")
    expect(steps.locator(".layer-width")).to_have_text(["no hidden layer" if lang == "en" else "没有隐藏层"])
    assert "train.layers=&" in page.url + "&"
    assert console_errors == []
