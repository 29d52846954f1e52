"""Work departments push down to communities (条块下派): tasks, plaques and assessments.

Tasks arrive at each community as a Poisson stream during office hours, each with an
exponential workload of mean ``hours_each``. Plaques (挂牌) cost their upkeep hours every
month; assessments (考核) are spread evenly over the year. All of it is queued at the
community's staff as work of class ``TASK``, served in chunks of at most ``chunk_hours``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.clock import DAY
from sim.model.calendar import Calendar
from sim.model.streams import substream
from sim.scenario.schema import Scenario

MONTH_DAYS = 365.0 / 12.0


@dataclass
class Workload:
    """Work packages pushed down, ordered by arrival: time, community, minutes, kind."""

    time: np.ndarray
    community: np.ndarray
    minutes: np.ndarray
    kind: np.ndarray  # 0 task, 1 plaque upkeep, 2 assessment

    @property
    def size(self) -> int:
        """Number of work packages."""
        return len(self.time)


def draw_workload(s: Scenario, cal: Calendar, rng: np.random.Generator) -> Workload:
    """Draw every work package of a run from the tasks stream."""
    t = s.tasks
    n_comm = s.structure.communities
    horizon_open = cal.open_minutes_in(s.days)
    years = s.days / 365.0
    times, comms, mins, kinds = [], [], [], []
    if t.unit is not None:
        for c in range(n_comm):  # a community's tasks come from sub-streams of its own
            n = int(substream(rng, c, 0).poisson(t.per_year * years))
            u = substream(rng, c, 1).random((n, 2))
            times.append(cal.to_clock(u[:, 0] * horizon_open))
            mins.append(-np.log1p(-u[:, 1]) * t.hours_each * 60.0)
            comms.append(np.full(n, c))
            kinds.append(np.zeros(n, np.int8))
        periodic = [
            (1, MONTH_DAYS, t.plaques * t.plaque_hours_per_month),
            (2, 365.0 / t.assessments if t.assessments else 0.0, t.assessment_hours),
        ]
        for kind, every, hours in periodic:
            if every <= 0 or hours <= 0:
                continue
            at = np.array([cal.next_open(d * DAY) for d in np.arange(0.0, s.days, every)])
            at = at[at < s.days * DAY]
            for c in range(n_comm):
                times.append(at)
                mins.append(np.full(len(at), hours * 60.0))
                comms.append(np.full(len(at), c))
                kinds.append(np.full(len(at), kind, np.int8))
    if not times:
        e = np.empty(0)
        return Workload(e, e.astype(int), e, e.astype(np.int8))
    time = np.concatenate(times)
    order = np.argsort(time, kind="stable")
    return Workload(
        time[order],
        np.concatenate(comms)[order].astype(np.int32),
        np.concatenate(mins)[order],
        np.concatenate(kinds)[order],
    )
