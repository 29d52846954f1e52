"""The district's service units, instantiated from the scenario.

A unit kind (``community_desk``, ``street_center``, ``department_office``, ``online``) becomes
one station per community, per street office (街道办事处), per department, or one for the
district. A unit with item-specific windows is several stations, one per window group;
otherwise any window handles any item (全街通办). Communities belong to street offices in
contiguous blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from sim.model.station import Post, Station
from sim.rules.priority import RULES
from sim.scenario.schema import Scenario

LEVELS = ("community", "street", "district", "department", "online")
# level codes (index in `LEVELS`): where a stage's station is found for a demand
AT_COMMUNITY, AT_STREET, AT_DISTRICT, AT_DEPARTMENT, AT_ONLINE = range(len(LEVELS))


@dataclass
class District:
    """Stations of a district and how to find the one serving a demand.

    Attributes
    ----------
    stations : list of Station
        Every station.
    table : list
        ``table[unit][location][department] -> Station``.
    unit_level : list of int
        Level code (index in `LEVELS`) of each unit kind.
    unit_names : list of str
        Unit kinds in scenario order.
    street_of : ndarray of int
        Street office of each community (0 when there are none).
    """

    stations: list[Station]
    table: list[list[list[Station]]]
    unit_level: list[int]
    unit_names: list[str]
    street_of: np.ndarray


def street_of_communities(s: Scenario) -> np.ndarray:
    """Street office of each community: contiguous blocks, as even as possible."""
    n, k = s.structure.communities, max(s.structure.streets, 1)
    return (np.arange(n) * k // n).astype(np.int32)


def locations(s: Scenario) -> dict[str, int]:
    """How many places each level has: a station of a unit at that level stands in each
    community, street office (at least one), department, or once for the district."""
    return {
        "community": s.structure.communities,
        "street": max(s.structure.streets, 1),
        "district": 1,
        "department": len(s.departments),
        "online": 1,
    }


def build_district(s: Scenario, env: simpy.Environment) -> District:
    """Create every station of scenario `s` on environment `env`."""
    depts = s.departments
    counts = locations(s)
    stations: list[Station] = []
    table: list[list[list[Station]]] = []
    for name, spec in s.units.items():
        rule = RULES[spec.priority]
        always = spec.calendar == "always" or s.calendar.kind == "always"
        cost = spec.staff_cost_yuan_per_year
        per_loc = []
        for loc in range(counts[spec.level]):
            label = f"{name}/{loc}" if counts[spec.level] > 1 else name
            if spec.windows is None or spec.pooled:  # any window handles any item
                servers = spec.servers if spec.windows is None else sum(spec.windows.values())
                post = Post(label, name, spec.level, servers, rule, always, cost)
                st = Station(env, post, s.days)
                stations.append(st)
                per_loc.append([st] * len(depts))
                continue
            groups = {}
            for group, c in spec.windows.items():
                post = Post(f"{label}:{group}", name, spec.level, c, rule, always, cost)
                groups[group] = Station(env, post, s.days)
                stations.append(groups[group])
            other = groups.get("other")
            row = []
            for d in depts:
                st = groups.get(d, other)
                if st is None:  # no window for this department: the first group takes it
                    st = next(iter(groups.values()))
                row.append(st)
            per_loc.append(row)
        table.append(per_loc)
    return District(
        stations=stations,
        table=table,
        unit_level=[LEVELS.index(u.level) for u in s.units.values()],
        unit_names=list(s.units),
        street_of=street_of_communities(s),
    )
