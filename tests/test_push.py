"""Where departments push their work (行政化反弹): capacity, channel and habit.

The push rule (`sim.rules.push`) is tested without an environment on fixed numbers. The burden
process is tested with it on the hand-made district of `test_burden` (two communities, one
staffer each, two departments) and hand-made would-be tasks ``(time, community, department,
minutes, u_fund, u_try, u_push, u_gate)``: its log ``(event, minute, community, department,
funded, staff_minutes)`` and the departments' habits are asserted exactly. Then the direction
of each effect on would-be tasks drawn from the burden stream (the same ones in every
variant): more staff per community, more pushed; a gate, fewer; a poor rating, fewer. Last, the
shipped drift scenarios: large communities drift back towards administration without a gate
and not with one.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_burden import CIVIL, MON, PLANNING, at, candidates, scenario, simulate

import sim
from sim.metrics.mechanisms import mechanism_yearly
from sim.processes.world import run_replication
from sim.rules.push import attraction, learning_step, push_chance, reinforce, tries

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

# A would-be task per department and community every half year, a year of attempts moving the
# habit all the way: each attempt moves it half the way (learning_step(1.0, 4 / 2)).
LEARNING = {"burden.latent_per_year": 4.0, "burden.learning_per_year": 1.0}


# -- the rule, without an environment -------------------------------------------------------
def test_attraction_is_capacity_per_resident_times_channel() -> None:
    """``channel * (staff / (reference_staff * scale)) ** elasticity``."""
    assert attraction(9.0, 9.0, 1.0, 1.0, 1.0) == 1.0  # the reference community
    assert attraction(4.5, 9.0, 1.0, 1.0, 1.0) == 0.5
    assert attraction(18.0, 9.0, 1.0, 0.5, 1.0) == pytest.approx(math.sqrt(2.0))
    assert attraction(18.0, 9.0, 1.0, 0.0, 1.0) == 1.0  # departments blind to staff
    assert attraction(18.0, 9.0, 2.0, 1.0, 1.0) == 1.0  # twice the staff for twice the people
    assert attraction(9.0, 9.0, 1.0, 1.0, 1.5) == 1.5  # holds administrative items
    # Tongguanshan after abolition: 40 staff for 15,000 residents against 9 for 5,510
    assert attraction(40.0, 9.0, 15000 / 5510, 1.0, 1.5) == pytest.approx(2.449, abs=1e-3)
    assert math.isinf(attraction(math.inf, 9.0, 1.0, 1.0, 1.0))


def test_push_chance_multiplies_the_odds_of_the_habit() -> None:
    """``p / (1 - p) = draw * habit / (1 - habit)``: the habit itself at draw 1."""
    assert push_chance(0.5, 1.0) == 0.5
    assert push_chance(0.2, 1.0) == pytest.approx(0.2)
    assert push_chance(0.5, 2.0) == pytest.approx(2 / 3)
    assert push_chance(0.2, 4.0) == pytest.approx(0.5)
    assert push_chance(0.5, 0.5) == pytest.approx(1 / 3)
    assert push_chance(0.0, 5.0) == 0.0  # no habit: never tries
    assert push_chance(0.3, 0.0) == 0.0  # nothing draws work there
    assert push_chance(1.0, 0.1) == 1.0
    assert push_chance(0.3, math.inf) == 1.0


def test_more_draw_or_habit_never_lowers_the_chance() -> None:
    """The chance rises with the community's draw and with the department's habit."""
    habits = np.linspace(0.0, 1.0, 21).tolist()
    draws = [0.0, 0.25, 0.5, 1.0, 1.6, 2.45, 10.0]
    for h in habits:
        chances = [push_chance(h, a) for a in draws]
        assert all(b >= a for a, b in zip(chances, chances[1:], strict=False)), h
    for a in draws:
        chances = [push_chance(h, a) for h in habits]
        assert all(b >= a for a, b in zip(chances, chances[1:], strict=False)), a


def test_tries_below_the_chance() -> None:
    """The department tries when the task's uniform falls below the chance."""
    assert tries(0.49, 0.5, 1.0)
    assert not tries(0.5, 0.5, 1.0)
    assert tries(0.6, 0.5, 2.0)  # 0.6 < 2/3
    assert not tries(0.0, 0.0, 2.0)


def test_habit_moves_towards_what_happened() -> None:
    """Bush–Mosteller: a share `rate` of the way to 1 when accepted, to 0 when turned away."""
    assert reinforce(0.5, True, 0.5) == 0.75
    assert reinforce(0.5, False, 0.5) == 0.25
    assert reinforce(0.2, True, 0.0) == 0.2
    assert reinforce(0.2, True, 1.0) == 1.0
    assert reinforce(0.2, False, 1.0) == 0.0


def test_learning_step_spreads_a_years_learning_over_the_would_be_tasks() -> None:
    """``min(1, learning_per_year / would-be tasks a year)``; none without would-be tasks."""
    assert learning_step(1.0, 33.75) == pytest.approx(1 / 33.75)
    assert learning_step(1.0, 2.0) == 0.5
    assert learning_step(1.0, 0.5) == 1.0
    assert learning_step(1.0, 0.0) == 0.0


# -- the process: exact logs ----------------------------------------------------------------
def test_accepted_pushes_strengthen_the_departments_habit() -> None:
    """Habits start at 0.5, each attempt moves them half the way, the draw is 1 (one staffer
    against a reference of one): the chance is the habit.

    Civil affairs to community 0: u 0.4 < 0.5, pushed (habit 0.75); u 0.7 < 0.75, pushed
    (0.875); u 0.9 > 0.875, kept. Civil affairs to community 1 has its own habit: u 0.6 >
    0.5, kept. Family planning to community 0: u 0.3 < 0.5, pushed (0.75).
    """
    s = scenario({**LEARNING, "burden.habit_start": 0.5})
    cand = candidates(
        [
            (at(MON, 9), 0, CIVIL, 30.0, 0.5, 0.4, 0.5, 0.5),
            (at(MON, 10), 0, CIVIL, 30.0, 0.5, 0.7, 0.5, 0.5),
            (at(MON, 11), 0, CIVIL, 30.0, 0.5, 0.9, 0.5, 0.5),
            (at(MON, 12), 1, CIVIL, 30.0, 0.5, 0.6, 0.5, 0.5),
            (at(MON, 13), 0, PLANNING, 30.0, 0.5, 0.3, 0.5, 0.5),
        ]
    )
    _, burden, _, staff = simulate(s, cand)
    assert burden is not None
    assert burden.draw == 1.0 and burden.step == 0.5
    assert burden.log == [
        ("push", at(MON, 9), 0, "civil_affairs", False, 30.0),
        ("push", at(MON, 10), 0, "civil_affairs", False, 30.0),
        ("keep", at(MON, 11), 0, "civil_affairs", False, 0.0),
        ("keep", at(MON, 12), 1, "civil_affairs", False, 0.0),
        ("push", at(MON, 13), 0, "family_planning", False, 30.0),
    ]
    assert burden.habit.tolist() == [[0.875, 0.5], [0.75, 0.5]]
    assert staff == [
        ("task0@desk/0", at(MON, 9), at(MON, 9.5)),
        ("task1@desk/0", at(MON, 10), at(MON, 10.5)),
        ("task2@desk/0", at(MON, 13), at(MON, 13.5)),
    ]
    table = {(y, k): v for y, k, v in burden.yearly()}
    assert table[(0, "tasks_not_tried_per_community")] == pytest.approx(1.0 / (14 / 365))
    assert table[(0, "push_habit_mean")] == (0.875 + 0.5 + 0.75 + 0.5) / 4
    m = burden.metrics()
    assert m[("push_habit_mean", "")] == (0.875 + 0.5 + 0.75 + 0.5) / 4
    assert m[("push_attraction", "")] == 1.0


def test_gate_rejections_weaken_the_habit() -> None:
    """Gate 0.5 against unfunded tasks. Civil affairs to community 0: tries (0.4 < 0.5), the
    gate turns it away (0.2 < 0.5): habit 0.25; u 0.3 > 0.25, kept; u 0.2 < 0.25, tried and
    let through (0.9): habit 0.625."""
    s = scenario({**LEARNING, "burden.habit_start": 0.5, "burden.gate": {"reject_unfunded": 0.5}})
    cand = candidates(
        [
            (at(MON, 9), 0, CIVIL, 30.0, 0.5, 0.4, 0.5, 0.2),
            (at(MON, 10), 0, CIVIL, 30.0, 0.5, 0.3, 0.5, 0.9),
            (at(MON, 11), 0, CIVIL, 30.0, 0.5, 0.2, 0.5, 0.9),
        ]
    )
    _, burden, _, staff = simulate(s, cand)
    assert burden is not None
    assert burden.log == [
        ("reject", at(MON, 9), 0, "civil_affairs", False, 0.0),
        ("keep", at(MON, 10), 0, "civil_affairs", False, 0.0),
        ("push", at(MON, 11), 0, "civil_affairs", False, 30.0),
    ]
    assert burden.habit.tolist() == [[0.625, 0.5], [0.5, 0.5]]
    assert staff == [("task0@desk/0", at(MON, 11), at(MON, 11.5))]
    assert burden.ledger.assigned[0].tolist() == [2, 0]  # turned away, still assigned


@pytest.mark.parametrize(
    ("overrides", "event"),
    [
        ({}, "keep"),  # the reference: chance 0.5
        ({"units.desk.servers": 2}, "push"),  # twice the staff: chance 2/3
        ({"units.desk.servers": 2, "burden.capacity_elasticity": 0.0}, "keep"),  # blind to staff
        ({"burden.channel": 2.0}, "push"),  # holds administrative items: chance 2/3
        ({"burden.reference_staff": 2.0}, "keep"),  # half the reference staff: chance 1/3
    ],
)
def test_capacity_and_channel_draw_the_same_task(overrides: dict[str, Any], event: str) -> None:
    """One would-be task with attempt uniform 0.6 and habit 0.5: pushed where the draw is 2
    (chance 2/3), kept where it is 1 (0.5) or 1/2 (1/3)."""
    s = scenario({**LEARNING, "burden.habit_start": 0.5, **overrides})
    cand = candidates([(at(MON, 9), 0, CIVIL, 30.0, 0.5, 0.6, 0.5, 0.5)])
    _, burden, _, _ = simulate(s, cand)
    assert burden is not None
    assert [e[0] for e in burden.log] == [event]


# -- directions, on would-be tasks drawn from the burden stream ------------------------------
def _pushed(overrides: dict[str, Any], days: int = 365) -> tuple[np.ndarray, float]:
    """Tasks pushed by year and the mean habit at the end, in the test district with 100
    would-be tasks per community a year and habits from 0.2."""
    s = scenario(
        {
            "days": days,
            "burden.latent_per_year": 100.0,
            "burden.habit_start": 0.2,
            "burden.learning_per_year": 1.0,
            "tasks.hours_each": 1.0,
            **overrides,
        }
    )
    _, burden, _, _ = simulate(s)
    assert burden is not None
    t = burden.tally()
    return t.pushed, float(t.habit[-1])


def test_more_staff_per_community_more_pushed() -> None:
    """The same would-be tasks: with two staffers a community (draw 2) departments push more
    and learn a stronger habit than with one; with half a reference's staff, fewer."""
    one, h_one = _pushed({})
    two, h_two = _pushed({"units.desk.servers": 2})
    thin, h_thin = _pushed({"burden.reference_staff": 2.0})
    assert thin.sum() < one.sum() < two.sum(), (thin, one, two)
    assert h_thin < h_one < h_two


def test_a_gate_means_fewer_pushed_and_a_weaker_habit() -> None:
    """The same would-be tasks through a gate turning away nine in ten: far fewer reach the
    communities, and the departments' habit falls instead of growing."""
    free, h_free = _pushed({})
    gated, h_gated = _pushed({"burden.gate": {"reject_unfunded": 0.9}})
    assert gated.sum() < 0.2 * free.sum()
    assert h_gated < 0.2 < h_free


def test_a_poor_rating_means_fewer_pushed_the_next_year() -> None:
    """Two-way evaluation: departments that funded nothing are rated 0, and the next year
    they push fewer of the same would-be tasks than without evaluation."""
    free, _ = _pushed({}, days=730)
    rated, _ = _pushed({"evaluation": {"feedback": 0.5}}, days=730)
    assert rated[0] == free[0]
    assert rated[1] < free[1]


# -- the shipped scenarios ------------------------------------------------------------------
@pytest.fixture(scope="module")
def drift() -> dict[str, dict[tuple[int, str], float]]:
    """Yearly rows of the Tongguanshan drift scenarios, two large communities, three years."""
    over = {"structure.communities": 2, "days": 3 * 365}
    out = {}
    for name in ("tongguanshan_drift_5y", "tongguanshan_drift_gate_5y"):
        rep = run_replication(sim.load_scenario(SCENARIOS / f"{name}.toml", over))
        out[name] = {(y, k): v for y, k, v in mechanism_yearly(rep, "burden")}
    return out


def test_large_communities_drift_back_without_a_gate(
    drift: dict[str, dict[tuple[int, str], float]],
) -> None:
    """After abolition, departments push the streets' work onto the large communities: the
    habit, the tasks pushed and the staff's task share climb every year, towards pushing
    every would-be task; the gate turns most away, the habit withers and the staff's task
    share stays below the drift's every year."""
    free, gated = drift["tongguanshan_drift_5y"], drift["tongguanshan_drift_gate_5y"]
    habit = [free[(y, "push_habit_mean")] for y in range(3)]
    pushed = [free[(y, "tasks_pushed_back_per_community")] for y in range(3)]
    would_be = [free[(y, "would_be_tasks_per_community")] for y in range(3)]
    share = [free[(y, "staff_hours_share_tasks")] for y in range(3)]
    assert 0.1 < habit[0] < habit[1] < habit[2] < 1.0, habit
    assert pushed[0] < pushed[1] < pushed[2], pushed
    assert pushed[2] > 0.8 * would_be[2], (pushed, would_be)
    assert share[0] < share[2], share
    for y in range(3):
        assert gated[(y, "push_habit_mean")] < 0.15  # about its acceptance, 1 in 10
        assert gated[(y, "staff_hours_share_tasks")] < free[(y, "staff_hours_share_tasks")]
        assert gated[(y, "tasks_pushed_back_per_community")] < 0.1 * pushed[y]


def test_rebound_has_no_per_year_constant() -> None:
    """The rebound scenarios carry no yearly add-back figure: the push rule's parameters."""
    s = sim.load_scenario(SCENARIOS / "tongling_rebound_5y.toml")
    assert s.burden is not None
    fields = set(type(s.burden).model_fields)
    assert not {"rebound_per_year", "ceiling_per_year"} & fields
    assert {"latent_per_year", "habit_start", "learning_per_year"} <= fields


# -- item lists, entrustment contracts, third-party evaluation ------------------------------
def test_gate_decision_with_lists_and_entrustment() -> None:
    """One uniform decides: on the lists below the listed share; then the reject chance on
    the rest of its range; an unfunded task turned away becomes an entrustment contract on
    the first part of the rejected range."""
    from sim.rules.gate import ACCEPTED, ENTRUSTED, REJECTED, gate_decision, listed_share

    listed = listed_share(95, 280)  # Xiangfang's 25 + 70 items against 280 before
    assert listed == pytest.approx(95 / 280)
    assert gate_decision(0.30, False, 1.0, 0.0, listed) == ACCEPTED  # on the lists
    assert gate_decision(0.40, False, 1.0, 0.0, listed) == REJECTED  # off them, unfunded
    assert gate_decision(0.40, True, 1.0, 0.0, listed) == ACCEPTED  # off them, funded
    # u 0.5 off the lists is 0.2433 of the rest; reject 0.5: turned away, and 0.487 of the
    # rejected range: entrusted when entrustment is above that
    assert gate_decision(0.5, False, 0.5, 0.0, listed, 0.4) == REJECTED
    assert gate_decision(0.5, False, 0.5, 0.0, listed, 0.5) == ENTRUSTED
    assert gate_decision(0.5, False, 0.5, 0.0, None, 0.9) == ACCEPTED  # no lists: u >= 0.5
    assert listed_share(None, None) is None
    with pytest.raises(sim.ScenarioError, match="listed_items and items_before go together"):
        scenario({"burden.gate": {"reject_unfunded": 1.0, "listed_items": 95}})


def test_entrustment_contract_pays_for_the_task() -> None:
    """Gate 1.0 against unfunded tasks, entrustment 0.5, funds buy half a funded task's
    hours. First task: gate uniform 0.3 < 0.5, the department signs an entrustment contract:
    pushed with funds (15 of 30 minutes to the staff), the habit strengthened. Second: 0.7,
    turned away."""
    s = scenario(
        {
            **LEARNING,
            "burden.habit_start": 0.5,
            "burden.gate": {"reject_unfunded": 1.0, "entrustment": 0.5},
            "burden.funds": {"funded_share": 0.0, "bought_share": 0.5},
        }
    )
    cand = candidates(
        [
            (at(MON, 9), 0, CIVIL, 30.0, 0.5, 0.4, 0.5, 0.3),
            (at(MON, 10), 0, CIVIL, 30.0, 0.5, 0.1, 0.5, 0.7),
        ]
    )
    _, burden, _, staff = simulate(s, cand)
    assert burden is not None
    assert burden.log == [
        ("push", at(MON, 9), 0, "civil_affairs", True, 15.0),
        ("reject", at(MON, 10), 0, "civil_affairs", False, 0.0),
    ]
    assert burden.habit.tolist() == [[0.375, 0.5], [0.5, 0.5]]  # 0.5 -> 0.75 -> 0.375
    assert burden.entrusted.tolist() == [1.0]
    assert burden.ledger.funded[0].tolist() == [1, 0]
    assert staff == [("task0@desk/0", at(MON, 9), at(MON, 9.25))]


def test_without_a_third_party_ratings_are_softened() -> None:
    """Communities rating their own superiors hide a share of the shortfall; a third party
    reports it from the books (004)."""
    from sim.rules.evaluation import reported_rating

    assert reported_rating(0.2, True, 0.5) == 0.2
    assert reported_rating(0.2, False, 0.5) == pytest.approx(0.6)
    assert math.isnan(reported_rating(math.nan, False, 0.5))


def test_a_third_party_restrains_departments_more() -> None:
    """The same would-be tasks over two years: with communities rating their superiors
    themselves (deference 0.8) departments are restrained less than under a third party."""
    base = {
        "burden.funds": {"funded_share": 0.3, "bought_share": 0.5},
        "evaluation": {"feedback": 0.8},
    }
    third, _ = _pushed({**base, "evaluation.third_party": True}, days=730)
    direct, _ = _pushed(
        {**base, "evaluation.third_party": False, "evaluation.deference": 0.8}, days=730
    )
    assert third[0] == direct[0]  # the first year, before any rating
    assert third[1] < direct[1]
