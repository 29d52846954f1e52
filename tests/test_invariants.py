"""Invariants of every run: what happens to each demand, where staff time goes, and that a
run is a pure function of scenario and seed.

Shipped scenarios are shortened to a month (the teaching scenario runs in full); a property
test draws random small networks of counters, back offices and an online platform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from harness import finished
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.metrics.records import demand_records
from sim.metrics.summary import summary
from sim.processes.records import ABANDONED, OPEN, RESOLVED

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TEACHING = SCENARIOS / "teaching.toml"
SHIPPED = [
    ("teaching.toml", {}),
    ("baseline.toml", {"days": 30}),
    ("xiangfang_center.toml", {"days": 30}),
    ("tongguanshan_abolition.toml", {"days": 30}),
    ("tongling_burden_cuts.toml", {"days": 30}),
]
SEED = 2024  # root seed; each test adds its own offset
EPS = 1e-6  # minutes: rounding of clock times
SHARES = ("resolved_share", "abandoned_share", "open_share")
STAFF = (
    "staff_hours_share_tasks",
    "staff_hours_share_service",
    "staff_hours_share_self_governance",
)


def check_records(rec: pd.DataFrame) -> None:
    """Each demand is resolved, abandoned or still open, with times in order."""
    assert rec["outcome"].isin(["resolved", "abandoned", "open"]).all()
    counts = rec["outcome"].value_counts()
    assert counts.sum() == len(rec)
    start, finish = rec["start_min"], rec["finish_min"]
    # The drawn arrival time is recorded, while the clock reaches it as now + (t - now):
    # the two may differ by a rounding error, hence the tolerance.
    arrive = rec["arrival_min"] - EPS
    done = rec["outcome"] == "resolved"
    assert (arrive[done] <= start[done]).all(), "a resolved demand started before arriving"
    assert (start[done] <= finish[done]).all(), "a resolved demand finished before starting"
    assert finish[rec["outcome"] == "open"].isna().all(), "an open demand has a finish time"
    gone = rec["outcome"] == "abandoned"
    assert (finish[gone] >= arrive[gone]).all()
    assert (start.isna() | (start >= arrive)).all()
    wait = rec["wait_minutes"]
    assert (wait >= 0).all()
    assert (wait[done] <= (finish - arrive)[done] + EPS).all(), "waited longer than it took"
    entered = ~gone
    assert (rec["units_visited"][entered] >= 1).all()
    assert (rec["handoffs"] <= (rec["units_visited"] - 1).clip(lower=0)).all()


def check_summary(table: pd.DataFrame) -> None:
    """Outcome shares of every demand type that occurred, and the staff-time shares, each
    sum to one."""
    wide = table.set_index(["replication", "demand_type", "metric"])["value"].unstack("metric")
    typed = wide[wide["demands"] > 0]
    np.testing.assert_allclose(typed[list(SHARES)].sum(axis=1), 1.0, rtol=1e-12)
    staff = wide.xs("", level="demand_type")[list(STAFF)]
    assert staff.notna().all().all()
    assert ((staff >= 0) & (staff <= 1)).all().all()
    np.testing.assert_allclose(staff.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize(("name", "overrides"), SHIPPED, ids=[n for n, _ in SHIPPED])
def test_shipped_scenarios_account_for_every_demand(name: str, overrides: dict) -> None:
    """Every demand of a shipped scenario ends resolved, abandoned or open; staff hours split
    fully into tasks, service and self-governance time."""
    s = sim.load_scenario(SCENARIOS / name, overrides)
    result = sim.run(s, replications=1, seed=SEED + 1, options=sim.RunOptions(progress=False))
    rec = result.demands
    assert len(rec) > 0
    check_records(rec)
    assert (rec["outcome"] == "resolved").any()
    first = {f: fl.entry for f, fl in s.flows.items()}
    resident_entry = {
        f"{d}.{g}"
        for d, spec in s.demands.items()
        for g, grp in spec.groups.items()
        if s.flows[grp.flow].stages[first[grp.flow]].presence == "resident"
    }
    key = rec["demand_type"] + "." + rec["item"].str.split("#").str[0]
    at_counter = key.isin(resident_entry) & ~rec["online"]
    assert at_counter.any()
    assert (rec["trips"][at_counter] >= 1).all(), "a resident came to a counter without a trip"
    check_summary(result.summary)


def govsim_run(out: Path, seed: int) -> bytes:
    """Run the teaching scenario through the command line; return its summary.csv."""
    argv = ["run", str(TEACHING), "--seed", str(seed), "--replications", "2"]
    assert main([*argv, "--out", str(out), "--no-figures", "--quiet"]) == 0
    return (out / "summary.csv").read_bytes()


def test_same_seed_same_results_other_seed_other_results(tmp_path: Path) -> None:
    """Running the same scenario twice with one seed writes byte-identical summaries (and
    daily series); another seed gives other results."""
    first = govsim_run(tmp_path / "a", SEED + 2)
    again = govsim_run(tmp_path / "b", SEED + 2)
    other = govsim_run(tmp_path / "c", SEED + 3)
    assert first == again
    series = [(tmp_path / d / "timeseries.csv").read_bytes() for d in "ab"]
    assert series[0] == series[1]
    assert first != other


def summary_values(s: sim.Scenario, seed: int = SEED + 4) -> pd.DataFrame:
    """Summary of two replications without the scenario name."""
    return sim.run(
        s, replications=2, seed=seed, options=sim.RunOptions(progress=False)
    ).summary.drop(columns="scenario")


def test_reform_changing_nothing_reproduces_baseline() -> None:
    """Setting the street office's staff to what the baseline already has, or only renaming
    the scenario, reproduces the baseline's summary exactly."""
    month = {"days": 30}
    base = sim.load_scenario(SCENARIOS / "baseline.toml", month)
    same = sim.load_scenario(
        SCENARIOS / "baseline.toml", {**month, "units.street_office.servers": 4}
    )
    renamed = sim.load_scenario(SCENARIOS / "baseline.toml", {**month, "name": "renamed"})
    assert same.model_dump(exclude={"sources"}) == base.model_dump(exclude={"sources"})
    expected = summary_values(base)
    pd.testing.assert_frame_equal(summary_values(same), expected)
    pd.testing.assert_frame_equal(summary_values(renamed), expected)


def test_overlay_file_with_only_a_name_reproduces_parent(tmp_path: Path) -> None:
    """A reform file that extends the teaching scenario and only gives a new name changes no
    result."""
    overlay = tmp_path / "noop.toml"
    overlay.write_text(f'extends = "{TEACHING.as_posix()}"\nname = "noop"\n', encoding="utf-8")
    noop = sim.load_scenario(overlay)
    assert noop.name == "noop"
    pd.testing.assert_frame_equal(summary_values(noop), summary_values(sim.load_scenario(TEACHING)))


def test_reform_of_tasks_keeps_residents_and_demands() -> None:
    """Common random numbers: cutting the tasks pushed down to communities leaves the same
    residents raising the same demands at the same times (only the service side changes)."""
    cuts = {"tasks.per_year": 145, "tasks.plaques": 3, "tasks.assessments": 2}
    before = sim.run(
        sim.load_scenario(TEACHING),
        replications=1,
        seed=SEED + 5,
        options=sim.RunOptions(progress=False),
    )
    after = sim.run(
        sim.load_scenario(TEACHING, cuts),
        replications=1,
        seed=SEED + 5,
        options=sim.RunOptions(progress=False),
    )
    cols = ["demand", "demand_type", "item", "resident", "community", "arrival_min", "online"]
    pd.testing.assert_frame_equal(before.demands[cols], after.demands[cols])
    tasks = before.metric("tasks_per_community_year"), after.metric("tasks_per_community_year")
    assert float(tasks[1].iloc[0]) < float(tasks[0].iloc[0])


# -- random small networks ----------------------------------------------------------------------
@st.composite
def small_networks(draw: st.DrawFn) -> dict[str, Any]:
    """A random district: a community counter with tasks, a back office (one pool or
    item-specific windows) and an online platform, joined by 1-3 stages of random routes,
    returns for missing documents and queue limits."""
    units: dict[str, Any] = {
        "desk": {
            "level": "community",
            "servers": draw(st.integers(1, 3)),
            "priority": draw(st.sampled_from(["fifo", "tasks_first", "residents_first"])),
        },
        "back": {"level": "district"},
        "web": {"level": "online", "servers": 0, "calendar": "always"},
    }
    if draw(st.booleans()):
        units["back"]["windows"] = {"d1": draw(st.integers(1, 2)), "other": 1}
    else:
        units["back"]["servers"] = draw(st.integers(1, 2))
    n_stages = draw(st.integers(1, 3))
    names = [f"s{k}" for k in range(n_stages)]
    # Half the networks are open day and night, with no delays and no tasks: there the
    # stations' areas must add up to the demands' time in the district.
    instant = draw(st.booleans())
    delays = st.just(0.0) if instant else st.sampled_from([0.0, 1.0, 24.0])
    stages = {}
    for name in names:
        targets = draw(st.lists(st.sampled_from(names), max_size=2))
        weights = [draw(st.floats(0.05, 1.0)) for _ in targets]
        total = draw(st.floats(0.0, 0.9)) if targets else 0.0
        stages[name] = {
            "unit": draw(st.sampled_from(["desk", "desk", "back", "web"])),
            "presence": draw(st.sampled_from(["resident", "file"])),
            "minutes": draw(st.floats(1.0, 40.0)),
            "dist": draw(st.sampled_from(["exponential", "fixed", "lognormal"])),
            "cv": draw(st.floats(0.2, 2.0)),
            "missing_docs_return": draw(st.booleans()),
            "return_delay_hours": draw(delays),
            "balk_queue": draw(st.none() | st.integers(1, 4)),
            "routes": [
                {"to": t, "p": total * w / sum(weights), "delay_hours": draw(delays)}
                for t, w in zip(targets, weights, strict=True)
            ],
        }
    groups = {
        g: {
            "department": dept,
            "share": 0.5,
            "flow": "net",
            "missing_docs": draw(st.floats(0.0, 0.5)),
            "online_eligible": draw(st.booleans()),
        }
        for g, dept in (("g1", "d1"), ("g2", "d2"))
    }
    always = instant or draw(st.booleans())
    return {
        "name": "random",
        "days": draw(st.integers(3, 10)),
        "calendar": {"kind": "always" if always else "office"},
        "structure": {
            "streets": 0,
            "communities": draw(st.integers(1, 3)),
            "residents_per_community": 500,
        },
        "departments": ["d1", "d2", "d3"],
        "units": units,
        "flows": {
            "net": {
                "entry": names[0],
                "online_entry": draw(st.sampled_from(names)),
                "stages": stages,
            }
        },
        "demands": {
            "admin": {"rate_per_resident_year": draw(st.floats(0.0, 100.0)), "groups": groups}
        },
        "tasks": {
            "unit": "desk",
            "per_year": 0.0 if instant else draw(st.sampled_from([0.0, 150.0])),
            "hours_each": 4.0,
        },
        "online": {"share": draw(st.sampled_from([0.0, 0.5]))},
    }


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(small_networks())
def test_random_networks_keep_their_books(raw: dict[str, Any]) -> None:
    """Whatever the network: each demand is resolved, abandoned or open with its times in
    order; residents entering at a counter made at least one trip; no one abandons without a
    queue limit; and with the offices always open, no delays and no tasks, the stations'
    areas add up to the time demands spent in the district (Little's law on the sample
    path)."""
    stages = raw["flows"]["net"]["stages"]
    s = sim.load_scenario(raw)
    rep = finished(s, 0, SEED + 6)
    r = rep.router
    outcome = np.asarray(r.outcome)
    assert np.isin(outcome, [OPEN, RESOLVED, ABANDONED]).all()
    rec = demand_records(rep.records)
    check_records(rec)
    check_summary(summary(rep.records, rec))
    flow = s.flows["net"]
    online = np.asarray(rep.demands.online, dtype=bool)
    for entry, who in ((flow.entry, ~online), (flow.online_entry, online)):
        if stages[entry]["presence"] == "resident" and who.any():
            event("residents entering at a counter")
            assert (np.asarray(r.trips)[who] >= 1).all(), "a resident came without a trip"
    if all(stage["balk_queue"] is None for stage in stages.values()):
        assert not (outcome == ABANDONED).any()
    else:
        event(f"abandoned: {(outcome == ABANDONED).any()}")
    delays = [g["return_delay_hours"] for g in stages.values() if g["missing_docs_return"]]
    delays += [route["delay_hours"] for g in stages.values() for route in g["routes"]]
    if s.calendar.kind == "always" and not any(delays) and rep.work.size == 0:
        event("sample-path Little's law checked")
        finish = np.asarray(r.finish, dtype=float)
        inside = np.minimum(np.nan_to_num(finish, nan=rep.horizon), rep.horizon)
        inside -= np.asarray(r.t_arrive)
        area = sum(station.area for station in rep.district.stations)
        assert area == pytest.approx(float(inside.sum()), rel=1e-9, abs=1e-6)
    assert rep.records.stations.backlog.shape == (s.days, len(rep.district.stations))
    assert (rep.records.stations.backlog >= 0).all()
