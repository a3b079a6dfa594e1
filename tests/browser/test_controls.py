"""The controls and the page's state, in Chromium and both languages: refusals said once in the reader's
language beside their control, the usable range under the work budget, stale results dimmed, typed
intermediate values never drawn, commas and 1e3, unknown URL keys, the language link, the keyboard
(log steps, one tab stop per figure), option labels and the numbers on the cards."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.i18n import SHELL

CJK = re.compile(r"[\u4e00-\u9fff]")
DEVELOPER_WORDING = re.compile(r"too costly|budget \d|Input should|Value error|Extra inputs|unable to parse")


def s(key: str, lang: str) -> str:
    return SHELL[key][lang]


def box(section, name):
    return section.locator(f'[data-param="{name}"] input:not([type=range])')


def api_requests(page, experiment: str) -> list[str]:
    """Record the query of every request the page makes for `experiment` (plain or stream route)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url.split("?", 1)[1] if "?" in r.url else "")
            if f"/{experiment}?" in r.url or f"/{experiment}/stream?" in r.url else None)
    return seen


def no_serious_axe_violations(page) -> None:
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps([(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in bad], indent=1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refusal_is_said_once_beside_its_control_and_the_slider_stops_at_the_limit(
        page, open_exercise, console_errors, artifacts, lang):
    open_exercise("4-5", lang)
    section = page.locator("#exp-depth-at-budget")
    epochs = box(section, "epochs")
    control = section.locator('[data-param="epochs"]')
    label = control.locator("label").inner_text()
    epochs.fill(epochs.get_attribute("max"))  # far over the work budget at the other settings
    epochs.press("Enter")
    error = control.locator(".error")
    expect(error).to_contain_text(label, timeout=15_000)
    expect(section).to_have_attribute("data-state", "error")
    text = error.inner_text()
    limit = int(re.findall(r"\d+", text.replace(label, ""))[-1])
    assert ("最多约" in text) if lang == "zh" else ("at most about" in text), text
    # Each message once, in the page's language, never the developer's wording; none in the status line.
    shown = [t for t in section.locator(".control .error").all_inner_texts() if t]
    assert shown and len(set(shown)) == len(shown)
    whole = section.inner_text()
    assert all(whole.count(t) == 1 for t in shown), shown
    assert not DEVELOPER_WORDING.search(whole)
    assert all(CJK.search(t) for t in shown) if lang == "zh" else not any(CJK.search(t) for t in shown)
    expect(section.locator(".status")).to_have_text(s("not_updated", lang))
    # The last figures stay, dimmed, and say they are from the last valid settings.
    expect(section).to_have_attribute("data-stale", "")
    expect(section.locator(".stale-note")).to_have_text(s("stale", lang))
    # The dimming is a CSS transition (0.1 s delay, 0.2 s long): wait for it to settle, don't sample it mid-way.
    page.wait_for_function("e => parseFloat(getComputedStyle(e).opacity) < 0.6",
                           arg=section.locator(".figure").first.element_handle(), timeout=5_000)
    expect(control.locator(".limit")).to_be_hidden()  # the error says the limit already
    no_serious_axe_violations(page)
    control.screenshot(path=str(artifacts / f"controls-refused-{lang}.png"))

    # The slider now stops at the limit; the usable range stays shown under the control.
    slider = control.locator("input[type=range]")
    slider.fill(slider.get_attribute("max"))
    expect(epochs).to_have_value(str(limit))
    expect(section).to_have_attribute("data-state", "ready", timeout=30_000)
    expect(error).to_have_text("")
    expect(control.locator(".limit")).to_be_visible()
    expect(control.locator(".limit")).to_contain_text(str(limit))
    expect(control.locator(".over-budget")).to_be_visible()
    expect(section.locator(".stale-note")).to_be_hidden()
    assert section.get_attribute("data-stale") is None
    control.screenshot(path=str(artifacts / f"controls-limit-{lang}.png"))
    # Another setting changed: the limit no longer holds, and is no longer shown.
    box(section, "n_seeds").fill("1")
    expect(control.locator(".limit")).to_be_hidden()
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_a_typed_intermediate_value_is_never_drawn_and_stale_figures_say_so(page, open_exercise, console_errors):
    open_exercise("4-4", "en")
    section = page.locator("#exp-derivative")
    asked = api_requests(page, "derivative")
    points = box(section, "points")
    points.fill("")
    points.press_sequentially("150", delay=150)  # "1", "15" on the way to "150"
    expect(section).to_have_attribute("data-stale", "")  # pending: the figures are from before
    expect(section.locator(".stale-note")).to_be_visible()
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(section.locator('[data-metric="max_abs_error"]')).to_be_visible()
    page.wait_for_timeout(800)
    assert [q for q in asked if "points=" in q] and all("points=150&" in q + "&" for q in asked), asked
    points.press("Enter")  # already asked while typing: not again
    page.wait_for_timeout(300)
    assert len(asked) == 1, asked
    assert section.get_attribute("data-stale") is None
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_comma_decimal_reads_as_a_point_and_1e3_is_a_whole_number(page, open_exercise, console_errors, lang):
    open_exercise("4-4", lang)
    section = page.locator("#exp-derivative")
    asked = api_requests(page, "derivative")
    beta = box(section, "beta")
    beta.fill("")
    beta.press_sequentially("0,5")
    expect(beta).to_have_value("0.5")
    with page.expect_response(lambda r: "/derivative?" in r.url and "beta=0.5&" in r.url) as answer:
        beta.press("Enter")
    assert answer.value.status == 200 and "derivative.beta=0.5" in page.url

    points = box(section, "points")
    points.fill("")
    points.press_sequentially("1e3")
    with page.expect_response(lambda r: "/derivative?" in r.url and "points=1e3" in r.url) as answer:
        points.press("Enter")
    assert answer.value.status == 200
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    expect(section.locator(".control .error:not(:empty)")).to_have_count(0)
    assert "derivative.points=1e3" in page.url

    # A comma in a whole number is refused at once, in the page's language, and nothing is sent.
    before = len(asked)
    points.fill("")
    points.press_sequentially("0,1")
    error = section.locator('[data-param="points"] .error')
    label = section.locator('[data-param="points"] label').inner_text()
    expect(error).to_have_text(s("comma_integer", lang).format(label=label))
    page.wait_for_timeout(1000)
    assert len(asked) == before, asked[before:]
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_url_parameter_is_reported_once_and_dropped(page, open_exercise, context, console_errors, lang):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_exercise("4-4", lang, "derivative.nosuch=3&bogus=1&derivative.beta=2")
    note = page.locator(".url-note")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("derivative.nosuch=3")
    expect(note).to_contain_text("bogus=1")
    assert page.locator("main").inner_text().count("nosuch") == 1
    assert "nosuch" not in page.url and "bogus" not in page.url and "derivative.beta=2" in page.url
    section = page.locator("#exp-derivative")
    expect(section).to_have_attribute("data-state", "ready")
    expect(box(section, "beta")).to_have_value("2")
    section.locator("button.copy-link").click()
    link = page.evaluate("navigator.clipboard.readText()")
    assert "nosuch" not in link and "bogus" not in link and "derivative.beta=2" in link
    assert "nosuch" not in page.locator("#lang-switch").get_attribute("href")
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_switching_language_keeps_every_control_and_the_anchor(page, open_exercise, console_errors, lang):
    other = "zh" if lang == "en" else "en"
    open_exercise("4-4", lang)
    section = page.locator("#exp-derivative")
    beta = box(section, "beta")
    beta.focus()
    page.keyboard.press("ArrowUp")
    section.locator('[data-param="function"] select').select_option("gelu")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    page.evaluate("location.hash = 'exp-swish-family'")
    switch = page.locator("#lang-switch")
    expect(switch).to_have_attribute("href", re.compile(r"#exp-swish-family$"))
    href = switch.get_attribute("href")
    assert "derivative.beta=1.1" in href and "derivative.function=gelu" in href and f"lang={other}" in href
    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if other == "zh" else "en")
    expect(box(page.locator("#exp-derivative"), "beta")).to_have_value("1.1")
    expect(page.locator('#exp-derivative [data-param="function"] select')).to_have_value("gelu")
    assert page.url.endswith("#exp-swish-family")
    back = page.locator("#lang-switch").get_attribute("href")
    assert f"lang={lang}" in back and "derivative.beta=1.1" in back and back.endswith("#exp-swish-family")
    assert console_errors == []


def test_number_boxes_step_sensibly_and_log_scales_step_by_a_factor(page, open_exercise, console_errors):
    open_exercise("4-2", "en")
    section = page.locator("#exp-train")
    lr = box(section, "lr")  # log scale, 0.1 at the defaults
    lr.focus()
    for key, value in [("ArrowUp", "0.2"), ("ArrowUp", "0.5"), ("ArrowUp", "1"), ("ArrowDown", "0.5"),
                       ("PageUp", "5"), ("PageDown", "0.5"), ("ArrowDown", "0.2")]:
        page.keyboard.press(key)
        expect(lr).to_have_value(value)
    expect(section).to_have_attribute("data-state", "ready", timeout=30_000)
    assert "train.lr=0.2" in page.url
    epochs = box(section, "epochs")
    epochs.focus()
    page.keyboard.press("ArrowDown")
    expect(epochs).to_have_value("4999")
    # The slider is the mouse's: the number box is each control's one tab stop.
    for slider in section.locator("input[type=range]:not(.replay-range)").all():
        assert slider.get_attribute("tabindex") == "-1"
    b2 = box(page.locator("#exp-handcrafted"), "b2")  # a linear step of 0.1 from 0
    b2.focus()
    page.keyboard.press("ArrowUp")
    expect(b2).to_have_value("0.1")
    assert console_errors == []


# Tab stops inside each figure (the Plotly graph itself), and inside its wrapper (figure, replay bar, save menu).
TAB_STOPS = """() => [...document.querySelectorAll('figure.figure-wrap')].map((w) => {
  const stops = (root) => [...root.querySelectorAll('a[href], button, input, select, summary, [tabindex]')]
    .filter((e) => e.tabIndex >= 0 && !e.disabled && e.checkVisibility());
  return [w.querySelector('[data-figure]').dataset.figure, stops(w.querySelector('[data-figure]')).length,
          stops(w).filter((e) => !e.closest('.replay')).length];
})"""


@pytest.mark.parametrize("exercise", ["4-2", "4-9"])
def test_figure_toolbars_add_one_tab_stop_per_figure(page, open_exercise, console_errors, artifacts, exercise):
    open_exercise(exercise, "en")
    page.locator("[data-figure] .modebar-btn").first.wait_for(state="attached")
    stops = page.evaluate(TAB_STOPS)
    assert stops and all(inside == 0 and around == 1 for _, inside, around in stops), stops
    # The one stop opens a menu: PNG or SVG, by keyboard.
    wrap = page.locator("figure.figure-wrap").first
    name = wrap.locator("[data-figure]").get_attribute("data-figure")
    section = page.locator("section.experiment").first.get_attribute("data-experiment")
    wrap.locator(".fig-save summary").focus()
    page.keyboard.press("Enter")
    expect(wrap.locator(".fig-save button[data-format=png]")).to_be_visible()
    page.keyboard.press("Tab")
    with page.expect_download() as dl:
        page.keyboard.press("Enter")
    assert dl.value.suggested_filename == f"{exercise}-{section}-{name}.png"
    wrap.screenshot(path=str(artifacts / f"figure-save-menu-{exercise}.png"))
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("exercise", ["4-2", "4-8", "4-9"])
def test_every_menu_shows_its_options_labels_in_the_page_language(page, open_exercise, exercise, lang):
    open_exercise(exercise, lang)
    data = json.loads(page.locator("#page-data").inner_text())
    labels = {}
    for e in data["experiments"]:
        for name, prop in e["info"]["params"]["properties"].items():
            if "x-option-labels" in prop:
                labels[(e["info"]["name"], name)] = {v: t[lang] for v, t in prop["x-option-labels"].items()}
    assert labels
    for (experiment, name), expected in labels.items():
        options = page.locator(f'#exp-{experiment} [data-param="{name}"] select option')
        shown = {o.get_attribute("value"): o.inner_text() for o in options.all()}
        assert shown == {str(v): t for v, t in expected.items()}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cards_show_sensible_precision_and_lists_as_tables(page, open_exercise, artifacts, lang):
    open_exercise("4-3", lang)
    metrics = page.evaluate("Object.fromEntries(window.fflab.views.map((v) => [v.name, v.result.metrics]))")
    dying = page.locator("#exp-dying")
    fraction = metrics["dying"]["dead_fraction_final"]
    pct = f"{100 * fraction:.1f}".removesuffix(".0") + (" %" if lang == "en" else "%")
    expect(dying.locator('[data-metric="dead_fraction_final"] .value')).to_have_text(pct)
    loss = metrics["one-unit"]["loss_after_first_step"]
    expect(page.locator('#exp-one-unit [data-metric="loss_after_first_step"] .value')).to_have_text(f"{loss:.3g}")
    # A value per learning rate and activation: a table whose header row is the rates.
    sweep = page.locator("#exp-lr-sweep")
    table = sweep.locator('[data-metric="runs_with_dead_units"] table')
    expect(table).to_be_visible()
    rates = metrics["lr-sweep"]["learning_rates"]
    assert table.locator("thead th").count() == len(rates) + 1
    assert table.locator("tbody tr").count() == len(metrics["lr-sweep"]["runs_with_dead_units"])
    relu = "ReLU"
    expect(table.locator("tbody th").first).to_have_text(relu)
    per_rate = sweep.locator('[data-metric="diverged"] table')
    expect(per_rate.locator("tbody td")).to_have_count(len(rates))
    first = metrics["lr-sweep"]["diverged"][0]
    expect(per_rate.locator("tbody td").first).to_have_text(s("yes" if first else "no", lang))
    sweep.locator(".metrics").screenshot(path=str(artifacts / f"metric-tables-4-3-{lang}.png"))


def test_full_precision_metrics_keep_every_digit(page, open_exercise):
    open_exercise("4-4", "en")
    value = page.evaluate("window.fflab.views[0].result.metrics.df_at_probe")
    expect(page.locator('#exp-derivative [data-metric="df_at_probe"] .value')).to_have_text(repr(value))


# Every visible number box with its value and whether its text is wider than the box (cut off).
NUMBER_BOXES = """() => [...document.querySelectorAll('section.experiment input[type=number]')]
  .filter((i) => i.checkVisibility())
  .map((i) => [`${i.closest('section').dataset.experiment}.${i.name}`, i.value, i.scrollWidth, i.clientWidth])"""


@pytest.mark.parametrize(("exercise", "lang"), [(f"4-{i}", "en") for i in range(1, 10)] + [("4-6", "zh")])
def test_every_number_box_shows_its_whole_value_on_a_laptop_and_a_phone(page, live_server, exercise, lang):
    # 4-6's interval ends default to ±π in full (18 characters); -3.141592 is the value a reader saw cut off.
    query = "&construct.x_min=-3.141592" if exercise == "4-6" else ""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/exercises/{exercise}?lang={lang}{query}", timeout=90_000)
    page.wait_for_function("window.fflab && window.fflab.views.length > 0")  # the controls are built
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        boxes = page.evaluate(NUMBER_BOXES)
        assert boxes and all(value != "" for _, value, _, _ in boxes), boxes
        cut = [(name, value, f"{inner}px of text in {shown}px") for name, value, inner, shown in boxes if inner > shown]
        assert not cut, f"at {width}px: {cut}"
    if exercise == "4-6":
        assert ["construct.x_min", "-3.141592"] in [b[:2] for b in boxes]
