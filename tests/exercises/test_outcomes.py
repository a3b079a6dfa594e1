"""Every training experiment says whether it diverged or stalled, and none diverges at its defaults."""

import pytest

from app.exercises.registry import EXERCISES

TRAINING = [(ex, e) for ex in EXERCISES.values() for e in ex.experiments]


@pytest.mark.parametrize(("exercise", "experiment"), TRAINING, ids=[f"{x.id}/{e.name}" for x, e in TRAINING])
def test_defaults_never_say_diverged(exercise, experiment):
    m = experiment.run(experiment.params()).metrics
    if "diverged" not in m:
        assert "stalled" not in m
        return
    assert "stalled" in m, "an experiment that says diverged also says stalled"
    if isinstance(m["diverged"], list):  # one verdict per learning rate: only the largest may diverge
        assert m["diverged"][0] is False and len(m["stalled"]) == len(m["diverged"])
        assert not any(d and s for d, s in zip(m["diverged"], m["stalled"], strict=True))
    else:
        assert m["diverged"] is False
        assert isinstance(m["stalled"], bool)


def test_the_zero_initialised_net_stalls_on_its_plateau():
    exp = EXERCISES["4-8"].experiment("initialization")
    m = exp.run(exp.params()).metrics
    assert m["stalled"] is True and m["diverged"] is False
