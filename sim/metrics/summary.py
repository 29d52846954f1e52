"""Reducers: one replication's records and station monitors into tidy tables.

``summary`` rows are ``scenario, replication, metric, demand_type, value`` (``demand_type``
empty for all types together); ``timeseries`` rows are one per day and station. Every metric
is defined in docs/metrics.md. Demands that arrive during the warm-up are left out, and so are
the staff hours of warm-up days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.clock import DAY
from sim.experiment.replication import Replication
from sim.rules.priority import FILE, MEETING, N_CLASSES, RESIDENT, TASK

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
)


def demand_metrics(records: pd.DataFrame) -> dict[str, float]:
    """Metrics of a set of demand records (resolved ones for times, trips and hand-offs)."""
    n = len(records)
    done = records[records["outcome"] == "resolved"]
    nan = float("nan")

    def mean(col: str) -> float:
        return float(done[col].mean()) if len(done) else nan

    return {
        "demands": float(n),
        "resolution_days_mean": mean("resolution_days"),
        "resolution_days_p90": float(done["resolution_days"].quantile(0.9)) if len(done) else nan,
        "wait_minutes_mean": mean("wait_minutes"),
        "trips_per_demand_mean": mean("trips"),
        "handoffs_per_demand_mean": mean("handoffs"),
        "units_visited_mean": mean("units_visited"),
        "resolved_share": len(done) / n if n else nan,
        "abandoned_share": float((records["outcome"] == "abandoned").mean()) if n else nan,
        "open_share": float((records["outcome"] == "open").mean()) if n else nan,
        "online_share": float(records["online"].mean()) if n else nan,
    }


def summary(rep: Replication, records: pd.DataFrame) -> pd.DataFrame:
    """Tidy summary of one replication."""
    s = rep.scenario
    warm = s.warmup_days
    rec = records[records["arrival_min"] >= warm * DAY]
    rows: list[tuple[str, str, float]] = []
    for k, v in demand_metrics(rec).items():
        rows.append((k, "", v))
    for dtype in s.demands:
        for k, v in demand_metrics(rec[rec["demand_type"] == dtype]).items():
            rows.append((k, dtype, v))
    for k, v in staff_metrics(rep).items():
        rows.append((k, "", v))
    n_dem = len(rec)
    rows.append(("cost_yuan_per_demand", "", staff_cost(rep) / n_dem if n_dem else float("nan")))
    rows.append(("satisfaction_mean", "", float(np.mean(rep.population.satisfaction))))
    for k, v in task_metrics(rep).items():
        rows.append((k, "", v))
    for mech in rep.mechanisms:
        for (k, dtype), v in mech.metrics().items():
            rows.append((k, dtype, v))
    out = pd.DataFrame(rows, columns=["metric", "demand_type", "value"])
    out.insert(0, "replication", rep.index)
    out.insert(0, "scenario", s.name)
    return out[SUMMARY_COLUMNS]


ACTIVITIES = ("tasks", "service", "self_governance", "consultation")


def station_hours(rep: Replication, level: str | None = None) -> np.ndarray:
    """Minutes by (day, activity) summed over stations of `level`: tasks, service, idle and
    consultation meetings (the columns of `ACTIVITIES`)."""
    out = np.zeros((rep.scenario.days, len(ACTIVITIES)))
    for st in rep.district.stations:
        if not st.servers or (level is not None and st.level != level):
            continue
        busy = np.array(st.busy).reshape(-1, N_CLASSES)
        out[:, 0] += busy[:, TASK]
        out[:, 1] += busy[:, RESIDENT] + busy[:, FILE]
        out[:, 2] += np.array(st.idle)
        out[:, 3] += busy[:, MEETING]
    return out


def staff_metrics(rep: Replication) -> dict[str, float]:
    """How community staff spend their hours, and how busy each level's windows are."""
    warm = rep.scenario.warmup_days
    out: dict[str, float] = {}
    hours = station_hours(rep, "community")[warm:].sum(axis=0)
    total = hours.sum()
    for name, v in zip(ACTIVITIES, hours, strict=True):
        if name == "consultation" and rep.scenario.consultation is None:
            continue  # reported only where consultation is modelled
        out[f"staff_hours_share_{name}"] = float(v / total) if total else float("nan")
    days = rep.scenario.days - warm
    n_comm = rep.scenario.structure.communities
    out["staff_hours_per_community_day"] = float(total / 60.0 / days / n_comm)
    levels = sorted({st.level for st in rep.district.stations if st.servers})
    for level in levels:
        h = station_hours(rep, level)[warm:].sum(axis=0)
        busy = h[0] + h[1] + h[3]
        out[f"utilisation_{level}"] = float(busy / (busy + h[2])) if busy + h[2] else float("nan")
    return out


def staff_cost(rep: Replication) -> float:
    """Yuan paid to the staff of every unit over the post-warm-up days."""
    s = rep.scenario
    years = (s.days - s.warmup_days) / 365.0
    return float(sum(st.servers * st.staff_cost for st in rep.district.stations) * years)


def task_metrics(rep: Replication) -> dict[str, float]:
    """Top-down work received by communities and what is left undone at the end."""
    r, s = rep.router, rep.scenario
    n_comm = s.structure.communities
    years = s.days / 365.0
    is_task = np.array(r.w_kind, dtype=np.int8) == 0
    arrived = np.array(r.w_time, dtype=float)
    done = np.array(r.w_done, dtype=float)
    left = np.array(r.w_left, dtype=float)
    finished = is_task & ~np.isnan(done)
    return {
        "tasks_per_community_year": float(is_task.sum() / n_comm / years),
        "task_days_mean": float(np.mean((done - arrived)[finished]) / DAY)
        if finished.any()
        else float("nan"),
        "task_backlog_hours_end": float(np.clip(left, 0, None).sum() / 60.0 / n_comm),
    }


def timeseries(rep: Replication) -> pd.DataFrame:
    """Daily backlog and staff hours by activity, one row per day and station.

    ``hours_idle`` is time windows stood free while open; for community staff it is the
    time left for self-governance work (居民自治)."""
    st = rep.district.stations
    days = rep.scenario.days
    n = len(st)
    busy = np.stack([np.array(x.busy).reshape(-1, N_CLASSES) for x in st], axis=1) / 60.0
    idle = np.stack([np.array(x.idle) for x in st], axis=1) / 60.0
    return pd.DataFrame(
        {
            "scenario": rep.scenario.name,
            "replication": rep.index,
            "day": np.repeat(np.arange(days), n),
            "unit": np.tile([x.name for x in st], days),
            "level": np.tile([x.level for x in st], days),
            "backlog": rep.backlog.reshape(-1),
            "hours_tasks": busy[:, :, TASK].reshape(-1),
            "hours_service": (busy[:, :, RESIDENT] + busy[:, :, FILE]).reshape(-1),
            "hours_idle": idle.reshape(-1),
            **(
                {"hours_consultation": busy[:, :, MEETING].reshape(-1)}
                if rep.scenario.consultation is not None
                else {}
            ),
        }
    )


YEARLY_COLUMNS = ["scenario", "replication", "year", "metric", "value"]


def yearly(rep: Replication) -> pd.DataFrame:
    """The governance mechanisms' yearly series (empty when none is switched on)."""
    rows = [row for mech in rep.mechanisms for row in mech.yearly()]
    out = pd.DataFrame(rows, columns=["year", "metric", "value"])
    out.insert(0, "replication", rep.index)
    out.insert(0, "scenario", rep.scenario.name)
    return out[YEARLY_COLUMNS]
