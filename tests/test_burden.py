"""Burden after a cut: tasks pushed back (反弹), the access gate (准入), funds follow tasks
(费随事转).

Rules (`sim.rules.gate`) are tested without an environment, on fixed uniforms. The process
(`sim.processes.burden`) is tested on a hand-made district with hand-made would-be tasks of
fixed workloads: its log holds ``(event, minute, community, department, funded,
staff_minutes)`` and the staff's log ``(who, start, end)``. The multi-year runs show, with one
seed, the burden rebounding without the gate and held with it; with every mechanism off, or
switched on but idle, a run reproduces the core exactly. The hand-made district's departments
have a full habit of pushing (they try every would-be task); the push rule itself
(`sim.rules.push`) is tested in `test_push`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from harness import Reported, log_services, no_work, reported, wire

import sim
from sim.clock import DAY, YEAR
from sim.metrics.records import demand_records
from sim.metrics.summary import summary, yearly
from sim.model.calendar import calendar_of
from sim.model.station import Entry, Station
from sim.processes.burden import Candidates, draw_candidates
from sim.processes.demand import DRAWS, Demands, catalogue
from sim.processes.routing import Router
from sim.processes.tasks import Workload
from sim.processes.world import run_replication
from sim.rules.gate import REJECTED, gate_decision, is_funded, is_pushed, staff_minutes
from sim.rules.priority import TASK
from sim.scenario import Scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
MON, TUE, WED, THU, FRI = range(5)
CIVIL, PLANNING = 0, 1

SCENARIO: dict[str, Any] = {
    "name": "burden-test",
    "days": 14,
    "calendar": {"open_hour": 8.0, "close_hour": 17.0, "days_per_week": 5},
    "structure": {"streets": 1, "communities": 2, "residents_per_community": 2},
    "departments": ["civil_affairs", "family_planning"],
    "units": {"desk": {"level": "community", "servers": 1, "priority": "tasks_first"}},
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
    "tasks": {"unit": "desk", "per_year": 0.0, "chunk_hours": 1.0},
    # habit 1 at the reference draw: departments try every would-be task (see test_push)
    "burden": {
        "latent_per_year": 20.0,
        "reference_staff": 1.0,
        "capacity_elasticity": 1.0,
        "channel": 1.0,
        "habit_start": 1.0,
        "learning_per_year": 0.0,
    },
}


def at(day: int, hour: float) -> float:
    """Clock minute of `hour` o'clock on day `day` of the run (day 0 is a Monday)."""
    return day * DAY + hour * 60.0


def scenario(overrides: dict[str, Any] | None = None) -> Scenario:
    """The test district: two communities of two residents, one staffer each, 8:00-17:00."""
    return sim.load_scenario(SCENARIO, overrides)


Row = (
    tuple[float, int, int, float, float, float, float]
    | tuple[float, int, int, float, float, float, float, float]
)


def candidates(rows: Sequence[Row]) -> Candidates:
    """Would-be tasks from rows ``(time, community, department, minutes, u_fund, u_push,
    u_gate)`` (the attempt's uniform ``u_try`` 0.5) or ``(time, community, department,
    minutes, u_fund, u_try, u_push, u_gate)``, in time order."""
    full = [r if len(r) == 8 else (*r[:5], 0.5, *r[5:]) for r in rows]
    cols = list(zip(*full, strict=True)) if full else [()] * 8
    return Candidates(
        np.array(cols[0], float),
        np.array(cols[1], np.int32),
        np.array(cols[2], np.int32),
        np.array(cols[3], float),
        *(np.array(c, float) for c in cols[4:]),
    )


def residents_at(s: Scenario, rows: Sequence[tuple[float, int]]) -> Demands:
    """Residents ``(time, resident)`` coming to their community's counter (10 minutes each)."""
    types, groups = catalogue(s)
    n = len(rows)
    per = s.structure.residents_per_community
    resident = np.array([r for _, r in rows], np.int32)
    zeros = np.zeros(n, np.int32)
    return Demands(
        time=np.array([t for t, _ in rows], float),
        type=zeros.astype(np.int16),
        group=zeros.astype(np.int16),
        item=zeros,
        resident=resident,
        community=(resident // per).astype(np.int32),
        online=np.zeros(n, bool),
        u_service=np.full((n, DRAWS), 0.5),
        u_route=np.full((n, DRAWS), 0.5),
        types=types,
        groups=groups,
    )


def simulate(
    s: Scenario,
    cand: Candidates | None = None,
    residents: Sequence[tuple[float, int]] = (),
) -> tuple[Router, Reported | None, Reported | None, list[tuple[str, float, float]]]:
    """Wire the district as production does with the given would-be tasks and residents,
    run it, and return the router, the mechanisms and the staff's schedule
    ``(who, start, end)`` in the order services started."""
    given = {"burden": {"candidates": cand}} if cand is not None else {}
    world = wire(s, residents_at(s, residents), no_work(), mechanisms=given)
    log: list[tuple] = []
    log_services(world, log, _who)
    world.run(stepped=True)
    schedule: list[list[Any]] = []
    running: dict[str, list[int]] = {}
    for event, who, _, t in log:
        if event == "start":
            running.setdefault(who, []).append(len(schedule))
            schedule.append([who, t, None])
        else:
            schedule[running[who].pop(0)][2] = t
    burden, evaluation = reported(world, "burden"), reported(world, "evaluation")
    return world.router, burden, evaluation, [(w, a, b) for w, a, b in schedule]


def _who(station: Station, entry: Entry) -> str:
    return f"{'task' if entry[0] == TASK else 'res'}{entry[1]}@{station.name}"


# -- rules, without an environment --------------------------------------------------------
def test_funds_follow_the_task_by_its_own_uniform() -> None:
    """A task comes with funds when its uniform falls below the department's funded share."""
    assert is_funded(0.29, 0.3)
    assert not is_funded(0.3, 0.3)
    assert not is_funded(0.0, 0.0)  # without 费随事转 no task is funded
    assert is_funded(0.999, 1.0)


def test_gate_rejects_by_funding_with_fixed_uniforms() -> None:
    """The gate (准入) turns away an unfunded task below `reject_unfunded`, a funded one below
    `reject_funded`."""
    def gate_rejects(u: float, funded: bool, ru: float, rf: float) -> bool:
        return gate_decision(u, funded, ru, rf) == REJECTED

    assert gate_rejects(0.5, False, 0.9, 0.0)
    assert not gate_rejects(0.95, False, 0.9, 0.0)
    assert not gate_rejects(0.0, True, 0.9, 0.0)
    assert gate_rejects(0.1, True, 0.9, 0.2)
    assert not gate_rejects(0.2, True, 0.9, 0.2)
    assert not gate_rejects(0.0, False, 0.0, 0.0)  # no gate: nothing turned away


def test_funds_buy_part_of_an_accepted_task() -> None:
    """A funded task costs the staff the share the funds do not buy; an unfunded one all."""
    assert staff_minutes(120.0, True, 0.5) == 60.0
    assert staff_minutes(120.0, True, 0.25) == 90.0
    assert staff_minutes(120.0, False, 0.5) == 120.0
    assert staff_minutes(120.0, True, 1.0) == 0.0


def test_department_restraint_applies_to_unfunded_tasks_only() -> None:
    """After poor ratings a department pushes an unfunded task with chance `push_factor`; a
    funded one always."""
    assert is_pushed(0.4, False, 0.5)
    assert not is_pushed(0.5, False, 0.5)
    assert is_pushed(0.99, True, 0.1)
    assert is_pushed(0.999, False, 1.0)


# -- drawing the would-be tasks -----------------------------------------------------------
def test_would_be_tasks_follow_the_latent_rate_in_office_hours() -> None:
    """Poisson numbers per community and year with mean 30 (the latent 20 scaled to 300
    residents per 200), and 30 x 35/365 for the partial fourth year; office hours only, in
    time order, departments equally likely, exponential workloads of mean
    ``tasks.hours_each``; four uniforms each."""
    s = scenario(
        {
            "days": 1130,
            "structure.communities": 60,
            "structure.residents_per_community": 300,
            "tasks.per_residents": 200,
            "tasks.per_year": 100.0,
            "tasks.hours_each": 4.0,
        }
    )
    cal = calendar_of(s)
    c = draw_candidates(s, cal, np.random.default_rng(11))
    year = (c.time // YEAR).astype(int)
    for y, mean in enumerate((30.0, 30.0, 30.0, 30.0 * 35 / 365)):
        n = float((year == y).sum())
        expected = mean * 60
        assert abs(n - expected) < 4 * np.sqrt(expected), (y, n, expected)
    assert np.all(np.diff(c.time) >= 0)
    assert all(cal.is_open(t) for t in c.time.tolist())
    assert c.time.max() < s.days * DAY
    assert set(c.community.tolist()) == set(range(60))
    assert abs(np.mean(c.department == CIVIL) - 0.5) < 0.03
    assert c.minutes.mean() == pytest.approx(240.0, rel=0.05)
    for u in (c.u_fund, c.u_try, c.u_push, c.u_gate):
        assert 0.0 <= u.min() and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.02


def test_same_would_be_tasks_whatever_the_gate_and_funds() -> None:
    """Common random numbers: the gate and the funds do not change what departments would
    push, so a reform and its base differ only in what the rules make of the same tasks."""
    plain = scenario({"days": 400})
    gated = scenario(
        {
            "days": 400,
            "burden.gate": {"reject_unfunded": 0.9},
            "burden.funds": {"funded_share": 0.3, "bought_share": 0.5},
        }
    )
    a = draw_candidates(plain, calendar_of(plain), np.random.default_rng(5))
    b = draw_candidates(gated, calendar_of(gated), np.random.default_rng(5))
    assert a.size > 20
    names = ("time", "community", "department", "minutes", "u_fund", "u_try", "u_push", "u_gate")
    for name in names:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_no_task_unit_means_nothing_pushed_back() -> None:
    """Without a community unit to land on, departments push nothing back."""
    s = scenario({"tasks.unit": None})
    assert draw_candidates(s, calendar_of(s), np.random.default_rng(0)).size == 0


# -- the process: exact logs ----------------------------------------------------------------
def test_tasks_pushed_back_at_their_times_take_the_staffs_minutes() -> None:
    """Without gate or funds every would-be task is pushed at its time and its full workload
    queued at its community's desk in one-hour chunks; one pushed at 16:45 is finished in
    overtime (the chunk started before closing)."""
    s = scenario()
    cand = candidates(
        [
            (at(MON, 9), 0, CIVIL, 90.0, 0.5, 0.5, 0.5),
            (at(MON, 9.5), 1, PLANNING, 30.0, 0.5, 0.5, 0.5),
            (at(MON, 16.75), 0, PLANNING, 60.0, 0.5, 0.5, 0.5),
        ]
    )
    router, burden, _, staff = simulate(s, cand)
    assert burden is not None
    assert burden.log == [
        ("push", at(MON, 9), 0, "civil_affairs", False, 90.0),
        ("push", at(MON, 9.5), 1, "family_planning", False, 30.0),
        ("push", at(MON, 16.75), 0, "family_planning", False, 60.0),
    ]
    assert staff == [
        ("task0@desk/0", at(MON, 9), at(MON, 10)),
        ("task1@desk/1", at(MON, 9.5), at(MON, 10)),
        ("task0@desk/0", at(MON, 10), at(MON, 10.5)),
        ("task2@desk/0", at(MON, 16.75), at(MON, 17.75)),
    ]
    assert router.w_done == [at(MON, 10.5), at(MON, 10), at(MON, 17.75)]
    assert router.work_log.kind == [0, 0, 0]
    m = burden.metrics()
    years = 14 / 365
    assert m[("tasks_pushed_back_per_community_year", "")] == pytest.approx(3 / 2 / years)
    assert m[("tasks_rejected_by_gate_share", "")] == 0.0
    assert m[("funded_task_share", "")] == 0.0
    assert m[("bought_hours_per_community_year", "")] == 0.0


def test_gate_rejects_and_funds_buy_hours() -> None:
    """Gate 0.9 against unfunded tasks, funds with three in ten, half the hours bought.

    Monday 9:00, community 0: funded (u 0.2 < 0.3), the gate lets funded tasks through; the
    staff work 60 of its 120 minutes. 10:00: unfunded, gate uniform 0.5 < 0.9: turned away,
    no staff work. 11:00, community 1: unfunded, gate uniform 0.95: accepted, all 45 minutes.
    """
    s = scenario(
        {
            "burden.gate": {"reject_unfunded": 0.9, "reject_funded": 0.0},
            "burden.funds": {"funded_share": 0.3, "bought_share": 0.5},
        }
    )
    cand = candidates(
        [
            (at(MON, 9), 0, CIVIL, 120.0, 0.2, 0.5, 0.1),
            (at(MON, 10), 0, PLANNING, 120.0, 0.7, 0.5, 0.5),
            (at(MON, 11), 1, PLANNING, 45.0, 0.7, 0.5, 0.95),
        ]
    )
    router, burden, _, staff = simulate(s, cand)
    assert burden is not None
    assert burden.log == [
        ("push", at(MON, 9), 0, "civil_affairs", True, 60.0),
        ("reject", at(MON, 10), 0, "family_planning", False, 0.0),
        ("push", at(MON, 11), 1, "family_planning", False, 45.0),
    ]
    assert staff == [
        ("task0@desk/0", at(MON, 9), at(MON, 10)),
        ("task1@desk/1", at(MON, 11), at(MON, 11.75)),
    ]
    assert router.w_done == [at(MON, 10), at(MON, 11.75)]
    ledger = burden.ctx.ledger
    assert ledger is burden.ledger
    assert ledger.assigned[0].tolist() == [1, 2]  # turned away at the gate, still assigned
    assert ledger.funded[0].tolist() == [1, 0]
    m = burden.metrics()
    years = 14 / 365
    assert m[("tasks_rejected_by_gate_share", "")] == pytest.approx(1 / 3)
    assert m[("funded_task_share", "")] == pytest.approx(1 / 3)
    assert m[("bought_hours_per_community_year", "")] == pytest.approx(1.0 / 2 / years)
    assert m[("tasks_pushed_back_per_community_year", "")] == pytest.approx(2 / 2 / years)


def test_yearly_counts_over_two_years() -> None:
    """Tasks received per community each year (all pushed back here), the would-be tasks,
    the gate's rejections and the departments' mean habit (1 throughout: nothing learned
    with ``learning_per_year`` 0) by year."""
    s = scenario({"days": 730, "burden.gate": {"reject_unfunded": 0.5}})
    cand = candidates(
        [
            (at(MON, 9), 0, CIVIL, 30.0, 0.5, 0.5, 0.7),
            (at(TUE, 9), 1, CIVIL, 30.0, 0.5, 0.5, 0.2),
            (at(366, 9), 0, PLANNING, 30.0, 0.5, 0.5, 0.6),  # a Wednesday
            (at(367, 9), 1, PLANNING, 30.0, 0.5, 0.5, 0.8),
        ]
    )
    _, burden, _, staff = simulate(s, cand)
    assert burden is not None
    assert [e[0] for e in burden.log] == ["push", "reject", "push", "push"]
    table = {(y, k): v for y, k, v in burden.yearly()}
    assert table[(0, "tasks_per_community")] == 0.5
    assert table[(1, "tasks_per_community")] == 1.0
    assert table[(0, "tasks_rejected_by_gate_per_community")] == 0.5
    assert table[(1, "tasks_rejected_by_gate_per_community")] == 0.0
    assert table[(0, "would_be_tasks_per_community")] == 1.0
    assert table[(1, "would_be_tasks_per_community")] == 1.0
    assert table[(1, "tasks_not_tried_per_community")] == 0.0
    assert table[(0, "push_habit_mean")] == table[(1, "push_habit_mean")] == 1.0
    busy_minutes = sum(b - a for _, a, b in staff)
    assert busy_minutes == 90.0
    share = [table[(y, "staff_hours_share_tasks")] for y in (0, 1)]
    assert share[1] == pytest.approx(2 * share[0], rel=1e-2)  # twice the task minutes


# -- multi-year runs and the core ---------------------------------------------------------
SMALL = {"structure.communities": 12, "structure.streets": 2}


def _run(name: str, overrides: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = sim.load_scenario(SCENARIOS / f"{name}.toml", overrides)
    rep = run_replication(s)
    return summary(rep, demand_records(rep)), yearly(rep)


@pytest.fixture(scope="module")
def five_years() -> dict[str, pd.DataFrame]:
    """Yearly series of the rebound and gate scenarios, twelve communities, one seed."""
    out = {}
    for name in ("tongling_rebound_5y", "tongling_gate_5y"):
        table = _run(name, SMALL)[1]
        out[name] = table.pivot(index="year", columns="metric", values="value")
    return out


def test_burden_rebounds_without_the_gate(five_years: dict[str, pd.DataFrame]) -> None:
    """Without the gate, tasks per community and the task share of staff time rise every
    year after the cut, from a little above 145 to near the pre-cut 280; the rebound comes
    from the push rule: the departments' habit grows every year, slowly, then fast, then
    slowly again (self-reinforcing, then saturating), and the tasks pushed back with it."""
    y = five_years["tongling_rebound_5y"]
    tasks, share = y["tasks_per_community"], y["staff_hours_share_tasks"]
    assert len(tasks) == 5
    assert np.all(np.diff(tasks) > 0), tasks.tolist()
    assert np.all(np.diff(share) > 0), share.tolist()
    assert 150 < tasks[0] < 195 and 240 < tasks[4] < 290, tasks.tolist()
    habit, pushed = y["push_habit_mean"], y["tasks_pushed_back_per_community"]
    step, more = np.diff(habit), np.diff(pushed)
    assert np.all(step > 0) and step[1] > step[0] and step[3] < step[1], habit.tolist()
    assert more[1] > more[0] and more[3] < more[1], pushed.tolist()
    assert pushed[0] < 0.25 * 135 and pushed[4] > 0.8 * 135, pushed.tolist()


def test_gate_and_funds_hold_the_burden(five_years: dict[str, pd.DataFrame]) -> None:
    """With the gate and funds following tasks, the same would-be tasks leave the burden
    well below the rebound every year and it grows less than half as fast."""
    free, gated = five_years["tongling_rebound_5y"], five_years["tongling_gate_5y"]
    for col in ("tasks_per_community", "staff_hours_share_tasks"):
        assert np.all(gated[col] < free[col]), col
        growth_free = free[col][4] - free[col][0]
        growth_gated = gated[col][4] - gated[col][0]
        assert growth_gated < 0.5 * growth_free, (col, growth_gated, growth_free)
    assert gated["tasks_per_community"][4] < free["tasks_per_community"][4] - 50
    assert gated["tasks_rejected_by_gate_per_community"][4] > 0
    assert free["tasks_rejected_by_gate_per_community"].sum() == 0


def test_mechanisms_absent_reproduce_the_core_exactly() -> None:
    """The rebound scenario without its ``[burden]`` section is the cuts scenario: the same
    summary, number for number."""
    over = {**SMALL, "days": 60}
    s = sim.load_scenario(SCENARIOS / "tongling_rebound_5y.toml", over)
    core = sim.load_scenario(SCENARIOS / "tongling_burden_cuts.toml", over)
    off = s.model_copy(update={"burden": None, "name": core.name})
    a, b = run_replication(off), run_replication(core)
    assert a.tallies == {} and b.tallies == {}
    pd.testing.assert_frame_equal(summary(a, demand_records(a)), summary(b, demand_records(b)))


def test_idle_mechanisms_leave_the_core_untouched() -> None:
    """Burden whose departments have no habit of pushing, and two-way evaluation, switched
    on: they draw their would-be tasks from streams of their own and push nothing, so every
    core metric is exactly the core run's, and the mechanisms only add rows."""
    over = {**SMALL, "days": 400}  # a yearly rating falls inside the run
    core = sim.load_scenario(SCENARIOS / "tongling_burden_cuts.toml", over)
    on = sim.load_scenario(
        SCENARIOS / "tongling_gate_5y.toml",
        {**over, "burden.habit_start": 0.0, "evaluation": {"feedback": 0.5}},
    )
    a, b = _run_summary(core), _run_summary(on)
    assert len(b) > len(a)
    merged = a.merge(b, on=["metric", "demand_type"], how="left", suffixes=("_core", "_on"))
    pd.testing.assert_series_equal(
        merged["value_core"], merged["value_on"], check_names=False, check_exact=True
    )
    extra = set(b["metric"]) - set(a["metric"])
    assert {"tasks_pushed_back_per_community_year", "community_rating_mean"} <= extra
    rows = dict(zip(b["metric"], b["value"], strict=False))
    assert rows["tasks_pushed_back_per_community_year"] == 0.0 and rows["push_habit_mean"] == 0


def _run_summary(s: Scenario) -> pd.DataFrame:
    rep = run_replication(s)
    return summary(rep, demand_records(rep))[["metric", "demand_type", "value"]]


def test_pushed_tasks_keep_their_done_time_beside_core_work() -> None:
    """A pushed-back task finished before the core's last work package keeps its done time.

    Guards `Router._schedule_work`: it walks the core's upfront workload by index and must
    stop at its end, not at the end of ``w_time`` (which `push_work` extends).
    """
    s = scenario()
    cand = candidates([(at(MON, 9), 0, CIVIL, 30.0, 0.5, 0.5, 0.5)])
    work = Workload(
        np.array([at(TUE, 9)]), np.zeros(1, np.int32), np.array([60.0]), np.ones(1, np.int8)
    )
    world = wire(s, residents_at(s, []), work, mechanisms={"burden": {"candidates": cand}})
    world.run(stepped=True)
    router = world.router
    assert router.w_done == [at(TUE, 10), at(MON, 9.5)]
