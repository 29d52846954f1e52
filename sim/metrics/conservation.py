"""What a structural reform moves and must not create or destroy: the conservation table.

A reform that merges communities, abolishes street offices or opens a center moves residents,
staff and work between levels; it does not make them appear or vanish unless a mechanism
says so (a burden cut, a rebound, demand drawn out by easier access). Every run reports, for
the whole run: the residents, the staff standing at each level (leaders who sign files in
sessions included), the demands residents raised a year (in all, and by the level of the
counter or platform where they enter), and the hours of top-down work departments pushed
down a year (done or still waiting). Set side by side by ``compare``, these rows show what a
reform moved.
"""

from __future__ import annotations

import numpy as np

from sim.model.district import LEVELS
from sim.processes.records import Records
from sim.rules.priority import TASK
from sim.scenario.schema import Scenario


def entry_level(s: Scenario, flow: str, online: bool) -> str:
    """Level of the unit where an item of `flow` enters (its online entry when `online`)."""
    f = s.flows[flow]
    stage = f.online_entry if online and f.online_entry else f.entry
    return s.units[f.stages[stage].unit].level


def entry_levels(s: Scenario) -> list[str]:
    """Levels at which some item of scenario `s` can enter, in `LEVELS` order."""
    found = set()
    for spec in s.demands.values():
        for g in spec.groups.values():
            found.add(entry_level(s, g.flow, False))
            if g.online_eligible:
                found.add(entry_level(s, g.flow, True))
    return [lv for lv in LEVELS if lv in found]


def conservation_metrics(rec: Records) -> dict[str, float]:
    """Residents, staff by level, demands and top-down work hours of one replication."""
    s, st = rec.scenario, rec.stations
    years = s.days / 365.0
    out: dict[str, float] = {
        "residents_total": float(s.structure.communities * s.structure.residents_per_community)
    }
    levels = np.array(st.level, dtype=object)
    for level in LEVELS:
        here = levels == level
        if here.any() and st.servers[here].sum() > 0:
            out[f"staff_count_{level}"] = float(st.servers[here].sum())
    out["staff_count_total"] = float(st.servers.sum())
    d = rec.demands
    out["demands_per_year"] = float(d.size / years)
    flows = [s.demands[t].groups[g].flow for t, g in zip(d.group_type, d.group_name, strict=True)]
    at = np.array(
        [[entry_level(s, f, False), entry_level(s, f, True)] for f in flows], dtype=object
    ).reshape(-1, 2)
    where = at[np.asarray(d.group, np.int64), np.asarray(d.online, np.int64)]
    for level in entry_levels(s):
        out[f"demands_per_year_{level}"] = float((where == level).sum() / years)
    done = st.busy[:, :, TASK].sum()
    waiting = np.clip(rec.work.left, 0.0, None).sum()
    out["topdown_work_hours_per_year"] = float((done + waiting) / 60.0 / years)
    return out
