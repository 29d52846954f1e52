"""Flows compiled for the engine: each stage of each item group's path as flat numbers.

A flow in the scenario (`sim.scenario.schema.Flow`) names its stages, units and routes; the
engine needs indices instead of names and minutes instead of hours. `compile_flows` flattens
every flow once per replication into a list of `CompiledStage` (unit index, level code,
class of work, service distribution, cumulative route probabilities, forwarding delays) and
each flow's entry stages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from sim.model.district import District
from sim.rules.priority import FILE, RESIDENT
from sim.scenario.schema import Scenario

EXPONENTIAL, FIXED, LOGNORMAL = 0, 1, 2
DISTRIBUTIONS = {"exponential": EXPONENTIAL, "fixed": FIXED, "lognormal": LOGNORMAL}
ITEM_TIME = {"none": 0, "intake": 1, "processing": 2}
# what a demand is waiting for between two stages (the parts of its time to resolution)
TRANSFER, STATUTORY, AWAY = 0, 1, 2
DELAY_KINDS = ("transfer", "statutory", "away")


@dataclass(frozen=True)
class CompiledStage:
    """A stage flattened for the engine (indices instead of names, minutes not hours)."""

    unit: int
    level: int
    cls: int
    minutes: float
    item_time: int
    dist: int
    sigma: float
    missing_return: bool
    return_delay: float
    balk: int
    cum_p: tuple[float, ...]
    targets: tuple[int, ...]
    delays: tuple[float, ...]
    flow: str
    name: str
    outsource: bool = False
    pickups: tuple[tuple[int, ...], ...] = ()  # per route: courier weekdays, () for none
    pickup_minutes: tuple[float, ...] = ()
    delay_kinds: tuple[int, ...] = ()  # per route: TRANSFER, STATUTORY or AWAY
    terminal: bool = False  # a demand that finishes here is always resolved (set below)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terminal", not self.missing_return and not self.targets)


_inv_norm = NormalDist().inv_cdf


def compile_flows(
    s: Scenario, district: District
) -> tuple[list[CompiledStage], dict[str, tuple[int, int]]]:
    """Flatten the scenario's flows: the stage list and each flow's (entry, online entry)."""
    ids: dict[tuple[str, str], int] = {}
    for fname, flow in s.flows.items():
        for sname in flow.stages:
            ids[(fname, sname)] = len(ids)
    units = district.unit_names
    stages = []
    for fname, flow in s.flows.items():
        for sname, st in flow.stages.items():
            kinds = tuple(
                AWAY
                if flow.stages[r.to].presence == "resident"
                else STATUTORY
                if r.statutory
                else TRANSFER
                for r in st.routes
            )
            u = units.index(st.unit)
            cum, acc = [], 0.0
            for r in st.routes:
                acc += r.p
                cum.append(acc)
            stages.append(
                CompiledStage(
                    unit=u,
                    level=district.unit_level[u],
                    cls=RESIDENT if st.presence == "resident" else FILE,
                    minutes=st.minutes,
                    item_time=ITEM_TIME[st.item_time],
                    dist=DISTRIBUTIONS[st.dist],
                    sigma=math.sqrt(math.log1p(st.cv**2)),
                    missing_return=st.missing_docs_return,
                    return_delay=st.return_delay_hours * 60.0,
                    balk=st.balk_queue or 0,
                    cum_p=tuple(cum),
                    targets=tuple(ids[(fname, r.to)] for r in st.routes),
                    delays=tuple(r.delay_hours * 60.0 for r in st.routes),
                    flow=fname,
                    name=sname,
                    outsource=st.outsource,
                    pickups=tuple(tuple(r.pickup_weekdays or ()) for r in st.routes),
                    pickup_minutes=tuple(r.pickup_hour * 60.0 for r in st.routes),
                    delay_kinds=kinds,
                )
            )
    entries = {
        f: (ids[(f, fl.entry)], ids[(f, fl.online_entry)] if fl.online_entry else -1)
        for f, fl in s.flows.items()
    }
    return stages, entries


def service_minutes(st: CompiledStage, mean: float, u: float) -> float:
    """A service time of mean `mean` at stage `st` from one uniform `u`: fixed, exponential,
    or lognormal with the stage's sigma (by the inverse of its distribution function)."""
    if st.dist == FIXED:
        return mean
    if st.dist == EXPONENTIAL:
        return -mean * math.log1p(-u)
    sg = st.sigma
    return mean * math.exp(sg * _inv_norm(min(max(u, 1e-12), 1 - 1e-12)) - sg * sg / 2)


def odds_without_repeat(st: CompiledStage, sid: int) -> tuple[float, ...]:
    """Cumulative route odds of stage `sid` given it is not repeated: a route back to it
    gets none, the others are scaled by ``1 / (1 - p_repeat)``."""
    p = [b - a for a, b in zip((0.0, *st.cum_p[:-1]), st.cum_p, strict=True)]
    keep = [0.0 if t == sid else q for t, q in zip(st.targets, p, strict=True)]
    scale = 1.0 - (sum(p) - sum(keep))
    out, acc = [], 0.0
    for q in keep:
        acc += q / scale if scale > 0.0 else 0.0
        out.append(acc)
    return tuple(out)


def stage_column(stages: list[CompiledStage], field: str, dtype: type) -> np.ndarray:
    """One number of every stage (a field of `CompiledStage`) as a typed column by stage
    id: the engine's hot paths read a stage's numbers from these, not from its object."""
    return np.array([getattr(st, field) for st in stages] or [0], dtype=dtype)


def first_stages(
    entries: list[tuple[int, int]], group: np.ndarray, online: np.ndarray
) -> np.ndarray:
    """The stage each demand enters on arising, from each item group's flow `entries`
    (entry, online entry or -1), the demands' `group` and whether their resident goes
    `online`: the flow's online entry when the resident goes online and the flow has one,
    else its entry."""
    entry = np.array([e for e, _ in entries] or [0], dtype=np.int32)[group]
    online_entry = np.array([o for _, o in entries] or [-1], dtype=np.int32)[group]
    return np.where((online_entry >= 0) & online, online_entry, entry).astype(np.int32)
