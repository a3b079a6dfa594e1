"""Every "Try this" link on every page sets valid parameters within the work budget."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from app.exercises.registry import EXERCISES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "exercises"
LINKS = [
    (path.name, href)
    for path in sorted(TEMPLATES.glob("*.html"))
    for href in re.findall(r'href="(\?[^"#]*)(?:#[^"]*)?"', path.read_text(encoding="utf-8"))
]


def test_there_are_links_to_check():
    assert len(LINKS) >= 9 * 3


@pytest.mark.parametrize(("page", "href"), LINKS)
def test_link_sets_valid_params_within_budget(page, href):
    exercise = EXERCISES[page.split(".")[0]]
    by_experiment: dict[str, dict[str, str]] = {}
    for key, value in parse_qsl(html.unescape(href)[1:], keep_blank_values=True):
        name, _, param = key.partition(".")
        assert param, f"{page}: {key} is not experiment.param"
        by_experiment.setdefault(name, {})[param] = value
    for name, values in by_experiment.items():
        experiment = exercise.experiment(name)
        assert experiment is not None, f"{page}: no experiment {name}"
        params = experiment.params.model_validate(values)
        experiment.check_budget(params)
