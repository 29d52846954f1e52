"""The event trace of one replication: every service at every station, with who and when.

The metrics read a demand's totals (minutes queueing, in service, in transit, away); a
picture of a day needs where each demand is at each minute. `trace` runs one replication as
production runs it (`sim.processes.world.build_world`) and listens to the stations' service
hooks, as the test harness does: each start and end of a service is noted with the station,
the class of work (resident at the counter, file in the back office, a chunk of a task
pushed down, meeting work), the demand and its stage. Listening changes nothing: the
replication's `Records` — what every metric is computed from — come out of the same run, and
`tests/test_app.py` checks that the trace adds up to them demand by demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics.records import demand_records
from sim.metrics.summary import timeseries
from sim.model.station import Entry, Station
from sim.processes.flows import AWAY, STATUTORY, TRANSFER, CompiledStage
from sim.processes.records import Records
from sim.processes.world import build_world
from sim.rules.priority import RESIDENT, TASK
from sim.scenario.schema import Scenario

VISIT_COLUMNS = ["demand", "station", "cls", "stage", "join", "start", "done"]
WORK_COLUMNS = ["station", "cls", "job", "start", "done"]


@dataclass(frozen=True)
class Trace:
    """What happened at every station of one replication.

    Attributes
    ----------
    scenario : Scenario
        The scenario run.
    records : Records
        The replication's records, as the metrics read them.
    demands : DataFrame
        One record per demand (`sim.metrics.records.demand_records`).
    timeseries : DataFrame
        The daily series of the replication (`sim.metrics.summary.timeseries`).
    visits : DataFrame
        One row per stage a demand took at a station: ``demand, station, cls, stage, join,
        start, done`` (clock minutes; NaN for a service not started or not ended by the end
        of the run).
    work : DataFrame
        One row per service of top-down or meeting work: ``station, cls, job, start, done``.
    stations : DataFrame
        ``name, unit, level, servers`` of each station, by index.
    stages : list of CompiledStage
        The flows' stages, by index (`visits.stage`).
    """

    scenario: Scenario
    records: Records
    demands: pd.DataFrame
    timeseries: pd.DataFrame
    visits: pd.DataFrame
    work: pd.DataFrame
    stations: pd.DataFrame
    stages: list[CompiledStage]

    def gap_kind(self, stage: int, following: int, following_cls: int) -> int:
        """What a demand waits for between two stages, as the router counts it: the resident
        away (the next stage needs them, or a document was missing and the stage starts
        again), a statutory period, or the file in transit."""
        st = self.stages[stage]
        if following_cls == RESIDENT or (following == stage and st.missing_return):
            return AWAY
        if following in st.targets and st.delay_kinds:
            return st.delay_kinds[st.targets.index(following)]
        return TRANSFER


def trace(s: Scenario, replication: int = 0, seed: int | None = None) -> Trace:
    """Run replication `replication` of `s` (root seed `seed`) and trace its services."""
    world = build_world(s, replication, seed)
    router = world.router
    stations = world.setting.district.stations
    visits: list[list[Any]] = []
    work: list[list[Any]] = []
    running: dict[int, list[Any]] = {}
    for k, st in enumerate(stations):
        _listen(st, k, router.stage, visits, work, running)
    records = world.run()
    for k, st in enumerate(stations):  # work still waiting when the run ends
        for queue in st.queues:
            for entry in queue:
                if entry[0] < TASK:
                    i = entry[1]
                    visits.append([i, k, entry[0], router.stage[i], entry[3], math.nan, math.nan])
    table = pd.DataFrame(
        {
            "name": [st.name for st in stations],
            "unit": [st.unit for st in stations],
            "level": [st.level for st in stations],
            "servers": [st.servers for st in stations],
        }
    )
    # a demand's stages start one after another: keep their order within each demand
    v = pd.DataFrame(visits, columns=VISIT_COLUMNS).sort_values("demand", kind="stable")
    return Trace(
        scenario=s,
        records=records,
        demands=demand_records(records),
        timeseries=timeseries(records),
        visits=v.reset_index(drop=True),
        work=pd.DataFrame(work, columns=WORK_COLUMNS),
        stations=table,
        stages=list(router.stages),
    )


def _listen(
    st: Station,
    k: int,
    stage: list[int],
    visits: list[list[Any]],
    work: list[list[Any]],
    running: dict[int, list[Any]],
) -> None:
    """Note every start and end of service at station `st` (index `k`) before the router
    sees it."""
    on_start, on_done = st.on_start, st.on_done

    def start(station: Station, entry: Entry, now: float) -> None:
        if entry[0] >= TASK:
            row = [k, entry[0], entry[1], now, math.nan]
            work.append(row)
        else:
            i = entry[1]
            row = [i, k, entry[0], stage[i], entry[3], now, math.nan]
            visits.append(row)
        running[id(entry)] = row
        on_start(station, entry, now)

    def done(station: Station, entry: Entry) -> None:
        row = running.pop(id(entry), None)
        if row is not None:
            row[-1] = station.env.now
        on_done(station, entry)

    st.on_start, st.on_done = start, done


def gaps(tr: Trace) -> pd.DataFrame:
    """The time each demand spent between two stages: ``demand, start, end, kind, station,
    following`` (kind `TRANSFER`, `STATUTORY` or `AWAY`; stations by index)."""
    v = tr.visits
    same = v["demand"].to_numpy()[1:] == v["demand"].to_numpy()[:-1]
    prev, nxt = v.iloc[:-1][same], v.iloc[1:][same]
    kinds = [
        tr.gap_kind(int(a), int(b), int(c))
        for a, b, c in zip(prev["stage"], nxt["stage"], nxt["cls"], strict=True)
    ]
    return pd.DataFrame(
        {
            "demand": prev["demand"].to_numpy(),
            "start": prev["done"].to_numpy(),
            "end": nxt["join"].to_numpy(),
            "kind": np.array(kinds, dtype=np.int8),
            "station": prev["station"].to_numpy(),
            "following": nxt["station"].to_numpy(),
        }
    )


__all__ = ["AWAY", "STATUTORY", "TRANSFER", "Trace", "gaps", "trace"]
