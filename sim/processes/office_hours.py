"""Office hours and the end-of-day count: SimPy processes that own time.

``office_hours`` opens and closes every station that follows the office calendar;
``end_of_day`` records, at each midnight, how much work waits at each station (the backlog
carried overnight) and reports progress.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from sim.clock import DAY
from sim.model.calendar import Calendar, Sessions
from sim.model.station import Station


def office_hours(
    env: simpy.Environment,
    cal: Calendar | Sessions,
    stations: list[Station],
    horizon: float,
    overtime: float = 0.0,
    staying: frozenset[Station] = frozenset(),
) -> Generator[simpy.Event, None, None]:
    """Open the stations at the start of every working day (or session) and close them at
    its end; the `staying` stations' staff stay up to `overtime` minutes longer on days
    when departments' tasks are waiting, for those tasks only (bounded overtime)."""
    late = overtime > 0.0 and bool(staying)
    for t_open, t_close in cal.openings(horizon):
        yield env.timeout(t_open - env.now)
        for st in stations:
            st.open()
        yield env.timeout(t_close - env.now)
        for st in stations:
            st.close(late and st in staying)
        if late:
            yield env.timeout(min(overtime, max(horizon - env.now, 0.0)))
            for st in staying:
                st.leave()


def end_of_day(
    env: simpy.Environment,
    stations: list[Station],
    days: int,
    backlog: list[list[int]],
    progress: Callable[[int], None] | None = None,
) -> Generator[simpy.Event, None, None]:
    """At each midnight append the queue length of every station to `backlog`."""
    for _ in range(days):
        yield env.timeout(DAY)
        backlog.append([st.queued() for st in stations])
        if progress is not None:
            progress(1)
