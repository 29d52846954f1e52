"""The social-organisation market (项目化): contracting rules, organisations and projects,
the yearly purchasing cycle, visits to residents, and the aggregation effect.

Rules and entities are tested without an environment on hand-made bids and budgets. The
processes run in a tiny district wired as `run_replication` wires it (two communities, one
staffer each, offices open Monday to Friday 8:00-17:00), with hand-made demands on the
personal flow (a 10-minute request at the desk, then a 60-minute visit offered to the market),
fixed service times and hand-placed organisations, so the market's log ``(event, who, what,
minute)`` is exact. Multi-year runs compare the Tongguanshan purchase in 18 large communities
with the same purchase in 49 small ones under one seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from harness import Reported, no_work, reported, wire

import sim
from sim.clock import DAY, MONTH, YEAR
from sim.metrics.mechanisms import mechanism_metrics, mechanism_yearly
from sim.metrics.records import demand_records
from sim.metrics.summary import summary
from sim.model.social_orgs import (
    DISTRICT,
    SocialOrgs,
    capacity,
    entry_rate,
    grown_quality,
    list_projects,
)
from sim.processes.demand import DRAWS, Demands, catalogue
from sim.processes.records import RESOLVED
from sim.processes.routing import Router
from sim.processes.world import run_replication
from sim.rules.contracting import (
    RULES,
    Bids,
    Weights,
    award,
    choose_projects,
    experience,
    incumbent,
    price,
    quality,
    score,
)
from sim.scenario.sections.market import MarketSpec

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LARGE = SCENARIOS / "tongguanshan_purchase.toml"
SMALL = SCENARIOS / "tongguanshan_purchase_small.toml"
STAFF_ONLY = SCENARIOS / "tongguanshan_purchase_staff_only.toml"
MON, TUE, WED, THU, FRI = range(5)


def at(day: int, hour: float) -> float:
    """Clock minute of `hour` o'clock on day `day` of the run (day 0 is a Monday)."""
    return day * DAY + hour * 60.0


# -- contracting rules, without an environment ------------------------------------------

# Two projects (budgets 100 and 50) and five organisations:
#   bid  project org  price quality experience
#   0    0       0    90    0.6     0          cheapest for project 0
#   1    0       1    100   0.9     1          best quality
#   2    0       2    95    0.7     3          most experienced
#   3    1       0    45    0.6     0
#   4    1       3    40    0.8     2          cheapest and best for project 1
#   5    0       4    92    0.8     2          the best all-round bid for project 0
BIDS = Bids.of(
    project=[0, 0, 0, 1, 1, 0],
    org=[0, 1, 2, 0, 3, 4],
    price=[90, 100, 95, 45, 40, 92],
    budget=[100, 100, 100, 50, 50, 100],
    quality=[0.6, 0.9, 0.7, 0.6, 0.8, 0.8],
    experience=[0, 1, 3, 0, 2, 2],
)
ONE_EACH = np.ones(5, np.int64)


def winners(rule: str, bids: Bids = BIDS, cap: np.ndarray = ONE_EACH) -> list[int]:
    """The winning organisation of each project under a named rule (-1: none)."""
    won = award(bids, RULES[rule](bids, Weights()), int(bids.project.max()) + 1, cap)
    return [int(bids.org[b]) if b >= 0 else -1 for b in won]


def test_registry_names_the_rules() -> None:
    """Scenarios name the rules "price", "quality", "experience", "score" and "incumbent"."""
    assert RULES == {
        "price": price,
        "quality": quality,
        "experience": experience,
        "score": score,
        "incumbent": incumbent,
    }


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("price", [0, 3]), ("quality", [1, 3]), ("experience", [2, 3]), ("score", [4, 3])],
)
def test_each_rule_picks_its_winner(rule: str, expected: list[int]) -> None:
    """Lowest price, best quality, most experience, best weighted score: each rule gives
    project 0 to a different organisation; project 1 has one clear best bid."""
    assert winners(rule) == expected


def test_comprehensive_score_arithmetic() -> None:
    """综合评分法: 0.3 x lowest price / price + 0.5 x quality + 0.2 x min(experience / 5, 1)."""
    s = score(BIDS, Weights(price=0.3, quality=0.5, experience=0.2, experience_full=5))
    expected = [
        0.3 * 1 + 0.5 * 0.6 + 0.0,
        0.3 * 90 / 100 + 0.5 * 0.9 + 0.2 * 0.2,
        0.3 * 90 / 95 + 0.5 * 0.7 + 0.2 * 0.6,
        0.3 * 40 / 45 + 0.5 * 0.6 + 0.0,
        0.3 * 1 + 0.5 * 0.8 + 0.2 * 0.4,
        0.3 * 90 / 92 + 0.5 * 0.8 + 0.2 * 0.4,
    ]
    assert s.tolist() == pytest.approx(expected)
    # experience beyond full marks earns no more
    capped = Bids.of([0, 0], [0, 1], [1, 1], [1, 1], [0.5, 0.5], [5, 50])
    assert score(capped, Weights()).tolist() == pytest.approx([0.3 + 0.25 + 0.2] * 2)


def test_incumbent_keeps_its_project() -> None:
    """Last year's holder wins if it bids again, even with a worse score; elsewhere the
    comprehensive score decides."""
    held = Bids.of(
        BIDS.project.tolist(),
        BIDS.org.tolist(),
        BIDS.price.tolist(),
        BIDS.budget.tolist(),
        BIDS.quality.tolist(),
        BIDS.experience.tolist(),
        incumbent=[False, False, False, True, False, False],  # org 0 held project 1
    )
    assert winners("incumbent", held) == [4, 0]
    assert winners("incumbent") == winners("score")  # no holder: the score decides


def test_award_respects_capacity() -> None:
    """An organisation that can hold one project wins its best-scoring one; the other goes
    to the runner-up. With room for two it wins both."""
    bids = Bids.of(
        [0, 0, 1, 1], [0, 1, 0, 1], [80, 90, 40, 45], [100, 100, 50, 50], [0.9] * 4, [0] * 4
    )
    assert winners("price", bids, np.array([1, 1])) == [0, 1]  # org 0: 0.80 vs 0.80 -> bid order
    bids = Bids.of(
        [0, 0, 1, 1], [0, 1, 0, 1], [80, 90, 35, 45], [100, 100, 50, 50], [0.9] * 4, [0] * 4
    )
    assert winners("price", bids, np.array([1, 1])) == [1, 0]  # 35/50 = 0.70 beats 0.80
    assert winners("price", bids, np.array([2, 1])) == [0, 0]


def test_award_ties_by_lottery_and_open_projects() -> None:
    """Equal scores go to the smaller tiebreak number; a project nobody bid for stays open."""
    bids = Bids.of([0, 0], [0, 1], [50, 50], [100, 100], [0.7, 0.7], [0, 0])
    scores = quality(bids, Weights())
    assert award(bids, scores, 2, np.array([1, 1])).tolist() == [0, -1]
    assert award(bids, scores, 2, np.array([1, 1]), np.array([0.9, 0.1])).tolist() == [1, -1]


def test_choose_projects_goes_where_fewest_bid() -> None:
    """An organisation bids where the fewest have bid so far, ties by its own uniforms; all
    of its eligible projects when it may bid for as many."""
    counts = np.array([3, 0, 1, 0])
    assert choose_projects([0, 1, 2, 3], counts, 1, np.array([0.5, 0.6, 0.1, 0.2])) == [3]
    assert choose_projects([0, 1, 2, 3], counts, 2, np.array([0.5, 0.1, 0.1, 0.2])) == [1, 3]
    assert choose_projects([0, 2], counts, 3, np.zeros(2)) == [0, 2]


# -- organisations and projects ---------------------------------------------------------

MARKET: dict[str, Any] = {
    "projects": {
        "home_care": {"budget_yuan": 1_350_000.0, "project_yuan": 125_000.0},
        "care": {"budget_yuan": 1_500_000.0, "project_yuan": 125_000.0, "scope": "district"},
    },
    "min_project_yuan": 50_000.0,
}


def test_large_communities_list_their_own_projects() -> None:
    """18 communities of 15,000: 75,000 yuan of home care each, one project per community,
    and 12 district-wide care projects. 49 of 5,510: a community's 27,550 yuan is below the
    smallest project, so home care is pooled into 11 district-wide projects."""
    spec = MarketSpec.model_validate(MARKET)
    large = list_projects(spec, [15_000] * 18)
    assert [p.key for p in large[:2]] == ["home_care/c0/0", "home_care/c1/0"]
    assert sum(p.community >= 0 for p in large) == 18
    assert [p.budget for p in large if p.community >= 0] == [pytest.approx(75_000)] * 18
    assert sum(p.community == DISTRICT for p in large) == 12
    small = list_projects(spec, [5510] * 49)
    assert all(p.community == DISTRICT for p in small)
    assert sum(p.line == "home_care" for p in small) == 11
    assert small[0].key == "home_care/district/0"
    for listing in (large, small):  # every yuan is listed
        assert sum(p.budget for p in listing) == pytest.approx(2_850_000)


def test_entry_grows_with_size_and_free_space() -> None:
    """Entry per community grows as size ** 1.15, so the same residents in fewer, larger
    communities bring more entrants (the aggregation effect); Xiangfang's 90% free space
    (002) multiplies it by 1.9."""
    spec = MarketSpec.model_validate(MARKET)
    assert entry_rate(spec, 10_000) == pytest.approx(1.0)
    assert entry_rate(spec, 15_000) / entry_rate(spec, 5510) == pytest.approx(
        (15_000 / 5510) ** 1.15
    )
    assert 18 * entry_rate(spec, 15_000) > 49 * entry_rate(spec, 5510)
    opened = MarketSpec.model_validate({**MARKET, "free_space_share": 0.9})
    assert entry_rate(opened, 15_000) == pytest.approx(1.9 * entry_rate(spec, 15_000))


def test_organisations_grow_with_projects() -> None:
    """Quality closes a share of its gap to 1 per project; capacity grows by one project
    every `projects_to_grow` delivered."""
    assert grown_quality(0.6, 0.1, 0) == 0.6
    assert grown_quality(0.6, 0.1, 2) == pytest.approx(1 - 0.4 * 0.9 * 0.9)
    assert [capacity(e, 3) for e in (0, 2, 3, 5, 6)] == [1, 1, 2, 2, 3]
    orgs = SocialOrgs()
    o = orgs.add(community=2, quality=0.5, price_ratio=0.9, now=0.0)
    orgs.idle_years[o] = 1
    orgs.deliver(o, 2, 0.5)
    assert (orgs.experience[o], orgs.quality[o], orgs.idle_years[o]) == (2, 0.875, 0)
    orgs.exited[o] = 10.0
    assert (orgs.active(), orgs.active_at(10.0), orgs.active_at(10.5), orgs.ever_at(5)) == (
        [],
        1,
        0,
        1,
    )


def test_unknown_rule_is_a_scenario_error() -> None:
    """A misspelt contracting rule fails at loading, naming the key."""
    with pytest.raises(sim.ScenarioError, match="market.rule.*unknown contracting rule"):
        sim.load_scenario(LARGE, {"market.rule": "cheapest"})


# -- the yearly cycle and the visits, with an exact log --------------------------------


def fixed(unit: str, minutes: float, presence: str = "resident", **extra: Any) -> dict[str, Any]:
    """A stage with a fixed service time."""
    return {"unit": unit, "presence": presence, "dist": "fixed", "minutes": minutes, **extra}


SCENARIO: dict[str, Any] = {
    "name": "market-test",
    "days": 40,
    "calendar": {"open_hour": 8.0, "close_hour": 17.0, "days_per_week": 5},
    "structure": {"streets": 0, "communities": 2, "residents_per_community": 10_000},
    "departments": ["civil_affairs"],
    "units": {"desk": {"level": "community", "servers": 1, "priority": "fifo"}},
    "flows": {
        # a personalised need: heard at the desk, then a visit offered to the market first
        "personal": {
            "entry": "request",
            "stages": {
                "request": fixed("desk", 10, routes=[{"to": "visit", "p": 1.0}]),
                "visit": fixed("desk", 60, "file", outsource=True),
            },
        }
    },
    "demands": {
        "personal": {
            "rate_per_resident_year": 0.0,
            "groups": {"care": {"department": "civil_affairs", "share": 1.0, "flow": "personal"}},
        }
    },
    # one home-care project of 100,000 yuan in each community: 100 hours, 24 of them for the
    # needs that reach the community, paid out by the month: 2 hours (two visits) a month
    "market": {
        "projects": {"home_care": {"budget_yuan": 200_000.0, "project_yuan": 100_000.0}},
        "rule": "quality",
        "cost_per_hour_yuan": 1000.0,
        "personal_share": 0.24,
        "response_hours": 0.0,
        "initial_per_10k_residents": 0.0,
        "entry_per_10k_residents_year": 0.0,
        "quality_growth": 0.5,
        "projects_to_grow": 1,
        "exit_after_years": 2,
    },
}


@dataclass
class Wired:
    """A wired, finished tiny district with its market and the market's log."""

    router: Router
    market: Reported
    log: list[tuple]


def make_demands(s: sim.Scenario, arrivals: Sequence[tuple[float, int]]) -> Demands:
    """Personal needs at the given (minute, community), in time order."""
    types, groups = catalogue(s)
    n = len(arrivals)
    return Demands(
        time=np.array([t for t, _ in arrivals], dtype=float),
        type=np.zeros(n, np.int16),
        group=np.zeros(n, np.int16),
        item=np.zeros(n, np.int32),
        resident=np.arange(n, dtype=np.int32),
        community=np.array([c for _, c in arrivals], np.int32),
        online=np.zeros(n, bool),
        u_service=np.full((n, DRAWS), 0.5),
        u_route=np.full((n, DRAWS), 0.9),
        types=types,
        groups=groups,
    )


def simulate(
    arrivals: Sequence[tuple[float, int]],
    orgs: Sequence[tuple[int, float, float]],
    overrides: dict[str, Any] | None = None,
) -> Wired:
    """Wire the tiny district, place organisations (community, quality, price share) and run
    it to the horizon."""
    s = sim.load_scenario(SCENARIO, overrides)
    log: list[tuple] = []
    assert s.market is not None
    world = wire(
        s, make_demands(s, arrivals), no_work(), seed=1, mechanisms={"market": {"log": log}}
    )
    market = world.mechanism("market")
    for community, q, share in orgs:
        market.orgs.add(community, q, share, 0.0)
    world.run(stepped=True)
    reports = reported(world, "market")
    assert reports is not None
    return Wired(world.router, reports, log)


# org 0 and 1 in community 0 (org 0 the better), org 2 alone in community 1 (its visits fail)
ORGS = [(0, 1.0, 0.9), (0, 0.7, 0.8), (1, 0.0, 1.0)]


def test_year_cycle_listing_bids_award_grant() -> None:
    """At the start of the year each community lists its project, its organisations bid,
    the best quality wins and is granted the project's hours."""
    run = simulate([], ORGS)
    assert run.log == [
        ("list", "home_care/c0/0", 100_000.0, 0.0),
        ("list", "home_care/c1/0", 100_000.0, 0.0),
        ("bid", 0, "home_care/c0/0", 0.0),
        ("bid", 1, "home_care/c0/0", 0.0),
        ("bid", 2, "home_care/c1/0", 0.0),
        ("award", 0, "home_care/c0/0", 0.0),
        ("grant", 0, 100.0, 0.0),
        ("award", 2, "home_care/c1/0", 0.0),
        ("grant", 2, 100.0, 0.0),
    ]
    m = run.market.metrics()
    assert m[("market_bids_per_project", "")] == 1.5
    assert m[("market_award_share", "")] == 1.0
    assert m[("social_org_capacity_hours", "")] == 200.0
    assert m[("market_spend_yuan_per_year", "")] == pytest.approx(90_000 + 100_000)
    assert math.isnan(m[("personal_needs_met_share", "")])  # no need came


def test_needs_taken_until_the_hours_run_out() -> None:
    """Community 0's organisation has two hours this month: it takes the first two needs
    (visit at once, 60 minutes, need met); the third falls back on the community staff; a
    need in the second month is taken again from the next month's hours."""
    run = simulate([(at(MON, 9), 0), (at(MON, 9.5), 0), (at(MON, 11), 0), (at(31, 9), 0)], ORGS)
    visits = [line for line in run.log if line[0] in ("take", "met", "unmet", "fallback")]
    assert visits == [
        ("take", 0, 0, at(MON, 9) + 10),
        ("take", 0, 1, at(MON, 9.5) + 10),
        ("met", 0, 0, at(MON, 10) + 10),
        ("met", 0, 1, at(MON, 10.5) + 10),
        ("fallback", -1, 2, at(MON, 11) + 10),
        ("take", 0, 3, at(31, 9) + 10),
        ("met", 0, 3, at(31, 10) + 10),
    ]
    assert at(31, 9) // MONTH == 1  # the second month of the year
    r = run.router
    assert list(r.outcome) == [RESOLVED] * 4
    assert list(r.finish) == [
        at(MON, 10) + 10,
        at(MON, 10.5) + 10,
        at(MON, 12) + 10,
        at(31, 10) + 10,
    ]
    m = run.market.metrics()
    assert m[("personal_needs_met_share", "")] == 0.75
    assert m[("social_org_hours_used_share", "")] == pytest.approx(3 / 48)


def test_failed_visit_falls_back_on_staff() -> None:
    """Community 1's organisation takes the need but its visit fails (quality 0): the need
    goes back to the community staff, who visit at once."""
    run = simulate([(at(MON, 9), 1)], ORGS)
    visits = [line for line in run.log if line[0] in ("take", "met", "unmet", "fallback")]
    assert visits == [("take", 2, 0, at(MON, 9) + 10), ("unmet", 2, 0, at(MON, 10) + 10)]
    assert (run.router.outcome[0], run.router.finish[0]) == (RESOLVED, at(MON, 11) + 10)
    assert run.market.metrics()[("personal_needs_met_share", "")] == 0.0


def test_response_delay() -> None:
    """With a day's response the organisation visits 24 hours after the request."""
    run = simulate([(at(MON, 9), 0)], ORGS, {"market.response_hours": 24.0})
    assert run.router.finish[0] == at(TUE, 10) + 10


def test_losers_exit_after_two_idle_years() -> None:
    """Organisation 1 loses community 0's project two years running and exits at the start
    of the third; the winners deliver, grow (quality, capacity) and keep bidding."""
    run = simulate([], ORGS, {"days": 2 * 365 + 1})
    cycle = [line for line in run.log if line[0] in ("deliver", "exit", "bid", "award")]
    assert cycle == [
        ("bid", 0, "home_care/c0/0", 0.0),
        ("bid", 1, "home_care/c0/0", 0.0),
        ("bid", 2, "home_care/c1/0", 0.0),
        ("award", 0, "home_care/c0/0", 0.0),
        ("award", 2, "home_care/c1/0", 0.0),
        ("deliver", 0, 1, YEAR),
        ("deliver", 2, 1, YEAR),
        ("bid", 0, "home_care/c0/0", YEAR),
        ("bid", 1, "home_care/c0/0", YEAR),
        ("bid", 2, "home_care/c1/0", YEAR),
        ("award", 0, "home_care/c0/0", YEAR),
        ("award", 2, "home_care/c1/0", YEAR),
        ("deliver", 0, 1, 2 * YEAR),
        ("exit", 1, 2, 2 * YEAR),
        ("deliver", 2, 1, 2 * YEAR),
        ("bid", 0, "home_care/c0/0", 2 * YEAR),
        ("bid", 2, "home_care/c1/0", 2 * YEAR),
        ("award", 0, "home_care/c0/0", 2 * YEAR),
        ("award", 2, "home_care/c1/0", 2 * YEAR),
    ]
    orgs = run.market.orgs
    assert orgs.experience == [2, 0, 2]
    assert orgs.quality[2] == 0.75  # 0 -> 0.5 -> 0.75
    m = run.market.metrics()
    assert (m[("social_orgs_active", "")], m[("social_orgs_exited", "")]) == (2.0, 1.0)
    assert m[("social_org_survival_share", "")] == pytest.approx(2 / 3)
    yearly = {(y, k): v for y, k, v in run.market.yearly()}
    assert [yearly[(y, "social_orgs_active")] for y in range(3)] == [3.0, 3.0, 2.0]
    assert [yearly[(y, "social_orgs_exited")] for y in range(3)] == [0.0, 0.0, 1.0]


def test_entrants_arrive_and_bid_next_year() -> None:
    """With entry switched on, organisations register through the year and first bid at the
    next listing; opening free space brings more of them under the same seed."""
    days = {"days": 2 * 365 + 1, "market.entry_per_10k_residents_year": 2.0}
    run = simulate([], ORGS, days)
    enters = [line for line in run.log if line[0] == "enter"]
    assert enters and all(0 < t < 2 * YEAR + DAY for *_, t in enters)
    first = enters[0]
    bids = [line for line in run.log if line[0] == "bid" and line[1] == first[1]]
    assert bids and bids[0][3] == math.ceil(first[3] / YEAR) * YEAR
    opened = simulate([], ORGS, {**days, "market.free_space_share": 0.9})
    m, mo = run.market.metrics(), opened.market.metrics()
    assert mo[("social_orgs_entered", "")] > m[("social_orgs_entered", "")]


# -- multi-year runs: the aggregation effect ---------------------------------------------

NO_DEMANDS = {  # the market does not depend on residents' demands: leave them out for speed
    f"demands.{d}.rate_per_resident_year": 0.0
    for d in ("administrative", "personal", "dispute", "major")
} | {"tasks.per_year": 0.0, "tasks.plaques": 0, "tasks.assessments": 0}
SEED = 20100101
PERSONAL = "demands.personal.rate_per_resident_year"


def market_metrics(path: Path, seed: int, overrides: dict[str, Any]) -> dict[str, float]:
    """The market's summary metrics of one replication."""
    rep = run_replication(sim.load_scenario(path, overrides), 0, seed)
    return {k: v for (k, _), v in mechanism_metrics(rep).items()}


def test_more_organisations_survive_in_larger_communities() -> None:
    """Five years, one seed, the same residents and budgets: in 18 large communities more
    organisations survive — in each community, in the district, and as a share of all that
    ever took part — than in 49 small ones (the aggregation effect, 000/001)."""
    large = market_metrics(LARGE, SEED, NO_DEMANDS)
    small = market_metrics(SMALL, SEED, NO_DEMANDS)
    print({k: (large[k], small[k]) for k in large})
    assert large["social_orgs_per_community"] > 2 * small["social_orgs_per_community"]
    assert large["social_orgs_active"] > small["social_orgs_active"]
    assert large["social_orgs_entered"] > small["social_orgs_entered"]
    assert large["social_org_survival_share"] > small["social_org_survival_share"]
    # tendered: 18 home care + 12 care + 2 community-fund projects in each of the 18
    # communities; the small communities pool home care (11) and have no fund
    assert large["market_projects_per_year"] == 66 and small["market_projects_per_year"] == 23


def test_same_seed_same_market() -> None:
    """A run is a pure function of scenario and seed; the market's entrants and bids come
    from streams of their own, so the residents' needs (and the visits) do not change them."""
    a = market_metrics(LARGE, 7, NO_DEMANDS | {"days": 730})
    b = market_metrics(LARGE, 7, NO_DEMANDS | {"days": 730})
    c = market_metrics(LARGE, 7, NO_DEMANDS | {"days": 730, PERSONAL: 0.03})
    assert a == b
    for key in ("social_orgs_entered", "social_orgs_active", "market_bids_per_project"):
        assert c[key] == a[key], key


# -- switched off, the market changes nothing ---------------------------------------------

SHORT = {"days": 42}


def core_summary(s: sim.Scenario) -> pd.DataFrame:
    """Summary of replication 0 under the shared seed, without the scenario name."""
    rep = run_replication(s, 0, SEED)
    out = summary(rep, demand_records(rep))
    return out.drop(columns="scenario").reset_index(drop=True)


def test_market_absent_reproduces_the_core() -> None:
    """The purchase scenario without its ``[market]`` (the stages still flagged ``outsource``)
    gives exactly the summary of the staff-only baseline it extends."""
    s = sim.load_scenario(LARGE, SHORT).model_copy(update={"market": None})
    core = sim.load_scenario(STAFF_ONLY, SHORT)
    pd.testing.assert_frame_equal(core_summary(s), core_summary(core))


def test_market_that_buys_nothing_changes_no_core_metric() -> None:
    """A market with no project and no organisation leaves every core metric as it was."""
    s = sim.load_scenario(LARGE, SHORT | {"market.projects": {}})
    core = sim.load_scenario(STAFF_ONLY, SHORT)
    with_market, without = core_summary(s), core_summary(core)
    market_rows = ~with_market["metric"].isin(without["metric"])
    assert set(with_market.loc[market_rows, "metric"]) >= {
        "social_orgs_active",
        "personal_needs_met_share",
    }
    pd.testing.assert_frame_equal(with_market[~market_rows].reset_index(drop=True), without)


def test_purchase_scenario_serves_personal_needs() -> None:
    """The shipped purchase scenario, run for six weeks: organisations hold most of the
    tendered projects and contractors all of health and property; providers take and meet
    part of the outsourced stages; every need is still resolved."""
    s = sim.load_scenario(LARGE, SHORT)
    rep = run_replication(s, 0, SEED)
    m = {k: v for (k, _), v in mechanism_metrics(rep).items()}
    assert m["market_projects_per_year"] == 66
    assert 0.0 < m["personal_needs_met_share"] < m["purchase_taken_share"] <= 1.0
    full = (1_350_000 + 1_500_000 + 18 * 100_000) / 50  # every tendered project awarded
    assert 0.7 * full <= m["social_org_capacity_hours"] <= full
    assert m["contract_hours_per_year"] == pytest.approx((17_550_000 + 18_770_000) / 50)
    rec = demand_records(rep)
    for kind in ("personal", "health", "property"):
        done = rec[(rec["demand_type"] == kind) & (rec["outcome"] != "open")]
        assert len(done) > 0 and (done["outcome"] == "resolved").all(), kind
    years = {y for y, _, _ in mechanism_yearly(rep)}
    assert years == {0}
