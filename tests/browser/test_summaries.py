"""Figure summaries are for screen readers: each figure's one sentence is its caption and the plot's
accessible description, in the page's language, and is not printed under the figure for sighted
readers (a visually hidden caption). The sentence is the figure's own (layout.meta.summary) where
it has one; figures without one still get the fallback built from their traces."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.exercises.registry import EXERCISES

WITH_EXPERIMENTS = [ex.id for ex in EXERCISES.values() if ex.experiments]

# Per figure: its caption as the page shows it, the sentence the figure JSON carries (if any), its title.
FIGURES = """() => window.fflab.views.flatMap((v) => Object.entries(v.result.figures).map(([name, f]) => {
  const div = v.figuresBox.querySelector(`[data-figure="${name}"]`);
  const caption = document.getElementById(div.getAttribute('aria-describedby'));
  const box = caption.getBoundingClientRect();
  return {
    name, section: v.name, caption: caption.textContent, tag: caption.tagName,
    inFigure: caption.closest('figure') === div.closest('figure'), width: box.width, height: box.height,
    summary: (f.layout.meta || {}).summary ?? null, title: (f.layout.title || {}).text || name,
  };
}))"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("exercise", WITH_EXPERIMENTS)
def test_summaries_describe_each_figure_to_screen_readers_only(page, open_exercise, console_errors, exercise, lang):
    open_exercise(exercise, lang)
    figure_word = page.evaluate("window.FFLab.page.strings.figure")
    assert figure_word == {"en": "Figure", "zh": "图"}[lang]
    figures = page.evaluate(FIGURES)
    assert figures
    for f in figures:
        where = f"{f['section']}/{f['name']}"
        assert f["tag"] == "FIGCAPTION" and f["inFigure"], where
        assert f["width"] <= 1 and f["height"] <= 1, f"{where}: the summary is printed for sighted readers"
        assert f["caption"].startswith(f"{figure_word} — "), where
        if f["summary"] is not None:
            assert f["caption"] == f"{figure_word} — {f['title']}. {f['summary']}", where
        div = page.locator(f"#exp-{f['section']} [data-figure={f['name']}]")
        expect(div).to_have_accessible_description(f["caption"])
    assert console_errors == []
