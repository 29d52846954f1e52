"""A bare SimPy event: "call me back at time t" for the engine's hot paths.

A service ending, a file arriving after its forwarding delay: each is one event on SimPy's
event queue with one callback. `wake` puts such an event on the queue directly, skipping the
checks of ``simpy.Timeout`` (a delay is never negative here). It is processed by SimPy's own
``Environment.step`` like any other event, so it mixes freely with processes and timeouts.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL


class Wake:
    """An event that has already succeeded with `value`, waiting on the queue to fire."""

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, callback: Callable[[Wake], Any], value: Any) -> None:
        self.callbacks: list[Callable[[Wake], Any]] | None = [callback]
        self._ok = True
        self._value = value


def wake(env: simpy.Environment, delay: float, callback: Callable[[Wake], Any], value: Any) -> None:
    """Call ``callback(event)`` `delay` minutes from now; the event's ``_value`` is `value`."""
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), Wake(callback, value)))
