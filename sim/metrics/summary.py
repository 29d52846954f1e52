"""Reducers: one replication's records into tidy tables.

``summary`` rows are ``scenario, replication, metric, demand_type, value`` (``demand_type``
empty for all types together); ``timeseries`` rows are one per day and station. Every metric
is defined in docs/metrics.md. Demands that arrive during the warm-up are left out, and so are
the staff hours of warm-up days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.clock import DAY
from sim.metrics.access import access_metrics
from sim.metrics.conservation import conservation_metrics
from sim.metrics.mechanisms import mechanism_metrics, mechanism_yearly
from sim.metrics.staff import ACTIVITIES, station_hours
from sim.model.calendar import calendar_of
from sim.processes.records import TASK_ITEM, Records
from sim.rules.priority import FILE, MEETING, RESIDENT, TASK
from sim.scenario.schema import Scenario

SUMMARY_COLUMNS = ["scenario", "replication", "metric", "demand_type", "value"]
PER_TYPE = (
    "demands",
    "resolution_days_mean",
    "resolution_days_p90",
    "wait_minutes_mean",
    "trips_per_demand_mean",
    "handoffs_per_demand_mean",
    "units_visited_mean",
    "resolved_share",
    "abandoned_share",
    "open_share",
    "online_share",
    "handling_yuan_per_demand",
    "staff_minutes_per_demand",
    *(f"resolution_days_{part}" for part in ("queue", "service", "transit", "statutory", "away")),
    "resolution_days_other",
)
# where a resolved demand's days went (columns of the demand records, in minutes)
PARTS = {
    "queue": "queue_min",
    "service": "service_min",
    "transit": "transfer_min",
    "statutory": "statutory_min",
    "away": "away_min",
}


def demand_metrics(records: pd.DataFrame, rows: np.ndarray | None = None) -> dict[str, float]:
    """Metrics of a set of demand records (resolved ones for times, trips and hand-offs):
    the `rows` of `records` where a boolean mask is given, else all of them.

    A column is selected at a time, never the set's whole table: a city-year's 3.9 million
    demands would otherwise be copied once for the set and again for its resolved ones.
    """
    if rows is None:
        rows = np.ones(len(records), bool)
    outcome = records["outcome"]
    n = int(rows.sum())
    done = rows & (outcome == "resolved").to_numpy()
    n_done = int(done.sum())
    nan = float("nan")

    def mean(col: str, where: np.ndarray = done) -> float:
        return float(records[col][where].mean()) if where.any() else nan

    parts = {f"resolution_days_{k}": mean(col) / DAY for k, col in PARTS.items()}
    other = mean("resolution_days") - sum(parts.values())  # held by a mechanism
    parts["resolution_days_other"] = 0.0 if abs(other) < 1e-9 else other
    days = records["resolution_days"][done]
    return {
        "demands": float(n),
        "resolution_days_mean": mean("resolution_days"),
        "resolution_days_p90": float(days.quantile(0.9)) if n_done else nan,
        "wait_minutes_mean": mean("wait_minutes"),
        "trips_per_demand_mean": mean("trips"),
        "handoffs_per_demand_mean": mean("handoffs"),
        "units_visited_mean": mean("units_visited"),
        "resolved_share": n_done / n if n else nan,
        "abandoned_share": float((outcome == "abandoned")[rows].mean()) if n else nan,
        "open_share": float((outcome == "open")[rows].mean()) if n else nan,
        "online_share": mean("online", rows),
        "handling_yuan_per_demand": mean("handling_yuan", rows),
        "staff_minutes_per_demand": mean("staff_minutes", rows),
        **parts,
    }


def summary(rec: Records, records: pd.DataFrame) -> pd.DataFrame:
    """Tidy summary of one replication (`records`: its demand records as a table)."""
    s = rec.scenario
    warm = s.warmup_days
    kept = (records["arrival_min"] >= warm * DAY).to_numpy()
    dtypes = records["demand_type"]
    rows: list[tuple[str, str, float]] = []
    for k, v in demand_metrics(records, kept).items():
        rows.append((k, "", v))
    for dtype in s.demands:
        for k, v in demand_metrics(records, kept & (dtypes == dtype).to_numpy()).items():
            rows.append((k, dtype, v))
    for dtype, group in item_classes(s):  # e.g. ``administrative/civil_affairs_approvals``
        here = kept & ((dtypes == dtype) & (records["item_class"] == group)).to_numpy()
        for k, v in demand_metrics(records, here).items():
            rows.append((k, f"{dtype}/{group}", v))
    for k, v in staff_metrics(rec).items():
        rows.append((k, "", v))
    n_dem = int(kept.sum())
    rows.append(("cost_yuan_per_demand", "", staff_cost(rec) / n_dem if n_dem else float("nan")))
    rows.append(("satisfaction_mean", "", float(np.mean(rec.satisfaction))))
    for k, v in task_metrics(rec).items():
        rows.append((k, "", v))
    for k, v in conservation_metrics(rec).items():
        rows.append((k, "", v))
    if s.access is not None:  # demand that responds to access
        for (k, dtype), v in access_metrics(rec).items():
            rows.append((k, dtype, v))
    for (k, dtype), v in mechanism_metrics(rec).items():
        rows.append((k, dtype, v))
    out = pd.DataFrame(rows, columns=["metric", "demand_type", "value"])
    out.insert(0, "replication", rec.replication)
    out.insert(0, "scenario", s.name)
    return out[SUMMARY_COLUMNS]


def item_classes(s: Scenario) -> list[tuple[str, str]]:
    """(demand type, item group) of every item class of scenario `s` that has more than one
    group in its type (a type of one group is reported as the type)."""
    return [
        (dtype, group)
        for dtype, spec in s.demands.items()
        if len(spec.groups) > 1
        for group in spec.groups
    ]


SATURATED = 0.9  # share of a working day's staff hours on tasks that buries a community


def task_saturated_days(rec: Records, desks: np.ndarray) -> float:
    """Share of community working days (after the warm-up) on which departments' tasks took
    at least `SATURATED` of the staff's open hours: the days a community is buried in
    pushed-down work (001: 疲于应付) and residents' files wait. NaN without community staff."""
    s, st = rec.scenario, rec.stations
    if not desks.any():
        return float("nan")
    cal = calendar_of(s)
    days = np.arange(s.warmup_days, s.days)
    if not cal.always:
        days = days[days % 7 < cal.days_per_week]
    if not len(days):
        return float("nan")
    task = st.busy[desks][:, days, TASK]  # minutes started on tasks, by desk and day
    capacity = st.servers[desks][:, None] * cal.open_per_day
    return float((task >= SATURATED * capacity).mean())


def staff_metrics(rec: Records) -> dict[str, float]:
    """How community staff spend their hours, and how busy each level's windows are."""
    s, st = rec.scenario, rec.stations
    warm = s.warmup_days
    out: dict[str, float] = {}
    hours = station_hours(st, "community")[warm:].sum(axis=0)
    total = hours.sum()
    for name, v in zip(ACTIVITIES, hours, strict=True):
        if name == "consultation" and s.consultation is None:
            continue  # reported only where consultation is modelled
        out[f"staff_hours_share_{name}"] = float(v / total) if total else float("nan")
    days = s.days - warm
    n_comm = s.structure.communities
    out["staff_hours_per_community_day"] = float(total / 60.0 / days / n_comm)
    desks = np.array(
        [lv == "community" and n > 0 for lv, n in zip(st.level, st.servers, strict=True)]
    )
    out["task_saturated_days_share"] = task_saturated_days(rec, desks)
    levels = sorted({lv for k, lv in enumerate(st.level) if st.servers[k]})
    for level in levels:
        h = station_hours(st, level)[warm:].sum(axis=0)
        busy = h[0] + h[1] + h[3]
        out[f"utilisation_{level}"] = float(busy / (busy + h[2])) if busy + h[2] else float("nan")
    return out


def staff_cost(rec: Records) -> float:
    """Yuan paid to the staff of every unit over the post-warm-up days."""
    s, st = rec.scenario, rec.stations
    years = (s.days - s.warmup_days) / 365.0
    return float(
        sum(int(c) * float(y) for c, y in zip(st.servers, st.staff_cost, strict=True)) * years
    )


def task_metrics(rec: Records) -> dict[str, float]:
    """Top-down work received by communities and what is left undone at the end."""
    w, s = rec.work, rec.scenario
    n_comm = s.structure.communities
    years = s.days / 365.0
    is_task = w.kind == TASK_ITEM
    finished = is_task & ~np.isnan(w.done)
    late = float("nan")
    if s.tasks.deadline_days is not None and is_task.any():  # not done by the deadline
        due = w.time[is_task] + s.tasks.deadline_days * DAY
        done = w.done[is_task]
        late = float(np.mean(np.where(np.isnan(done), due < s.days * DAY, done > due)))
    return {
        "tasks_per_community_year": float(is_task.sum() / n_comm / years),
        "tasks_late_share": late,
        "task_days_mean": float(np.mean((w.done - w.time)[finished]) / DAY)
        if finished.any()
        else float("nan"),
        "task_backlog_hours_end": float(np.clip(w.left, 0, None).sum() / 60.0 / n_comm),
    }


def timeseries(rec: Records) -> pd.DataFrame:
    """Daily backlog and staff hours by activity, one row per day and station.

    ``hours_idle`` is time windows stood free while open; for community staff it is the
    time left for self-governance work (居民自治)."""
    st = rec.stations
    days = rec.scenario.days
    n = len(st.name)
    busy = st.busy.transpose(1, 0, 2) / 60.0  # day x station x class
    idle = st.idle.T / 60.0
    return pd.DataFrame(
        {
            "scenario": rec.scenario.name,
            "replication": rec.replication,
            "day": np.repeat(np.arange(days), n),
            "unit": np.tile(list(st.name), days),
            "level": np.tile(list(st.level), days),
            "backlog": st.backlog.reshape(-1),
            "hours_tasks": busy[:, :, TASK].reshape(-1),
            "hours_service": (busy[:, :, RESIDENT] + busy[:, :, FILE]).reshape(-1),
            "hours_idle": idle.reshape(-1),
            **(
                {"hours_consultation": busy[:, :, MEETING].reshape(-1)}
                if rec.scenario.consultation is not None
                else {}
            ),
        }
    )


YEARLY_COLUMNS = ["scenario", "replication", "year", "metric", "value"]
YEARLY_TYPES = {
    "scenario": "str",
    "replication": "int64",
    "year": "int64",
    "metric": "str",
    "value": "float64",
}


def yearly(rec: Records) -> pd.DataFrame:
    """The governance mechanisms' yearly series (empty when none is switched on)."""
    out = pd.DataFrame(mechanism_yearly(rec), columns=["year", "metric", "value"])
    out.insert(0, "replication", rec.replication)
    out.insert(0, "scenario", rec.scenario.name)
    if out.empty:  # typed like a full series, so that it concatenates and reads back alike
        out = out.astype(YEARLY_TYPES)
    return out[YEARLY_COLUMNS]
