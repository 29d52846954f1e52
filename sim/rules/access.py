"""Whether a resident raises a latent need: the expected cost of access (a pure rule).

Recorded demand is not the same as need (DOMAIN.md: Beijing's 12345 hotline). A resident
weighs the hours an item will take them: for each stage of the item's flow where the resident
is present, the expected number of visits times the round trip to the stage's unit and the
expected time at its counter. The need is raised with probability ``exp(-elasticity * hours)``.

Expected visits solve the flow's Markov chain over stages: from the entry stage, a stage's
routes are taken with their probabilities ``p``, and routes not taken end the flow; a stage
with ``missing_docs_return`` first sends the resident home with the item group's
missing-document probability ``m``, and the stage is entered again (so its own visits are
multiplied by ``1 / (1 - m)``, what follows it is not). A resident who applies online starts
at the flow's online entry, which spares the trips before it, and spends the online minutes.

The rules import nothing of the model: the flows, stages and item groups of the scenario
schema (or the engine's flattened item groups) are read by their attributes, listed in the
protocols below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np


class RouteLike(Protocol):
    """A branch out of a stage (the schema's `Route`)."""

    @property
    def to(self) -> str: ...
    @property
    def p(self) -> float: ...


class StageLike(Protocol):
    """A step of a flow at a unit (the schema's `Stage`)."""

    @property
    def unit(self) -> str: ...
    @property
    def presence(self) -> str: ...
    @property
    def minutes(self) -> float: ...
    @property
    def item_time(self) -> str: ...
    @property
    def missing_docs_return(self) -> bool: ...
    @property
    def routes(self) -> Sequence[RouteLike]: ...


class FlowLike(Protocol):
    """The path of an item through stages (the schema's `Flow`)."""

    @property
    def entry(self) -> str: ...
    @property
    def online_entry(self) -> str | None: ...
    @property
    def stages(self) -> Mapping[str, StageLike]: ...


class GroupLike(Protocol):
    """An item group (the schema's `ItemGroup`, or the engine's `GroupInfo`)."""

    @property
    def flow(self) -> str: ...
    @property
    def missing_docs(self) -> float: ...
    @property
    def intake_minutes(self) -> float: ...
    @property
    def processing_minutes(self) -> float: ...


def expected_visits(
    flow: FlowLike, missing_docs: float = 0.0, start: str | None = None
) -> dict[str, float]:
    """Expected number of entries into each stage of `flow` by one item.

    Parameters
    ----------
    flow : FlowLike
        The flow.
    missing_docs : float
        The item group's chance of lacking a document at a stage with
        ``missing_docs_return`` (each entry independently).
    start : str, optional
        The stage the item enters first; the flow's ``entry`` by default.

    Returns
    -------
    dict of str to float
        Visits by stage name (0 for stages the item cannot reach; ``inf`` for every
        reachable stage when the item may never leave the flow, e.g. ``missing_docs = 1``).
    """
    names = list(flow.stages)
    index = {name: k for k, name in enumerate(names)}
    n = len(names)
    move = np.zeros((n, n))
    for name, st in flow.stages.items():
        k = index[name]
        stay = missing_docs if st.missing_docs_return else 0.0
        move[k, k] += stay
        for route in st.routes:
            move[k, index[route.to]] += (1.0 - stay) * route.p
    first = index[flow.entry if start is None else start]
    reach = _reachable(move, first)
    sub = move[np.ix_(reach, reach)]
    e = (reach == first).astype(float)
    try:  # visits v = e + v P, i.e. (I - P)^T v = e
        v = np.linalg.solve((np.eye(len(reach)) - sub).T, e)
        ok = bool(np.all(np.isfinite(v)) and np.all(v > -1e-9))
    except np.linalg.LinAlgError:
        ok = False
    out = dict.fromkeys(names, 0.0)
    for j, k in enumerate(reach):
        out[names[k]] = max(float(v[j]), 0.0) if ok else math.inf
    return out


def _reachable(move: np.ndarray, first: int) -> np.ndarray:
    """Stages reachable from `first` along moves of positive probability, in index order."""
    seen = {first}
    todo = [first]
    while todo:
        k = todo.pop()
        for j in np.flatnonzero(move[k] > 0):
            if int(j) not in seen:
                seen.add(int(j))
                todo.append(int(j))
    return np.array(sorted(seen), dtype=np.int64)


def expected_resident_visits(
    flow: FlowLike, missing_docs: float = 0.0, start: str | None = None
) -> dict[str, float]:
    """Expected visits to the stages of `flow` where the resident is present (trips to a
    counter), by stage name; arguments as for `expected_visits`."""
    visits = expected_visits(flow, missing_docs, start)
    return {k: v for k, v in visits.items() if flow.stages[k].presence == "resident"}


def service_minutes(stage: StageLike, group: GroupLike) -> float:
    """Mean service minutes of `stage` for an item of `group` (the stage's own ``minutes``,
    or the group's intake or processing minutes when its ``item_time`` says so)."""
    if stage.item_time == "intake":
        return group.intake_minutes
    if stage.item_time == "processing":
        return group.processing_minutes
    return stage.minutes


def access_hours(s: object, group: GroupLike, online: bool) -> float:
    """A resident's expected hours of access for one item of `group`.

    Parameters
    ----------
    s : Scenario
        The scenario, with an ``access`` section (its ``flows``, ``units`` and ``access``
        are read).
    group : GroupLike
        The item group (its flow, missing-document probability and item minutes).
    online : bool
        Whether the resident applies online: on a flow with an ``online_entry`` the item
        starts there and the access section's ``online_minutes`` are added; on a flow
        without one it takes the counter path.

    Returns
    -------
    float
        Sum over the flow's resident stages of expected visits × (round-trip minutes to the
        stage unit's level + mean service minutes), plus the online minutes, in hours.
    """
    access = getattr(s, "access", None)
    if access is None:
        raise ValueError("the scenario has no [access] section")
    flow = s.flows[group.flow]  # type: ignore[attr-defined]
    units = s.units  # type: ignore[attr-defined]
    by_online = online and flow.online_entry is not None
    start = flow.online_entry if by_online else flow.entry
    minutes = access.online_minutes if by_online else 0.0
    for name, v in expected_resident_visits(flow, group.missing_docs, start).items():
        stage = flow.stages[name]
        cost = access.travel_minutes.get(units[stage.unit].level, 0.0)
        cost += service_minutes(stage, group)
        minutes += v * cost if cost > 0.0 else 0.0
    return minutes / 60.0


def raise_probability(hours: float, elasticity: float) -> float:
    """Chance that a resident raises a need costing `hours` of access:
    ``exp(-elasticity * hours)`` (1 at zero elasticity, even for endless access)."""
    if elasticity == 0.0:
        return 1.0
    return math.exp(-elasticity * hours)
