"""Numbers in the prose, quoted from results: `{{ q("train", "final_loss", digits=3) }}` in a page.

A sentence that cites what an experiment produces (a success rate, a count, a loss) must not hold
a typed copy of it: change a default, or run on another machine, and the copy goes stale. The page
templates quote through `q` instead. It computes the experiment of the page's exercise at its
defaults (or at the few `overrides` a "try this" link sets), through the same cache as the API,
reads one metric and formats it for the page's language. Each quote is wrapped in
`<span class="quote" data-quote=… data-value=…>`, so a test can recompute every quoted number.

Quotes are computed once per process (there are a few dozen, fixed by the templates) and the
pages that hold them are kept rendered (app.pages).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import numpy as np
from jinja2 import pass_context
from markupsafe import Markup, escape

from app.compute import BACKGROUND, Busy, background_entry, result_body
from app.exercises.base import TooCostly
from app.exercises.registry import EXERCISES
from app.format import number as fmt
from app.results import encode

# A quote waits this long for a compute slot, then computes on the page's own thread (once per process:
# pages are rendered at start-up, after the results, so a visitor seldom meets it).
QUOTE_WAIT_SECONDS = 0.3


def _once(fn: Callable[..., Any]) -> Callable[..., Any]:
    """functools.cache that computes each argument once even when pages ask for it at the same time: a
    class opening a page together waits for one computation of its quotes instead of making thirty."""
    lock = threading.Lock()
    futures: dict[tuple[Any, ...], Future] = {}

    def once(*args: Any) -> Any:
        with lock:
            future, mine = futures.get(args), False
            if future is None:
                future, mine = futures.setdefault(args, Future()), True
        if not mine:
            return future.result()
        try:
            future.set_result(fn(*args))
        except BaseException as e:  # the waiting pages fail alike; the next page tries again
            with lock:
                del futures[args]
            future.set_exception(e)
        return future.result()

    return once


@_once
def _metrics(exercise_id: str, experiment: str, overrides: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    exercise = EXERCISES[exercise_id]
    exp = exercise.experiment(experiment)
    if exp is None:
        raise KeyError(f"{exercise_id} has no experiment {experiment!r}")
    params = exp.params.model_validate(dict(overrides))
    try:
        if BACKGROUND.get():  # the warm-up renders the pages: it waits for a slot and gives way to requests
            body = background_entry(exercise, exp, params).body
        else:
            body = result_body(exercise, exp, params, wait=QUOTE_WAIT_SECONDS)
    except (Busy, TooCostly):
        # Every slot is taken (by this very page's own results, say), or an operator's budget is
        # smaller than the one the templates were written for: compute here, once per process. The
        # numbers are those of any other run on this installation. No deadline: on a starved machine the
        # page waits for its numbers rather than failing (they are defaults, bounded by the estimate).
        body = gzip.decompress(next(iter(encode(exercise, exp, params, None, deadline_seconds=1e6).values())))
    return json.loads(body)["metrics"]


def lookup(metrics: dict[str, Any], path: str) -> Any:
    """Return the value at a dotted path: "accuracy_by_init.normal", "dead_by_epoch.15", "diverged.-1"."""
    value: Any = metrics
    for part in path.split("."):
        if isinstance(value, (list, tuple, np.ndarray)):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(f"no metric {path!r} (stuck at {part!r})")
    return value


def value(exercise_id: str, experiment: str, path: str, **overrides: Any) -> Any:
    """Return one metric of an experiment of `exercise_id`, at its defaults updated by `overrides`."""
    return lookup(_metrics(exercise_id, experiment, tuple(sorted(overrides.items()))), path)


def quote_span(experiment: str, path: str, v: Any, text: str, overrides: dict[str, Any]) -> Markup:
    """Wrap a quoted number so that tests can find it and check it against a fresh result."""
    raw = json.dumps(v)
    params = json.dumps(overrides, sort_keys=True) if overrides else ""
    return Markup(f'<span class="quote" data-quote="{escape(experiment)}:{escape(path)}" '
                  f'data-value="{escape(raw)}" data-params="{escape(params)}">{escape(text)}</span>')


@pass_context
def q(context: Any, experiment: str, path: str, *, pct: bool = False, digits: int | None = None,
      sig: int | None = None, times: bool = False, **overrides: Any) -> Markup:
    """Template helper: quote metric `path` of `experiment` (of the page's exercise), formatted."""
    v = value(context["exercise"].id, experiment, path, **overrides)
    text = fmt(v, context["lang"], pct=pct, digits=digits, sig=sig, times=times)
    return quote_span(experiment, path, v, text, overrides)


@pass_context
def qv(context: Any, experiment: str, path: str, **overrides: Any) -> Any:
    """Template helper: the raw value of a metric, for a test in the prose ({% if qv(...) %})."""
    return value(context["exercise"].id, experiment, path, **overrides)


@pass_context
def num(context: Any, v: Any, **style: Any) -> str:
    """Template filter: format a number derived from quoted values ({{ (a / b) | num(sig=2) }})."""
    return fmt(v, context["lang"], **style)
