"""One replication: build the district, draw residents and demands, run the clock, collect.

Everything random comes from the replication's named streams (`sim.model.streams`), so a
replication is a pure function of (scenario, root seed, replication index).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.clock import DAY
from sim.model.calendar import Calendar
from sim.model.district import District, build_district
from sim.model.population import Population, build_population
from sim.model.streams import stream
from sim.processes.demand import Demands, draw_demands
from sim.processes.mechanism import Context, Mechanism, start_mechanisms
from sim.processes.office_hours import end_of_day, office_hours
from sim.processes.routing import Router
from sim.processes.tasks import Workload, draw_workload
from sim.scenario.schema import Scenario


@dataclass
class Replication:
    """What one replication leaves behind, for the reducers in `sim.metrics`."""

    scenario: Scenario
    index: int
    seed: int
    calendar: Calendar
    district: District
    population: Population
    demands: Demands
    work: Workload
    router: Router
    backlog: np.ndarray  # days x stations
    mechanisms: list[Mechanism] = field(default_factory=list)

    @property
    def horizon(self) -> float:
        """Length of the run in minutes."""
        return self.scenario.days * DAY


def calendar_of(s: Scenario) -> Calendar:
    """The office calendar of scenario `s`."""
    c = s.calendar
    return Calendar(
        c.open_hour * 60.0, c.close_hour * 60.0, c.days_per_week, always=c.kind == "always"
    )


def run_replication(
    s: Scenario,
    index: int = 0,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Replication:
    """Run replication `index` of scenario `s`.

    Parameters
    ----------
    s : Scenario
        The validated scenario.
    index : int
        Replication index (selects the random streams).
    seed : int, optional
        Root seed; the scenario's ``seed`` by default.
    progress : callable, optional
        Called with 1 at the end of each simulated day.
    """
    seed = s.seed if seed is None else seed
    cal = calendar_of(s)
    env = simpy.Environment()
    district = build_district(s, env)
    pop = build_population(s, stream(seed, index, "population"))
    demands = draw_demands(s, cal, pop, stream(seed, index, "arrivals"))
    work = draw_workload(s, cal, stream(seed, index, "tasks"))
    task_unit = district.unit_names.index(s.tasks.unit) if s.tasks.unit else -1
    router = Router(
        env, s, cal, district, pop, demands, work, task_unit, stream(seed, index, "fallback")
    )
    horizon = s.days * DAY
    office = [st for st in district.stations if not st.is_open]
    env.process(office_hours(env, cal, office, horizon))
    backlog: list[list[int]] = []
    env.process(end_of_day(env, district.stations, s.days, backlog, progress))
    ctx = Context(env, s, cal, district, pop, router, seed, index)
    mechanisms = start_mechanisms(ctx)
    router.run(until=horizon)
    router.finalize()
    for st in district.stations:
        st._mark(horizon)
    while len(backlog) < s.days:  # the last midnight falls on the horizon itself
        backlog.append([st.queued() for st in district.stations])
        if progress is not None:
            progress(1)
    return Replication(
        s,
        index,
        seed,
        cal,
        district,
        pop,
        demands,
        work,
        router,
        np.array(backlog, dtype=np.int64).reshape(s.days, len(district.stations)),
        mechanisms,
    )
