"""Every experiment computes numbers only; its figures are drawn afterwards, in either language."""

import pytest

from app.exercises.base import finite_or_none
from app.exercises.registry import EXERCISES
from app.results import dumps

EXPERIMENTS = [(ex, e) for ex in EXERCISES.values() for e in ex.experiments]


@pytest.mark.parametrize(("exercise", "experiment"), EXPERIMENTS, ids=[f"{x.id}/{e.name}" for x, e in EXPERIMENTS])
def test_numbers_first_figures_after_in_any_language(exercise, experiment):
    p = experiment.params()
    computed = experiment.run(p)
    assert computed.figures == {} and experiment.draw is not None
    en, zh = (replace_figures(experiment, computed, p, lang) for lang in ("en", "zh"))
    assert set(en) == set(zh) and en
    assert en != zh  # the words differ; the numbers are the run's own, whatever the language
    assert "lang" not in type(p).model_fields


def replace_figures(experiment, computed, params, lang):
    figures = experiment.draw(computed, params, lang)
    dumps(finite_or_none(figures))  # strict JSON in either language
    return figures
