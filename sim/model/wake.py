# cython: boundscheck=False, wraparound=False
"""The engine's clock: SimPy's environment, whose calendar also carries bare call-backs.

A service ending, a file arriving after its forwarding delay: each is "call ``fn(value)`` at
time t" and nothing more. Such a *wake* has a place on the calendar like SimPy's events,
ordered by the same (time, priority, event id) keys, but no event object, no callback list
and no checks. `Environment.step` and `run_merged` run both kinds, so SimPy processes,
timeouts and wakes mix freely and in exactly the order SimPy would give them.

Where the wakes wait depends on the build (`sim.compiled`). From the Python source they are
entries ``(t, NORMAL, eid, fn, value)`` on SimPy's own queue, beside its
``(t, priority, eid, event)`` (`QueueWakes`). Compiled, they wait in a heap of their own
whose keys are C numbers (`ArrayWakes`): most of a large run's calendar is wakes, and
comparing two Python tuples costs far more than comparing two doubles. The loop then takes
whichever of the two heads comes first by (time, priority, id), which is the order one heap
would give, so the results are the same either way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np
import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL

try:
    import cython

    COMPILED = bool(cython.compiled)
except ImportError:  # no Cython at run time: this is the Python source
    COMPILED = False


class QueueWakes:
    """Wakes as entries on SimPy's own queue (the Python source's calendar).

    Parameters
    ----------
    queue : list
        SimPy's event queue (a heap).
    """

    def __init__(self, queue: list) -> None:
        self.queue = queue
        self.size = 0  # the wakes are on SimPy's queue: none wait here

    def push(self, t: float, eid: int, fn: Callable[[Any], Any], value: Any) -> None:
        """Call ``fn(value)`` at time `t`; `eid` is its place among events at `t`."""
        heappush(self.queue, (t, NORMAL, eid, fn, value))


class ArrayWakes:
    """Wakes in a heap of their own, keyed by (time, event id) held as C numbers (the
    compiled core's calendar).

    The heap moves only numbers: each wake's call-back and value stay in a slot of their
    own (`fn`, `value`) while its key and slot number (`t`, `eid`, `slot`) move up and down,
    so a pop touches no Python object but the one it returns.

    Parameters
    ----------
    queue : list
        SimPy's event queue (unused: the wakes wait here).
    """

    def __init__(self, queue: list) -> None:
        self.size = 0
        self.t = np.empty(1024, dtype=np.float64)
        self.eid = np.empty(1024, dtype=np.int64)
        self.slot = np.empty(1024, dtype=np.int64)
        self.free = np.arange(1023, -1, -1, dtype=np.int64)  # free slots, a stack
        self.fn: list[Any] = [None] * 1024
        self.value: list[Any] = [None] * 1024

    def _grow(self) -> None:
        n = len(self.fn)
        t, eid = np.empty(2 * n, dtype=np.float64), np.empty(2 * n, dtype=np.int64)
        slot = np.empty(2 * n, dtype=np.int64)
        t[:n], eid[:n], slot[:n] = self.t, self.eid, self.slot
        self.t, self.eid, self.slot = t, eid, slot
        free = np.empty(2 * n, dtype=np.int64)
        free[:n] = np.arange(2 * n - 1, n - 1, -1)  # the new slots: every old one is taken
        self.free = free
        self.fn.extend([None] * n)
        self.value.extend([None] * n)

    def push(self, t: float, eid: int, fn: Callable[[Any], Any], value: Any) -> None:
        """Call ``fn(value)`` at time `t`; `eid` is its place among events at `t`."""
        if self.size == len(self.fn):
            self._grow()
        s = self.free[len(self.fn) - 1 - self.size]
        self.fn[s] = fn
        self.value[s] = value
        ts, eids, slots = self.t, self.eid, self.slot
        k = self.size
        self.size = k + 1
        while k > 0:  # sift up: parents later than the new wake move down
            p = (k - 1) >> 1
            if _earlier(t, eid, ts[p], eids[p]):
                ts[k], eids[k], slots[k] = ts[p], eids[p], slots[p]
                k = p
            else:
                break
        ts[k], eids[k], slots[k] = t, eid, s

    def pop(self) -> tuple[Callable[[Any], Any], Any]:
        """Take the first wake off the heap; return its call-back and value (its time is
        ``t[0]`` before the call)."""
        ts, eids, slots = self.t, self.eid, self.slot
        s = slots[0]
        fn, value = self.fn[s], self.value[s]
        self.fn[s] = self.value[s] = None
        n = self.size - 1
        self.size = n
        self.free[len(self.fn) - 1 - n] = s
        t, eid, last = ts[n], eids[n], slots[n]  # the last wake, sifted down from the top
        k = 0
        while True:
            c = 2 * k + 1
            if c >= n:
                break
            if c + 1 < n and _earlier(ts[c + 1], eids[c + 1], ts[c], eids[c]):
                c += 1
            if _earlier(ts[c], eids[c], t, eid):
                ts[k], eids[k], slots[k] = ts[c], eids[c], slots[c]
                k = c
            else:
                break
        ts[k], eids[k], slots[k] = t, eid, last
        return fn, value


Wakes = ArrayWakes if COMPILED else QueueWakes


def _earlier(t1: float, eid1: int, t2: float, eid2: int) -> bool:
    """Whether a wake at (`t1`, `eid1`) comes before one at (`t2`, `eid2`)."""
    return t1 < t2 or (t1 == t2 and eid1 < eid2)


def _wake_first(wakes: Any, queue: list) -> bool:
    """Whether the first of `wakes` (not empty; a wake: priority NORMAL) comes before the
    head of SimPy's `queue`, by (time, priority, event id)."""
    if not queue:
        return True
    head = queue[0]
    tw, tq = wakes.t[0], head[0]
    if tw != tq:
        return tw < tq
    if head[1] != NORMAL:
        return NORMAL < head[1]
    return wakes.eid[0] < head[2]


class Environment(simpy.Environment):
    """SimPy's environment with wakes on its calendar (see the module docstring).

    Everything of ``simpy.Environment`` works as before; `step` also runs the wakes, and
    `peek` sees them. `run_merged`, the engine's loop, inlines the same dispatch.

    Attributes
    ----------
    wakes : QueueWakes or ArrayWakes
        Where the wakes wait (`wake` pushes them).
    """

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.wakes = Wakes(self._queue)

    def peek(self) -> float:
        """Time of the next entry of the calendar (a wake or an event), infinity if none."""
        wakes, queue = self.wakes, self._queue
        if wakes.size and _wake_first(wakes, queue):
            return float(wakes.t[0])
        return queue[0][0] if queue else math.inf

    def step(self) -> None:
        """Process the next entry of the calendar: a wake's call-back, or a SimPy event."""
        wakes, queue = self.wakes, self._queue
        if wakes.size and _wake_first(wakes, queue):
            self._now = wakes.t[0]
            fn, value = wakes.pop()
            fn(value)
            return
        try:
            item = heappop(queue)
        except IndexError:
            raise EmptySchedule from None
        try:
            now, _, _, fn, value = item
        except ValueError:  # a SimPy event: back in front, for SimPy's own step
            heappush(queue, item)
            super().step()
        else:
            self._now = now
            fn(value)


def wake(env: Environment, delay: float, fn: Callable[[Any], Any], value: Any) -> None:
    """Call ``fn(value)`` `delay` minutes from now (`delay` is never negative here)."""
    env.wakes.push(env._now + delay, next(env._eid), fn, value)


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
    of the calendar (an arrival due at the same time as an entry goes first). Entries run as
    `Environment.step` runs them, inlined: a wake's call-back, or a SimPy event's.
    """
    queue, wakes, n = env._queue, env.wakes, len(times)
    j = start
    t_arr = times[j] if j < n else math.inf
    while True:
        bound = t_arr if t_arr < until else until
        while True:
            if wakes.size and _wake_first(wakes, queue):
                t = wakes.t[0]
                if t >= bound:
                    break
                env._now = t
                fn, value = wakes.pop()
                fn(value)
                continue
            if not queue or queue[0][0] >= bound:
                break
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
