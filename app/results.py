"""One experiment run as the API sends it: the ExperimentResult JSON, compact, gzipped.

Kept apart from app.compute (slots, cache, children) so that a compute child imports only what
it needs to run an experiment and encode its result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from app.cache import gzip_bytes
from app.exercises.base import Exercise, Experiment, Params, finite_or_none
from app.nn.hooks import watching


def dumps(value: Any) -> bytes:
    """Serialise to compact UTF-8 JSON; NaN and infinity are refused (they are not JSON)."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode()


def encode(exercise: Exercise, experiment: Experiment, params: Params,
           listener: Callable[[int], None] | None = None) -> bytes:
    """Run one experiment and return its ExperimentResult JSON, gzipped (in a child or on a thread)."""
    if listener is None:
        result = experiment.run(params)
    else:
        with watching(listener):
            result = experiment.run(params)
    return gzip_bytes(dumps({
        "exercise": exercise.id,
        "experiment": experiment.name,
        "params": params.state(),
        "metrics": finite_or_none(result.metrics),
        "data": finite_or_none(result.data),
        "figures": finite_or_none(result.figures),
    }))
