"""Two-way evaluation (004): residents rate communities, communities rate departments, and a
department's rating restrains its unfunded tasks the next year.

Rules (`sim.rules.evaluation`) are tested without an environment. The process
(`sim.processes.evaluation`) runs on the hand-made district of `test_burden` over two years
with hand-made would-be tasks: the ratings at the end of year 0 set the departments' factors
that decide which of their unfunded tasks in year 1 are pushed or withheld.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from test_burden import CIVIL, MON, PLANNING, at, candidates, scenario, simulate

import sim
from sim.clock import DAY
from sim.metrics.mechanisms import mechanism_yearly
from sim.processes.evaluation import Rating
from sim.processes.world import run_replication
from sim.rules.evaluation import community_ratings, department_rating, next_push_factor

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


# -- rules, without an environment --------------------------------------------------------
def test_community_rating_is_its_residents_mean_satisfaction() -> None:
    """Residents 0-1 live in community 0, 2-4 in community 1; community 2 has nobody."""
    r = community_ratings([0.2, 0.6, 1.0, 0.5, 0.0], np.array([0, 0, 1, 1, 1]), 3)
    assert r[:2].tolist() == pytest.approx([0.4, 0.5])
    assert math.isnan(r[2])


def test_department_rating_is_its_funded_share() -> None:
    """Funded tasks / tasks assigned; unrated (NaN) when it assigned nothing."""
    assert department_rating(4, 1) == 0.25
    assert department_rating(3, 3) == 1.0
    assert math.isnan(department_rating(0, 0))


def test_poor_rating_cuts_the_push_factor() -> None:
    """``factor * (1 - feedback * (1 - rating))``; a full rating or NaN keeps the factor."""
    assert next_push_factor(1.0, 0.0, 0.5) == 0.5
    assert next_push_factor(1.0, 0.5, 0.5) == 0.75
    assert next_push_factor(0.5, 0.5, 0.5) == 0.375
    assert next_push_factor(0.8, 1.0, 0.5) == 0.8
    assert next_push_factor(0.8, math.nan, 0.5) == 0.8
    assert next_push_factor(0.8, 0.0, 0.0) == 0.8  # a rating without consequence


# -- the process: exact logs ----------------------------------------------------------------
def _score(days: float, target_days: float = 5.0) -> float:
    """The satisfaction a resident gets after one demand from 0.6 (`Router._end`)."""
    return 0.6 + 0.2 * (math.exp(-days / target_days) - 0.6)


def test_ratings_set_next_years_push_of_unfunded_tasks() -> None:
    """Two years, funds with half the tasks, feedback 0.5.

    Year 0: civil affairs assigns two unfunded tasks (rated 0 -> factor 0.5), family planning
    one funded and one unfunded (rated 0.5 -> factor 0.75); resident 0 of community 0 is
    served in 10 minutes on day 0. The rating falls at midnight ending day 364. Year 1
    (day 366 is a Wednesday): civil affairs' unfunded tasks with restraint uniforms 0.4 and
    0.6 are pushed and withheld, its funded one is pushed whatever its uniform; family
    planning's unfunded ones with 0.7 and 0.8 are pushed and withheld. Year 1 is rated after
    the run: civil affairs 1/2 -> 0.5 x 0.75, family planning 0/1 -> 0.75 x 0.5.
    """
    s = scenario(
        {
            "days": 730,
            "burden.funds": {"funded_share": 0.5, "bought_share": 0.0},
            "evaluation": {"feedback": 0.5},
        }
    )
    cand = candidates(
        [
            (at(MON, 9), 0, CIVIL, 30.0, 0.9, 0.5, 0.5),
            (at(MON + 1, 9), 1, CIVIL, 30.0, 0.9, 0.5, 0.5),
            (at(MON + 2, 9), 0, PLANNING, 30.0, 0.1, 0.5, 0.5),
            (at(MON + 3, 9), 1, PLANNING, 30.0, 0.9, 0.5, 0.5),
            (at(366, 9), 0, CIVIL, 30.0, 0.9, 0.4, 0.5),
            (at(366, 10), 0, CIVIL, 30.0, 0.9, 0.6, 0.5),
            (at(366, 11), 1, CIVIL, 30.0, 0.1, 0.99, 0.5),
            (at(367, 9), 1, PLANNING, 30.0, 0.9, 0.7, 0.5),
            (at(367, 10), 0, PLANNING, 30.0, 0.9, 0.8, 0.5),
        ]
    )
    router, burden, evaluation, staff = simulate(s, cand, residents=[(at(MON, 8), 0)])
    assert burden is not None and evaluation is not None
    assert burden.log[4:] == [
        ("push", at(366, 9), 0, "civil_affairs", False, 30.0),
        ("withhold", at(366, 10), 0, "civil_affairs", False, 0.0),
        ("push", at(366, 11), 1, "civil_affairs", True, 30.0),
        ("push", at(367, 9), 1, "family_planning", False, 30.0),
        ("withhold", at(367, 10), 0, "family_planning", False, 0.0),
    ]
    assert [e[0] for e in burden.log[:4]] == ["push"] * 4
    assert staff[0] == ("res0@desk/0", at(MON, 8), at(MON, 8) + 10)
    c0 = (_score(10 / DAY) + 0.6) / 2
    metrics = evaluation.metrics()  # makes the year-1 rating at the horizon
    assert evaluation.ratings == [
        Rating(0, 365 * DAY - 1, pytest.approx((c0, 0.6)), (0.0, 0.5), (0.5, 0.75)),
        Rating(1, 730 * DAY, pytest.approx((c0, 0.6)), (0.5, 0.0), (0.375, 0.375)),
    ]
    assert metrics[("community_rating_mean", "")] == pytest.approx((c0 + 0.6) / 2)
    assert metrics[("community_rating_min", "")] == 0.6
    assert metrics[("department_rating_mean", "")] == 0.25
    assert metrics[("push_factor_mean", "")] == 0.375
    table = {(y, k): v for y, k, v in evaluation.yearly()}
    assert table[(0, "push_factor_mean")] == 0.625
    assert table[(0, "department_rating_mean")] == 0.25
    withheld = {(y, k): v for y, k, v in burden.yearly()}
    assert withheld[(0, "tasks_withheld_per_community")] == 0.0
    assert withheld[(1, "tasks_withheld_per_community")] == 1.0
    assert withheld[(1, "funded_task_share")] == pytest.approx(1 / 3)


def test_evaluation_without_burden_rates_communities_only() -> None:
    """Without ``[burden]`` departments push no new tasks: communities are rated each year,
    departments are not (NaN) and nothing feeds back."""
    s = scenario({"days": 400, "burden": None, "evaluation": {"feedback": 0.5}})
    router, burden, evaluation, _ = simulate(s, residents=[(at(MON, 8), 3)])
    assert burden is None and evaluation is not None
    evaluation.metrics()
    assert [(r.year, r.time, r.departments, r.push_factor) for r in evaluation.ratings] == [
        (0, 365 * DAY - 1, (), ()),  # in the last minute of the year
        (1, 400 * DAY, (), ()),
    ]
    assert evaluation.ratings[0].communities == pytest.approx((0.6, (0.6 + _score(10 / DAY)) / 2))
    rows = {(y, k): v for y, k, v in evaluation.yearly()}
    assert math.isnan(rows[(1, "department_rating_mean")])
    assert math.isnan(rows[(1, "push_factor_mean")])


# -- the shipped scenario -------------------------------------------------------------------
def test_evaluation_restrains_unfunded_pushing_over_the_years() -> None:
    """Two-way evaluation over three years of the Tongling rebound: departments' factors on
    unfunded tasks fall every year, they withhold more, the funded share of what they assign
    rises, and communities end up with fewer tasks than without evaluation (same seed)."""
    over = {"structure.communities": 8, "structure.streets": 1, "days": 3 * 365}
    tables = {}
    for name in ("tongling_rebound_5y", "tongling_evaluation_5y"):
        rep = run_replication(sim.load_scenario(SCENARIOS / f"{name}.toml", over))
        rows = mechanism_yearly(rep)
        tables[name] = {(y, k): v for y, k, v in rows}
    free, ev = tables["tongling_rebound_5y"], tables["tongling_evaluation_5y"]
    factor = [ev[(y, "push_factor_mean")] for y in range(3)]
    assert factor[0] < 1 and np.all(np.diff(factor) < 0), factor
    withheld = [ev[(y, "tasks_withheld_per_community")] for y in range(3)]
    assert withheld[0] == 0 and withheld[1] < withheld[2], withheld
    funded = [ev[(y, "funded_task_share")] for y in range(3)]
    assert funded[0] < funded[2], funded
    assert ev[(2, "tasks_per_community")] < free[(2, "tasks_per_community")]
    assert 0 < ev[(2, "community_rating_mean")] < 1
