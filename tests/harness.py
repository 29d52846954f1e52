"""The one test harness: a world built as production builds it, with parts handed in, run
step by step so that a test can log every move.

`simulate` wires a replication with `sim.processes.world.build_world` (the same builder
production runs use), optionally hands in residents, demands, work and mechanism arguments,
wraps the stations' hooks to log each start and end of service, and runs the clock with
SimPy's own ``Environment.run`` (`World.run(stepped=True)`), whose results
`tests/test_world.py` ties to the production path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from sim.metrics.mechanisms import mechanism_metrics, mechanism_yearly
from sim.model.population import Population
from sim.model.station import Entry, Station
from sim.processes.demand import Demands
from sim.processes.tasks import Workload
from sim.processes.world import Given, World, build_world
from sim.rules.priority import TASK
from sim.scenario import Scenario

Who = Callable[[Station, Entry], Any]


def no_work() -> Workload:
    """An empty workload: no tasks pushed down."""
    e = np.empty(0)
    return Workload(e, e.astype(np.int32), e, e.astype(np.int8))


def wire(
    s: Scenario,
    demands: Demands | None = None,
    work: Workload | None = None,
    population: Population | None = None,
    mechanisms: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int = 0,
) -> World:
    """Build replication 0 of `s` (root seed `seed`) with the given parts."""
    given = Given(population=population, demands=demands, work=work, mechanisms=mechanisms)
    return build_world(s, 0, seed, given)


def finished(s: Scenario, index: int = 0, seed: int | None = None) -> World:
    """Replication `index` of `s` built and run as production runs it (its records in
    ``world.records``), for tests that look at the stations afterwards."""
    world = build_world(s, index, seed)
    world.run()
    return world


def log_services(world: World, log: list[tuple], who: Who | None = None) -> None:
    """Append ``("start", who, station, minute)`` and ``("done", who, station, minute)`` to
    `log` at every start and end of service, before the router sees them."""
    who = who or default_who
    for st in world.setting.district.stations:
        on_start, on_done = st.on_start, st.on_done

        def start(station: Station, entry: Entry, now: float, on_start: Any = on_start) -> None:
            log.append(("start", who(station, entry), station.name, now))
            on_start(station, entry, now)

        def done(station: Station, entry: Entry, on_done: Any = on_done) -> None:
            log.append(("done", who(station, entry), station.name, station.env.now))
            on_done(station, entry)

        st.on_start, st.on_done = start, done


def default_who(station: Station, entry: Entry) -> str:
    """``task<j>`` for a work package, ``res<i>`` for a demand."""
    return f"{'task' if entry[0] == TASK else 'res'}{entry[1]}"


class Reported:
    """A finished world's mechanism with its reports: ``metrics()`` and ``yearly()`` reduce
    the world's records (`sim.metrics.mechanisms`); anything else is the mechanism's own."""

    def __init__(self, world: World, section: str) -> None:
        self._world, self._section = world, section
        self._mech = world.mechanism(section)

    def metrics(self) -> dict[tuple[str, str], float]:
        """The mechanism's summary metrics, keyed by (metric, demand_type)."""
        assert self._world.records is not None, "run the world first"
        return mechanism_metrics(self._world.records, self._section)

    def yearly(self) -> list[tuple[int, str, float]]:
        """The mechanism's yearly rows ``(year, metric, value)``."""
        assert self._world.records is not None, "run the world first"
        return mechanism_yearly(self._world.records, self._section)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mech, name)


def reported(world: World, section: str) -> Reported | None:
    """The mechanism of `section` with its reports, or None when it is off."""
    if not any(m.section == section for m in world.mechanisms):
        return None
    return Reported(world, section)
