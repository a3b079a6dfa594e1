"""Every experiment computes numbers only; its figures are drawn afterwards, in either language.

Checked at the defaults of every experiment and at the small settings below, which reach other code paths
(another data set, a sweep where every rate blows up, a wider or deeper network). The exercises' own test
files assert what their figures are called and what they show.
"""

import pytest

from app.exercises.base import finite_or_none
from app.exercises.registry import EXERCISES
from app.results import dumps

_3 = {"width": 6, "depth": 2, "epochs": 5}  # 4-3's tiny network
_7 = {"model": "network", "epochs": 20, "width": 3, "n_train": 8}  # 4-7's tiny network
_8 = {"width": 3, "epochs": 3}
_9 = {"depth": 3, "width": 4, "epochs": 5}
SMALL = [
    ("4-2", "train", {"epochs": 30}), ("4-2", "seeds", {"epochs": 30, "n_seeds": 3}),
    ("4-2", "width-sweep", {"epochs": 30, "n_seeds": 3}),
    ("4-3", "one-unit", {"steps": 5}),
    *(("4-3", name, {**kw, "dataset": d}) for d in ("sine", "moons")
      for name, kw in (("dying", _3), ("seeds", {**_3, "n_seeds": 3}), ("lr-sweep", {**_3, "n_lrs": 2, "n_seeds": 2}))),
    ("4-4", "derivative", {"points": 101}), ("4-4", "swish-family", {"points": 101}),
    ("4-4", "gelu-approximations", {"points": 101}),
    ("4-5", "depth-at-budget", {"n_hidden": 4, "epochs": 5, "n_seeds": 2, "n_train": 20}),
    ("4-6", "construct", {"units": 5, "target": "step"}), ("4-6", "train", {"units": 4, "epochs": 30}),
    ("4-7", "bias-regularization", _7), ("4-7", "seeds", {**_7, "n_seeds": 3}),
    ("4-8", "initialization", {"init": "normal", **_8}), ("4-8", "compare", _8),
    ("4-9", "vanishing", _9), ("4-9", "learning-rates", _9),
    ("4-9", "learning-rates", {"lr_min": 100, "lr_max": 1000, "cure_lr": 1000, "n_lrs": 3, "epochs": 50}),
]
DEFAULTS = [(ex.id, e.name, None) for ex in EXERCISES.values() for e in ex.experiments]


def numbers(result) -> bytes:
    """The metrics and data as the API sends them."""
    return dumps(finite_or_none([result.metrics, result.data]))


@pytest.mark.parametrize(("exercise", "name", "params"), DEFAULTS + SMALL,
                         ids=[f"{x}/{n}" + ("" if p is None else "?" + ",".join(f"{k}={v}" for k, v in p.items()))
                              for x, n, p in DEFAULTS + SMALL])
def test_numbers_first_figures_after_in_any_language(exercise, name, params):
    experiment = EXERCISES[exercise].experiment(name)
    p = experiment.params(**(params or {}))
    computed = experiment.run(p)
    assert computed.figures == {} and experiment.draw is not None
    before = numbers(computed)
    en, zh = (drawn(experiment, computed, p, lang) for lang in ("en", "zh"))
    assert set(en) == set(zh) and en
    assert en != zh  # the words differ; the numbers are the run's own, whatever the language
    assert numbers(computed) == before  # drawing leaves the numbers as they were
    assert "lang" not in type(p).model_fields
    if params is not None:  # the same numbers again (at the defaults: tests/api/test_contract.py)
        assert numbers(experiment.run(p)) == before


def drawn(experiment, computed, params, lang):
    figures = experiment.draw(computed, params, lang)
    dumps(finite_or_none(figures))  # strict JSON in either language
    return figures
