"""Reducers of the burden and two-way evaluation tallies: tasks pushed back, the departments'
habits of pushing, the gate, funds following tasks, the task share of staff time by year, and
the yearly ratings.

Pure functions of a replication's `Records` (see docs/metrics.md). The burden metrics cover
the whole run, warm-up included, as the core's task metrics do.
"""

from __future__ import annotations

import numpy as np

from sim.clock import YEAR
from sim.metrics.reduce import rated_mean, rated_min, ratio
from sim.metrics.staff import station_hours
from sim.processes.burden import BurdenTally, year_bounds
from sim.processes.evaluation import EvaluationTally
from sim.processes.records import TASK_ITEM, Records

Rows = dict[tuple[str, str], float]
Yearly = list[tuple[int, str, float]]


def burden_metrics(t: BurdenTally, rec: Records) -> Rows:
    """Summary over the whole run: tasks pushed back per community and year, the shares the
    gate rejected, departments withheld and came funded, hours bought, the last year's
    tasks and task share of staff time, and the push rule's habit and attraction."""
    s = rec.scenario
    n_comm = s.structure.communities
    run_years = s.days / 365.0
    assigned = float(t.assigned.sum())
    tried = assigned + float(t.withheld.sum())
    per_year = tasks_per_community(t, rec)
    share = staff_share_tasks(t, rec)
    return {
        ("tasks_pushed_back_per_community_year", ""): float(t.pushed.sum() / n_comm / run_years),
        ("tasks_rejected_by_gate_share", ""): ratio(t.rejected.sum(), assigned),
        ("tasks_withheld_share", ""): ratio(t.withheld.sum(), tried),
        ("funded_task_share", ""): ratio(t.funded.sum(), assigned),
        ("bought_hours_per_community_year", ""): float(
            t.bought_minutes.sum() / 60.0 / n_comm / run_years
        ),
        ("tasks_per_community_last_year", ""): float(per_year[-1]),
        ("staff_hours_share_tasks_last_year", ""): float(share[-1]),
        ("push_habit_mean", ""): float(t.habit[-1]),
        ("push_attraction", ""): float(t.attraction),
    }


def burden_yearly(t: BurdenTally, rec: Records) -> Yearly:
    """Per year of the run: the tasks communities receive, the would-be tasks and those the
    departments did not try, the gate's rejections, withheld and funded tasks, bought hours,
    the task share of staff time and the departments' mean habit at the year's end."""
    n_comm = rec.scenario.structure.communities
    per_comm = n_comm * year_fractions(t, rec)
    assigned = t.assigned.sum(axis=1)
    would_be = t.pushed + t.rejected + t.withheld + t.kept
    series = {
        "tasks_per_community": tasks_per_community(t, rec),
        "would_be_tasks_per_community": would_be / per_comm,
        "tasks_not_tried_per_community": t.kept / per_comm,
        "tasks_pushed_back_per_community": t.pushed / per_comm,
        "tasks_rejected_by_gate_per_community": t.rejected / per_comm,
        "tasks_withheld_per_community": t.withheld / per_comm,
        "funded_task_share": np.array(
            [ratio(f, a) for f, a in zip(t.funded.sum(axis=1), assigned, strict=True)]
        ),
        "bought_hours_per_community": t.bought_minutes / 60.0 / per_comm,
        "staff_hours_share_tasks": staff_share_tasks(t, rec),
        "push_habit_mean": t.habit,
    }
    return [(y, name, float(values[y])) for name, values in series.items() for y in range(t.years)]


def year_fractions(t: BurdenTally, rec: Records) -> np.ndarray:
    """Share of each year of the run that the run covers (1 but for a partial last year)."""
    bounds = [year_bounds(rec.scenario, y) for y in range(t.years)]
    return np.array([(end - start) / YEAR for start, end in bounds])


def tasks_per_community(t: BurdenTally, rec: Records) -> np.ndarray:
    """Task items (core and pushed back; not plaques or assessments) each community received
    in each year, per community, annualised for a partial last year."""
    w = rec.work
    year = (w.time // YEAR).astype(int)
    counts = np.bincount(year[w.kind == TASK_ITEM], minlength=t.years)[: t.years]
    return counts / rec.scenario.structure.communities / year_fractions(t, rec)


def staff_share_tasks(t: BurdenTally, rec: Records) -> np.ndarray:
    """Share of community staff hours spent on top-down work (tasks, plaques, assessments)
    in each year, as ``staff_hours_share_tasks`` (by the day work started)."""
    days = station_hours(rec.stations, "community")
    year = np.arange(len(days)) // 365
    hours = np.stack(
        [np.bincount(year, weights=days[:, k], minlength=t.years) for k in range(4)], 1
    )
    total = hours.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hours[:, 0] / total


def evaluation_metrics(t: EvaluationTally, rec: Records) -> Rows:
    """The last year's ratings and the departments' factors after them."""
    last = t.ratings[-1]
    return {
        ("community_rating_mean", ""): rated_mean(last.communities),
        ("community_rating_min", ""): rated_min(last.communities),
        ("department_rating_mean", ""): rated_mean(last.departments),
        ("push_factor_mean", ""): rated_mean(last.push_factor),
    }


def evaluation_yearly(t: EvaluationTally, rec: Records) -> Yearly:
    """Per year: communities' mean and lowest rating, departments' mean rating and mean
    factor on unfunded tasks for the next year."""
    rows: Yearly = []
    for r in t.ratings:
        rows += [
            (r.year, "community_rating_mean", rated_mean(r.communities)),
            (r.year, "community_rating_min", rated_min(r.communities)),
            (r.year, "department_rating_mean", rated_mean(r.departments)),
            (r.year, "push_factor_mean", rated_mean(r.push_factor)),
        ]
    return rows
