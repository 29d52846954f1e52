"""Three-level, six-step consultation (三级六步), participation, disappointment, temporary
social organisations and participatory training.

Rule tests call the pure decisions of `sim.rules.consultation` on hand-made arrays, without
an environment. Process tests run a tiny district (one community of 20 residents in two
grids, offices open Monday to Friday 8:30-17:30, two staff) wired by `run_replication`, with
hand-made matters and a hand-made population: in each grid residents 0-5 (10-15) are
retired and always free, the rest employed and never free in office hours. Every step waits
whole days and takes whole staff hours, so the event log ``(minute, matter, event, detail)``
is exact. Scenario tests check the calibrated Shazitang baseline against 003 with intervals
over replications, the linkage mechanism over three years under one seed, temporary
organisations against none, and that the mechanism leaves the core model untouched when it
has nothing to do.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from harness import Reported, reported, wire
from scipy import stats

import sim
from sim.clock import DAY
from sim.experiment.targets import load_targets
from sim.metrics.mechanisms import mechanism_metrics
from sim.metrics.records import demand_records
from sim.metrics.summary import summary, timeseries, yearly
from sim.model.calendar import Calendar
from sim.model.population import Population, build_population
from sim.model.streams import stream
from sim.processes.consultation import Consultation, Matter
from sim.processes.records import Records
from sim.processes.world import run_replication
from sim.rules import consultation as rules
from sim.rules import participation
from sim.rules.priority import MEETING

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHAZITANG = SCENARIOS / "shazitang_consultation.toml"
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
OPEN = 8.5 * 60.0  # offices open at 8:30


def at(day: int, hour: float) -> float:
    """Clock minute of `hour` o'clock on day `day` of the run (day 0 is a Monday)."""
    return day * DAY + hour * 60.0


def opening(day: int) -> float:
    """Clock minute the offices open on day `day`."""
    return day * DAY + OPEN


# -- rules, without an environment --------------------------------------------------------


@pytest.mark.parametrize(
    ("complexity", "cross_grid", "level"),
    [
        ("simple", False, "deliberation"),
        ("simple", True, "linkage"),
        ("complex", False, "linkage"),
        ("complex", True, "linkage"),
        ("major", False, "hearing"),
        ("major", True, "hearing"),
    ],
)
def test_route_level(complexity: str, cross_grid: bool, level: str) -> None:
    """Simple matters in one grid go to the grid's deliberation, complex or cross-grid ones
    to a linkage consultation, major ones to a hearing (003)."""
    assert rules.route_level(complexity, cross_grid) == level


def test_route_level_refuses_unknown_complexity() -> None:
    with pytest.raises(ValueError, match="unknown complexity"):
        rules.route_level("tricky", False)


def test_attendance_channel_offline_only() -> None:
    """Without visits, written or online consultation only residents free in office hours
    come: a uniform below the availability."""
    avail = np.array([0.7, 0.7, 0.1, 0.1, 0.0])
    u = np.array([0.69, 0.71, 0.05, 0.5, 0.0])
    ch = rules.attendance_channel(u, avail, np.ones(5))
    assert ch.tolist() == [rules.IN_PERSON, rules.ABSENT, rules.IN_PERSON, rules.ABSENT, -1]


def test_attendance_channel_cuts_the_unit_interval() -> None:
    """Visits, written and online consultation each reach their share of those not reached
    before; online is scaled by the resident's online propensity."""
    # availability 0.5: in person [0, .5); visits 0.2 of .5 -> [.5, .6); written 0.5 of .4
    # -> [.6, .8); online 0.5 x factor 0.5 of .2 -> [.8, .85); absent above
    avail, factor = np.full(6, 0.5), np.full(6, 0.5)
    u = np.array([0.49, 0.55, 0.61, 0.79, 0.84, 0.86])
    ch = rules.attendance_channel(u, avail, factor, visits=0.2, written=0.5, online=0.5)
    assert ch.tolist() == [
        rules.IN_PERSON,
        rules.VISIT,
        rules.WRITTEN,
        rules.WRITTEN,
        rules.ONLINE,
        rules.ABSENT,
    ]
    p = rules.attendance_probability(avail, factor, visits=0.2, written=0.5, online=0.5)
    np.testing.assert_allclose(p, 0.85)


def test_attendance_probability_matches_the_channels() -> None:
    """The chance of taking part is the measure of the non-absent part of the interval."""
    rng = np.random.default_rng(1)
    avail, factor = rng.random(50), rng.random(50) * 2
    grid = np.linspace(0, 1, 20001)[:-1] + 0.5 / 20000
    for i in range(50):
        ch = rules.attendance_channel(
            grid, np.full(grid.size, avail[i]), np.full(grid.size, factor[i]), 0.1, 0.2, 0.3
        )
        share = float(np.mean(ch >= 0))
        p = rules.attendance_probability(avail[i : i + 1], factor[i : i + 1], 0.1, 0.2, 0.3)
        assert share == pytest.approx(float(p[0]), abs=1e-4)


def _reasons(channel: np.ndarray, refusing: np.ndarray) -> np.ndarray:
    """Everyone willing: who comes is who is reached and not disappointed."""
    n = len(channel)
    return participation.reasons(np.zeros(n), np.ones(n), channel >= 0, refusing)


def test_take_participants_stops_when_the_seats_are_filled() -> None:
    """Candidates are asked in order until enough have agreed; those disappointed refuse."""
    channel = np.array([0, -1, 0, 0, 1, 0, 0], dtype=np.int8)
    refusing = np.array([False, False, True, False, False, False, True])
    draw = rules.take_participants(_reasons(channel, refusing), seats=3)
    assert draw.invited == 5  # 0 comes, 1 absent, 2 refuses, 3 comes, 4 comes (visit)
    assert draw.taken.tolist() == [0, 3, 4]
    assert draw.refused == 1
    assert draw.declined.tolist() == [0, 1, 0, 1]  # came (not counted), disappointed, -, busy


def test_take_participants_runs_out_of_candidates() -> None:
    channel = np.array([0, -1, 0], dtype=np.int8)
    refusing = np.array([False, False, True])
    draw = rules.take_participants(_reasons(channel, refusing), seats=5)
    assert draw.invited == 3
    assert draw.taken.tolist() == [0]
    assert draw.refused == 1
    assert rules.take_participants(_reasons(channel, refusing), seats=0).invited == 0


def test_reasons_for_not_coming() -> None:
    """Disappointment first, then no interest, then no time (003's reasons)."""
    u = np.array([0.1, 0.9, 0.1, 0.1, 0.9])
    p = np.full(5, 0.5)
    reached = np.array([True, True, False, True, False])
    disappointed = np.array([False, False, False, True, True])
    got = participation.reasons(u, p, reached, disappointed)
    expected = [
        participation.CAME,
        participation.UNWILLING,
        participation.BUSY,
        participation.DISAPPOINTED,
        participation.DISAPPOINTED,
    ]
    assert got.tolist() == expected


def test_willingness_odds() -> None:
    """The age band's chance, its odds multiplied by the party member's odds ratio."""
    w = participation.willingness(np.array([0.5, 0.5, 0.2]), np.array([False, True, True]), 2.0)
    assert w[0] == pytest.approx(0.5)
    assert w[1] == pytest.approx(2 / 3)  # odds 1 -> 2
    assert w[2] == pytest.approx(0.5 / 1.5)  # odds 0.25 -> 0.5
    # the Shanghai survey's party figures give back their odds ratio
    r = (0.651 / 0.349) / (0.484 / 0.516)
    assert participation.willingness(np.array([0.484]), np.array([True]), r)[0] == (
        pytest.approx(0.651)
    )
    assert participation.willingness(
        np.array([0.0, 1.0]), np.array([True, False]), 3.0
    ).tolist() == [
        0.0,
        1.0,
    ]


def test_steady_disappointment() -> None:
    """λ / (λ + μ) with λ = rate x let-down x probability; no recovery: all who take part."""
    p = participation.steady_disappointment(np.array([0.0, 1.0, 4.0]), 0.5, 0.5, 0.25)
    np.testing.assert_allclose(p, [0.0, 0.25 / 0.5, 1.0 / 1.25])
    p = participation.steady_disappointment(np.array([0.0, 0.1]), 0.5, 0.5, 0.0)
    assert p.tolist() == [0.0, 1.0]


def test_let_down_chance_averages_the_implementation_rule() -> None:
    """The mean of `implementation_probability` over the Poisson departments and the share
    needing funds, against a direct sum."""
    mu, pen, nf = 1.3, 0.7, 0.4
    direct = 0.0
    for d in range(60):
        w = math.exp(-mu) * mu**d / math.factorial(d)
        for needs, pn in ((True, nf), (False, 1 - nf)):
            direct += w * pn * rules.implementation_probability(0.85, 0.5, needs, d, pen, 0.2)
    got = participation.let_down_chance(0.85, 0.5, nf, mu, pen, 0.2, 0.9)
    assert got == pytest.approx(1 - 0.9 * direct)
    assert participation.let_down_chance(0.85, 0.5, nf, mu, 0.0, 0.0, 1.0) == pytest.approx(
        1 - 0.85 * (1 - nf + nf * 0.5) * math.exp(-mu) * (1 + mu)
    )


def test_participant_mix_emerges_from_availability() -> None:
    """Drawing many meetings from a hand-made population, the participants' mix is the
    occupation shares weighted by availability."""
    rng = np.random.default_rng(7)
    occupation = rng.choice(3, size=3000, p=[0.2, 0.5, 0.3])
    avail = np.array([0.6, 0.1, 0.3])[occupation]
    counts = np.zeros(3)
    for _ in range(400):
        cand = rng.choice(3000, size=100, replace=False)
        ch = rules.attendance_channel(rng.random(100), avail[cand], np.ones(100))
        draw = rules.take_participants(_reasons(ch, np.zeros(100, bool)), seats=15)
        counts += np.bincount(occupation[cand[draw.taken]], minlength=3)
    expected = np.array([0.2 * 0.6, 0.5 * 0.1, 0.3 * 0.3])
    np.testing.assert_allclose(counts / counts.sum(), expected / expected.sum(), atol=0.015)


@pytest.mark.parametrize(
    ("needs_funds", "departments", "carry", "expected"),
    [
        (False, 0, 0.0, 0.8),
        (False, 1, 0.0, 0.8),
        (False, 3, 0.0, 0.8 * 0.5**2),
        (True, 1, 0.0, 0.8 * 0.25),
        (True, 2, 0.0, 0.8 * 0.25 * 0.5),
        (True, 2, 0.5, 0.1 + 0.9 * 0.5),
        (True, 2, 1.0, 1.0),
    ],
)
def test_implementation_probability(
    needs_funds: bool, departments: int, carry: float, expected: float
) -> None:
    """Base x funds (when needed) x penalty per department beyond the first; the linkage
    mechanism carries a share of the rest through."""
    p = rules.implementation_probability(0.8, 0.25, needs_funds, departments, 0.5, carry)
    assert p == pytest.approx(expected)


def test_consensus_probability_with_training() -> None:
    assert rules.consensus_probability(0.8) == pytest.approx(0.8)
    assert rules.consensus_probability(0.8, 0.5) == pytest.approx(0.9)
    assert rules.consensus_probability(0.8, 0.0) == 1.0
    assert rules.consensus_probability(0.8, 10.0) == 0.0


def test_disappointment_and_refusal() -> None:
    """Only an outcome not carried out disappoints; a disappointed resident refuses until
    they recover, an exponential wait; without recovery they refuse for ever."""
    u = np.array([0.1, 0.5, 0.9])
    assert not rules.becomes_disappointed(u, True, 1.0).any()
    assert rules.becomes_disappointed(u, False, 0.5).tolist() == [True, False, False]
    year = 365 * DAY
    until = rules.recovery_time(np.array([1 - math.exp(-1)]), 100.0, 0.5)
    assert until[0] == pytest.approx(100.0 + 2 * year)  # median-free check: -ln(e^-1) / 0.5
    assert rules.recovery_time(u, 0.0, 0.0).tolist() == [math.inf] * 3
    rec = np.array([-math.inf, 50.0, math.inf])
    assert rules.refuses(rec, 50.0).tolist() == [False, False, True]
    assert rules.refuses(rec, 49.0).tolist() == [False, True, True]


def test_next_mass_work_day() -> None:
    """Wednesday's opening (8:30) at or after the given time; every other week when asked."""
    cal = Calendar(8.5 * 60, 17.5 * 60, 5).opening_minute
    assert rules.next_mass_work_day(at(MON, 9), cal, WED) == opening(WED)
    assert rules.next_mass_work_day(opening(WED), cal, WED) == opening(WED)
    assert rules.next_mass_work_day(at(WED, 9), cal, WED) == opening(WED + 7)
    assert rules.next_mass_work_day(at(SAT, 9), cal, WED) == opening(WED + 7)
    assert rules.next_mass_work_day(at(THU, 9), cal, WED, weeks=2) == opening(WED + 14)
    assert rules.next_mass_work_day(at(MON + 14, 9), cal, WED, weeks=2) == opening(WED + 14)
    always = Calendar(0.0, DAY, 7, always=True)
    assert rules.next_mass_work_day(at(TUE, 9), always.opening_minute, WED) == WED * DAY


def test_staff_minutes() -> None:
    assert rules.staff_minutes(2.0) == 120.0
    assert rules.staff_minutes(2.0, 0.5) == 60.0
    assert rules.staff_minutes(2.0, 0.5, 0.25) == 45.0


# -- processes: a tiny district, hand-made matters, exact event logs ----------------------


def steps(**change: float) -> dict[str, float]:
    """Figures for the six steps: 1 each unless changed."""
    out = dict.fromkeys(("topic", "review", "publicise", "consult", "file", "publish"), 1.0)
    out.update(change)
    return out


def level(**change: Any) -> dict[str, Any]:
    """A level: one day before each step, an hour of staff work (two for the meeting)."""
    out: dict[str, Any] = {
        "participants_min": 5,
        "participants_max": 8,
        "pool": "grid",
        "invite_limit": 20,
        "days": steps(),
        "staff_hours": steps(consult=2.0),
        "consensus": 0.5,
    }
    out.update(change)
    return out


SPEC: dict[str, Any] = {
    "unit": "desk",
    "mass_work_weekday": WED,
    "matters": {
        "dispute": {"rate_per_community_year": 0.0, "complexity": "simple"},
        "shared_space": {"rate_per_community_year": 0.0, "complexity": "complex"},
        "relocation": {"rate_per_community_year": 0.0, "complexity": "major"},
    },
    "deliberation": level(escalate_to="linkage"),
    "linkage": level(
        pool="community",
        participants_min=15,
        participants_max=15,
        mass_work_day=True,
        staff_at_meeting=2,
        days=steps(consult=0.0),
    ),
    "hearing": level(
        pool="community",
        participants_min=30,
        participants_max=30,
        invite_limit=30,
        approval_days=10.0,
    ),
    "implementation": {"base": 0.5, "funds": 0.5, "department_penalty": 0.5},
    "disappointment": {"probability": 1.0, "recovery_per_year": 0.0},
}

TINY: dict[str, Any] = {
    "name": "consultation-test",
    "days": 28,
    "calendar": {"open_hour": 8.5, "close_hour": 17.5, "days_per_week": 5},
    "structure": {
        "streets": 0,
        "communities": 1,
        "residents_per_community": 20,
        "grids_per_community": 2,
    },
    "departments": ["other"],
    "population": {
        "occupation": {"retired": 0.5, "employed": 0.5},
        "availability": {"retired": 1.0, "employed": 0.0},
    },
    "units": {"desk": {"level": "community", "servers": 2, "priority": "fifo"}},
    "flows": {"counter": {"entry": "serve", "stages": {"serve": {"unit": "desk"}}}},
    "demands": {
        "none": {
            "rate_per_resident_year": 0.0,
            "groups": {"g": {"department": "other", "share": 1.0, "flow": "counter"}},
        }
    },
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deliberation": {"participants_max": 4}}, "participants_max is below"),
        ({"linkage": {"invite_limit": 10}}, "invite_limit is below"),
        ({"linkage": {"escalate_to": "linkage"}}, "must be a higher level"),
        ({"temporary_orgs": {"kinds": ["flood"]}}, "unknown matter kind 'flood'"),
    ],
)
def test_section_is_validated(change: dict[str, Any], message: str) -> None:
    """Sizes, escalation and temporary organisations' matter kinds are checked on loading."""
    raw = {
        **TINY,
        "consultation": {
            **SPEC,
            "temporary_orgs": {"kinds": ["dispute"], "formation": 0.5, "members": 5, "relief": 0.5},
        },
    }
    for key, value in change.items():
        raw["consultation"][key] = {**raw["consultation"][key], **value}
    with pytest.raises(sim.ScenarioError, match=message):
        sim.load_scenario(raw)


def test_unit_must_be_a_community_unit() -> None:
    """Consultation meets at a community unit that exists: checked when the file loads."""
    with pytest.raises(sim.ScenarioError, match="consultation.unit.*unknown unit 'nowhere'"):
        sim.load_scenario({**TINY, "consultation": {**SPEC, "unit": "nowhere"}})


GRID0_FREE = (0, 1, 2, 3, 4, 5)  # retired, always free, in grid 0
FREE = GRID0_FREE + (10, 11, 12, 13, 14, 15)


def hand_made(pop: Population) -> Population:
    """Residents 0-9 in grid 0, 10-19 in grid 1; 0-5 and 10-15 retired and always free, the
    others employed and never free."""
    ids = np.arange(pop.size)
    free = np.isin(ids, FREE)
    pop.grid[:] = (ids >= 10).astype(pop.grid.dtype)
    pop.occupation[:] = np.where(free, pop.occupations.index("retired"), 1)
    pop.availability[:] = free.astype(float)
    return pop


def matter(
    index: int,
    kind: str = "dispute",
    time: float = at(MON, 9),
    grid: int = 0,
    urgent: bool = False,
    seats: tuple[int, int, int] = (6, 12, 12),
    agree: tuple[bool, bool, bool] = (True, True, True),
    implemented: bool = True,
    departments: int = 0,
) -> Matter:
    """A hand-made matter: consensus and implementation forced by the uniforms."""
    complexity = SPEC["matters"][kind]["complexity"]
    return Matter(
        index=index,
        kind=kind,
        time=time,
        community=0,
        grid=grid,
        complexity=complexity,
        cross_grid=False,
        urgent=urgent,
        departments=departments,
        needs_funds=False,
        seats=seats,
        u_consensus=tuple(0.0 if a else 0.999 for a in agree),  # type: ignore[arg-type]
        u_implement=0.0 if implemented else 0.999,
        rng=np.random.Generator(np.random.PCG64(index)),
    )


def run_tiny(
    monkeypatch: pytest.MonkeyPatch,
    matters: list[Matter],
    spec: dict[str, Any] | None = None,
    **scenario: Any,
) -> tuple[Records, Reported]:
    """Run the tiny district with the hand-made population and matters."""
    raw = {**TINY, **scenario, "consultation": spec or SPEC}
    s = sim.load_scenario(raw)
    pop = hand_made(build_population(s, stream(1, 0, "population")))
    world = wire(s, population=pop, seed=1, mechanisms={"consultation": {"matters": matters}})
    rec = world.run()
    mech = reported(world, "consultation")
    assert mech is not None and isinstance(mech._mech, Consultation)
    return rec, mech


def meeting_minutes(rec: Records) -> float:
    """Staff minutes of meeting work at every station."""
    busy = rec.stations.busy
    return sum(sum(busy[k][:, MEETING].tolist()) for k in range(len(busy)))


def test_deliberation_six_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """A grid deliberation: a day's wait and an hour of staff work per step, a two-hour
    meeting of the six free residents of the grid; filing falls on a Saturday and waits for
    Monday's opening; the result is carried out."""
    rep, mech = run_tiny(monkeypatch, [matter(0)])
    assert mech.log == [
        (at(MON, 9), 0, "arise", "deliberation"),
        (at(TUE, 10), 0, "deliberation/topic", None),
        (at(WED, 11), 0, "deliberation/review", None),
        (at(THU, 12), 0, "deliberation/publicise", None),
        (at(FRI, 14), 0, "deliberation/consult", GRID0_FREE),
        (opening(MON + 7) + 60, 0, "deliberation/file", None),
        (opening(TUE + 7) + 120, 0, "deliberation/publish", None),
        (opening(TUE + 7) + 120, 0, "implemented", None),
    ]
    assert meeting_minutes(rep) == 5 * 60 + 120
    met = mech.metrics()
    assert met[("consultations_held", "deliberation")] == 1
    assert met[("consultation_implemented_share", "")] == 1.0
    assert met[("participant_share_retired", "")] == 1.0
    assert met[("consultation_days_mean", "deliberation")] == pytest.approx(
        (opening(TUE + 7) + 120 - at(MON, 9)) / DAY
    )
    assert mech.times_participated[list(GRID0_FREE)].tolist() == [1] * 6
    assert mech.times_participated.sum() == 6


def test_legal_aid_guides_a_failed_deliberation(monkeypatch: pytest.MonkeyPatch) -> None:
    """No consensus at the grid's deliberation: the legal-aid staffer (an official, seated
    at the meeting) guides the parties a day later (Saturday: the staffer's hour waits for
    Monday), they agree, and the matter is filed and published at its own level instead of
    going up to a linkage consultation (003)."""
    guide = {"days": 1.0, "hours": 1.0, "consensus": 0.5}
    spec = {
        **SPEC,
        "deliberation": level(escalate_to="linkage", officials={"legal_aid": 1}, guide=guide),
    }
    m = matter(0, agree=(False, True, True))
    m.u_guide = 0.2
    rep, mech = run_tiny(monkeypatch, [m], spec)
    consult = [e for e in mech.log if e[2] == "deliberation/consult"]
    assert len(consult) == 1 and len(consult[0][3]) == 5  # six seats, one for legal aid
    assert set(consult[0][3]) <= set(GRID0_FREE)
    tail = mech.log[-6:]
    assert tail == [
        (at(FRI, 14), 0, "deliberation/consult", consult[0][3]),
        (at(FRI, 14), 0, "no_consensus", "deliberation"),
        (opening(MON + 7) + 60, 0, "guided", True),
        (opening(TUE + 7) + 120, 0, "deliberation/file", None),
        (opening(WED + 7) + 180, 0, "deliberation/publish", None),
        (opening(WED + 7) + 180, 0, "implemented", None),
    ]
    met = mech.metrics()
    assert met[("consultations_guided", "")] == 1
    assert met[("consultations_escalated", "")] == 0
    assert met[("official_hours", "")] == pytest.approx(2.0 + 1.0)  # the meeting, the guiding
    # the mix counts the official as employed: 5 retired residents and 1 official
    assert met[("participant_share_retired", "")] == pytest.approx(5 / 6)
    assert met[("participant_share_employed", "")] == pytest.approx(1 / 6)
    assert meeting_minutes(rep) == 5 * 60 + 120 + 60  # five steps, the meeting, the guiding


def test_guided_deliberation_that_still_fails_goes_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guided and still without consensus, the matter goes to a linkage consultation."""
    guide = {"days": 0.0, "hours": 1.0, "consensus": 0.5}
    spec = {**SPEC, "deliberation": level(escalate_to="linkage", guide=guide)}
    m = matter(0, agree=(False, True, True))
    m.u_guide = 0.9
    rep, mech = run_tiny(monkeypatch, [m], spec)
    events = [e[2:] for e in mech.log[:8]]
    assert events[4:8] == [
        ("deliberation/consult", GRID0_FREE),
        ("no_consensus", "deliberation"),
        ("guided", False),
        ("no_consensus", "deliberation"),
    ]
    assert ("escalate", "linkage") in [e[2:] for e in mech.log]


def test_officials_take_seats_before_residents() -> None:
    """Seats for officials are checked: they may not leave residents none."""
    bad = {**SPEC, "deliberation": level(officials={"legal_aid": 3, "deputy": 2})}
    with pytest.raises(sim.ScenarioError, match="officials take 5 seats"):
        sim.load_scenario({**TINY, "consultation": bad})


def test_unwilling_residents_do_not_come(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nobody willing (every age band at 0), nobody comes; each asked resident says
    they are not interested, none that they have no time."""
    spec = {**SPEC, "willingness": {"by_age": {"all": 0.0}}}
    rep, mech = run_tiny(monkeypatch, [matter(0)], spec)
    t = mech.count.total
    assert t.attended == 0 and t.invited == 10  # the whole grid asked
    met = mech.metrics()
    assert met[("declined_share_unwilling", "")] == 1.0
    assert met[("declined_share_busy", "")] == 0.0


def test_linkage_waits_for_the_mass_work_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """A linkage consultation meets on the next mass-work day (Wednesday) after publicity,
    with two staff; an urgent one meets at once (ad hoc)."""
    rep, mech = run_tiny(
        monkeypatch,
        [matter(0, "shared_space"), matter(1, "shared_space", time=at(MON, 9) + 1, urgent=True)],
    )
    log0 = [e for e in mech.log if e[1] == 0]
    log1 = [e for e in mech.log if e[1] == 1]
    ready = at(THU, 12)  # after topic, review and publicity, as in the deliberation
    meets = opening(WED + 7)
    assert log0 == [
        (at(MON, 9), 0, "arise", "linkage"),
        (at(TUE, 10), 0, "linkage/topic", None),
        (at(WED, 11), 0, "linkage/review", None),
        (ready, 0, "linkage/publicise", None),
        (meets + 120, 0, "linkage/consult", FREE),
        (meets + 120 + DAY + 60, 0, "linkage/file", None),
        (meets + 120 + 2 * DAY + 120, 0, "linkage/publish", None),
        (meets + 120 + 2 * DAY + 120, 0, "implemented", None),
    ]
    # the urgent matter: one minute later all along (two staff, no queueing) until the
    # meeting, held at once; publishing falls on a Saturday and waits for Monday
    assert [e[0] for e in log1[:4]] == [e[0] + 1 for e in log0[:4]]
    assert log1[4] == (ready + 1 + 120, 1, "linkage/consult", FREE)
    assert log1[5][0] == ready + 1 + 120 + DAY + 60
    assert log1[6] == (opening(MON + 7) + 60, 1, "linkage/publish", None)


def test_hearing_waits_for_approval(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hearing is reported for approval after the review (10 days), then publicised."""
    rep, mech = run_tiny(monkeypatch, [matter(0, "relocation")])
    approved = at(WED, 11) + 10 * DAY  # a Saturday
    assert mech.log == [
        (at(MON, 9), 0, "arise", "hearing"),
        (at(TUE, 10), 0, "hearing/topic", None),
        (at(WED, 11), 0, "hearing/review", None),
        (approved, 0, "approved", "hearing"),
        (opening(MON + 14) + 60, 0, "hearing/publicise", None),  # Sunday's work on Monday
        (opening(MON + 14) + 60 + DAY + 120, 0, "hearing/consult", FREE),
        (opening(MON + 14) + 60 + 2 * DAY + 180, 0, "hearing/file", None),
        (opening(MON + 14) + 60 + 3 * DAY + 240, 0, "hearing/publish", None),
        (opening(MON + 14) + 60 + 3 * DAY + 240, 0, "implemented", None),
    ]


def test_deliberation_without_consensus_escalates(monkeypatch: pytest.MonkeyPatch) -> None:
    """No consensus in the grid: the matter goes up to a linkage consultation, which starts
    from its first step and meets on the mass-work day."""
    rep, mech = run_tiny(monkeypatch, [matter(0, agree=(False, True, True))])
    fail = at(FRI, 14)
    topic = opening(MON + 7) + 60  # Saturday's work on Monday
    meets = opening(WED + 14)  # publicity ends Wednesday 11:30, after that day's opening
    assert mech.log == [
        (at(MON, 9), 0, "arise", "deliberation"),
        (at(TUE, 10), 0, "deliberation/topic", None),
        (at(WED, 11), 0, "deliberation/review", None),
        (at(THU, 12), 0, "deliberation/publicise", None),
        (fail, 0, "deliberation/consult", GRID0_FREE),
        (fail, 0, "no_consensus", "deliberation"),
        (fail, 0, "escalate", "linkage"),
        (topic, 0, "linkage/topic", None),
        (topic + DAY + 60, 0, "linkage/review", None),
        (topic + 2 * DAY + 120, 0, "linkage/publicise", None),
        (meets + 120, 0, "linkage/consult", FREE),
        (meets + 120 + DAY + 60, 0, "linkage/file", None),
        (meets + 120 + 2 * DAY + 120, 0, "linkage/publish", None),
        (meets + 120 + 2 * DAY + 120, 0, "implemented", None),
    ]
    met = mech.metrics()
    assert met[("consultations_escalated", "")] == 1
    assert met[("consultations_held", "deliberation")] == 1
    assert met[("consultations_held", "linkage")] == 1
    # days at a level count consultations that published there; the matter's, from arising
    done = meets + 120 + 2 * DAY + 120
    assert math.isnan(met[("consultation_days_mean", "deliberation")])
    assert met[("consultation_days_mean", "linkage")] == pytest.approx((done - fail) / DAY)
    assert met[("consultation_days_mean", "")] == pytest.approx((done - at(MON, 9)) / DAY)


def test_no_consensus_at_the_top_is_not_implemented(monkeypatch: pytest.MonkeyPatch) -> None:
    """A linkage consultation without consensus files and publishes no outcome."""
    rep, mech = run_tiny(monkeypatch, [matter(0, "shared_space", agree=(True, False, True))])
    events = [e[2] for e in mech.log]
    assert events[-4:] == ["no_consensus", "linkage/file", "linkage/publish", "not_implemented"]


def test_disappointed_participants_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """An outcome not carried out disappoints its participants (probability 1, no recovery):
    at the grid's next deliberation all six refuse and nobody else is free."""
    later = at(WED + 7, 9)
    rep, mech = run_tiny(
        monkeypatch, [matter(0, implemented=False), matter(1, time=later)], days=35
    )
    assert (opening(TUE + 7) + 120, 0, "not_implemented", None) in mech.log
    second = [e for e in mech.log if e[1] == 1 and e[2] == "deliberation/consult"]
    assert second == [(at(TUE + 14, 11.5), 1, "deliberation/consult", ())]  # publicity: Sat -> Mon
    assert np.isinf(mech.recover_at[list(GRID0_FREE)]).all()
    assert not np.isfinite(mech.recover_at).any()  # the rest were never disappointed
    met = mech.metrics()
    assert met[("consultation_implemented_share", "")] == 0.5
    assert met[("disappointed_share_end", "")] == pytest.approx(6 / 20)
    t = mech.count.total
    assert t.refused == 6 and t.attended == 6
    assert 6 + 10 <= t.invited <= 10 + 10  # the first asked until six came, the second all
    # 003's base: the six refusals among all those asked who did not come
    assert met[("refusal_share_disappointed", "")] == pytest.approx(6 / (t.invited - t.attended))


def test_temporary_org_forms_relieves_staff_and_dissolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a dispute a group of six residents forms, comes to the meeting, halves the staff
    hours of every step and dissolves when the result is published."""
    spec = {
        **SPEC,
        "temporary_orgs": {"kinds": ["dispute"], "formation": 1.0, "members": 6, "relief": 0.5},
    }
    m = matter(0)
    m.u_org, m.org_rng = 0.0, np.random.Generator(np.random.PCG64(99))
    rep, mech = run_tiny(monkeypatch, [m], spec)
    assert mech.log == [
        (at(MON, 9), 0, "arise", "deliberation"),
        (at(MON, 9), 0, "org_formed", GRID0_FREE),
        (at(TUE, 9.5), 0, "deliberation/topic", None),
        (at(WED, 10), 0, "deliberation/review", None),
        (at(THU, 10.5), 0, "deliberation/publicise", None),
        (at(FRI, 11.5), 0, "deliberation/consult", GRID0_FREE),
        (opening(MON + 7) + 30, 0, "deliberation/file", None),  # Saturday's work on Monday
        (opening(TUE + 7) + 60, 0, "deliberation/publish", None),
        (opening(TUE + 7) + 60, 0, "implemented", None),
        (opening(TUE + 7) + 60, 0, "org_dissolved", None),
    ]
    met = mech.metrics()
    assert met[("temporary_orgs_formed", "")] == 1
    assert met[("staff_hours_saved_by_temporary_orgs", "")] == pytest.approx(3.5)
    assert meeting_minutes(rep) == pytest.approx(3.5 * 60)


def test_training_speeds_steps_and_consensus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Participatory training halves step days and hours and removes the chance of no
    consensus: the matter that failed without training agrees."""
    spec = {**SPEC, "training": {"duration_factor": 0.5, "no_consensus_factor": 0.0}}
    rep, mech = run_tiny(monkeypatch, [matter(0, agree=(False, True, True))], spec)
    # each half-day wait ends at 21:00 or later: the half hour of work is done at opening
    assert [e[0] for e in mech.log] == [
        at(MON, 9),
        opening(TUE) + 30,
        opening(WED) + 30,
        opening(THU) + 30,
        opening(FRI) + 60,
        opening(MON + 7) + 30,
        opening(TUE + 7) + 30,
        opening(TUE + 7) + 30,
    ]
    assert [e[2] for e in mech.log][-1] == "implemented"


def test_meeting_hook_passes_on_other_meetings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Meeting work the consultation did not queue is not claimed: the router offers it to
    the next hook."""
    _, mech = run_tiny(monkeypatch, [])
    assert mech._meeting_done(mech.stations[0], (MEETING, 5, 10.0, 0.0)) is False


# -- scenarios: calibration, linkage, temporary organisations, the core untouched ---------


def consultation_metrics(path: Path, reps: int, **overrides: Any) -> pd.DataFrame:
    """The consultation metrics (all types together) of `reps` replications."""
    s = sim.load_scenario(path, overrides)
    rows = []
    for r in range(reps):
        rec = run_replication(s, r)
        rows.append({k: v for (k, t), v in mechanism_metrics(rec).items() if t == ""})
    return pd.DataFrame(rows)


def interval(values: pd.Series) -> tuple[float, float]:
    """95% Student-t interval of the mean."""
    half = stats.t.ppf(0.975, len(values) - 1) * values.std() / math.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


@pytest.fixture(scope="module")
def calibration() -> pd.DataFrame:
    """The Shazitang baseline: eight replications of one year at four communities (the
    mechanism's figures are per community; residents start in the steady state, so the year
    is stationary)."""
    return consultation_metrics(SHAZITANG, 8, days=365, **{"structure.communities": 4})


def targets_003() -> list[Any]:
    """003's participant patterns (targets/consultation_003.toml)."""
    return load_targets(ROOT / "targets" / "consultation_003.toml")


@pytest.mark.parametrize("target", targets_003(), ids=lambda t: t.name)
def test_reproduces_003_within_its_interval(calibration: pd.DataFrame, target: Any) -> None:
    """003's occupation mix, education mix and 9% refusing out of disappointment: the model's
    mean lies within the 95% interval of 003's figure (targets/consultation_003.toml says
    which are fitted and which predicted)."""
    low, high = interval(calibration[target.metric])
    mean = calibration[target.metric].mean()
    print(f"{target.name}: mean {mean:.4f}, 95% CI [{low:.4f}, {high:.4f}]")
    assert target.low <= mean <= target.high


def mix(**overrides: Any) -> dict[str, float]:
    """Participants' occupation shares of two replications of a year at two communities."""
    frame = consultation_metrics(
        SHAZITANG, 2, days=365, **{"structure.communities": 2}, **overrides
    )
    return frame.mean().to_dict()


@pytest.fixture(scope="module")
def mix_base() -> dict[str, float]:
    return mix()


def test_age_gradient_of_willingness_makes_retirees_the_main_force(
    mix_base: dict[str, float],
) -> None:
    """The Shanghai survey's age gradient (13.8% at 18-29 to 77.7% at 70-79) is why
    retirees are consultation's main force (003: 主力军): flattened to the survey's overall
    47.9%, fewer participants are retired and more are employed."""
    flat = {b: 0.479 for b in ("18-29", "30-49", "50-59", "60-69", "70+")}
    got = mix(**{"consultation.willingness.by_age": flat})
    assert got["participant_share_retired"] < mix_base["participant_share_retired"] - 0.03
    assert got["participant_share_employed"] > mix_base["participant_share_employed"]
    assert got["participant_share_student"] > mix_base["participant_share_student"]


def test_party_members_are_keener(mix_base: dict[str, float]) -> None:
    """Without the party members' odds ratio (65.1% against 48.4%), participation falls."""
    got = mix(**{"consultation.willingness.party_odds_ratio": 1.0})
    assert got["participation_rate"] < mix_base["participation_rate"]


def test_no_time_keeps_the_employed_away(mix_base: dict[str, float]) -> None:
    """003: the young and middle-aged have no time. Free as often as retirees, the employed
    would fill far more seats."""
    avail = {"retired": 0.3, "employed": 0.3, "freelance": 0.57, "unemployed": 0.92}
    got = mix(**{"population.availability": {**avail, "student": 0.1}})
    assert got["participant_share_employed"] > mix_base["participant_share_employed"] + 0.05
    assert got["declined_share_busy"] < mix_base["declined_share_busy"]


@pytest.fixture(scope="module")
def three_years() -> dict[str, Records]:
    """Three years at four communities, without and with the linkage mechanism, one seed."""
    out = {}
    for name in ("shazitang_consultation", "shazitang_linkage"):
        s = sim.load_scenario(SCENARIOS / f"{name}.toml", {"structure.communities": 4})
        out[name] = run_replication(s, 0, seed=20150101)
    return out


def test_residents_start_in_the_steady_state(three_years: dict[str, Records]) -> None:
    """Residents start as years of taking part, being let down and getting over it would
    leave them: the share disappointed at the end of each of three years stays where it
    started (within 0.01, about seven binomial standard errors of 22,040 residents), and is
    not zero."""
    rows = yearly(three_years["shazitang_consultation"])
    shares = rows[rows["metric"] == "disappointed_share"].sort_values("year")["value"]
    assert len(shares) == 3 and shares.min() > 0.01
    assert shares.max() - shares.min() < 0.01


def test_linkage_raises_participation(three_years: dict[str, Records]) -> None:
    """With the same seed (same matters, same residents), carrying outcomes through leaves
    fewer residents disappointed, so participation is higher, the more so each year."""
    base, link = three_years["shazitang_consultation"], three_years["shazitang_linkage"]
    mb, ml = mechanism_metrics(base), mechanism_metrics(link)
    assert mb[("matters_raised", "")] == ml[("matters_raised", "")]
    assert ml[("consultation_implemented_share", "")] > mb[("consultation_implemented_share", "")]
    assert ml[("participation_rate", "")] > mb[("participation_rate", "")]
    assert ml[("refusal_share_disappointed", "")] < mb[("refusal_share_disappointed", "")]
    yb, yl = yearly(base), yearly(link)

    def series(table: pd.DataFrame, metric: str) -> np.ndarray:
        return table[table["metric"] == metric].sort_values("year")["value"].to_numpy()

    gap = series(yl, "participation_rate") - series(yb, "participation_rate")
    print("participation by year, baseline:", series(yb, "participation_rate"))
    print("participation by year, linkage: ", series(yl, "participation_rate"))
    assert len(gap) == 3
    assert gap[-1] > 0 and gap[-1] > gap[0]
    assert series(yl, "disappointed_share")[-1] < series(yb, "disappointed_share")[-1]


def test_temporary_orgs_take_load_off_staff() -> None:
    """The same matters with and without temporary organisations for disputes and
    relocations: with them, fewer community staff hours go to consultation."""
    orgs = {"kinds": ["dispute", "relocation"], "formation": 0.5, "members": 5, "relief": 0.5}
    over: dict[str, Any] = {"days": 365, "structure.communities": 2}
    base = sim.load_scenario(SHAZITANG, over)
    with_orgs = sim.load_scenario(SHAZITANG, {**over, "consultation.temporary_orgs": orgs})
    runs = {k: run_replication(s, 0) for k, s in (("without", base), ("with", with_orgs))}
    met = {k: mechanism_metrics(r) for k, r in runs.items()}
    assert met["without"][("temporary_orgs_formed", "")] == 0
    assert met["with"][("temporary_orgs_formed", "")] > 0
    assert met["with"][("staff_hours_saved_by_temporary_orgs", "")] > 0
    assert met["with"][("matters_raised", "")] == met["without"][("matters_raised", "")]
    assert meeting_minutes(runs["with"]) < meeting_minutes(runs["without"])


def tables(s: sim.Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary and daily series of replication 0."""
    rep = run_replication(s, 0)
    return summary(rep, demand_records(rep)), timeseries(rep)


def test_without_matters_the_core_is_untouched() -> None:
    """The consultation switched on with no matters to consult leaves every core result of
    the teaching scenario exactly as without it; switched off, nothing is added."""
    core = sim.load_scenario(SCENARIOS / "teaching.toml")
    assert core.consultation is None
    section = sim.load_scenario(
        SHAZITANG,
        {f"consultation.matters.{k}.rate_per_community_year": 0.0 for k in MATTER_KINDS},
    ).consultation
    on = core.model_copy(update={"consultation": section})
    core_sum, core_ts = tables(core)
    on_sum, on_ts = tables(on)
    own = on_sum["metric"].isin(CONSULTATION_METRICS) | on_sum["metric"].str.startswith(
        "participant_share_"
    )
    pd.testing.assert_frame_equal(on_sum[~own].reset_index(drop=True), core_sum)
    assert on_sum.loc[on_sum["metric"] == "staff_hours_share_consultation", "value"].item() == 0
    pd.testing.assert_frame_equal(on_ts.drop(columns="hours_consultation"), core_ts)
    assert not core_sum["metric"].isin(CONSULTATION_METRICS).any()


MATTER_KINDS = ("dispute", "shared_space", "renovation", "relocation")
CONSULTATION_METRICS = (
    "staff_hours_share_consultation",
    "matters_raised",
    "participation_rate",
    "refusal_share_disappointed",
    "participant_share_remote",
    "residents_participated_share",
    "disappointed_share_end",
    "consultations_held",
    "consultation_days_mean",
    "consultations_escalated",
    "consultation_implemented_share",
    "temporary_orgs_formed",
    "staff_hours_saved_by_temporary_orgs",
    "declined_share_busy",
    "declined_share_unwilling",
    "official_hours",
    "consultations_guided",
)


def test_channels_reach_the_busy() -> None:
    """Visits, written and online consultation raise participation and bring more employed
    residents, at the same seed and with the same matters."""
    over = {"days": 365, "structure.communities": 2}
    base = sim.load_scenario(SHAZITANG, over)
    reform = sim.load_scenario(SCENARIOS / "shazitang_online_visits.toml", over)
    mb = mechanism_metrics(run_replication(base, 0))
    mr = mechanism_metrics(run_replication(reform, 0))
    assert mr[("participation_rate", "")] > mb[("participation_rate", "")]
    assert mr[("participant_share_employed", "")] > mb[("participant_share_employed", "")]
    assert mr[("participant_share_remote", "")] > 0 == mb[("participant_share_remote", "")]
