"""One typed record per demand: what happened to a resident's matter.

The columns (see docs/metrics.md) are the record a researcher filters and groups:
demand type, item, resident and community, the times of arrival, first service and finish
(minutes from the start of the run), units visited, trips, hand-offs, minutes spent waiting
in queues while offices were open, whether it went online, and the outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.clock import DAY
from sim.experiment.replication import Replication
from sim.processes.routing import OUTCOMES

RECORD_COLUMNS = {
    "scenario": "string",
    "replication": "int32",
    "demand": "int64",
    "demand_type": "string",
    "item": "string",
    "department": "string",
    "resident": "int32",
    "community": "int32",
    "arrival_min": "float64",
    "start_min": "float64",
    "finish_min": "float64",
    "resolution_days": "float64",
    "units_visited": "int16",
    "trips": "int16",
    "handoffs": "int16",
    "wait_minutes": "float64",
    "online": "bool",
    "outcome": "string",
}


TEXT_COLUMNS = [k for k, v in RECORD_COLUMNS.items() if v == "string"]


def demand_records(rep: Replication) -> pd.DataFrame:
    """The demand records of one replication as a typed DataFrame."""
    d, r, s = rep.demands, rep.router, rep.scenario
    groups = d.groups
    g_type = np.array([g.demand_type for g in groups] or [""], dtype=object)
    g_name = np.array([g.name for g in groups] or [""], dtype=object)
    g_dept = np.array([s.departments[g.department] for g in groups] or [""], dtype=object)
    finish = np.array(r.finish, dtype=float)
    arrival = np.array(r.t_arrive, dtype=float)
    item = pd.Series(g_name[d.group], dtype=object) + "#" + pd.Series(d.item + 1).astype(str)
    frame = pd.DataFrame(
        {
            "scenario": s.name,
            "replication": rep.index,
            "demand": np.arange(d.size),
            "demand_type": g_type[d.group],
            "item": item.to_numpy(),
            "department": g_dept[d.group],
            "resident": d.resident,
            "community": d.community,
            "arrival_min": arrival,
            "start_min": np.array(r.first_start, dtype=float),
            "finish_min": finish,
            "resolution_days": (finish - arrival) / DAY,
            "units_visited": np.array(r.visits),
            "trips": np.array(r.trips),
            "handoffs": np.array(r.handoffs),
            "wait_minutes": np.array(r.wait, dtype=float),
            "online": d.online,
            "outcome": np.array(OUTCOMES, dtype=object)[np.array(r.outcome, dtype=np.int8)],
        }
    )
    return frame.astype(RECORD_COLUMNS)
