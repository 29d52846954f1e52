"""Demands residents raise: administrative items, personalised needs, disputes, major matters.

All demand streams of all communities are drawn at once, vectorised, then superposed into one
time-ordered stream: a Poisson number per (type, community) over the open time of the run,
uniform arrival instants in open time mapped to the clock, then the resident (by age weights),
the item group (by share) and the item. Each demand also gets its own row of uniforms for the
service times and routing decisions of its first ``DRAWS`` stage visits, so that two scenarios
run with one seed give the same demand the same luck wherever their structures allow (common
random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.calendar import DAY, Calendar
from sim.model.population import Population
from sim.scenario.schema import Scenario

DRAWS = 8  # pre-drawn uniforms per demand; later visits draw from the fallback stream


@dataclass(frozen=True)
class GroupInfo:
    """One item group of the catalogue, flattened for the engine."""

    demand_type: str
    name: str
    department: int
    flow: str
    items: int
    online_eligible: bool
    missing_docs: float
    intake_minutes: float
    processing_minutes: float


@dataclass
class Demands:
    """The superposed demand stream of one replication, ordered by arrival time."""

    time: np.ndarray
    type: np.ndarray
    group: np.ndarray
    item: np.ndarray
    resident: np.ndarray
    community: np.ndarray
    online: np.ndarray
    u_service: np.ndarray
    u_route: np.ndarray
    types: list[str]
    groups: list[GroupInfo]

    @property
    def size(self) -> int:
        """Number of demands."""
        return len(self.time)


def catalogue(s: Scenario) -> tuple[list[str], list[GroupInfo]]:
    """Demand types and the flattened item groups of scenario `s`."""
    groups = []
    for tname, spec in s.demands.items():
        for gname, g in spec.groups.items():
            groups.append(
                GroupInfo(
                    tname,
                    gname,
                    s.departments.index(g.department),
                    g.flow,
                    g.items,
                    g.online_eligible,
                    g.missing_docs,
                    g.intake_minutes,
                    g.processing_minutes,
                )
            )
    return list(s.demands), groups


def draw_demands(
    s: Scenario,
    cal: Calendar,
    pop: Population,
    rng: np.random.Generator,
    rng_service: np.random.Generator,
    rng_route: np.random.Generator,
) -> Demands:
    """Draw every demand of a run.

    Parameters
    ----------
    s : Scenario
        The scenario.
    cal : Calendar
        Office hours; residents raise demands while offices are open.
    pop : Population
        The residents.
    rng : Generator
        Arrivals stream (times, residents, items, online choice).
    rng_service, rng_route : Generator
        Streams of the per-demand uniforms for service times and routing.
    """
    types, groups = catalogue(s)
    horizon_open = cal.open_minutes_in(s.days)
    years = s.days * DAY / (365.0 * DAY)
    per = pop.per_community
    online_share = s.online.share
    parts: list[tuple[np.ndarray, ...]] = []
    gstart = 0
    for t_idx, (tname, spec) in enumerate(s.demands.items()):
        g_here = [g for g in groups if g.demand_type == tname]
        shares = np.array([s.demands[tname].groups[g.name].share for g in g_here])
        shares = shares / shares.sum()
        weights = None
        if spec.age_weights:
            w_age = np.array([spec.age_weights.get(a, 1.0) for a in pop.ages])
        for c in range(s.structure.communities):
            lam = spec.rate_per_resident_year * per * years
            n = int(rng.poisson(lam))
            times = np.sort(rng.uniform(0.0, horizon_open, n))
            lo = c * per
            if spec.age_weights:
                weights = w_age[pop.age[lo : lo + per]]
                cdf = np.cumsum(weights)
                res = lo + np.searchsorted(cdf, rng.uniform(0.0, cdf[-1], n), side="right")
            else:
                res = lo + rng.integers(0, per, n)
            g_local = rng.choice(len(g_here), size=n, p=shares)
            u_item = rng.random(n)
            u_online = rng.random(n)
            items = np.array([g.items for g in g_here])[g_local]
            eligible = np.array([g.online_eligible for g in g_here])[g_local]
            online = eligible & (u_online < online_share * pop.online_factor[res])
            parts.append(
                (
                    times,
                    np.full(n, t_idx, np.int16),
                    (gstart + g_local).astype(np.int16),
                    (u_item * items).astype(np.int32),
                    res.astype(np.int32),
                    np.full(n, c, np.int32),
                    online,
                )
            )
        gstart += len(g_here)
    cols = [np.concatenate([p[i] for p in parts]) if parts else np.empty(0) for i in range(7)]
    order = np.argsort(cols[0], kind="stable")
    cols = [c[order] for c in cols]
    n = len(order)
    return Demands(
        time=cal.to_clock(cols[0]),
        type=cols[1].astype(np.int16),
        group=cols[2].astype(np.int16),
        item=cols[3].astype(np.int32),
        resident=cols[4].astype(np.int32),
        community=cols[5].astype(np.int32),
        online=cols[6].astype(bool),
        u_service=rng_service.random((n, DRAWS)),
        u_route=rng_route.random((n, DRAWS)),
        types=types,
        groups=groups,
    )
