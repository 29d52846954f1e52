"""Purchase of services with contracts (项目化购买服务): the terms of a contract against the
community staff's fallback, contractors, community funds, and the shipped 2013 programme.

A tiny district (one community of 10,000 residents, one staffer, offices open Monday to
Friday 8:00-17:00) has two flows: a personal need (a 10-minute request at the desk, then a
60-minute home visit) and a property request (a 30-minute arrangement). Each outsourced stage
has a route back to itself: the staff's visit that missed, repeated days later. Demands,
service times and route draws are handed in, so the market's log ``(event, who, what,
minute)`` and the demands' finish times are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from harness import no_work, wire

import sim
from sim.clock import DAY
from sim.metrics.mechanisms import mechanism_metrics, mechanism_yearly
from sim.metrics.records import demand_records
from sim.model.social_orgs import list_projects
from sim.processes.demand import DRAWS, Demands, catalogue
from sim.processes.flows import CompiledStage, odds_without_repeat
from sim.processes.records import RESOLVED
from sim.processes.routing import Router
from sim.processes.world import run_replication
from sim.scenario.sections.market import MarketSpec

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
PURCHASE = SCENARIOS / "tongguanshan_purchase.toml"
STAFF_ONLY = SCENARIOS / "tongguanshan_purchase_staff_only.toml"
XIANGFANG = SCENARIOS / "xiangfang_neighbourhood.toml"
MON, TUE, WED, THU, FRI = range(5)
PERSONAL, PROPERTY = 0, 1  # item groups of the tiny district


def at(day: int, hour: float) -> float:
    """Clock minute of `hour` o'clock on day `day` of the run (day 0 is a Monday)."""
    return day * DAY + hour * 60.0


def fixed(minutes: float, presence: str = "resident", **extra: Any) -> dict[str, Any]:
    """A stage at the desk with a fixed service time."""
    return {"unit": "desk", "presence": presence, "dist": "fixed", "minutes": minutes, **extra}


SCENARIO: dict[str, Any] = {
    "name": "purchase-test",
    "days": 40,
    "calendar": {"open_hour": 8.0, "close_hour": 17.0, "days_per_week": 5},
    "structure": {"streets": 0, "communities": 1, "residents_per_community": 10_000},
    "departments": ["other"],
    "units": {"desk": {"level": "community", "servers": 1, "priority": "fifo"}},
    "flows": {
        "personal": {
            "entry": "request",
            "stages": {
                "request": fixed(10, routes=[{"to": "visit", "p": 1.0}]),
                # half the staff's visits miss: repeated three days later
                "visit": fixed(
                    60, "file", outsource=True,
                    routes=[{"to": "visit", "p": 0.5, "delay_hours": 72.0}],
                ),
            },
        },
        "property": {
            "entry": "arrange",
            "stages": {
                "arrange": fixed(
                    30, "file", outsource=True,
                    routes=[{"to": "arrange", "p": 0.5, "delay_hours": 48.0}],
                ),
            },
        },
    },
    "demands": {
        "personal": {
            "rate_per_resident_year": 0.0,
            "groups": {"care": {"department": "other", "share": 1.0, "flow": "personal"}},
        },
        "property": {
            "rate_per_resident_year": 0.0,
            "groups": {"repair": {"department": "other", "share": 1.0, "flow": "property"}},
        },
    },
    # a care project tendered (100 hours, 24 for visits: 2 a month), answering in 2 hours;
    # a property contract held by a contractor who gets every request right, within a day
    "market": {
        "projects": {
            "home_care": {
                "budget_yuan": 100_000.0, "project_yuan": 100_000.0,
                "serves": ["personal"], "response_hours": 2.0,
            },
            "property": {
                "budget_yuan": 100_000.0, "project_yuan": 100_000.0,
                "serves": ["property"], "response_hours": 24.0, "quality": 1.0,
                "personal_share": 0.5,
            },
        },
        "rule": "quality",
        "cost_per_hour_yuan": 1000.0,
        "personal_share": 0.24,
        "response_hours": 0.0,
        "initial_per_10k_residents": 0.0,
        "entry_per_10k_residents_year": 0.0,
    },
}


@dataclass
class Run:
    """A finished tiny district: its router, the market's log and the satisfaction."""

    router: Router
    log: list[tuple]
    satisfaction: list[float]


def demands(s: sim.Scenario, arrivals: Sequence[tuple[float, int, list[float]]]) -> Demands:
    """Demands at the given (minute, item group, route draws), in time order, each of its own
    resident."""
    types, groups = catalogue(s)
    n = len(arrivals)
    u_route = np.full((n, DRAWS), 0.9)
    for i, (_, _, draws) in enumerate(arrivals):
        u_route[i, : len(draws)] = draws
    group = np.array([g for _, g, _ in arrivals], np.int16)
    return Demands(
        time=np.array([t for t, _, _ in arrivals], dtype=float),
        type=group.copy(),
        group=group,
        item=np.zeros(n, np.int32),
        resident=np.arange(n, dtype=np.int32),
        community=np.zeros(n, np.int32),
        online=np.zeros(n, bool),
        u_service=np.full((n, DRAWS), 0.5),
        u_route=u_route,
        types=types,
        groups=groups,
    )


def simulate(
    arrivals: Sequence[tuple[float, int, list[float]]],
    orgs: Sequence[float] = (),
    overrides: dict[str, Any] | None = None,
    market: bool = True,
) -> Run:
    """Run the tiny district with organisations of the given qualities in its community (or
    without the market)."""
    s = sim.load_scenario(SCENARIO, overrides)
    if not market:
        s = s.model_copy(update={"market": None})
    log: list[tuple] = []
    world = wire(s, demands(s, arrivals), no_work(), seed=1, mechanisms={"market": {"log": log}})
    if market:
        for q in orgs:
            world.mechanism("market").orgs.add(0, q, 0.9, 0.0)
    world.run(stepped=True)
    return Run(world.router, log, world.population.satisfaction.tolist())


def visits(run: Run) -> list[tuple]:
    """The market's log of outsourced stages."""
    return [line for line in run.log if line[0] in ("take", "met", "unmet", "fallback")]


# -- the rules, without an environment ----------------------------------------------------


def test_repeat_route_dropped_when_right_first_time() -> None:
    """A stage with a repeat (p 0.3) and a route on (p 0.35), the rest resolved: right first
    time, the repeat is never taken and the others keep their odds given no repeat."""
    st = CompiledStage(
        unit=0, level=0, cls=0, minutes=1.0, item_time=0, dist=0, sigma=0.0,
        missing_return=False, return_delay=0.0, balk=0, cum_p=(0.3, 0.65), targets=(4, 5),
        delays=(0.0, 0.0), flow="f", name="s",
    )
    assert odds_without_repeat(st, 4) == pytest.approx((0.0, 0.5))
    assert odds_without_repeat(st, 5) == pytest.approx((0.3 / 0.65, 0.3 / 0.65))


def test_community_funds_are_each_communitys_own() -> None:
    """A ``per_community`` line (a community fund) lists its whole budget in every community,
    large or small; another community line is split among them by residents."""
    spec = MarketSpec.model_validate({
        "projects": {
            "funds": {"budget_yuan": 100_000.0, "project_yuan": 50_000.0, "per_community": True},
            "home_care": {"budget_yuan": 200_000.0, "project_yuan": 100_000.0},
        },
    })
    listing = list_projects(spec, [15_000, 5_000])
    assert [(p.key, p.budget) for p in listing] == [
        ("funds/c0/0", 50_000.0),
        ("funds/c0/1", 50_000.0),
        ("funds/c1/0", 50_000.0),
        ("funds/c1/1", 50_000.0),
        ("home_care/c0/0", 75_000.0),  # 150,000 yuan: two projects of about 100,000
        ("home_care/c0/1", 75_000.0),
        ("home_care/c1/0", 50_000.0),
    ]


# -- the staff's fallback and the providers, with exact logs -------------------------------


def test_staff_visit_that_misses_is_repeated() -> None:
    """Without the market the staff visit at once (9:10-10:10); the visit misses (draw 0.2 <
    0.5) and is repeated three days later (Thursday 10:10-11:10). The resident whose need
    took three days is less satisfied than one served right first time."""
    missed = simulate([(at(MON, 9), PERSONAL, [0.5, 0.2, 0.9])], market=False)
    right = simulate([(at(MON, 9), PERSONAL, [0.5, 0.9])], market=False)
    assert list(missed.router.finish) == [at(THU, 11) + 10]
    assert list(right.router.finish) == [at(MON, 10) + 10]
    assert list(missed.router.outcome) == list(right.router.outcome) == [RESOLVED]
    assert missed.satisfaction[0] < right.satisfaction[0]


def test_provider_right_first_time_skips_the_staff_repeat() -> None:
    """An organisation of quality 1 holds the care project: it takes the visit at 9:10,
    comes after the contract's 2 hours, and gets it right (12:10): the need is resolved
    although the route draw (0.2) would have sent a staff visit round again."""
    run = simulate([(at(MON, 9), PERSONAL, [0.5, 0.2, 0.9])], orgs=[1.0])
    assert visits(run) == [
        ("take", 0, 0, at(MON, 9) + 10),
        ("met", 0, 0, at(MON, 12) + 10),
    ]
    assert list(run.router.finish) == [at(MON, 12) + 10]


def test_provider_that_misses_costs_the_repeat_delay() -> None:
    """An organisation of quality 0 misses (12:10): like a staff visit that missed, the need
    comes back after the stage's repeat delay (three days), and then the staff visit
    (Thursday 12:10-13:10) and get it right."""
    run = simulate([(at(MON, 9), PERSONAL, [0.5, 0.9])], orgs=[0.0])
    assert visits(run) == [
        ("take", 0, 0, at(MON, 9) + 10),
        ("unmet", 0, 0, at(MON, 12) + 10),
    ]
    assert list(run.router.finish) == [at(THU, 13) + 10]


def test_contract_serves_only_its_flows() -> None:
    """The care contract has hours but serves only personal needs: a property request falls
    back on the staff when no property contract is bought, and goes to the property
    contractor (a day's response, right first time) when it is."""
    no_property = {"market.projects.property.budget_yuan": 0.0}
    staff = simulate([(at(MON, 9), PROPERTY, [0.9])], orgs=[1.0], overrides=no_property)
    assert visits(staff) == [("fallback", -1, 0, at(MON, 9))]
    assert list(staff.router.finish) == [at(MON, 9.5)]
    bought = simulate([(at(MON, 9), PROPERTY, [0.2])], orgs=[1.0])
    assert visits(bought) == [
        ("take", "property", 0, at(MON, 9)),
        ("met", "property", 0, at(TUE, 9.5)),
    ]
    assert list(bought.router.finish) == [at(TUE, 9.5)]


def test_contractor_line_is_not_tendered() -> None:
    """At the listing the care project is tendered (bid, award, grant) and the property
    project goes to its contractor, named by its line, without a bid: 100 hours each."""
    run = simulate([], orgs=[0.8])
    assert run.log == [
        ("list", "home_care/c0/0", 100_000.0, 0.0),
        ("list", "property/c0/0", 100_000.0, 0.0),
        ("bid", 0, "home_care/c0/0", 0.0),
        ("award", 0, "home_care/c0/0", 0.0),
        ("grant", 0, 100.0, 0.0),
        ("award", "property", "property/c0/0", 0.0),
        ("grant", "property", 100.0, 0.0),
    ]


def test_contractor_that_misses_falls_back_on_staff() -> None:
    """A contractor of quality 0 misses the repair the next day (Tuesday 9:30); the request
    comes back after the repeat delay (two days) and the staff arrange it (Thursday
    9:30-10:00) and get it right."""
    run = simulate(
        [(at(MON, 9), PROPERTY, [0.9])], overrides={"market.projects.property.quality": 0.0}
    )
    assert visits(run) == [
        ("take", "property", 0, at(MON, 9)),
        ("unmet", "property", 0, at(TUE, 9.5)),
    ]
    assert list(run.router.finish) == [at(THU, 10)]


def test_line_serving_an_unknown_flow_is_refused() -> None:
    """A misspelt flow in a line's ``serves`` stops the run before it starts."""
    with pytest.raises(ValueError, match="home_care.serves: unknown flows"):
        simulate([], overrides={"market.projects.home_care.serves": ["nursing"]})


# -- the shipped scenarios ------------------------------------------------------------------

SEED = 20100101
CORE_TYPES = ("administrative", "personal", "dispute", "major")
NO_TASKS = {"tasks.per_year": 0.0, "tasks.plaques": 0, "tasks.assessments": 0}
NO_DEMANDS = {  # the market does not depend on residents' demands: leave them out for speed
    f"demands.{d}.rate_per_resident_year": 0.0 for d in (*CORE_TYPES, "health", "property")
} | NO_TASKS
NO_CORE_DEMANDS = {f"demands.{d}.rate_per_resident_year": 0.0 for d in CORE_TYPES} | NO_TASKS


def test_organisations_professionalise_over_five_years() -> None:
    """In the five-year purchase the organisations that win projects get better year by year
    (quality grows with every project delivered, and the better ones win)."""
    rep = run_replication(sim.load_scenario(PURCHASE, NO_DEMANDS), 0, SEED)
    holders = [v for _, k, v in mechanism_yearly(rep) if k == "social_org_quality_holders"]
    assert len(holders) == 5
    assert all(b > a for a, b in zip(holders, holders[1:], strict=False))
    assert holders[-1] > holders[0] + 0.05


def test_buying_health_and_property_frees_staff_minutes() -> None:
    """Four months, one seed, the same demands: with the 2013 programme bought, community
    staff spend far fewer minutes on health checks and property requests, and no more on
    personal needs, than when they do everything themselves."""
    short = {"days": 120}
    bought = run_replication(sim.load_scenario(PURCHASE, short), 0, SEED)
    staff = run_replication(sim.load_scenario(STAFF_ONLY, short), 0, SEED)
    minutes = {}
    for name, rep in (("bought", bought), ("staff", staff)):
        rec = demand_records(rep)
        minutes[name] = rec.groupby("demand_type")["staff_minutes"].sum()
    for kind in ("health", "property"):
        assert minutes["bought"][kind] < 0.2 * minutes["staff"][kind], kind
    assert minutes["bought"]["personal"] < minutes["staff"]["personal"]
    m = {k: v for (k, _), v in mechanism_metrics(bought).items()}
    assert m["purchase_first_time_right"] > 0.7  # the staff's: 0.7 (care, repairs), 0.9


def test_free_space_feeds_entry_in_xiangfang() -> None:
    """Xiangfang's neighbourhood centers open 90% of community space to organisations (002):
    under one seed more organisations enter than with no free space."""
    opened = run_replication(sim.load_scenario(XIANGFANG, NO_CORE_DEMANDS), 0, SEED)
    closed = run_replication(
        sim.load_scenario(XIANGFANG, NO_CORE_DEMANDS | {"market.free_space_share": 0.0}), 0, SEED
    )
    m_open = {k: v for (k, _), v in mechanism_metrics(opened).items()}
    m_closed = {k: v for (k, _), v in mechanism_metrics(closed).items()}
    assert m_open["social_orgs_entered"] > 1.5 * m_closed["social_orgs_entered"]
