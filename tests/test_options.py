"""Every choice a control offers has a label in both languages."""

from __future__ import annotations

from app.exercises.registry import EXERCISES
from app.options import OPTION_LABELS, label_options


def test_every_option_has_a_label_in_both_languages():
    for exercise in EXERCISES.values():
        for exp in exercise.experiments:
            schema = label_options(exp.params.model_json_schema())
            for name, prop in schema["properties"].items():
                for value in prop.get("enum", []):
                    assert value in OPTION_LABELS, f"{exercise.id}/{exp.name}.{name}: no label for {value!r}"
                    assert set(prop["x-option-labels"][value]) == {"en", "zh"}
