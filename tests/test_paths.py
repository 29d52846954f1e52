"""Approval paths as they run: courier rounds, sign-off sessions, statutory periods, and
where a demand's days go (issue 8).

The time to resolution of every demand is the sum of its parts — queueing, service, files in
transit, statutory periods, the resident away — so a decomposition of the approval time in
docs/validation.md adds up; a file waits for the courier's weekday and hour; a leader who signs
in sessions starts work only inside them; handling cost is staff minutes times the wage.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from harness import finished

from sim.clock import DAY
from sim.metrics.records import demand_records
from sim.model.calendar import Sessions, next_weekly
from sim.scenario import load_scenario

TEACHING = "scenarios/teaching.toml"


@pytest.fixture(scope="module")
def world():
    """A classroom-sized baseline year with every approval path (one replication)."""
    s = load_scenario(TEACHING, {"days": 365, "warmup_days": 0})
    return finished(s, 0, 7)


@pytest.mark.parametrize(
    ("t", "weekdays", "expected"),
    [
        (0.0, (0,), 9 * 60.0),  # Monday 0:00 -> Monday 9:00
        (9 * 60.0, (0,), 9 * 60.0),  # exactly at the pickup
        (9 * 60.0 + 1, (0,), 7 * DAY + 9 * 60.0),  # just missed it: next Monday
        (DAY + 600.0, (0, 3), 3 * DAY + 9 * 60.0),  # Tuesday 10:00 -> Thursday 9:00
        (6 * DAY, (1,), 8 * DAY + 9 * 60.0),  # Sunday -> Tuesday
    ],
)
def test_next_weekly(t: float, weekdays: tuple[int, ...], expected: float) -> None:
    """The next courier round falls on one of its weekdays at its hour, never before `t`."""
    assert next_weekly(t, weekdays, 9 * 60.0) == expected


def test_sessions_open_on_their_weekdays_only() -> None:
    """A Wednesday-afternoon sign-off opens three hours each Wednesday and never else."""
    ses = Sessions((2,), 14.5 * 60, 17.5 * 60)
    opens = ses.openings(28 * DAY)
    assert len(opens) == 4
    for a, b in opens:
        assert (a // DAY) % 7 == 2
        assert b - a == pytest.approx(180.0)


def test_parts_add_up_to_the_time_to_resolution(world) -> None:
    """queue + service + transit + statutory + away = finish − arrival, for every demand
    resolved (no mechanism holds a matter in the baseline)."""
    df = demand_records(world.records)
    done = df[df["outcome"] == "resolved"]
    parts = done[["queue_min", "service_min", "transfer_min", "statutory_min", "away_min"]]
    total = done["finish_min"] - done["arrival_min"]
    assert len(done) > 200
    np.testing.assert_allclose(parts.sum(axis=1), total, rtol=1e-9, atol=1e-6)


def test_minimum_income_waits_its_publicity(world) -> None:
    """Every resolved minimum-income application spent exactly the seven statutory days of
    publicity (公示), and no other item did."""
    df = demand_records(world.records)
    done = df[df["outcome"] == "resolved"]
    mi = done["item_class"] == "minimum_income"
    assert mi.sum() > 3
    assert np.allclose(done.loc[mi, "statutory_min"], 7 * DAY)
    assert (done.loc[~mi, "statutory_min"] == 0).all()


def test_files_leave_with_the_courier(world) -> None:
    """A street-and-district approval spends at least the waits for its courier rounds in
    transit, and each leg starts on a courier weekday: its transit time is a sum of waits
    that end at 9:00 on a round's day, so an item accepted after 9:00 waits overnight."""
    df = demand_records(world.records)
    sd = df[(df["item_class"] == "disability_approvals") & (df["outcome"] == "resolved")]
    assert len(sd) > 10
    assert (sd["transfer_min"] > 0).all()
    # three legs: community -> street (daily), street -> district and back (Mon, Thu)
    assert sd["transfer_min"].mean() > 2 * DAY


def test_signoff_starts_only_in_sessions(world) -> None:
    """The street leader's station works on Wednesdays 14:30–17:30 only (busy minutes fall
    on Wednesdays; the rest of the week it does nothing)."""
    st = world.records.stations
    k = [i for i, u in enumerate(st.unit) if u == "street_signoff"]
    assert k
    busy = st.busy[k[0]].sum(axis=1)  # by day
    days = np.arange(len(busy))
    assert busy.sum() > 0
    assert (busy[days % 7 != 2] == 0).all()


def test_handling_cost_is_staff_minutes_times_wage(world) -> None:
    """Handling cost = staff minutes × the wage of a minute of office time, so a demand
    served only by the community desk costs its minutes × 50,000 yuan / office minutes."""
    s = world.scenario
    df = demand_records(world.records)
    year = (s.calendar.close_hour - s.calendar.open_hour) * 60 * s.calendar.days_per_week * 365 / 7
    rate = s.units["community_desk"].staff_cost_yuan_per_year / year
    local = df[df["item_class"] == "self_governance"]
    np.testing.assert_allclose(local["handling_yuan"], local["staff_minutes"] * rate, rtol=1e-9)
    assert (df["staff_minutes"] >= 0).all()
    assert not math.isnan(df["handling_yuan"].sum())


def test_burden_cut_reaches_residents() -> None:
    """Burden that competes with residents: cutting the tasks (Tongling 2014) shortens
    residents' time to resolution, not only the staff's task share — the paired difference
    over replications with common random numbers has a 95% interval below zero. Files that
    wait behind task campaigns (visits to personal needs, household investigations,
    results logged) are what the cut frees."""
    from scipy import stats

    size = {"days": 120, "structure.streets": 2, "structure.communities": 8}
    base = load_scenario("scenarios/baseline.toml", size)
    cut = load_scenario("scenarios/tongling_burden_cuts.toml", size)
    diffs = []
    for r in range(5):
        a = finished(base, r, 3).records
        b = finished(cut, r, 3).records

        def days(rec) -> float:
            df = demand_records(rec)
            df = df[(df["outcome"] == "resolved") & (df["arrival_min"] >= 14 * DAY)]
            return float(df["resolution_days"].mean())

        diffs.append(days(b) - days(a))
    d = np.array(diffs)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert d.mean() + half < 0, f"difference {d.mean():.3f} ± {half:.3f} days"


@pytest.mark.parametrize("hours", [0.0, 2.0])
def test_bounded_overtime(hours: float) -> None:
    """Staff stay late for departments' tasks only, for at most ``overtime_hours`` (a chunk
    started in time is finished): no resident or file is served after closing, and no task
    chunk starts later than closing + overtime; without overtime no task starts after hours."""
    from harness import log_services, wire

    s = load_scenario(TEACHING, {"days": 60, "tasks.overtime_hours": hours})
    world = wire(s, seed=4)
    log: list[tuple] = []
    log_services(world, log)
    world.run(stepped=True)
    close = s.calendar.close_hour * 60
    late_tasks = 0
    for kind, who, station, t in log:
        if kind != "start" or not station.startswith("community_desk"):
            continue
        minute = t % DAY
        after = minute >= close - 1e-9
        if who.startswith("res"):
            assert not after, (who, t)
        elif after:
            late_tasks += 1
            assert minute < close + hours * 60 + 1e-9, (who, t)
    assert (late_tasks > 0) == (hours > 0)
