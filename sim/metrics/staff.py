"""Where staff time goes: minutes by day and activity, summed over a level's stations.

Pure functions of a replication's `StationRecords`.
"""

from __future__ import annotations

import numpy as np

from sim.processes.records import StationRecords
from sim.rules.priority import FILE, MEETING, RESIDENT, TASK

ACTIVITIES = ("tasks", "service", "self_governance", "consultation")


def station_hours(stations: StationRecords, level: str | None = None) -> np.ndarray:
    """Minutes by (day, activity) summed over the staffed stations of `level` (all levels
    when None): top-down tasks, service to residents and files, free time (for community
    staff, the time left for self-governance) and consultation meetings — the columns of
    `ACTIVITIES`."""
    days = stations.busy.shape[1]
    out = np.zeros((days, len(ACTIVITIES)))
    for k, lv in enumerate(stations.level):
        if not stations.servers[k] or (level is not None and lv != level):
            continue
        busy = stations.busy[k]
        out[:, 0] += busy[:, TASK]
        out[:, 1] += busy[:, RESIDENT] + busy[:, FILE]
        out[:, 2] += stations.idle[k]
        out[:, 3] += busy[:, MEETING]
    return out
