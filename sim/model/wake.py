"""The engine's clock: SimPy's environment, whose calendar also carries bare call-backs.

A service ending, a file arriving after its forwarding delay: each is "call ``fn(value)`` at
time t" and nothing more. Such a *wake* goes on SimPy's own event queue as the entry
``(t, NORMAL, eid, fn, value)`` beside SimPy's ``(t, priority, eid, event)``: the same
calendar, ordered by the same (time, priority, event id) keys, but with no event object, no
callback list and no checks. `Environment.step` runs both kinds, so SimPy processes,
timeouts and wakes mix freely and in exactly the order SimPy would give them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL


class Environment(simpy.Environment):
    """SimPy's environment with wakes on its queue (see the module docstring).

    Everything of ``simpy.Environment`` works as before; `step` also runs the five-element
    entries `wake` pushes. `run_merged`, the engine's loop, inlines the same dispatch.
    """

    def step(self) -> None:
        """Process the next entry of the calendar: a wake's call-back, or a SimPy event."""
        try:
            item = heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        try:
            now, _, _, fn, value = item
        except ValueError:  # a SimPy event: back in front, for SimPy's own step
            heappush(self._queue, item)
            super().step()
        else:
            self._now = now
            fn(value)


def wake(env: simpy.Environment, delay: float, fn: Callable[[Any], Any], value: Any) -> None:
    """Call ``fn(value)`` `delay` minutes from now (`delay` is never negative here)."""
    heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), fn, value))


def run_merged(
    env: Environment,
    until: float,
    times: Sequence[float],
    start: int,
    arrive: Callable[[int, int], Any],
    tags: Sequence[int],
) -> int:
    """Run `env` to `until` with a stream of arrivals known in advance merged into its
    calendar; return the index of the first arrival not yet taken.

    The arrivals (`times`, sorted) need no event each: arrival `j` is taken straight from
    the list, as ``arrive(j, tags[j])`` at its time, whenever it is due before the next entry
    of SimPy's queue (an arrival due at the same time as an entry goes first). Entries run as
    `Environment.step` runs them, inlined: a wake's call-back, or a SimPy event's.
    """
    queue, n = env._queue, len(times)
    j = start
    t_arr = times[j] if j < n else math.inf
    while True:
        bound = t_arr if t_arr < until else until
        while queue and queue[0][0] < bound:
            item = heappop(queue)
            try:
                env._now, _, _, fn, value = item
            except ValueError:  # not a wake: a SimPy event, (t, priority, eid, event)
                env._now, _, _, event = item
            else:
                fn(value)
                continue
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                raise event._value
        if t_arr >= until:
            break
        env._now = t_arr
        arrive(j, tags[j])
        j += 1
        t_arr = times[j] if j < n else math.inf
    env._now = until
    return j
