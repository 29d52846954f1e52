"""The engine's clock: SimPy's environment, whose calendar also carries bare call-backs.

A service ending, a file arriving after its forwarding delay: each is "call ``fn(value)`` at
time t" and nothing more. Such a *wake* goes on SimPy's own event queue as the entry
``(t, NORMAL, eid, fn, value)`` beside SimPy's ``(t, priority, eid, event)``: the same
calendar, ordered by the same (time, priority, event id) keys, but with no event object, no
callback list and no checks. `Environment.step` runs both kinds, so SimPy processes,
timeouts and wakes mix freely and in exactly the order SimPy would give them.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL


class Environment(simpy.Environment):
    """SimPy's environment with wakes on its queue (see the module docstring).

    Everything of ``simpy.Environment`` works as before; `step` also runs the five-element
    entries `wake` pushes. The router's loop (`sim.processes.routing.Router.run`) inlines
    the same dispatch.
    """

    def step(self) -> None:
        """Process the next entry of the calendar: a wake's call-back, or a SimPy event."""
        try:
            item = heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        if len(item) == 5:
            self._now = item[0]
            item[3](item[4])
            return
        heappush(self._queue, item)  # a SimPy event: back in front, for SimPy's own step
        super().step()


def wake(env: simpy.Environment, delay: float, fn: Callable[[Any], Any], value: Any) -> None:
    """Call ``fn(value)`` `delay` minutes from now (`delay` is never negative here)."""
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), fn, value))
