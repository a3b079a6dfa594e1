"""What a client needs to know of an experiment to build its controls: names, titles, schema, metrics."""

from __future__ import annotations

from typing import Any

from app.exercises.base import COMMON_METRICS, Exercise, Experiment
from app.options import label_options


def experiment_info(exercise: Exercise, experiment: Experiment) -> dict[str, Any]:
    """Describe an experiment: name, path, titles and the JSON Schema of its params."""
    return {
        "name": experiment.name,
        "path": f"/api/exercises/{exercise.id}/{experiment.name}",
        "stream_path": f"/api/exercises/{exercise.id}/{experiment.name}/stream" if experiment.cost else None,
        "title": dict(experiment.title),
        "summary": dict(experiment.summary),
        "params": label_options(experiment.params.model_json_schema()),
        "metrics": {k: {"label": dict(m.label), "meaning": dict(m.meaning),
                        "unit": dict(m.unit) if m.unit else None, "full_precision": m.full_precision}
                    for k, m in {**COMMON_METRICS, **experiment.metrics}.items()},
    }
