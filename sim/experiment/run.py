"""Running a scenario over replications: tables out, results stored as they finish.

`run` is what ``govsim run`` and notebooks call. Each replication is independent (its own
streams), so a result depends only on the scenario, the root seed and the number of
replications — not on the executor or the number of workers.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as _stats

from sim.experiment.experiment import Experiment, safe_key
from sim.experiment.jobs import TABLES
from sim.experiment.output import save_figures, write_tables
from sim.experiment.warmup import daily_backlog, detect_warmup, mser5
from sim.metrics.headline import HEADLINE
from sim.metrics.records import RECORD_COLUMNS
from sim.scenario.schema import Scenario

PRECISION_BATCH = 4


@dataclass
class RunResult:
    """Tables of a run of one scenario over replications.

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario.
    seed : int
        Root seed.
    replications : int
        Number of replications.
    summary, timeseries, demands : DataFrame
        Tidy summary, daily series per station, one record per demand.
    yearly : DataFrame
        Yearly series of the governance mechanisms (empty when none is on).
    started, finished : str
        ISO times (UTC) of the start and end of the run.
    meta : dict
        Warm-up and precision reports.
    """

    scenario: Scenario
    seed: int
    replications: int
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    demands: pd.DataFrame
    yearly: pd.DataFrame = field(default_factory=pd.DataFrame)
    started: str = ""
    finished: str = ""
    meta: dict = field(default_factory=dict)

    def stats(
        self,
        level: float = 0.95,
        metrics: list[str] | None = None,
        demand_type: str | None = None,
    ) -> pd.DataFrame:
        """Mean and confidence interval over replications of every metric (or of `metrics`,
        for one `demand_type`; ``""`` is all types together)."""
        table = self.summary
        if metrics is not None:
            table = table[table["metric"].isin(metrics)]
        if demand_type is not None:
            table = table[table["demand_type"] == demand_type]
        return interval_table(table, level)

    def metric(self, name: str, demand_type: str = "") -> pd.Series:
        """Values of one metric, one per replication."""
        s = self.summary
        sel = s[(s["metric"] == name) & (s["demand_type"] == demand_type)]
        return sel.set_index("replication")["value"]

    def save(self, out_dir: str | Path, figures: bool = True) -> Path:
        """Write the tables, manifest and figures to `out_dir`."""
        from sim.experiment.output import write_run

        return write_run(self, Path(out_dir), figures=figures)


def interval_table(summary_table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, Student-t confidence interval and count of each (scenario, metric, type)."""
    keys = ["scenario", "metric", "demand_type"]
    g = summary_table.groupby(keys, sort=False)["value"]
    out = g.agg(["mean", "std", "count"]).reset_index()
    half = half_width(out["std"], out["count"], level)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out.rename(columns={"count": "replications"}).drop(columns="std")


def half_width(std: pd.Series, count: pd.Series, level: float = 0.95) -> pd.Series:
    """Half-width of the Student-t interval of a mean (NaN below two replications)."""
    t = _stats.t.ppf(0.5 + level / 2, (count - 1).clip(lower=1))
    return (t * std / np.sqrt(count)).where(count > 1)


def precision_report(
    summary_table: pd.DataFrame, target: float, metrics: list[str] = HEADLINE
) -> dict[str, dict[str, float | bool]]:
    """Relative half-width of each headline metric (all demand types) and whether it is
    within `target`."""
    sel = summary_table[
        summary_table["metric"].isin(metrics) & (summary_table["demand_type"] == "")
    ]
    table = interval_table(sel)
    out: dict[str, dict[str, float | bool]] = {}
    for row in table.itertuples(index=False):
        half = (row.ci_high - row.mean) if row.replications > 1 else np.inf
        if not np.isfinite(row.mean):
            continue  # undefined in this scenario (e.g. no resolved demand of a kind)
        rel = 0.0 if half == 0 else (half / abs(row.mean) if row.mean else np.inf)
        out[row.metric] = {"relative_half_width": float(rel), "held": bool(rel <= target)}
    return out


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    *,
    workers: int | None = None,
    scheduler: object | None = None,
    out: str | Path | None = None,
    precision: float | None = None,
    max_replications: int = 100,
    warmup: str | int | None = None,
    figures: bool = True,
) -> RunResult:
    """Run a scenario over replications and return its tables.

    Parameters
    ----------
    scenario : Scenario
        A scenario from `sim.load_scenario`.
    replications : int, optional
        Number of replications; the scenario's ``replications`` by default. With
        `precision`, the first batch.
    seed : int, optional
        Root seed; the scenario's ``seed`` by default.
    progress : bool, optional
        Show a progress bar (only if the run takes more than two seconds). Default: when
        standard error is a terminal.
    workers : int, optional
        Local worker processes (all cores by default).
    scheduler : str or distributed.Client, optional
        Run on a Dask cluster instead.
    out : path, optional
        Run folder: each replication is stored as it finishes, the tables, manifest and
        figures are written at the end, and rerunning into the same folder resumes.
    precision : float, optional
        Add replications in batches until every headline metric's 95% interval half-width
        is within this fraction of its mean, or `max_replications` is reached.
    max_replications : int
        Cap for `precision`.
    warmup : "auto" or int, optional
        Warm-up days to leave out; ``"auto"`` detects it with MSER-5 on the daily backlog of
        two pilot replications. Default: the scenario's ``warmup_days``.
    figures : bool
        Draw the PNG figures into `out`.
    """
    started = _now()
    seed = scenario.seed if seed is None else seed
    meta: dict = {}
    if warmup == "auto":
        meta["warmup"] = detect_warmup(scenario, seed, workers, scheduler)
        scenario = scenario.model_copy(update={"warmup_days": meta["warmup"]["days"]})
    elif warmup is not None:
        scenario = scenario.model_copy(update={"warmup_days": int(warmup)})
    key = safe_key(scenario.name)
    exp = Experiment(
        {key: scenario}, seed, Path(out) if out else None, workers, scheduler, TABLES, progress
    )
    n = scenario.replications if replications is None else replications
    if precision is not None:
        n = max(n, 3)
    exp.ensure(n)
    if precision is not None:
        while True:
            report = precision_report(exp.table("summary"), precision)
            if all(r["held"] for r in report.values()) or n >= max_replications:
                break
            n = min(n + PRECISION_BATCH, max_replications)
            exp.ensure(n)
        meta["precision"] = {"target": precision, "replications": n, "metrics": report}
    series = exp.table("timeseries")
    meta.setdefault("warmup", {"method": "fixed (scenario warmup_days)"})
    meta["warmup"].update(
        days_used=scenario.warmup_days, mser5_suggestion_days=mser5(daily_backlog(series))
    )
    result = RunResult(
        scenario,
        seed,
        n,
        exp.table("summary"),
        series,
        typed_records(exp.table("demands")),
        exp.table("yearly"),
        started=started,
        finished=_now(),
        meta=meta,
    )
    if exp.store is not None:
        tables = {
            "summary": result.summary,
            "timeseries": result.timeseries,
            "demands": result.demands,
        }
        if not result.yearly.empty:
            tables["yearly"] = result.yearly
        write_tables(exp.store.root, tables)
        exp.store.update_manifest(
            replications=n,
            started=exp.store.manifest.get("started", started),
            finished=result.finished,
            **meta,
        )
        if figures:
            save_figures(result, exp.store.root)
    return result


def typed_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Demand records with their declared types (replications travel and are stored with
    their text as categories)."""
    if frame.empty:
        return frame
    return frame.astype({k: v for k, v in RECORD_COLUMNS.items() if k in frame.columns})


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
