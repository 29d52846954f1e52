"""Work departments push down to communities (条块下派): tasks, plaques and assessments.

Tasks arrive at each community as a Poisson stream during office hours, each with an
exponential workload of mean ``hours_each``; or, with campaigns, in batches: the district's
departments launch campaigns (inspections 迎检, statistical reports, ledgers 台账) on a
regular cycle, and every community gets at once the tasks that accumulated since the last.
Plaques (挂牌) cost their upkeep hours every month; assessments (考核) are spread evenly over
the year. With ``per_residents`` every figure is scaled to the community's residents, so that
the district's work does not depend on how it is cut into communities. All of it is queued at the
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
    scale = work_scale(s)
    campaigns = campaign_times(s, cal, rng)
    if t.unit is not None:
        for c in range(n_comm):  # a community's tasks come from sub-streams of its own
            n = int(substream(rng, c, 0).poisson(t.per_year * years * scale))
            u = substream(rng, c, 1).random((n, 2))
            if campaigns is None:
                times.append(cal.to_clock(u[:, 0] * horizon_open))
            elif len(campaigns):  # a task comes with the latest campaign before its moment
                k = np.searchsorted(campaigns, u[:, 0] * horizon_open, side="right") - 1
                times.append(cal.to_clock(campaigns[np.maximum(k, 0)]))
            else:  # campaigns, but none fell in the run
                n, u = 0, u[:0]
                times.append(np.empty(0))
            mins.append(-np.log1p(-u[:, 1]) * t.hours_each * 60.0)
            comms.append(np.full(n, c))
            kinds.append(np.zeros(n, np.int8))
        periodic = [
            (1, MONTH_DAYS, t.plaques * t.plaque_hours_per_month * scale),
            (2, 365.0 / t.assessments if t.assessments else 0.0, t.assessment_hours * scale),
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


CAMPAIGN_KEY = 2**31 - 1  # sub-stream key of the district's campaigns (no community has it)


def work_scale(s: Scenario) -> float:
    """How many times the scenario's task figures a community gets: 1 when they are per
    community, else its residents over ``tasks.per_residents``."""
    per = s.tasks.per_residents
    return 1.0 if per is None else s.structure.residents_per_community / per


def campaign_times(s: Scenario, cal: Calendar, rng: np.random.Generator) -> np.ndarray | None:
    """Moments of the district's task campaigns in office time (open minutes from the start),
    in order, or None without campaigns: departments' reporting cycles, evenly spaced in
    office time from a random phase."""
    k = s.tasks.campaigns_per_year
    if k <= 0:
        return None
    period = cal.open_minutes_in(365) / k
    phase = substream(rng, CAMPAIGN_KEY, 0).random() * period
    return np.arange(phase, cal.open_minutes_in(s.days), period)
