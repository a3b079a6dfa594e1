"""One experiment run as the API sends it: the ExperimentResult JSON, compact, gzipped.

Kept apart from app.compute (slots, cache, children) so that a compute child imports only what
it needs to run an experiment and encode its result.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from app.cache import gzip_bytes
from app.exercises.base import WORK_BUDGET_SECONDS, Exercise, Experiment, Params, TooCostly, finite_or_none
from app.nn.hooks import Overrun, deadline, watching

# A run still going at this many seconds is stopped at its next checkpoint and refused (TooCostly): the
# backstop behind the work estimates, generous enough for a slow or busy machine.
DEADLINE_SECONDS = 5 * WORK_BUDGET_SECONDS
LANGS = ("en", "zh")  # every result is drawn in both; app.i18n.LANGS is the same pair


def dumps(value: Any) -> bytes:
    """Serialise to compact UTF-8 JSON; NaN and infinity are refused (they are not JSON)."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode()


def _body(exercise: Exercise, experiment: Experiment, params: Params, numbers: tuple[Any, Any],
          figures: dict[str, Any]) -> bytes:
    """The gzipped JSON body; `numbers` are the result's metrics and data already made JSON values
    (finite_or_none), the same for every language."""
    metrics, data = numbers
    return gzip_bytes(dumps({
        "exercise": exercise.id,
        "experiment": experiment.name,
        "params": params.state(),
        "metrics": metrics,
        "data": data,
        "figures": finite_or_none(figures),
    }))


def drawings(exercise: Exercise, experiment: Experiment, params: Params,
             listener: Callable[[int], None] | None = None, deadline_seconds: float | None = None,
             first: str = "en") -> Iterator[tuple[str, bytes]]:
    """Run one experiment, then yield its ExperimentResult JSON, gzipped, in every language:
    (lang, body) pairs, `first` first.

    The run happens before the first pair; each further language is drawn only when asked for, so
    a caller can answer with the first and draw the rest afterwards (app.compute does). An
    experiment with no `draw` has no figures.
    """
    start = time.monotonic()
    try:
        with deadline(DEADLINE_SECONDS if deadline_seconds is None else deadline_seconds):
            if listener is None:
                result = experiment.run(params)
            else:
                with watching(listener):
                    result = experiment.run(params)
    except Overrun:
        # The estimate let this run through, but it is far over the budget: refuse it like one estimated so.
        raise TooCostly(experiment.cost_fields, time.monotonic() - start) from None
    numbers = finite_or_none(result.metrics), finite_or_none(result.data)
    for lang in sorted(LANGS, key=lambda lang: lang != first):
        yield lang, _body(exercise, experiment, params, numbers,
                          experiment.draw(result, params, lang) if experiment.draw else {})


def encode(exercise: Exercise, experiment: Experiment, params: Params,
           listener: Callable[[int], None] | None = None,
           deadline_seconds: float | None = None) -> dict[str, bytes]:
    """Run one experiment and return its ExperimentResult JSON, gzipped, per language:
    {"en": …, "zh": …} (see `drawings`)."""
    return dict(drawings(exercise, experiment, params, listener, deadline_seconds))
