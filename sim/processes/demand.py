"""Demands residents raise: administrative items, personalised needs, disputes, major matters.

All demand streams of all communities are drawn at once, vectorised, then superposed into one
time-ordered stream: a Poisson number per (type, community) over the open time of the run,
uniform arrival instants in open time mapped to the clock, then the resident (by age weights),
the item group (by share) and the item. Each demand also gets its own row of uniforms for the
service times and routing decisions of its first ``DRAWS`` stage visits, so that two scenarios
run with one seed give the same demand the same luck wherever their structures allow (common
random numbers).

With an ``[access]`` section these draws are residents' latent needs, and each is raised (kept
in the stream) with the chance `sim.rules.access.raise_probability` gives for the hours its
item would cost its resident, by one more uniform from a sub-stream of its own; the rest are
counted per item group and dropped. Without the section every need is raised and no uniform
more is drawn.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sim.model.calendar import Calendar
from sim.model.population import Population
from sim.model.streams import substream
from sim.rules.access import access_hours, raise_probability
from sim.scenario.schema import Scenario

DRAWS = 6  # pre-drawn uniforms per demand; later visits draw from the fallback stream


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
    """The superposed demand stream of one replication, ordered by arrival time.

    ``latent`` counts the latent needs of each item group over the run, raised or not (with
    ``[access]``); it defaults to the demands of each group in the stream (every need raised).
    """

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
    latent: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.latent is None:
            self.latent = np.bincount(
                np.asarray(self.group, dtype=np.int64), minlength=len(self.groups)
            )

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


def draw_demands(s: Scenario, cal: Calendar, pop: Population, rng: np.random.Generator) -> Demands:
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
        The arrivals stream. Each (demand type, community) draws from sub-streams of its own,
        keyed by the type's name and the community, and each demand takes one row of uniforms
        for everything about it (when, who, which item, online or not, its service times and
        routing); so a scenario that raises one stream's rate keeps the other streams, and
        the demands of the lower rate among its own (common random numbers). With
        ``[access]``, whether a latent need is raised takes one uniform more per need, from
        a third sub-stream of its (type, community), so the other draws stay as they are.
    """
    types, groups = catalogue(s)
    horizon_open = cal.open_minutes_in(s.days)
    years = s.days / 365.0
    per = pop.per_community
    online_share = s.online.share
    adoption = _adoption_by_resident(s, pop)
    chances = _raise_chances(s, groups)
    latent = np.zeros(len(groups), np.int64)
    width = 5 + 2 * DRAWS
    parts: list[tuple[np.ndarray, ...]] = []
    gstart = 0
    for t_idx, (tname, spec) in enumerate(s.demands.items()):
        g_here = [g for g in groups if g.demand_type == tname]
        shares = np.array([s.demands[tname].groups[g.name].share for g in g_here])
        cum_shares = np.cumsum(shares / shares.sum())
        items = np.array([g.items for g in g_here])
        eligible_g = np.array([g.online_eligible for g in g_here])
        w_age = None
        if spec.age_weights:
            w_age = np.array([spec.age_weights.get(a, 1.0) for a in pop.ages])
        key = zlib.crc32(tname.encode())
        lam = spec.rate_per_resident_year * per * years
        for c in range(s.structure.communities):
            n = int(substream(rng, key, c, 0).poisson(lam))
            u = substream(rng, key, c, 1).random((n, width))
            lo = c * per
            if w_age is not None:
                cdf = np.cumsum(w_age[pop.age[lo : lo + per]])
                res = lo + np.searchsorted(cdf, u[:, 1] * cdf[-1], side="right")
            else:
                res = lo + (u[:, 1] * per).astype(np.int64)
            res = np.minimum(res, lo + per - 1)
            g_local = np.minimum(
                np.searchsorted(cum_shares, u[:, 2], side="right"), len(g_here) - 1
            )
            if adoption is None:
                online = eligible_g[g_local] & (u[:, 4] < online_share * pop.online_factor[res])
            else:
                online = eligible_g[g_local] & (u[:, 4] < adoption[res])
            latent += np.bincount(gstart + g_local, minlength=len(groups))
            part = [
                u[:, 0] * horizon_open,
                np.full(n, t_idx, np.int16),
                (gstart + g_local).astype(np.int16),
                (u[:, 3] * items[g_local]).astype(np.int32),
                res.astype(np.int32),
                np.full(n, c, np.int32),
                online,
                u[:, 5 : 5 + DRAWS].copy(),  # service uniforms
                u[:, 5 + DRAWS :].copy(),  # routing uniforms
            ]
            if chances is not None:  # only the needs worth the trouble are raised
                p_raise = chances[gstart + g_local, online.astype(np.int64)]
                raised = substream(rng, key, c, 2).random(n) < p_raise
                part = [col[raised] for col in part]
            del u
            parts.append(part)
        gstart += len(g_here)
    time, cols = _superposed(parts)
    return Demands(
        time=cal.to_clock(time),
        type=cols[0],
        group=cols[1],
        item=cols[2],
        resident=cols[3],
        community=cols[4],
        online=cols[5],
        u_service=cols[6],
        u_route=cols[7],
        types=types,
        groups=groups,
        latent=latent,
    )


# the columns of a part of the stream after its times, with their types and widths
_COLUMNS = (
    (np.int16, ()),
    (np.int16, ()),
    (np.int32, ()),
    (np.int32, ()),
    (np.int32, ()),
    (bool, ()),
    (np.float64, (DRAWS,)),
    (np.float64, (DRAWS,)),
)


def _superposed(parts: list[list[np.ndarray]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The parts of the stream (one per type and community) merged into one, ordered by
    arrival time (stable: ties keep the parts' order).

    One column at a time is gathered and put in order, and the parts' copy of it dropped,
    so that the merge holds the stream about once, not three times, at its peak.
    """
    if not parts:
        return np.empty(0), [np.empty((0, *shape), dtype) for dtype, shape in _COLUMNS]
    time = np.concatenate([p[0] for p in parts])
    for p in parts:
        p[0] = None
    order = np.argsort(time, kind="stable")
    time = time[order]
    cols = []
    for k in range(1, len(_COLUMNS) + 1):
        column = np.concatenate([p[k] for p in parts])
        for p in parts:
            p[k] = None
        cols.append(column[order])
        del column
    return time, cols


def _adoption_by_resident(s: Scenario, pop: Population) -> np.ndarray | None:
    """Each resident's chance of handling an eligible item online, from the share of their
    age band who do (``online.adoption``; a band not listed: 0), or None without it."""
    if s.online.adoption is None:
        return None
    by_band = np.array([s.online.adoption.get(a, 0.0) for a in pop.ages], dtype=float)
    return by_band[pop.age]


def _raise_chances(s: Scenario, groups: list[GroupInfo]) -> np.ndarray | None:
    """Chance that a latent need is raised, by (item group, applying online), or None
    without ``[access]`` (every need raised)."""
    if s.access is None:
        return None
    e = s.access.elasticity_per_hour
    return np.array(
        [
            [raise_probability(access_hours(s, g, online), e) for online in (False, True)]
            for g in groups
        ]
    )
