"""Routing: the path of a resident's matter through units, trips and hand-offs.

A tiny district (one street office, two communities, an online platform; offices open
Monday to Friday 8:00-17:00) is wired as `sim.experiment.replication.run_replication` wires
it, with hand-built demands: chosen arrival times, and routing uniforms chosen to force the
missing-document branch or not. Every stage has a fixed service time, so each path is exact.
The log holds ``(event, demand, stage, minute)`` for entering a stage, starting and finishing
service (sim/processes/routing.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy
from harness import log_services, no_work, wire

import sim
from sim.clock import DAY
from sim.model.district import District
from sim.model.population import Population
from sim.model.station import Entry, Station
from sim.processes.demand import DRAWS, Demands, catalogue
from sim.processes.records import ABANDONED, OPEN, RESOLVED
from sim.processes.routing import Router
from sim.processes.tasks import Workload
from sim.rules.priority import TASK
from sim.scenario import Scenario

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
APPROVAL, COUNTER = 0, 1  # item groups, in catalogue order
NO_RETURN = 0.9  # a routing uniform above every missing-document probability used here


def at(day: int, hour: float) -> float:
    """Clock minute of `hour` o'clock on day `day` of the run (day 0 is a Monday)."""
    return day * DAY + hour * 60.0


def fixed(unit: str, minutes: float, presence: str = "resident", **extra: Any) -> dict[str, Any]:
    """A stage with a fixed service time."""
    return {"unit": unit, "presence": presence, "dist": "fixed", "minutes": minutes, **extra}


def route(to: str, hours: float) -> list[dict[str, Any]]:
    """A single sure route to stage `to` after `hours` of forwarding delay."""
    return [{"to": to, "p": 1.0, "delay_hours": hours}]


SCENARIO: dict[str, Any] = {
    "name": "routing-test",
    "days": 14,
    "calendar": {"open_hour": 8.0, "close_hour": 17.0, "days_per_week": 5},
    "structure": {"streets": 1, "communities": 2, "residents_per_community": 10},
    "departments": ["civil_affairs", "other"],
    "units": {
        "desk": {"level": "community", "servers": 1, "priority": "fifo"},
        "street": {"level": "street", "servers": 1, "priority": "fifo"},
        "online": {"level": "online", "servers": 0, "calendar": "always"},
    },
    "flows": {
        # 街居两级流转: intake at the community, processing at the street, back, collection
        "two_level": {
            "entry": "intake",
            "online_entry": "apply_online",
            "stages": {
                "intake": fixed(
                    "desk",
                    10,
                    missing_docs_return=True,
                    return_delay_hours=48,
                    routes=route("process", 24),
                ),
                "apply_online": fixed("online", 20, "file", routes=route("process", 0)),
                "process": fixed("street", 30, "file", routes=route("return", 24)),
                "return": fixed("desk", 5, "file", routes=route("collect", 24)),
                "collect": fixed("desk", 5),
            },
        },
        "counter": {
            "entry": "serve",
            "stages": {"serve": fixed("desk", 30, missing_docs_return=True, return_delay_hours=48)},
        },
    },
    "demands": {
        "administrative": {
            "rate_per_resident_year": 0.0,
            "groups": {
                "approvals": {
                    "department": "civil_affairs",
                    "share": 1.0,
                    "flow": "two_level",
                    "online_eligible": True,
                    "missing_docs": 0.5,
                }
            },
        },
        "services": {
            "rate_per_resident_year": 0.0,
            "groups": {
                "counter": {
                    "department": "other",
                    "share": 1.0,
                    "flow": "counter",
                    "missing_docs": 0.5,
                }
            },
        },
    },
}


@dataclass
class Arrival:
    """One hand-made demand: when, which item group, which community, how routing goes.

    `u_route` holds the routing uniforms of the first stage completions (one per completion);
    a document is missing when the uniform is below the group's share (0.5 here).
    """

    time: float
    group: int = COUNTER
    community: int = 0
    online: bool = False
    u_route: float | Sequence[float] = NO_RETURN
    resident: int = 0


@dataclass
class Run:
    """A wired, finished simulation and what was recorded."""

    env: simpy.Environment
    scenario: Scenario
    district: District
    population: Population
    router: Router
    log: list[tuple]
    backlog: list[list[int]]

    def station(self, name: str) -> Station:
        """The station called `name`."""
        return next(st for st in self.district.stations if st.name == name)


def make_demands(s: Scenario, arrivals: Sequence[Arrival]) -> Demands:
    """A `Demands` stream built by hand (arrivals must be in time order)."""
    types, groups = catalogue(s)
    n = len(arrivals)
    u_route = np.full((n, DRAWS), NO_RETURN)  # draws not given: no document missing
    for i, a in enumerate(arrivals):
        u = np.atleast_1d(np.asarray(a.u_route, dtype=float))
        u_route[i, : len(u)] = u
    return Demands(
        time=np.array([a.time for a in arrivals], dtype=float),
        type=np.array([types.index(groups[a.group].demand_type) for a in arrivals], np.int16),
        group=np.array([a.group for a in arrivals], np.int16),
        item=np.zeros(n, np.int32),
        resident=np.array([a.resident for a in arrivals], np.int32),
        community=np.array([a.community for a in arrivals], np.int32),
        online=np.array([a.online for a in arrivals], bool),
        u_service=np.full((n, DRAWS), 0.5),
        u_route=u_route,
        types=types,
        groups=groups,
    )


def simulate(
    arrivals: Sequence[Arrival],
    overrides: dict[str, Any] | None = None,
    work: Workload | None = None,
) -> Run:
    """Wire a district as production does, run it to the horizon and log every move."""
    s = sim.load_scenario(SCENARIO, overrides)
    world = wire(s, make_demands(s, arrivals), no_work() if work is None else work)
    router, env = world.router, world.setting.env
    log: list[tuple] = []
    enter = router.enter

    def logged_enter(i: int, sid: int) -> None:
        log.append(("enter", i, router.stages[sid].name, env.now))
        enter(i, sid)

    router.enter = logged_enter  # type: ignore[method-assign]
    log_services(world, log, lambda station, entry: _who(router, entry))
    world.run(stepped=True)
    log[:] = [(ev, *who, t) if ev != "enter" else (ev, who, st, t) for ev, who, st, t in log]
    return Run(env, s, world.setting.district, world.population, router, log, world.backlog)


def _who(router: Router, entry: Entry) -> tuple[int, str]:
    if entry[0] == TASK:
        return entry[1], "task"
    return entry[1], router.stages[router.stage[entry[1]]].name


def path(run: Run, i: int) -> list[tuple]:
    """The log lines of demand `i`."""
    return [line for line in run.log if line[1] == i]


# -- tests ------------------------------------------------------------------------------
def test_two_level_flow_community_street_community() -> None:
    """An approval goes community -> street -> community: 2 hand-offs and 2 trips.

    The resident hands in the file on Monday 9:00, the community forwards it the next day,
    the street sends the result back a day later, and the resident collects it the day after.
    """
    run = simulate([Arrival(at(MON, 9), APPROVAL, community=1)])
    r = run.router
    assert run.log == [
        ("enter", 0, "intake", at(MON, 9)),
        ("start", 0, "intake", at(MON, 9)),
        ("done", 0, "intake", at(MON, 9) + 10),
        ("enter", 0, "process", at(TUE, 9) + 10),
        ("start", 0, "process", at(TUE, 9) + 10),
        ("done", 0, "process", at(TUE, 9) + 40),
        ("enter", 0, "return", at(WED, 9) + 40),
        ("start", 0, "return", at(WED, 9) + 40),
        ("done", 0, "return", at(WED, 9) + 45),
        ("enter", 0, "collect", at(THU, 9) + 45),
        ("start", 0, "collect", at(THU, 9) + 45),
        ("done", 0, "collect", at(THU, 9) + 50),
    ]
    assert (r.trips[0], r.handoffs[0], r.visits[0]) == (2, 2, 3)
    assert (r.outcome[0], r.finish[0]) == (RESOLVED, at(THU, 9) + 50)
    assert (r.first_start[0], r.wait[0]) == (at(MON, 9), 0.0)
    started = {st.name: st.started for st in run.district.stations}
    assert started == {"desk/0": 0, "desk/1": 3, "street": 1, "online": 0}


def test_file_forwarded_on_friday_waits_for_monday() -> None:
    """A file reaching the street office on Saturday waits in the tray; it is no extra trip."""
    run = simulate([Arrival(at(FRI, 16), APPROVAL)])
    assert run.log == [
        ("enter", 0, "intake", at(FRI, 16)),
        ("start", 0, "intake", at(FRI, 16)),
        ("done", 0, "intake", at(FRI, 16) + 10),
        ("enter", 0, "process", at(SAT, 16) + 10),
        ("start", 0, "process", at(7, 8)),
        ("done", 0, "process", at(7, 8) + 30),
        ("enter", 0, "return", at(8, 8) + 30),
        ("start", 0, "return", at(8, 8) + 30),
        ("done", 0, "return", at(8, 8) + 35),
        ("enter", 0, "collect", at(9, 8) + 35),
        ("start", 0, "collect", at(9, 8) + 35),
        ("done", 0, "collect", at(9, 8) + 40),
    ]
    r = run.router
    assert (r.trips[0], r.handoffs[0], r.wait[0]) == (2, 2, 0.0)
    assert run.backlog[SAT] == [0, 0, 1, 0]  # desk/0, desk/1, street, online at midnight


def test_missing_document_return() -> None:
    """A resident lacking a document is sent home on Friday and comes back Monday at 8:00.

    The return delay (48 hours) ends on Sunday, so the resident comes at the next opening;
    the second visit is one more trip, at the same desk (no new visit, no hand-off).
    """
    run = simulate([Arrival(at(FRI, 16), COUNTER, u_route=(0.2, NO_RETURN))])
    assert run.log == [
        ("enter", 0, "serve", at(FRI, 16)),
        ("start", 0, "serve", at(FRI, 16)),
        ("done", 0, "serve", at(FRI, 16.5)),
        ("enter", 0, "serve", at(7, 8)),
        ("start", 0, "serve", at(7, 8)),
        ("done", 0, "serve", at(7, 8.5)),
    ]
    r = run.router
    assert (r.trips[0], r.visits[0], r.handoffs[0], r.k[0]) == (2, 1, 0, 2)
    assert (r.outcome[0], r.finish[0]) == (RESOLVED, at(7, 8.5))


def test_missing_document_threshold_is_strict() -> None:
    """A routing uniform equal to the missing-document share (0.5) means the papers are fine."""
    run = simulate(
        [
            Arrival(at(MON, 9), COUNTER, u_route=0.5, resident=1),
            Arrival(at(TUE, 9), COUNTER, u_route=(0.4999, NO_RETURN), resident=2),
        ]
    )
    r = run.router
    assert list(r.trips) == [1, 2]
    assert list(r.finish) == [at(MON, 9.5), at(THU, 10)]  # sent home 9:30, back 48 h later


def test_resident_queueing_at_closing_gets_one_more_trip() -> None:
    """A resident still waiting at 17:00 goes home and is served at the next opening.

    The first resident is served 16:40-17:10 (overtime); the second, who came at 16:45,
    waited 15 open minutes on Monday and is served Tuesday at 8:00: two trips.
    """
    run = simulate(
        [
            Arrival(at(MON, 16) + 40, COUNTER, resident=1),
            Arrival(at(MON, 16) + 45, COUNTER, resident=2),
        ]
    )
    assert run.log == [
        ("enter", 0, "serve", at(MON, 16) + 40),
        ("start", 0, "serve", at(MON, 16) + 40),
        ("enter", 1, "serve", at(MON, 16) + 45),
        ("done", 0, "serve", at(MON, 17) + 10),
        ("start", 1, "serve", at(TUE, 8)),
        ("done", 1, "serve", at(TUE, 8.5)),
    ]
    r = run.router
    assert list(r.trips) == [1, 2]
    assert list(r.wait) == [0.0, 15.0]  # open minutes only: 16:45-17:00
    assert list(r.outcome) == [RESOLVED, RESOLVED]
    assert run.backlog[MON] == [1, 0, 0, 0]  # the second resident waits overnight
    assert run.backlog[TUE] == [0, 0, 0, 0]


def test_balking_ends_the_demand_as_abandoned() -> None:
    """With balk_queue = 1, a resident who finds someone already waiting leaves at once."""
    run = simulate(
        [
            Arrival(at(MON, 9), COUNTER, resident=1),
            Arrival(at(MON, 9) + 5, COUNTER, resident=2),
            Arrival(at(MON, 9) + 10, COUNTER, resident=3),
        ],
        overrides={"flows.counter.stages.serve.balk_queue": 1},
    )
    assert run.log == [
        ("enter", 0, "serve", at(MON, 9)),
        ("start", 0, "serve", at(MON, 9)),
        ("enter", 1, "serve", at(MON, 9) + 5),
        ("enter", 2, "serve", at(MON, 9) + 10),
        ("done", 0, "serve", at(MON, 9.5)),
        ("start", 1, "serve", at(MON, 9.5)),
        ("done", 1, "serve", at(MON, 10)),
    ]
    r = run.router
    assert list(r.outcome) == [RESOLVED, RESOLVED, ABANDONED]
    assert r.finish[2] == at(MON, 9) + 10
    assert r.trips[2] == 1
    assert math.isnan(r.first_start[2])
    # an abandoned matter scores 0: satisfaction moves a fifth of the way from 0.6 to 0
    assert run.population.satisfaction[3] == 0.6 + 0.2 * (0.0 - 0.6)


def test_online_entry_skips_the_trip_and_handoffs_need_two_staffed_units() -> None:
    """An online application reaches the street without a trip; online -> street is no hand-off.

    The platform (servers = 0) forwards at once; only street -> community counts as a
    hand-off, and only the collection is a trip.
    """
    run = simulate([Arrival(at(MON, 10), APPROVAL, online=True)])
    assert run.log == [
        ("enter", 0, "apply_online", at(MON, 10)),
        ("start", 0, "apply_online", at(MON, 10)),
        ("done", 0, "apply_online", at(MON, 10) + 20),
        ("enter", 0, "process", at(MON, 10) + 20),
        ("start", 0, "process", at(MON, 10) + 20),
        ("done", 0, "process", at(MON, 10) + 50),
        ("enter", 0, "return", at(TUE, 10) + 50),
        ("start", 0, "return", at(TUE, 10) + 50),
        ("done", 0, "return", at(TUE, 10) + 55),
        ("enter", 0, "collect", at(WED, 10) + 55),
        ("start", 0, "collect", at(WED, 10) + 55),
        ("done", 0, "collect", at(WED, 11)),
    ]
    r = run.router
    assert (r.trips[0], r.handoffs[0], r.visits[0]) == (1, 1, 3)
    assert r.outcome[0] == RESOLVED


def test_online_flag_without_online_entry_goes_to_the_counter() -> None:
    """A demand marked online whose flow has no online entry is handled at the counter."""
    run = simulate([Arrival(at(MON, 10), COUNTER, online=True)])
    assert path(run, 0)[0] == ("enter", 0, "serve", at(MON, 10))
    assert run.router.trips[0] == 1


def test_demands_not_finished_by_the_horizon_stay_open() -> None:
    """A matter still in the pipeline when the run ends has no finish time."""
    run = simulate([Arrival(at(7 + FRI, 16), APPROVAL)])  # the horizon is Monday of week 3
    r = run.router
    assert r.outcome[0] == OPEN
    assert math.isnan(r.finish[0])
    assert path(run, 0)[-1] == ("enter", 0, "process", at(7 + SAT, 16) + 10)
    assert run.station("street").queued() == 1
