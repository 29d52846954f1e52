"""Office hours: when windows are open and residents can come.

Simulation time is in minutes from Monday 00:00 of the first week. An office calendar opens
every working day (the first ``days_per_week`` days of each week) from ``open_hour`` to
``close_hour``; an "always" calendar never closes (used for queueing-theory checks). The
"open-time" coordinate counts only open minutes, so Poisson arrivals during office hours are
drawn in open time and mapped to the clock, vectorised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.clock import DAY
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Calendar:
    """Working days and hours of the district's offices.

    Parameters
    ----------
    open_minute, close_minute : float
        Opening and closing time within a day, in minutes after midnight.
    days_per_week : int
        Working days per week (Monday first).
    always : bool
        True when offices never close.
    """

    open_minute: float
    close_minute: float
    days_per_week: int
    always: bool = False

    @property
    def opening_minute(self) -> float:
        """Minute of the day at which offices open (midnight when they never close)."""
        return 0.0 if self.always else self.open_minute

    @property
    def open_per_day(self) -> float:
        """Open minutes in one working day."""
        return DAY if self.always else self.close_minute - self.open_minute

    def open_minutes_in(self, days: float) -> float:
        """Open minutes in the first `days` days."""
        return float(self.open_time(days * DAY))

    def open_time(self, t: float) -> float:
        """Open minutes elapsed between time 0 and clock time `t`."""
        if self.always:
            return t
        d = math.floor(t / DAY)
        week, dow = divmod(d, 7)
        full = week * self.days_per_week + min(dow, self.days_per_week)
        within = 0.0
        if dow < self.days_per_week:
            within = min(max(t - d * DAY - self.open_minute, 0.0), self.open_per_day)
        return full * self.open_per_day + within

    def to_clock(self, s: np.ndarray) -> np.ndarray:
        """Map open-time coordinates `s` to clock times (vectorised)."""
        s = np.asarray(s, dtype=float)
        if self.always:
            return s
        k, offset = np.divmod(s, self.open_per_day)
        week, dow = np.divmod(k, self.days_per_week)
        return (week * 7 + dow) * DAY + self.open_minute + offset

    def next_open(self, t: float) -> float:
        """The earliest time at or after `t` when offices are open."""
        if self.always or self.is_open(t):
            return t
        # `to_clock` of one value, without an array (Python's float divmod is numpy's)
        k, offset = divmod(self.open_time(t), self.open_per_day)
        week, dow = divmod(k, self.days_per_week)
        return (week * 7 + dow) * DAY + self.open_minute + offset

    def is_open(self, t: float) -> bool:
        """Whether offices are open at clock time `t`."""
        if self.always:
            return True
        d = math.floor(t / DAY)
        if d % 7 >= self.days_per_week:
            return False
        m = t - d * DAY
        return self.open_minute <= m < self.close_minute

    def openings(self, horizon: float) -> list[tuple[float, float]]:
        """(open, close) clock times of every working day before `horizon`."""
        if self.always:
            return []
        out = []
        for d in range(int(math.ceil(horizon / DAY))):
            if d % 7 < self.days_per_week:
                a, b = d * DAY + self.open_minute, d * DAY + self.close_minute
                if a < horizon:
                    out.append((a, min(b, horizon)))
        return out


def calendar_of(s: Scenario) -> Calendar:
    """The office calendar of scenario `s`."""
    c = s.calendar
    return Calendar(
        c.open_hour * 60.0, c.close_hour * 60.0, c.days_per_week, always=c.kind == "always"
    )


@dataclass(frozen=True)
class Sessions:
    """Hours a unit works when they are not the office's: a street leader who signs files
    off on Wednesday afternoons, a department head's weekly sign-off, a hall open on some days.

    Parameters
    ----------
    weekdays : tuple of int
        Days of the week the unit works (0 = Monday).
    open_minute, close_minute : float
        Start and end of the session within the day, in minutes after midnight.
    """

    weekdays: tuple[int, ...]
    open_minute: float
    close_minute: float

    def openings(self, horizon: float) -> list[tuple[float, float]]:
        """(open, close) clock times of every session before `horizon`."""
        out = []
        for d in range(int(math.ceil(horizon / DAY))):
            if d % 7 in self.weekdays:
                a, b = d * DAY + self.open_minute, d * DAY + self.close_minute
                if a < horizon:
                    out.append((a, min(b, horizon)))
        return out


def next_weekly(t: float, weekdays: tuple[int, ...], minute: float) -> float:
    """The first time at or after `t` that falls on one of `weekdays` (0 = Monday) at
    `minute` after midnight: when a courier next picks files up (files go to the street
    office on Tuesdays and Fridays at 9:00)."""
    d = math.floor(t / DAY)
    for k in range(8):
        at = (d + k) * DAY + minute
        if (d + k) % 7 in weekdays and at >= t:
            return at
    raise ValueError("no pickup day")  # unreachable with a non-empty `weekdays`


def sessions_of(s: Scenario) -> dict[str, Sessions]:
    """The units of scenario `s` that work in sessions instead of office hours."""
    return {
        name: Sessions(
            tuple(u.sessions.weekdays), u.sessions.open_hour * 60.0, u.sessions.close_hour * 60.0
        )
        for name, u in s.units.items()
        if u.sessions is not None and u.calendar != "always" and s.calendar.kind != "always"
    }
