"""A service station: a counter with ``c`` windows, or a back office, or a community's staff.

Think of a street public service center (街道公共服务中心) with five windows: residents take a
number and wait; files sent from communities wait in a tray; tasks from departments pile up on
the desk. Each free window takes the next piece of work chosen by the station's priority rule,
but only while the office is open; work started before closing is finished (overtime).

The station is an event-driven multi-server queue on a SimPy environment: no process per
customer, only one entry per service on the engine's calendar, a bare call-back of the
station (a wake, `sim.model.wake`), which is what makes the engine faster than a process per
customer holding a ``simpy.Resource``. It keeps its own monitoring: busy minutes by class
and day, idle minutes by day (free windows while open), and the time integral of the number
present (for Little's law).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.clock import DAY
from sim.model.wake import Environment
from sim.rules.priority import N_CLASSES, RESIDENT, TASK, Rule

Entry = tuple[int, int, float, float]  # (class, job, service minutes, time joined)


@dataclass(frozen=True)
class Post:
    """What a station is: its name, its unit and level, its staff and how they choose work.

    Attributes
    ----------
    name : str
        Instance name, e.g. ``community_desk/3``.
    unit : str
        Name of the unit kind in the scenario.
    level : str
        ``community``, ``street``, ``district``, ``department`` or ``online``.
    servers : int
        Windows or staff serving in parallel (0: unlimited, a pure delay).
    rule : callable
        Priority rule picking the queue to serve next.
    always_open : bool
        True when the station never closes.
    staff_cost : float
        Yuan per server per year.
    """

    name: str
    unit: str
    level: str
    servers: int
    rule: Rule
    always_open: bool = False
    staff_cost: float = 0.0


class Station:
    """One queue with `servers` parallel servers (0 means unlimited: a pure delay).

    Parameters
    ----------
    env : Environment
        The environment whose clock (minutes) the station follows.
    post : Post
        Its name, unit, level, servers, priority rule, hours and staff cost.
    days : int
        Length of the run in days (size of the daily monitoring columns).
    """

    def __init__(self, env: Environment, post: Post, days: int) -> None:
        self.env = env
        self.name, self.unit, self.level = post.name, post.unit, post.level
        self.servers = post.servers
        self.free = post.servers
        self.rule = post.rule
        self.is_open = post.always_open
        self.after_hours = False  # staying late for departments' tasks only (overtime)
        self.counting = self.is_open  # free windows count as idle: open, not overtime
        self.days = days
        self.staff_cost = post.staff_cost
        self.cost_per_minute = 0.0  # wage per minute of service (set by the router)
        self.queues: tuple[deque[Entry], ...] = tuple(deque() for _ in range(N_CLASSES))
        self.present = 0
        self.sojourn = 0.0  # minutes of work leaving less minutes of work joining
        self.t_mark = 0.0
        self.busy = [0.0] * (N_CLASSES * days)
        self.idle = [0.0] * days
        # the day of `t_mark` (the last day when past the run) and the minute an interval
        # from `t_mark` has to be split at (the next midnight; never past the last day)
        self.day = 0
        self.day_end = DAY if days > 1 else math.inf
        self.busy_at = 0  # where `busy` of the day of `t_mark` starts
        self.started = 0
        self.on_start: Callable[[Station, Entry, float], Any] = _ignore
        self.on_done: Callable[[Station, Entry], Any] = _ignore
        self.on_close: Callable[[Station], Any] = _ignore
        self._done = self._finish  # the call-back of a service's end, bound once
        self._wakes, self._eid = env.wakes, env._eid  # where wakes wait; SimPy's event ids

    # -- monitoring ---------------------------------------------------------------------
    @property
    def area(self) -> float:
        """Time integral of the number present up to the last mark (Little's law: the
        summed minutes of all work in the station), from the join and leave times."""
        return self.sojourn + self.present * self.t_mark

    def _mark(self, now: float) -> None:
        """Accumulate idle windows since the last change of the free windows (or of whether
        they count as idle), and move the daily columns on at midnight.

        A station is marked before every change of its free windows or of its hours, so
        between two marks both are constant: work that joins a queue needs no mark.
        """
        t0 = self.t_mark
        if now > t0:
            if self.free > 0 and self.counting:
                if now <= self.day_end:
                    self.idle[self.day] += self.free * (now - t0)
                else:
                    self._idle_over_midnight(t0, now)
            if now >= self.day_end:
                self._new_day(now)
        self.t_mark = now

    def _idle_over_midnight(self, t0: float, now: float) -> None:
        """Idle windows from `t0` to `now`, split at each midnight between them."""
        idle, last = self.idle, self.days - 1
        d = int(t0 // DAY)
        while (d + 1) * DAY < now and d < last:
            idle[d] += self.free * ((d + 1) * DAY - t0)
            t0 = (d + 1) * DAY
            d += 1
        idle[d if d < last else last] += self.free * (now - t0)

    def _new_day(self, now: float) -> None:
        """The clock has reached the day of `now`: daily columns move on."""
        last = self.days - 1
        d = int(now // DAY)
        self.day = d if d < last else last
        self.day_end = (d + 1) * DAY if d < last else math.inf
        self.busy_at = N_CLASSES * self.day

    def queued(self) -> int:
        """Work waiting (not in service)."""
        return sum(len(q) for q in self.queues)

    # -- events ---------------------------------------------------------------------------
    def join(self, entry: Entry, first: bool = False) -> None:
        """A resident, file or task arrives at the station (at the head of its queue when
        `first`: the next chunk of a task the staffer is working through)."""
        now = self.env._now
        self.present += 1
        self.sojourn -= now
        if self.free > 0 and self.is_open and (not self.after_hours or entry[0] == TASK):
            if now != self.t_mark:
                self._mark(now)
            self.free -= 1
            self._start(entry, now)
        elif not self.servers:  # a pure delay: never a queue
            if now != self.t_mark:
                self._mark(now)  # the day of `now`, for the busy minutes
            self._start(entry, now)
        elif first:  # queued: no idle window is counted (none free, or not counting)
            self.queues[entry[0]].appendleft(entry)
        else:
            self.queues[entry[0]].append(entry)

    def _start(self, entry: Entry, now: float) -> None:
        # always called at the clock of the last mark, so `busy_at` is the day of `now`
        dur = entry[2]
        self.busy[self.busy_at + entry[0]] += dur
        self.started += 1
        self.on_start(self, entry, now)
        # `sim.model.wake.wake`, inlined on this hot path
        self._wakes.push(now + dur, next(self._eid), self._done, entry)

    def _finish(self, entry: Entry) -> None:
        now = self.env._now
        if now != self.t_mark:
            self._mark(now)
        self.present -= 1
        self.sojourn += now
        self.on_done(self, entry)  # follow-up work queues before the window is free
        if self.servers:
            self.free += 1
            if self.is_open and self.present > self.servers - self.free:  # work is waiting
                self._next(now)

    def _next(self, now: float) -> None:
        rule, queues = self.rule, self.queues
        while self.free > 0:
            q = rule(queues) if not self.after_hours else queues[TASK] or None
            if q is None:
                return
            self.free -= 1
            self._start(q.popleft(), now)

    def open(self) -> None:
        """Opening time: free windows start on the waiting work."""
        now = self.env.now
        self._mark(now)
        self.is_open = True
        self.counting = not self.after_hours
        self._next(now)

    def close(self, stay: bool = False) -> None:
        """Closing time: no new service starts; waiting residents must come back. With
        `stay`, staff with departments' tasks waiting stay late for those tasks only, until
        `leave` (bounded overtime)."""
        self._mark(self.env.now)
        if stay:  # with no task in hand they go home: free windows after hours are not idle
            self.after_hours = True
        else:
            self.is_open = False
        self.counting = False
        if self.queues[RESIDENT]:
            self.on_close(self)

    def leave(self) -> None:
        """The end of overtime: staff go home; work in hand is finished."""
        if self.after_hours:
            self._mark(self.env.now)
            self.after_hours = False
            self.is_open = False
            self.counting = False


def _ignore(*_: Any) -> None:
    return None
