"""The residents as consultation sees them: how willing each is, how likely to come when
asked, and how disappointed they start.

Willingness (`sim.rules.participation.willingness`) is fixed per resident by age band,
party membership and education; interest in the matter and trust in the community are added
when they are asked. Residents start in the steady state of taking part and getting over
disappointments (`steady_start`): each resident's yearly rate of taking part is the
community's resident seats a year shared in proportion to their chance of coming.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.model.population import Population
from sim.rules import consultation as rules
from sim.rules import participation
from sim.scenario.sections.consultation import ConsultationSpec, MatterSpec


def base_willingness(spec: ConsultationSpec, pop: Population) -> np.ndarray:
    """Each resident's willingness before the matter (age, party, education); 1 for all
    without ``[consultation.willingness]``."""
    w = spec.willingness
    if w is None:
        return np.ones(pop.size)
    by_age = np.array([w.by_age.get(a, 1.0) for a in pop.ages])[pop.age]
    edu = np.array([w.education_odds_ratio.get(e, 1.0) for e in pop.educations])
    return participation.willingness(by_age, pop.party, w.party_odds_ratio, edu[pop.education])


def asked_willingness(
    spec: ConsultationSpec,
    base: np.ndarray,
    interested: np.ndarray,
    satisfaction: np.ndarray,
    initial_satisfaction: float,
) -> np.ndarray:
    """Willingness of asked residents with the matter's interest and their trust added."""
    w = spec.willingness
    if w is None:
        return base
    if w.interest_odds_ratio == 1.0 and w.trust_effect == 0.0:
        return base
    p = np.clip(base, 1e-12, 1.0 - 1e-12)
    logit = np.log(p) - np.log1p(-p)
    logit = logit + np.where(interested, math.log(w.interest_odds_ratio), 0.0)
    logit = logit + w.trust_effect * (np.asarray(satisfaction) - initial_satisfaction)
    return 1.0 / (1.0 + np.exp(-logit))


def come_chance(spec: ConsultationSpec, pop: Population, base: np.ndarray) -> np.ndarray:
    """Chance each resident comes when asked, if not disappointed: willing and reached in
    person or by another channel."""
    ch = spec.channels
    reach = rules.attendance_probability(
        pop.availability, pop.online_factor, ch.visits, ch.written, ch.online
    )
    return base * reach


def level_shares(spec: ConsultationSpec, ms: MatterSpec) -> dict[str, float]:
    """Meetings held a matter of this kind, by level: where it is consulted
    (`sim.rules.consultation.route_level`), and the level above for the share a grid
    deliberation hands up without consensus."""
    if ms.complexity == "simple":
        first = {"deliberation": 1.0 - ms.cross_grid, "linkage": ms.cross_grid}
    else:
        first = {rules.route_level(ms.complexity, False): 1.0}
    out = dict(first)
    for level, share in first.items():
        lv = spec.level(level)
        if lv.escalate_to is not None:
            out[lv.escalate_to] = out.get(lv.escalate_to, 0.0) + share * (
                1.0 - _consensus(spec, level)
            )
    return out


def steady_start(
    spec: ConsultationSpec,
    pop: Population,
    come: np.ndarray,
    scale: float,
    communities: Sequence[np.ndarray] | None = None,
) -> np.ndarray:
    """Chance each resident starts disappointed: the steady state of their own rate of taking
    part (`sim.rules.participation.steady_disappointment`).

    A community's resident seats a year are, per kind of matter and level, its meetings a
    year (the kind's rate times `scale`, `level_shares`) times the mean resident seats of
    that level; a resident takes the share of them that their chance of coming is of the
    community's total. The chance of being let down is the seat-weighted mean of
    `participation.let_down_chance`: at a level that hands failures up, only an agreed
    outcome not carried out lets its residents down.
    """
    d = spec.disappointment
    impl = spec.implementation
    seats_year = 0.0
    let_down = 0.0
    for ms in spec.matters.values():
        carried = 1.0 - participation.let_down_chance(
            impl.base,
            impl.funds,
            ms.needs_funds,
            ms.departments_mean,
            impl.department_penalty,
            impl.linkage_carry,
            1.0,
        )
        for level, share in level_shares(spec, ms).items():
            lv = spec.level(level)
            seats = (lv.participants_min + lv.participants_max) / 2.0 - lv.official_seats
            n = ms.rate_per_community_year * scale * share * max(seats, 0.0)
            c = _consensus(spec, level)
            down = c * (1.0 - carried) if lv.escalate_to else 1.0 - c * carried
            seats_year += n
            let_down += n * down
    if seats_year <= 0.0:
        return np.zeros(pop.size)
    let_down /= seats_year
    rate = np.zeros(pop.size)
    groups = communities or [np.flatnonzero(pop.community == c) for c in np.unique(pop.community)]
    for members in groups:
        total = come[members].sum()
        if total > 0.0:
            rate[members] = seats_year * come[members] / total
    return participation.steady_disappointment(rate, let_down, d.probability, d.recovery_per_year)


def _consensus(spec: ConsultationSpec, level: str) -> float:
    """Chance a meeting at `level` agrees, with training and, after a failure, the guided
    second meeting."""
    training = spec.training
    factor = training.no_consensus_factor if training else 1.0
    lv = spec.level(level)
    p = rules.consensus_probability(lv.consensus, factor)
    if lv.guide is not None:
        p = p + (1.0 - p) * rules.consensus_probability(lv.guide.consensus, factor)
    return p
