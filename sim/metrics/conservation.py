"""What a structural reform moves and must not create or destroy: the conservation table.

A reform that merges communities, abolishes street offices or opens a center moves residents,
staff and work between levels; it does not make them appear or vanish unless a mechanism
says so (a burden cut, a rebound, demand drawn out by easier access). Every run reports, for
the whole run: the residents, the staff standing at each level (leaders who sign files in
sessions included), the demands residents raised a year, and the hours of top-down work
departments pushed down a year (done or still waiting). Set side by side by ``compare``,
these rows show what a reform moved.
"""

from __future__ import annotations

import numpy as np

from sim.model.district import LEVELS
from sim.processes.records import Records
from sim.rules.priority import TASK


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
    out["demands_per_year"] = float(rec.demands.size / years)
    done = st.busy[:, :, TASK].sum()
    waiting = np.clip(rec.work.left, 0.0, None).sum()
    out["topdown_work_hours_per_year"] = float((done + waiting) / 60.0 / years)
    return out
