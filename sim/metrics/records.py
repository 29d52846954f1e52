"""One typed record per demand: what happened to a resident's matter.

The columns (see docs/metrics.md) are the record a researcher filters and groups:
demand type, item, resident and community, who the resident is (age band, occupation,
education, party membership), the times of arrival, first service and finish
(minutes from the start of the run), units visited, trips, hand-offs, minutes spent waiting
in queues while offices were open, whether it went online, and the outcome; then where its
time went (queueing, service, files in transit, statutory periods, the resident away: they
add up to the time to resolution, less any time a social organisation held the matter) and
what its handling cost (staff minutes and their wage).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.clock import DAY
from sim.processes.records import OUTCOMES, Records

RECORD_COLUMNS = {
    "scenario": "string",
    "replication": "int32",
    "demand": "int64",
    "demand_type": "string",
    "item_class": "string",
    "item": "string",
    "department": "string",
    "resident": "int32",
    "community": "int32",
    "age_band": "string",
    "occupation": "string",
    "education": "string",
    "party_member": "bool",
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
    "queue_min": "float64",
    "service_min": "float64",
    "transfer_min": "float64",
    "statutory_min": "float64",
    "away_min": "float64",
    "staff_minutes": "float64",
    "handling_yuan": "float64",
}


TEXT_COLUMNS = [k for k, v in RECORD_COLUMNS.items() if v == "string"]


def demand_records(rec: Records) -> pd.DataFrame:
    """The demand records of one replication as a typed DataFrame."""
    d = rec.demands
    g_type = np.array(d.group_type or ("",), dtype=object)
    g_name = np.array(d.group_name or ("",), dtype=object)
    g_dept = np.array(d.group_department or ("",), dtype=object)
    finish, arrival = d.finish, d.arrival
    item = pd.Series(g_name[d.group], dtype=object) + "#" + pd.Series(d.item + 1).astype(str)
    frame = pd.DataFrame(
        {
            "scenario": rec.scenario.name,
            "replication": rec.replication,
            "demand": np.arange(d.size),
            "demand_type": g_type[d.group],
            "item_class": g_name[d.group],
            "item": item.to_numpy(),
            "department": g_dept[d.group],
            "resident": d.resident,
            "community": d.community,
            **_who(rec, d.resident),
            "arrival_min": arrival,
            "start_min": d.first_start,
            "finish_min": finish,
            "resolution_days": (finish - arrival) / DAY,
            "units_visited": d.visits,
            "trips": d.trips,
            "handoffs": d.handoffs,
            "wait_minutes": d.wait,
            "online": d.online,
            "outcome": np.array(OUTCOMES, dtype=object)[d.outcome],
            "queue_min": d.queue,
            "service_min": d.service,
            "transfer_min": d.transfer,
            "statutory_min": d.statutory,
            "away_min": d.away,
            "staff_minutes": d.staff_minutes,
            "handling_yuan": d.handling_yuan,
        }
    )
    return frame.astype(RECORD_COLUMNS)


def _who(rec: Records, resident: np.ndarray) -> dict[str, np.ndarray]:
    """The age band, occupation, education and party membership of each demand's resident
    (empty text when the records carry no residents)."""
    r = rec.residents
    if r is None:
        blank = np.full(len(resident), "", dtype=object)
        return {
            "age_band": blank,
            "occupation": blank,
            "education": blank,
            "party_member": np.zeros(len(resident), bool),
        }
    return {
        "age_band": np.array(r.ages, dtype=object)[r.age[resident]],
        "occupation": np.array(r.occupations, dtype=object)[r.occupation[resident]],
        "education": np.array(r.educations, dtype=object)[r.education[resident]],
        "party_member": r.party[resident],
    }
