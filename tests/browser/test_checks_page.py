"""Check your own answer, in Chromium: a right answer, a wrong one, a catalogued mistake, a syntax error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

CASES = [  # (exercise, experiment, right, mistake id, mistake)
    ("4-4", "check-gelu", "Phi(x) + x*phi(x)", "phi-for-Phi", "phi(x) + x*phi(x)"),
    ("4-5", "check-parameters", "M0*N/L + (L-1)*(N/L)^2 + N/L + N + 1", None, "M0*N/L + (L-1)*(N/L)^2 + N/L"),
]


@pytest.mark.parametrize(("exercise", "experiment", "right", "mistake_id", "mistake"), CASES,
                         ids=[c[1] for c in CASES])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_check_box_answers(page, live_server, console_errors, exercise, experiment, right, mistake_id,
                               mistake, lang):
    def open_with(answer: str, state: str = "ready"):
        page.goto(f"{live_server}/exercises/{exercise}?lang={lang}&{experiment}.answer={quote(answer)}#exp-{experiment}")
        section = page.locator(f"#exp-{experiment}")
        expect(section).to_have_attribute("data-state", state, timeout=30_000)
        return section

    section = open_with(right)
    expect(section.locator('[data-metric="correct"] .value')).to_have_text("yes" if lang == "en" else "是")
    expect(section.locator('[data-metric="understood_mathml"] math')).to_be_visible()
    expect(section.locator('[data-metric="verdict"] .value')).not_to_contain_text("zh:")

    section = open_with(mistake)
    expect(section.locator('[data-metric="correct"] .value')).to_have_text("no" if lang == "en" else "否")
    if mistake_id:
        expect(section.locator('[data-metric="mistake"] .value')).to_have_text(mistake_id)
        link = section.locator('[data-metric="mistake_anchor"] a')
        assert page.locator(link.get_attribute("href")).count() == 1  # the answer explains it on this page

    section = open_with("x*", "error")  # a syntax error: said beside the box, in the page's language
    error = section.locator('[data-param="answer"] .error')
    expect(error).to_contain_text("列" if lang == "zh" else "column", timeout=15_000)
    assert console_errors == []
