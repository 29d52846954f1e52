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

from collections.abc import Sequence
from typing import Any

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
    """The demand records of one replication as a typed DataFrame.

    Text columns are categories built from the records' codes (the item group, item, outcome
    and the resident's attributes), never one Python string per row: a city-year's millions
    of rows cost a byte or two a text column. Their categories are the values present,
    sorted, as ``astype("category")`` of the text would give. The number columns are the
    records' own arrays, not copies (pandas' copy-on-write keeps them unchanged).
    """
    d = rec.demands
    n = d.size
    group = np.asarray(d.group, np.int64)
    finish, arrival = d.finish, d.arrival
    items = np.asarray(d.item, np.int64)
    width = int(items.max()) + 1 if n else 1
    item_names = [f"{g}#{k + 1}" for g in d.group_name for k in range(width)]
    frame = pd.DataFrame(
        {
            "scenario": _coded([rec.scenario.name], np.zeros(n, np.int64)),
            "replication": np.full(n, rec.replication, np.int32),
            "demand": np.arange(n, dtype=np.int64),
            "demand_type": _coded(d.group_type, group),
            "item_class": _coded(d.group_name, group),
            "item": _coded(item_names, group * width + items),
            "department": _coded(d.group_department, group),
            "resident": np.asarray(d.resident, np.int32),
            "community": np.asarray(d.community, np.int32),
            **_who(rec, d.resident),
            "arrival_min": arrival,
            "start_min": d.first_start,
            "finish_min": finish,
            "resolution_days": (finish - arrival) / DAY,
            "units_visited": np.asarray(d.visits, np.int16),
            "trips": np.asarray(d.trips, np.int16),
            "handoffs": np.asarray(d.handoffs, np.int16),
            "wait_minutes": d.wait,
            "online": np.asarray(d.online, bool),
            "outcome": _coded(OUTCOMES, np.asarray(d.outcome, np.int64)),
            "queue_min": d.queue,
            "service_min": d.service,
            "transfer_min": d.transfer,
            "statutory_min": d.statutory,
            "away_min": d.away,
            "staff_minutes": d.staff_minutes,
            "handling_yuan": d.handling_yuan,
        },
        copy=False,  # the records' own arrays, not a second copy of a city-year's millions
    )
    return frame.astype({k: v for k, v in RECORD_COLUMNS.items() if v != "string"})


def _coded(labels: Sequence[str], codes: np.ndarray) -> pd.Categorical:
    """Text column ``labels[codes]`` as a categorical of the labels present, sorted."""
    present = np.unique(codes)
    names = np.array([labels[k] for k in present], dtype=object)
    kept = sorted(set(names.tolist()))
    where = {name: k for k, name in enumerate(kept)}
    recode = np.full(len(labels), -1, np.int32)
    recode[present] = [where[name] for name in names]
    categories = pd.Index(kept, dtype="string")
    return pd.Categorical.from_codes(recode[codes], dtype=pd.CategoricalDtype(categories))


def _who(rec: Records, resident: np.ndarray) -> dict[str, Any]:
    """The age band, occupation, education and party membership of each demand's resident
    (empty text when the records carry no residents)."""
    r = rec.residents
    n = len(resident)
    if r is None:
        blank = np.zeros(n, np.int64)
        return {
            "age_band": _coded([""], blank),
            "occupation": _coded([""], blank),
            "education": _coded([""], blank),
            "party_member": np.zeros(n, bool),
        }
    return {
        "age_band": _coded(r.ages, np.asarray(r.age, np.int64)[resident]),
        "occupation": _coded(r.occupations, np.asarray(r.occupation, np.int64)[resident]),
        "education": _coded(r.educations, np.asarray(r.education, np.int64)[resident]),
        "party_member": np.asarray(r.party, bool)[resident],
    }
