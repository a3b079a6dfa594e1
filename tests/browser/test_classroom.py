"""Classroom links in Chromium, both languages: Reset returns to the teacher's link and never touches a
hidden control (a reload keeps the link), the note lists the fixed values, a section with every control
hidden has no lone Reset button, and ?hide=answer hides the answer for homework."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.i18n import SHELL

TEACHER = ("derivative.beta=2&derivative.x_probe=0.5&derivative.function=gelu"
           "&hide=derivative.x_probe,derivative.function")


def box(section, name):
    return section.locator(f'[data-param="{name}"] input:not([type=range])')


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reset_returns_to_the_teachers_link_and_never_touches_a_hidden_control(page, open_exercise, console_errors,
                                                                              lang):
    open_exercise("4-4", lang, TEACHER)
    section = page.locator("#exp-derivative")
    for name in ("x_probe", "function"):
        expect(section.locator(f'[data-param="{name}"]')).to_be_hidden()
    beta = box(section, "beta")
    expect(beta).to_have_value("2")
    beta.fill("3")
    beta.press("Enter")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    assert "derivative.beta=3" in page.url
    # A reload keeps the teacher's link as the place Reset returns to (not the student's 3).
    page.reload()
    expect(section).to_have_attribute("data-drawn", "all", timeout=30_000)
    expect(box(section, "beta")).to_have_value("3")
    reset = section.locator("button.reset")
    expect(reset).to_have_text(SHELL["reset_link"][lang])
    reset.click()
    expect(box(section, "beta")).to_have_value("2")
    expect(section).to_have_attribute("data-state", "ready", timeout=15_000)
    for kept in ("derivative.beta=2", "derivative.x_probe=0.5", "derivative.function=gelu", "hide="):
        assert kept in page.url, page.url
    assert page.evaluate("window.fflab.views[0].controls.x_probe.value") == "0.5"
    # Outside classroom mode, Reset means the app's defaults.
    open_exercise("4-4", lang, "derivative.beta=2")
    section.locator("button.reset").click()
    expect(box(section, "beta")).to_have_value("1")
    expect(section.locator("button.reset")).to_have_text(SHELL["reset"][lang])
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_classroom_note_lists_the_fixed_values(page, open_exercise, lang):
    open_exercise("4-4", lang, TEACHER)
    data = json.loads(page.locator("#page-data").inner_text())
    props = data["experiments"][0]["info"]["params"]["properties"]
    note = page.locator("#exp-derivative .classroom")
    expect(note).to_have_count(1)
    text = note.inner_text()
    assert text.startswith(SHELL["classroom"][lang].split("{fixed}")[0])
    assert f"{props['x_probe']['x-label'][lang]} = 0.5" in text
    gelu = props["function"]["x-option-labels"]["gelu"][lang]
    assert f"{props['function']['x-label'][lang]} = {gelu}" in text
    assert props["beta"]["x-label"][lang] not in text  # only the fixed ones
    results = Axe().run(page)
    assert not [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_a_section_with_every_control_hidden_has_no_reset_button(page, open_exercise, console_errors):
    open_exercise("4-4", "en", "hide=swish-family.*")
    hidden = page.locator("#exp-swish-family")
    expect(hidden.locator(".control:visible")).to_have_count(0)
    expect(hidden.locator("button.reset")).to_have_count(0)
    expect(hidden.locator(".classroom")).to_be_visible()
    expect(page.locator("#exp-derivative button.reset")).to_be_visible()
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hide_answer_keeps_the_question_and_the_experiments(page, open_exercise, artifacts, console_errors, lang):
    open_exercise("4-2", lang, "hide=answer")
    expect(page.locator("section.answer")).to_be_hidden()
    expect(page.locator("section.question")).to_be_visible()
    expect(page.locator("section.question .classroom")).to_have_text(SHELL["answer_hidden"][lang])
    for section in page.locator("section.experiment").all():
        expect(section).to_be_visible()
        expect(section.locator("button.reset")).to_be_visible()
    page.screenshot(path=str(artifacts / f"classroom-hide-answer-{lang}.png"))
    assert console_errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refusal_of_a_hidden_control_is_said_once_in_the_status_line(page, live_server, console_errors, lang):
    page.goto(f"{live_server}/exercises/4-4?lang={lang}&derivative.points=5000&hide=derivative.points")
    section = page.locator("#exp-derivative")
    status = section.locator(".status")
    expect(status).to_have_attribute("role", "status")
    expect(section).to_have_attribute("data-state", "error", timeout=15_000)
    data = json.loads(page.locator("#page-data").inner_text())
    label = data["experiments"][0]["info"]["params"]["properties"]["points"]["x-label"][lang]
    expect(status).to_contain_text(label)
    expect(status).to_contain_text("2001")
    assert section.inner_text().count(status.inner_text()) == 1
    assert "less than or equal" not in page.locator("main").inner_text()
    expect(section.locator(".control .error:not(:empty)")).to_have_count(0)
    assert console_errors == []
