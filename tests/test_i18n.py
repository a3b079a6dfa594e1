"""Every user-facing string exists in English and in 中文."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import app.figures
from app.exercises.base import COMMON_METRICS
from app.exercises.registry import EXERCISES
from app.i18n import LANGS, SHELL

CJK = re.compile(r"[\u4e00-\u9fff]")
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def assert_bilingual(t, where: str) -> None:
    assert set(t) >= set(LANGS), f"{where}: languages {set(t)}"
    assert t["en"].strip() and t["zh"].strip(), f"{where}: empty string"


def test_shell_catalogue():
    for key, t in {**SHELL, **{f"metric.{k}": m.label for k, m in COMMON_METRICS.items()}}.items():
        assert_bilingual(t, f"shell.{key}")
        assert CJK.search(t["zh"]) or t["zh"] == t["en"] or key == "switch_to", key


def walk_schema(schema: dict, where: str) -> None:
    for name, prop in schema["properties"].items():
        assert_bilingual(prop["x-label"], f"{where}.{name}.label")
        assert_bilingual(prop["x-help"], f"{where}.{name}.help")


@pytest.mark.parametrize("exercise", EXERCISES.values(), ids=lambda e: e.id)
def test_exercise_strings(exercise):
    assert_bilingual(exercise.title, f"{exercise.id}.title")
    assert_bilingual(exercise.question, f"{exercise.id}.question")
    assert CJK.search(exercise.question["zh"])
    for exp in exercise.experiments:
        where = f"{exercise.id}/{exp.name}"
        assert_bilingual(exp.title, f"{where}.title")
        assert_bilingual(exp.summary, f"{where}.summary")
        walk_schema(exp.params.model_json_schema(), where)
        for key, m in exp.metrics.items():
            assert_bilingual(m.label, f"{where}.metric.{key}")
            assert_bilingual(m.meaning, f"{where}.metric.{key}.meaning")


@pytest.mark.parametrize("exercise", EXERCISES.values(), ids=lambda e: e.id)
def test_every_metric_has_a_label(client, exercise):
    for exp in exercise.experiments:
        body = client.get(f"/api/exercises/{exercise.id}/{exp.name}").json()
        missing = set(body["metrics"]) - set(exp.metrics) - set(COMMON_METRICS)
        assert not missing, f"{exercise.id}/{exp.name}: metrics without labels {missing}"


def test_figure_catalogues():
    for info in pkgutil.iter_modules(app.figures.__path__):
        module = importlib.import_module(f"app.figures.{info.name}")
        for key, t in getattr(module, "T", {}).items():
            assert_bilingual(t, f"figures.{info.name}.{key}")


@pytest.mark.parametrize("exercise", EXERCISES.values(), ids=lambda e: e.id)
def test_content_partials_exist_in_both_languages(exercise):
    en, zh = (TEMPLATES / "exercises" / f"{exercise.id}.{lang}.html" for lang in ("en", "zh"))
    if exercise.experiments:
        assert en.exists() and zh.exists(), exercise.id
    if en.exists() or zh.exists():
        assert en.exists() and zh.exists()
        assert CJK.search(zh.read_text())
        # The same formulas and the same links in both languages.
        for pattern in (r"{% filter tex(?:block)? %}(.*?){% endfilter %}", r'href="([^"]+)"'):
            assert re.findall(pattern, en.read_text()) == re.findall(pattern, zh.read_text()), pattern


def test_figure_text_follows_the_language(client):
    en = client.get("/api/exercises/4-4/gelu-approximations?lang=en").json()
    zh = client.get("/api/exercises/4-4/gelu-approximations?lang=zh").json()
    assert not CJK.search(en["figures"]["gelu"]["layout"]["title"]["text"])
    assert CJK.search(zh["figures"]["gelu"]["layout"]["title"]["text"])
