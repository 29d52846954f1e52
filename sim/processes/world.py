"""One replication's world: the district built from a scenario, its residents, demands and
work, the router, the mechanisms switched on — and the clock that runs them.

`build_world` wires everything in one fixed order (the order fixes SimPy's tie-breaking, so
it is part of the model), drawing each part from its own named random stream unless a test
hands it in; `World.run` runs the clock to the horizon and returns the replication's
`Records`. Production runs, benchmarks and every test harness build worlds here, so what a
test checks is what a run does. A replication is a pure function of (scenario, root seed,
replication index).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.clock import DAY
from sim.memory import release
from sim.model.calendar import calendar_of, sessions_of
from sim.model.district import District, build_district
from sim.model.population import Population, build_population
from sim.model.streams import stream
from sim.model.wake import Environment
from sim.processes.demand import Demands, draw_demands
from sim.processes.mechanism import Context, Mechanism
from sim.processes.mechanisms import start_mechanisms
from sim.processes.office_hours import end_of_day, office_hours
from sim.processes.records import (
    Records,
    demand_records,
    resident_records,
    station_records,
    work_records,
)
from sim.processes.routing import Router
from sim.processes.satisfaction import Satisfaction
from sim.processes.setting import Setting
from sim.processes.tasks import Workload, draw_workload
from sim.scenario.schema import Scenario

# demands of a world large enough to hand its freed memory back after drawing its demands and
# after its run (`sim.memory.release`: 15-30 ms, more than a teaching run itself; a city-year
# leaves about 0.45 GB of the draw's scratch memory and 0.7 GB of spent stations and queues)
LARGE_WORLD = 100_000


@dataclass(frozen=True)
class Given:
    """Parts of a world handed in instead of drawn (for tests with exact logs).

    Attributes
    ----------
    population : Population, optional
        The residents.
    demands : Demands, optional
        The demand stream.
    work : Workload, optional
        The work pushed down to communities.
    mechanisms : mapping, optional
        Extra keyword arguments for a mechanism's constructor, by its section (e.g. a
        burden mechanism's would-be tasks, a market's log).
    """

    population: Population | None = None
    demands: Demands | None = None
    work: Workload | None = None
    mechanisms: Mapping[str, Mapping[str, Any]] | None = None


@dataclass
class World:
    """A wired replication, ready to run (or run).

    Attributes
    ----------
    setting : Setting
        Clock, scenario, calendar and stations.
    population : Population
        The residents.
    demands : Demands
        The demand stream.
    work : Workload
        Work pushed down up front.
    router : Router
        Moves demands and work through the stations; holds the record columns.
    context : Context
        What the mechanisms see.
    mechanisms : list
        The mechanisms switched on, in start order.
    backlog : list of list of int
        Work waiting at each station at each midnight.
    records : Records or None
        What the run left behind, once it has run.
    shared_population : bool
        The population was handed in (`Given`) and may serve other runs: the records keep a
        copy of its final satisfaction rather than the array itself.
    """

    setting: Setting
    population: Population
    demands: Demands
    work: Workload
    router: Router
    context: Context
    mechanisms: list[Mechanism]
    backlog: list[list[int]]
    progress: Callable[[int], object] | None = None
    records: Records | None = None
    shared_population: bool = False

    @property
    def scenario(self) -> Scenario:
        """The scenario."""
        return self.setting.scenario

    @property
    def district(self) -> District:
        """The stations."""
        return self.setting.district

    @property
    def horizon(self) -> float:
        """Length of the run in minutes."""
        return self.scenario.days * DAY

    def mechanism(self, section: str) -> Mechanism:
        """The running mechanism switched on by `section`."""
        return next(m for m in self.mechanisms if m.section == section)

    def run(self, stepped: bool = False) -> Records:
        """Run the clock to the horizon and collect the records.

        Parameters
        ----------
        stepped : bool
            Step SimPy's own ``Environment.run`` with one event per demand arrival instead
            of the router's merged loop: slower, the same results (a test checks), and the
            path on which a test can intercept every call.
        """
        s, env, router = self.scenario, self.setting.env, self.router
        horizon = s.days * DAY
        # the run's queue entries live minutes to days: the cyclic collector takes its
        # youngest generation less often, when most of them have gone by reference counting
        # (no effect on results, only on time; freezing the built world instead cost the
        # teaching scenario's short runs twice their time)
        thresholds = gc.get_threshold()
        gc.set_threshold(50_000, *thresholds[1:])
        try:
            if stepped:
                router.start()
                env.run(until=horizon)
            else:
                router.run(until=horizon)
        finally:
            gc.set_threshold(*thresholds)
        stations = self.setting.district.stations
        for st in stations:
            st._mark(horizon)
        while len(self.backlog) < s.days:  # the last midnight falls on the horizon itself
            self.backlog.append([st.queued() for st in stations])
            if self.progress is not None:
                self.progress(1)
        for mech in self.mechanisms:
            mech.finish()
        self.records = Records(
            scenario=s,
            replication=self.context.replication,
            seed=self.context.seed,
            demands=demand_records(router.log, self.demands, s),
            work=work_records(router.work_log),
            stations=station_records(self.setting.district, self.backlog, s.days),
            satisfaction=(
                self.population.satisfaction.copy()
                if self.shared_population
                else self.population.satisfaction
            ),
            tallies={m.section: m.tally() for m in self.mechanisms},
            residents=resident_records(self.population),
        )
        return self.records


def build_world(
    s: Scenario,
    index: int = 0,
    seed: int | None = None,
    given: Given | None = None,
    progress: Callable[[int], object] | None = None,
) -> World:
    """Wire replication `index` of scenario `s`.

    Parameters
    ----------
    s : Scenario
        The validated scenario.
    index : int
        Replication index (selects the random streams).
    seed : int, optional
        Root seed; the scenario's ``seed`` by default.
    given : Given, optional
        Parts handed in instead of drawn.
    progress : callable, optional
        Called with 1 at the end of each simulated day.
    """
    seed = s.seed if seed is None else seed
    given = given or Given()
    cal = calendar_of(s)
    env = Environment()
    setting = Setting(env, s, cal, build_district(s, env))
    pop = given.population or build_population(s, stream(seed, index, "population"))
    demands = given.demands
    if demands is None:
        demands = draw_demands(s, cal, pop, stream(seed, index, "arrivals"))
        if demands.size >= LARGE_WORLD:  # the draw's temporaries, before the log is laid out
            release()
    work = given.work
    if work is None:
        work = draw_workload(s, cal, stream(seed, index, "tasks"))
    satisfaction = Satisfaction(pop, s)
    router = Router(setting, demands, work, satisfaction, stream(seed, index, "fallback"))
    stations = setting.district.stations
    sessions = sessions_of(s)
    closed = [st for st in stations if not st.is_open and st.unit not in sessions]
    staying = frozenset(st for st in stations if st.unit == s.tasks.unit)
    overtime = s.tasks.overtime_hours * 60.0
    env.process(office_hours(env, cal, closed, s.days * DAY, overtime, staying))
    for unit, hours in sessions.items():  # units working a few sessions a week
        env.process(
            office_hours(env, hours, [st for st in stations if st.unit == unit], s.days * DAY)
        )
    backlog: list[list[int]] = []
    env.process(end_of_day(env, stations, s.days, backlog, progress))
    ctx = Context(setting, pop, satisfaction, router, seed, index)
    mechanisms = start_mechanisms(ctx, given.mechanisms or {})
    return World(
        setting,
        pop,
        demands,
        work,
        router,
        ctx,
        mechanisms,
        backlog,
        progress,
        shared_population=given.population is not None,
    )


def run_replication(
    s: Scenario,
    index: int = 0,
    seed: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> Records:
    """Build and run replication `index` of scenario `s`; return its records.

    The spent world (stations, router, calendar) is a graph of cycles that reference
    counting cannot free; after a large run it is collected and its memory handed back here,
    before the tables are built beside the records.
    """
    records = build_world(s, index, seed, progress=progress).run()
    if records.demands.size >= LARGE_WORLD:
        release(collect=True)
    return records
