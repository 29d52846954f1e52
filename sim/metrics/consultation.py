"""Reducers of consultation's tally: participation and who takes part, refusals out of
disappointment, meetings and their days, escalations, implementation and temporary
organisations.

Pure functions of a replication's `Records` (see docs/metrics.md).
"""

from __future__ import annotations

import math

import numpy as np

from sim.clock import YEAR
from sim.metrics.reduce import mean_or_nan, ratio
from sim.processes.consultation.tally import ConsultationTally, Counts
from sim.processes.records import Records
from sim.rules import consultation as rules
from sim.rules.participation import BUSY, DISAPPOINTED, UNWILLING
from sim.scenario.sections.consultation import LEVEL_NAMES

Rows = dict[tuple[str, str], float]
Yearly = list[tuple[int, str, float]]


def consultation_metrics(t: ConsultationTally, rec: Records) -> Rows:
    """Participation, the participants' mix, refusals, throughput, implementation and
    temporary organisations after the warm-up."""
    c = t.total
    out: Rows = {
        ("matters_raised", ""): float(t.raised),
        ("participation_rate", ""): ratio(c.attended, c.invited),
    }
    out.update(declines(c))
    out.update(mix(t, c))
    out[("participant_share_remote", "")] = ratio(int(c.by_channel[1:].sum()), c.attended)
    out[("residents_participated_share", "")] = ratio(
        int(np.count_nonzero(t.times_participated)), len(t.times_participated)
    )
    out[("disappointed_share_end", "")] = float(np.mean(rules.refuses(t.recover_at, t.horizon)))
    out[("consultations_held", "")] = float(sum(t.held.values()))
    out[("consultation_days_mean", "")] = mean_or_nan(t.matter_days)
    for level in LEVEL_NAMES:
        out[("consultations_held", level)] = float(t.held[level])
        out[("consultation_days_mean", level)] = mean_or_nan(t.level_days[level])
    out[("consultations_escalated", "")] = float(t.escalated)
    out[("consultation_implemented_share", "")] = ratio(c.implemented, c.outcomes)
    out[("temporary_orgs_formed", "")] = float(t.orgs_formed)
    out[("staff_hours_saved_by_temporary_orgs", "")] = t.saved_minutes / 60.0
    out[("official_hours", "")] = t.official_hours
    out[("consultations_guided", "")] = float(t.guided)
    return out


def mix(t: ConsultationTally, c: Counts) -> Rows:
    """Who sat at the table, as 003 counts them: resident participants and officials, by
    occupation and (with education) by education level."""
    seats = c.attended + c.officials
    occupation = c.by_occupation.astype(float)
    if t.official_occupation >= 0:
        occupation[t.official_occupation] += c.officials
    out: Rows = {}
    for i, name in enumerate(t.occupations):
        out[(f"participant_share_{name}", "")] = ratio(float(occupation[i]), seats)
    if t.educations != ("all",):
        education = c.by_education.astype(float)
        if t.official_education:
            education = education + c.officials * np.asarray(t.official_education)
        for i, name in enumerate(t.educations):
            out[(f"participant_share_education_{name}", "")] = ratio(float(education[i]), seats)
    return out


def declines(c: Counts) -> Rows:
    """Why residents asked did not come, as shares of those who did not (003's base)."""
    no = int(c.declined.sum())
    return {
        ("refusal_share_disappointed", ""): ratio(int(c.declined[DISAPPOINTED]), no),
        ("declined_share_busy", ""): ratio(int(c.declined[BUSY]), no),
        ("declined_share_unwilling", ""): ratio(int(c.declined[UNWILLING]), no),
    }


def consultation_yearly(t: ConsultationTally, rec: Records) -> Yearly:
    """Per year of the run (warm-up included): participation rate, refusal share,
    implemented share, and the share of residents disappointed at the year's end."""
    rows: Yearly = []
    n_years = math.ceil(t.horizon / YEAR - 1e-9)
    for y in range(n_years):
        c = t.years.get(y, Counts())
        rows.append((y, "participation_rate", ratio(c.attended, c.invited)))
        rows.append(
            (y, "refusal_share_disappointed", declines(c)[("refusal_share_disappointed", "")])
        )
        rows.append((y, "consultation_implemented_share", ratio(c.implemented, c.outcomes)))
        end = t.year_end_disappointed.get(y)
        if end is None:  # the last year ends at the horizon
            end = float(np.mean(rules.refuses(t.recover_at, t.horizon)))
        rows.append((y, "disappointed_share", end))
    return rows
