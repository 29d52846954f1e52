"""Residents' matters for consultation (议事 matters), drawn when the run starts.

A neighbour dispute (纠纷), a problem of shared space, a renovation or a relocation arises in
a community during office hours, with everything random about it fixed up front: its grid,
whether it spans grids, is urgent, needs funds, how many departments must act, the seats
wanted at each level, the uniforms deciding consensus and implementation, and a generator of
its own for the draws made during the run. Matters come from sub-streams of the mechanism's
``consultation`` stream addressed by (kind, community), so a reform that changes only what
happens to matters meets the same matters (common random numbers); a temporary
organisation's draws come from the ``temporary_orgs`` stream.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sim.model.streams import substream
from sim.processes.mechanism import Context
from sim.scenario.sections.consultation import LEVEL_NAMES, ConsultationSpec


@dataclass
class Matter:
    """A residents' matter (事项) and the draws fixed for it when the run starts.

    Attributes
    ----------
    index : int
        Number of the matter (in order of arrival).
    kind : str
        Matter kind in the scenario (``dispute``, ``relocation`` …).
    time : float
        Clock minute it arises.
    community, grid : int
        Where it arises.
    complexity : str
        ``simple``, ``complex`` or ``major``.
    cross_grid, urgent, needs_funds : bool
        Whether it spans grids, is urgent, needs money to carry out.
    departments : int
        Departments that must act on the outcome.
    seats : tuple of int
        Participants wanted at each level (in `LEVEL_NAMES` order).
    u_consensus : tuple of float
        Uniforms deciding consensus at each level.
    u_implement : float
        Uniform deciding whether the outcome is carried out.
    rng : Generator
        The matter's own stream for draws during the run.
    u_org : float
        Uniform deciding whether a temporary organisation forms (1.0: never).
    org_rng : Generator or None
        The temporary organisation's stream.
    u_guide : float
        Uniform deciding consensus at a guided second meeting (1.0: never agrees).
    """

    index: int
    kind: str
    time: float
    community: int
    grid: int
    complexity: str
    cross_grid: bool
    urgent: bool
    departments: int
    needs_funds: bool
    seats: tuple[int, int, int]
    u_consensus: tuple[float, float, float]
    u_implement: float
    rng: np.random.Generator
    u_org: float = 1.0
    org_rng: np.random.Generator | None = None
    u_guide: float = 1.0


def draw_matters(
    ctx: Context,
    spec: ConsultationSpec,
    rng: np.random.Generator,
    org_rng: np.random.Generator | None = None,
) -> list[Matter]:
    """Every matter of the run, sorted by time: per kind and community a Poisson stream
    in office hours, with its attributes and uniforms, from sub-streams addressed by
    (kind, community) so that changing one kind or adding communities leaves the other
    matters as they were; `org_rng` gives the temporary organisations' draws."""
    s, cal = ctx.scenario, ctx.calendar
    open_minutes = cal.open_minutes_in(s.days)
    years = s.days / 365.0
    grids = s.structure.grids_per_community
    levels = [spec.level(k) for k in LEVEL_NAMES]
    orgs = spec.temporary_orgs
    scale = (
        1.0
        if spec.per_residents is None
        else s.structure.residents_per_community / (spec.per_residents)
    )
    rows: list[Matter] = []
    for kind, ms in spec.matters.items():
        key = zlib.crc32(kind.encode())
        with_org = org_rng is not None and orgs is not None and kind in orgs.kinds
        for c in range(s.structure.communities):
            n = int(substream(rng, key, c, 0).poisson(ms.rate_per_community_year * years * scale))
            r = substream(rng, key, c, 1)
            times = cal.to_clock(r.uniform(0.0, open_minutes, n))
            grid = r.integers(0, grids, n)
            cross = r.random(n) < ms.cross_grid
            urgent = r.random(n) < ms.urgent
            depts = r.poisson(ms.departments_mean, n)
            funds = r.random(n) < ms.needs_funds
            seats = np.stack(
                [r.integers(v.participants_min, v.participants_max + 1, n) for v in levels],
                axis=1,
            )
            u_cons = r.random((n, 3))
            u_impl = r.random(n)
            seeds = r.integers(0, 2**63, n)
            u_guide = r.random(n)
            u_org, org_seeds = np.ones(n), np.zeros(n, np.int64)
            if with_org:
                assert org_rng is not None
                o = substream(org_rng, key, c)
                u_org, org_seeds = o.random(n), o.integers(0, 2**63, n)
            for j in range(n):
                rows.append(
                    Matter(
                        index=-1,
                        kind=kind,
                        time=float(times[j]),
                        community=c,
                        grid=int(grid[j]),
                        complexity=ms.complexity,
                        cross_grid=bool(cross[j]),
                        urgent=bool(urgent[j]),
                        departments=int(depts[j]),
                        needs_funds=bool(funds[j]),
                        seats=(int(seats[j, 0]), int(seats[j, 1]), int(seats[j, 2])),
                        u_consensus=(
                            float(u_cons[j, 0]),
                            float(u_cons[j, 1]),
                            float(u_cons[j, 2]),
                        ),
                        u_implement=float(u_impl[j]),
                        rng=_generator(int(seeds[j])),
                        u_org=float(u_org[j]),
                        org_rng=_generator(int(org_seeds[j])) if with_org else None,
                        u_guide=float(u_guide[j]),
                    )
                )
    rows.sort(key=lambda m: m.time)  # stable: ties keep kind and community order
    for i, m in enumerate(rows):
        m.index = i
    return rows


def _generator(seed: int) -> np.random.Generator:
    """A matter's own generator, from a seed drawn off the mechanism's stream."""
    return np.random.Generator(np.random.PCG64(seed))
