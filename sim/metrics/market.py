"""Reducers of the social-organisation market's tally: organisations, their entry, exit,
survival, capacity and quality, the outsourced stages providers took and got right first
time, the contractors' hours, and the market's projects, bids and spending.

Pure functions of a replication's `Records` (see docs/metrics.md).
"""

from __future__ import annotations

import math

import numpy as np

from sim.clock import DAY, YEAR
from sim.metrics.reduce import ratio
from sim.processes.market_tally import MarketTally
from sim.processes.records import Records

Rows = dict[tuple[str, str], float]
Yearly = list[tuple[int, str, float]]


def market_metrics(t: MarketTally, rec: Records) -> Rows:
    """Summary: organisations at the end, entries, exits, survival, capacity, quality, the
    share of personalised needs met after the warm-up, and projects, bids and spending."""
    orgs = t.orgs
    active = orgs.active()
    n = orgs.size
    return {
        ("social_orgs_active", ""): float(len(active)),
        ("social_orgs_per_community", ""): len(active) / rec.scenario.structure.communities,
        ("social_orgs_entered", ""): float(t.entered.sum()),
        ("social_orgs_exited", ""): float(t.exited.sum()),
        ("social_org_survival_share", ""): ratio(len(active), n),
        ("social_org_capacity_hours", ""): float(t.hours.mean()),
        ("social_org_hours_used_share", ""): ratio(t.used_minutes.sum(), t.granted_minutes.sum()),
        ("social_org_quality_mean", ""): (
            float(np.mean([orgs.quality[o] for o in active])) if active else math.nan
        ),
        ("social_org_quality_holders", ""): float(t.quality_holders[-1]),
        ("personal_needs_met_share", ""): ratio(t.met_after, t.offered_after),
        ("purchase_taken_share", ""): ratio(t.taken_after, t.offered_after),
        ("purchase_first_time_right", ""): ratio(t.met_after, t.taken_after),
        ("social_org_first_time_right", ""): ratio(t.org_met.sum(), t.org_taken.sum()),
        ("contract_hours_per_year", ""): float(t.contract_hours.mean()),
        ("contract_hours_used_share", ""): ratio(t.contract_used.sum(), t.contract_minutes.sum()),
        ("market_projects_per_year", ""): float(t.listed.mean()),
        ("market_bids_per_project", ""): ratio(t.bids.sum(), t.listed.sum()),
        ("market_award_share", ""): ratio(t.awarded.sum(), t.listed.sum()),
        ("market_spend_yuan_per_year", ""): float(t.spend.mean()),
    }


def market_yearly(t: MarketTally, rec: Records) -> Yearly:
    """Per year of the run: organisations active at its end (and per community), entered,
    exited, survival, capacity hours, hours used, quality of the bidders, needs met, stages
    taken and right first time, contractors' hours, and the listing's projects, bids, awards
    and spending."""
    s, orgs = rec.scenario, t.orgs
    horizon = s.days * DAY
    rows: Yearly = []
    for y in range(t.years):
        end = min((y + 1) * YEAR, horizon)
        active = orgs.active_at(end)
        series = {
            "social_orgs_active": float(active),
            "social_orgs_per_community": active / s.structure.communities,
            "social_orgs_entered": float(t.entered[y]),
            "social_orgs_exited": float(t.exited[y]),
            "social_org_survival_share": ratio(active, orgs.ever_at(end)),
            "social_org_capacity_hours": float(t.hours[y]),
            "social_org_hours_used_share": ratio(t.used_minutes[y], t.granted_minutes[y]),
            "social_org_quality_mean": float(t.quality_listed[y]),
            "social_org_quality_holders": float(t.quality_holders[y]),
            "personal_needs_met_share": ratio(t.met[y], t.offered[y]),
            "purchase_taken_share": ratio(t.taken[y], t.offered[y]),
            "purchase_first_time_right": ratio(t.met[y], t.taken[y]),
            "social_org_first_time_right": ratio(t.org_met[y], t.org_taken[y]),
            "contract_hours_per_year": float(t.contract_hours[y]),
            "market_projects": float(t.listed[y]),
            "market_bids_per_project": ratio(t.bids[y], t.listed[y]),
            "market_award_share": ratio(t.awarded[y], t.listed[y]),
            "market_spend_yuan": float(t.spend[y]),
        }
        rows += [(y, name, value) for name, value in series.items()]
    return rows
