"""Where every demand is, interval by interval: the trace cut into segments of one state.

A resident's matter is always somewhere: the resident queueing at a counter or served there,
the file waiting in a back office's tray or being worked on, the file carried between
offices (community → street → department and back), a statutory period (publicity, 公示),
the resident at home until they must come back, or — when the run ends between two stages —
pending. `segments` lists those intervals for every demand of a traced replication, so that
counting them at any minute gives a picture of the district at that minute.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.app.trace import AWAY, STATUTORY, Trace, gaps
from sim.rules.priority import RESIDENT

STATES = ("queue", "counter", "tray", "work", "transit", "statutory", "away", "pending")
STATE_LABELS = {
    "queue": "residents queueing",
    "counter": "residents at a window",
    "tray": "files waiting in a tray",
    "work": "files being worked on",
    "transit": "files carried between offices",
    "statutory": "files in a statutory period (公示)",
    "away": "residents at home until they come back",
    "pending": "waiting for a stage after the run ends",
}
SEGMENT_COLUMNS = ["demand", "state", "station", "following", "t0", "t1"]


def segments(tr: Trace) -> pd.DataFrame:
    """One row per interval a demand spent in one state: ``demand, state, station,
    following, t0, t1`` (clock minutes, ``t1`` infinite when the run ended first; stations
    by index, ``following`` the next stage's station for gaps, -1 otherwise)."""
    v = tr.visits
    inf = np.inf
    start = v["start"].fillna(inf).to_numpy()
    done = v["done"].fillna(inf).to_numpy()
    resident = v["cls"].to_numpy() == RESIDENT
    parts = [
        _frame(v["demand"], np.where(resident, "queue", "tray"), v["station"], -1,
               v["join"], start),
        _frame(v["demand"], np.where(resident, "counter", "work"), v["station"], -1,
               start, done),
    ]  # fmt: skip
    g = gaps(tr)
    kind = g["kind"].to_numpy()
    state = np.where(kind == AWAY, "away", np.where(kind == STATUTORY, "statutory", "transit"))
    parts.append(_frame(g["demand"], state, g["station"], g["following"], g["start"], g["end"]))
    last = v.groupby("demand", sort=False).tail(1)
    finish = tr.demands["finish_min"].fillna(inf).to_numpy()[last["demand"].to_numpy()]
    ended = last["done"].fillna(inf).to_numpy()
    later = ended < finish  # the last stage ended, the demand did not: its next one is due
    parts.append(
        _frame(last["demand"][later], "pending", last["station"][later], -1,
               ended[later], finish[later])
    )  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    return out[out["t1"] > out["t0"]].reset_index(drop=True)


def _frame(demand: Any, state: Any, station: Any, following: Any, t0: Any, t1: Any) -> pd.DataFrame:
    """Segments as a table (columns of equal length, or scalars broadcast)."""
    return pd.DataFrame(
        {
            "demand": np.asarray(demand, dtype=np.int64),
            "state": state,
            "station": np.asarray(station, dtype=np.int64),
            "following": following,
            "t0": np.asarray(t0, dtype=float),
            "t1": np.asarray(t1, dtype=float),
        },
        columns=SEGMENT_COLUMNS,
    )


def in_system(tr: Trace, t: float) -> np.ndarray:
    """Demands arisen by minute `t` and not yet ended (resolved or abandoned), from the
    records the metrics use."""
    d = tr.demands
    finish = d["finish_min"].fillna(np.inf).to_numpy()
    here = (d["arrival_min"].to_numpy() <= t) & (t < finish)
    return d["demand"].to_numpy()[here]
