"""The community's rating feeds back on its fund (以奖代补, 004's two-way evaluation): the
government rates each community by its residents' satisfaction in the last minute of the
year, and a community's own fund for small projects the next year follows its rating, the
district's total unchanged.

The rule is checked on fixed numbers; then a tiny two-community district with a community
fund line: one resident of community 0 has a matter resolved at once, so community 0 is
rated above community 1, and the next year's listed budgets follow the rule exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from harness import no_work, wire
from test_purchase import SCENARIO, demands

import sim
from sim.model.social_orgs import list_projects
from sim.rules.evaluation import fund_factors


def test_fund_factors() -> None:
    r = np.array([0.8, 0.6, 0.4])
    np.testing.assert_allclose(fund_factors(r, 0.0), [1.0, 1.0, 1.0])
    f = fund_factors(r, 1.0)  # 1 + (r - 0.6) / 0.6, mean 1 already
    np.testing.assert_allclose(f, [1 + 1 / 3, 1.0, 1 - 1 / 3])
    f = fund_factors(r, 10.0)  # floored at 0, then scaled back to a mean of 1
    raw = np.maximum(0.0, 1 + 10 * (r - 0.6) / 0.6)
    np.testing.assert_allclose(f, raw / raw.mean())
    assert f.mean() == pytest.approx(1.0)
    f = fund_factors(np.array([0.5, np.nan]), 1.0)  # an unrated community keeps its fund
    np.testing.assert_allclose(f, [1.0, 1.0])


def test_list_projects_scales_community_funds() -> None:
    s = sim.load_scenario(_funded(1.0))
    assert s.market is not None
    listed = list_projects(s.market, [2, 2], [1.5, 0.5])
    fund = {
        c: sum(p.budget for p in listed if p.line == "fund" and p.community == c) for c in (0, 1)
    }
    assert fund == {0: 150_000.0, 1: 50_000.0}  # the larger fund in two projects


def _funded(weight: float) -> dict:
    """The purchase test district at two communities of two residents, two years, with a
    community fund of 100,000 yuan each and two-way evaluation."""
    raw = {
        **SCENARIO,
        "days": 400,
        "structure": {"streets": 0, "communities": 2, "residents_per_community": 2},
        "evaluation": {"feedback": 0.0, "community_fund_weight": weight},
    }
    market = dict(raw["market"])
    market["projects"] = {
        **market["projects"],
        "fund": {
            "budget_yuan": 100_000.0,
            "project_yuan": 100_000.0,
            "per_community": True,
            "serves": ["personal"],
        },
    }
    market["min_project_yuan"] = 1.0
    raw["market"] = market
    return raw


def test_next_years_fund_follows_the_rating() -> None:
    s = sim.load_scenario(_funded(2.0))
    log: list[tuple] = []
    arrivals = [(8 * 60.0 + 24 * 60.0, 0, [0.9, 0.9])]  # Tuesday 8:00, community 0
    world = wire(s, demands(s, arrivals), no_work(), seed=1, mechanisms={"market": {"log": log}})
    world.run(stepped=True)
    ev = world.mechanism("evaluation")
    rating = ev.ratings[0]
    assert rating.time == 365 * 24 * 60.0 - 1  # the last minute of year 0
    c0, c1 = rating.communities
    assert c0 > c1 == pytest.approx(0.6)  # community 0's resident was served at once
    expected = fund_factors(np.array([c0, c1]), 2.0)
    assert rating.funds == pytest.approx(tuple(expected))
    budgets = {(y, c): 0.0 for y in (0, 1) for c in (0, 1)}
    for event, key, budget, t in log:
        if event == "list" and key.startswith("fund/"):
            budgets[(int(t // (365 * 24 * 60.0)), int(key.split("/")[1][1:]))] += budget
    assert budgets[(0, 0)] == budgets[(0, 1)] == 100_000.0
    assert budgets[(1, 0)] == pytest.approx(100_000.0 * expected[0])
    assert budgets[(1, 1)] == pytest.approx(100_000.0 * expected[1])
    assert budgets[(1, 0)] + budgets[(1, 1)] == pytest.approx(200_000.0)
