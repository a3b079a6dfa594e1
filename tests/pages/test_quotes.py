"""Numbers in the prose are quoted from results (app.quotes), in both languages, never typed."""

from __future__ import annotations

import functools
import html as html_lib
import json
import math
import re

import pytest

from app.exercises.base import finite_or_none
from app.exercises.registry import EXERCISES
from app.format import number as fmt
from app.quotes import lookup
from tests.conftest import strict_json

QUOTE = re.compile(r'<span class="quote" data-quote="([^"]+)" data-value="([^"]*)" '
                   r'data-params="([^"]*)">([^<]*)</span>')
PAGES = [(i, lang) for i in EXERCISES for lang in ("en", "zh")]


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@functools.cache
def _fresh_metrics(exercise_id: str, experiment: str, overrides: str) -> dict:
    """Run an experiment anew, apart from the app's caches, as JSON would carry its metrics."""
    exp = EXERCISES[exercise_id].experiment(experiment)
    metrics = exp.run(exp.params(**json.loads(overrides))).metrics
    return json.loads(json.dumps(finite_or_none(metrics)))


@pytest.mark.parametrize(("exercise_id", "lang"), PAGES, ids=[f"{i}-{lang}" for i, lang in PAGES])
def test_every_quote_matches_a_fresh_result(client, exercise_id, lang):
    page = client.get(f"/exercises/{exercise_id}?lang={lang}").text
    embedded = {}
    for block in re.findall(r'class="result-json">(.*?)</script>', page, re.S):
        result = strict_json(block.replace("<\\/", "</"))
        embedded[result["experiment"]] = result["metrics"]
    for where, raw, params, text in QUOTE.findall(page):
        experiment, path = html_lib.unescape(where).split(":", 1)
        quoted = json.loads(html_lib.unescape(raw))
        overrides = json.loads(html_lib.unescape(params)) if params else {}
        if not overrides:  # at the defaults: the very result the page embeds
            assert _same(quoted, lookup(embedded[experiment], path)), (where, quoted)
        fresh = lookup(_fresh_metrics(exercise_id, experiment, json.dumps(overrides, sort_keys=True)), path)
        assert _same(quoted, fresh), (where, overrides, quoted, fresh)
        assert html_lib.unescape(text).strip(), where


def test_format_per_language():
    assert fmt(0.28125, "en", pct=True, digits=1) == "28.1 %"
    assert fmt(0.28125, "zh", pct=True, digits=1) == "28.1%"
    assert fmt(0.883333, "en", digits=3) == "0.883"
    assert fmt(-0.0998, "en", sig=3) == "−0.0998"
    assert fmt(2.3e-5, "en", sig=2) == "2.3 × 10⁻⁵"
    assert fmt(12000, "en") == "12,000" and fmt(12000, "zh") == "12000"
    assert fmt(True, "zh") == "是" and fmt(None, "en") == "—"
    assert fmt(3.96, "en", sig=2, times=True) == "4×"


def test_lookup_paths():
    m = {"a": {"relu": [0.1, 0.2]}, "b": 3}
    assert lookup(m, "a.relu.1") == 0.2 and lookup(m, "a.relu.-1") == 0.2 and lookup(m, "b") == 3
    with pytest.raises(KeyError):
        lookup(m, "a.tanh")
