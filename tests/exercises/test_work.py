"""The work estimate (app.exercises.work) counts what the runs do: here, the loss of a single neuron."""

from __future__ import annotations

import pytest

from app.exercises import work
from app.exercises.base import TooCostly
from app.exercises.registry import EXERCISES
from tests.hardening.conftest import fields


def test_the_cross_entropy_of_the_outputs_is_counted_every_epoch():
    members, samples, epochs = 80, 2000, 2000
    mse = work.training(members, samples, (2, 1), epochs, None, "linear")
    bce = work.training(members, samples, (2, 1), epochs, None, "linear", loss="bce")
    assert bce.elements - mse.elements == pytest.approx(work.LOSS_ELEMENTS["bce"] * members * samples * epochs)
    # on mini-batches (app.nn.neuron's kernel) too
    small = work.training(members, samples, (2, 1), epochs, 10, "linear", loss="bce")
    assert small.elements > work.training(members, samples, (2, 1), epochs, 10, "linear").elements


def test_a_full_batch_shift_sweep_at_its_largest_is_refused_before_it_computes():
    # Once estimated at 0.8 s with the loss left out, this corner trained for some ten seconds.
    sweep = EXERCISES["4-1"].experiment("shift-sweep")
    top = {f.name: f.hi for f in fields(sweep) if f.name in ("epochs", "n_samples", "n_seeds", "batch_size")}
    params = sweep.params.model_validate({**top, "n_shifts": 2})
    assert params.batch_size == params.n_samples  # one full batch an epoch
    with pytest.raises(TooCostly):
        sweep.check_budget(params)
