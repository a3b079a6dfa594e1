"""Checkpoints: training reports its epochs to a listener, and a listener can stop it."""

from __future__ import annotations

import pytest

from app.nn.data import xor
from app.nn.hooks import checkpoint, watching
from app.nn.network import init_network
from app.nn.train import train


def test_training_reports_every_epoch_of_every_member():
    X, Y = xor()
    net = init_network((2, 2, 1), "relu", "linear", seeds=[0, 1, 2])
    seen: list[int] = []
    with watching(seen.append):
        train(net, X, Y, epochs=7)
    assert sum(seen) == 3 * 7


class Stop(Exception):
    pass


def test_a_listener_can_abandon_training():
    X, Y = xor()
    net = init_network((2, 2, 1), "relu", "linear", seeds=[0])
    count = 0

    def listener(done: int) -> None:
        nonlocal count
        count += done
        if count > 5:
            raise Stop

    with watching(listener), pytest.raises(Stop):
        train(net, X, Y, epochs=1000)
    assert count == 6


def test_no_listener_no_effect():
    checkpoint(10)



def test_a_deadline_stops_training_at_the_next_checkpoint():
    from app.nn.data import moons
    from app.nn.hooks import Overrun, deadline

    X, Y = moons(50, seed=0)
    net = init_network((2, 8, 1), "tanh", "linear", seeds=[0])
    epochs = []
    with pytest.raises(Overrun), watching(epochs.append), deadline(0.0):
        train(net, X, Y, epochs=10_000)
    assert epochs == [1]  # stopped at the first checkpoint, not after 10 000 epochs
    assert len(train(net, X, Y, epochs=3).losses[0]) == 4  # outside the context: no deadline
