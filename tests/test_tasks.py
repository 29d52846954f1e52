"""Work pushed down to communities (条块下派): plaques, assessments, tasks, and their chunks.

`draw_workload` (sim/processes/tasks.py) places plaque upkeep monthly and assessments evenly
over the year, each at the next opening. The router (sim/processes/routing.py) serves a
work package at the community desk in chunks of at most ``chunk_hours``, so staff can turn
to the counter between chunks when the priority rule puts residents first (a chunk counts
from the package's arrival, and the next chunk goes to the head of the task queue).
Logs hold ``(event, who, station, minute)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from harness import log_services, wire

import sim
from sim.clock import DAY
from sim.model.calendar import calendar_of
from sim.model.station import Entry
from sim.processes.demand import DRAWS, Demands, catalogue
from sim.processes.records import RESOLVED
from sim.processes.routing import Router
from sim.processes.tasks import Workload, draw_workload
from sim.rules.priority import TASK
from sim.scenario import Scenario

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
TASK_KIND, PLAQUE, ASSESSMENT = 0, 1, 2

SCENARIO: dict[str, Any] = {
    "name": "tasks-test",
    "days": 7,
    "calendar": {"open_hour": 8.0, "close_hour": 17.0, "days_per_week": 5},
    "structure": {"streets": 1, "communities": 1, "residents_per_community": 10},
    "departments": ["civil_affairs"],
    "units": {"desk": {"level": "community", "servers": 1, "priority": "residents_first"}},
    "flows": {
        "counter": {
            "entry": "serve",
            "stages": {"serve": {"unit": "desk", "dist": "fixed", "minutes": 10}},
        }
    },
    "demands": {
        "services": {
            "rate_per_resident_year": 0.0,
            "groups": {"counter": {"department": "civil_affairs", "share": 1.0, "flow": "counter"}},
        }
    },
    "tasks": {"unit": "desk", "chunk_hours": 1.0},
}


def at(day: int, hour: float) -> float:
    """Clock minute of `hour` o'clock on day `day` of the run (day 0 is a Monday)."""
    return day * DAY + hour * 60.0


def scenario(overrides: dict[str, Any] | None = None) -> Scenario:
    """The test district: one community desk with one staffer, offices 8:00-17:00."""
    return sim.load_scenario(SCENARIO, overrides)


def residents_at(s: Scenario, times: Sequence[float]) -> Demands:
    """Residents of community 0 coming to the counter at `times` (10 minutes each)."""
    types, groups = catalogue(s)
    n = len(times)
    zeros = np.zeros(n, np.int32)
    return Demands(
        time=np.asarray(times, dtype=float),
        type=zeros.astype(np.int16),
        group=zeros.astype(np.int16),
        item=zeros,
        resident=np.arange(n, dtype=np.int32),
        community=zeros,
        online=np.zeros(n, bool),
        u_service=np.full((n, DRAWS), 0.5),
        u_route=np.full((n, DRAWS), 0.5),
        types=types,
        groups=groups,
    )


def package(time: float, minutes: float, community: int = 0) -> Workload:
    """One work package of `minutes` arriving at `time`."""
    return Workload(
        np.array([time]), np.array([community], np.int32), np.array([minutes]), np.zeros(1, np.int8)
    )


def simulate(s: Scenario, demands: Demands, work: Workload) -> tuple[Router, list[tuple]]:
    """Wire the district as production does, run it and log every start and end."""
    world = wire(s, demands, work)
    log: list[tuple] = []
    log_services(world, log, lambda station, entry: _who(entry))
    world.run(stepped=True)
    return world.router, log


def _who(entry: Entry) -> str:
    return f"{'task' if entry[0] == TASK else 'res'}{entry[1]}"


def schedule(log: list[tuple]) -> list[tuple[str, float, float]]:
    """Each service as ``(who, start, end)``, in the order services started.

    Unlike the raw log, this does not depend on whether a station reports the end of one
    service before or after the start of the next at the same minute.
    """
    open_: dict[str, list[float]] = {}
    out: list[list[Any]] = []
    for event, who, _, t in log:
        if event == "start":
            open_.setdefault(who, []).append(len(out))
            out.append([who, t, None])
        else:
            out[open_[who].pop(0)][2] = t
    return [(who, a, b) for who, a, b in out]


# -- drawing the workload -----------------------------------------------------------------
def test_plaques_monthly_and_assessments_over_the_year_at_next_opening() -> None:
    """Two plaques (1.5 h a month each) and four assessments a year (2 h each), 150 days.

    Plaque upkeep falls every 365/12 days, assessments every 91.25 days; each lands at the
    next opening: day 60.83 is Friday 20:00 -> Monday day 63, 8:00; day 91.25 is Monday 6:00
    -> 8:00. Both communities get the same packages; ties keep plaques before assessments.
    """
    s = scenario(
        {
            "days": 150,
            "structure.communities": 2,
            "tasks.plaques": 2,
            "tasks.plaque_hours_per_month": 1.5,
            "tasks.assessments": 4,
            "tasks.assessment_hours": 2.0,
        }
    )
    w = draw_workload(s, calendar_of(s), np.random.default_rng(0))
    plaque_days = [at(0, 8), at(30, 10), at(63, 8), at(91, 8), at(121, 16)]
    expected = []
    for t in plaque_days:
        expected += [(t, 0, 180.0, PLAQUE), (t, 1, 180.0, PLAQUE)]
        if t in (at(0, 8), at(91, 8)):
            expected += [(t, 0, 120.0, ASSESSMENT), (t, 1, 120.0, ASSESSMENT)]
    cols = (w.time.tolist(), w.community.tolist(), w.minutes.tolist(), w.kind.tolist())
    got = list(zip(*cols, strict=True))
    assert w.size == len(expected) == 14
    assert [g[1:] for g in got] == [e[1:] for e in expected]
    assert [g[0] for g in got] == pytest.approx([e[0] for e in expected], abs=1e-6)


def test_no_task_unit_means_no_work() -> None:
    """Without a unit to land on, departments push nothing down (a reform may remove it)."""
    s = scenario({"tasks.unit": None, "tasks.plaques": 3, "tasks.plaque_hours_per_month": 2})
    w = draw_workload(s, calendar_of(s), np.random.default_rng(0))
    assert w.size == 0


def test_tasks_arrive_during_office_hours_in_time_order() -> None:
    """Ad-hoc tasks are a Poisson stream in office hours, with exponential workloads."""
    s = scenario({"days": 56, "structure.communities": 3, "tasks.per_year": 300.0})
    cal = calendar_of(s)
    w = draw_workload(s, cal, np.random.default_rng(7))
    assert w.size > 0
    assert np.all(np.diff(w.time) >= 0)
    assert all(cal.is_open(t) for t in w.time.tolist())
    assert np.all(w.time < s.days * DAY)
    assert set(w.community.tolist()) == {0, 1, 2}
    assert np.all(w.kind == TASK_KIND)
    assert np.all(w.minutes > 0)


# -- chunks at the desk -------------------------------------------------------------------
def test_package_chunks_let_residents_in_between() -> None:
    """A 2.5-hour task is served as 60 + 60 + 30 minutes; residents are served between chunks.

    Under residents_first: the task arrives Monday 8:10, residents at 8:20 and 8:30. After the
    first chunk the staffer serves both residents (10 minutes each), then finishes the task.
    """
    s = scenario({"units.desk.priority": "residents_first"})
    router, log = simulate(
        s, residents_at(s, [at(MON, 8) + 20, at(MON, 8) + 30]), package(490, 150)
    )
    assert schedule(log) == [
        ("task0", 490.0, 550.0),
        ("res0", 550.0, 560.0),
        ("res1", 560.0, 570.0),
        ("task0", 570.0, 630.0),
        ("task0", 630.0, 660.0),
    ]
    assert router.w_done == [660.0]
    assert router.w_left[0] == pytest.approx(0.0)
    assert list(router.outcome) == [RESOLVED, RESOLVED]


@pytest.mark.parametrize("rule", ["tasks_first", "fifo"])
def test_package_chunks_keep_residents_waiting(rule: str) -> None:
    """Under tasks_first or fifo the staffer finishes all three chunks before the residents.

    The next chunk is queued (at the head of the task queue) before the window is freed, so
    tasks_first takes it again. Under fifo each chunk counts from the package's arrival (8:10),
    earlier than the residents (8:20, 8:30), so it is older work and goes first too.
    """
    s = scenario({"units.desk.priority": rule})
    router, log = simulate(
        s, residents_at(s, [at(MON, 8) + 20, at(MON, 8) + 30]), package(490, 150)
    )
    assert schedule(log) == [
        ("task0", 490.0, 550.0),
        ("task0", 550.0, 610.0),
        ("task0", 610.0, 640.0),
        ("res0", 640.0, 650.0),
        ("res1", 650.0, 660.0),
    ]
    assert router.w_done == [640.0]
    assert router.w_left[0] == pytest.approx(0.0)
    assert list(router.outcome) == [RESOLVED, RESOLVED]


def test_chunk_started_before_closing_is_finished_and_the_rest_waits() -> None:
    """A package arriving at 16:30 runs one chunk into overtime; the rest waits for Tuesday."""
    s = scenario()
    router, log = simulate(s, residents_at(s, []), package(at(MON, 16.5), 150))
    assert log == [
        ("start", "task0", "desk", at(MON, 16.5)),
        ("done", "task0", "desk", at(MON, 17.5)),
        ("start", "task0", "desk", at(TUE, 8)),
        ("done", "task0", "desk", at(TUE, 9)),
        ("start", "task0", "desk", at(TUE, 9)),
        ("done", "task0", "desk", at(TUE, 9.5)),
    ]
    assert router.w_done == [at(TUE, 9.5)]


def test_plaques_land_on_every_community_desk() -> None:
    """Monthly plaque upkeep (3 h) reaches each community's own desk at the first opening."""
    s = scenario(
        {"structure.communities": 2, "tasks.plaques": 1, "tasks.plaque_hours_per_month": 3.0}
    )
    work = draw_workload(s, calendar_of(s), np.random.default_rng(0))
    assert work.size == 2
    router, log = simulate(s, residents_at(s, []), work)
    for j, desk in enumerate(("desk/0", "desk/1")):
        assert [line for line in log if line[1] == f"task{j}"] == [
            ("start", f"task{j}", desk, 480.0),
            ("done", f"task{j}", desk, 540.0),
            ("start", f"task{j}", desk, 540.0),
            ("done", f"task{j}", desk, 600.0),
            ("start", f"task{j}", desk, 600.0),
            ("done", f"task{j}", desk, 660.0),
        ]
    assert router.w_done == [660.0, 660.0]
