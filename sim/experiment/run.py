"""Running a scenario over replications: tables out, results stored as they finish.

`run` is what ``govsim run`` and notebooks call. Each replication is independent (its own
streams), so a result depends only on the scenario, the root seed and the number of
replications — not on the executor or the number of workers.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.experiment.experiment import Experiment, safe_key
from sim.experiment.jobs import TABLES
from sim.experiment.options import RunOptions
from sim.experiment.output import save_figures, write_tables
from sim.experiment.result import RunResult, interval_table
from sim.metrics.headline import HEADLINE
from sim.metrics.records import RECORD_COLUMNS
from sim.metrics.warmup import daily_backlog, mser5
from sim.scenario.schema import Scenario

PRECISION_BATCH = 4
PILOT_REPLICATIONS = 2


@dataclass(frozen=True)
class Precision:
    """Add replications until every headline metric is known to a given precision.

    Parameters
    ----------
    target : float
        Largest 95% interval half-width allowed, as a fraction of the metric's mean.
    max_replications : int
        Stop here even if the target is not reached.
    """

    target: float
    max_replications: int = 100


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
    options: RunOptions | None = None,
    precision: Precision | float | None = None,
    warmup: str | int | None = None,
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
    options : RunOptions, optional
        Workers or a Dask cluster, the run folder (each replication is stored as it
        finishes, the tables, manifest and figures are written at the end, and rerunning into
        the same folder resumes), progress and figures.
    precision : Precision or float, optional
        Add replications in batches until every headline metric's 95% interval half-width
        is within this fraction of its mean (a float: at most 100 replications).
    warmup : "auto" or int, optional
        Warm-up days to leave out; ``"auto"`` detects it with MSER-5 on the daily backlog of
        two pilot replications. Default: the scenario's ``warmup_days``.
    """
    options = options or RunOptions()
    if isinstance(precision, int | float):
        precision = Precision(float(precision))
    started = _now()
    seed = scenario.seed if seed is None else seed
    meta: dict = {}
    if warmup == "auto":
        meta["warmup"] = detect_warmup(scenario, seed, options)
        scenario = scenario.model_copy(update={"warmup_days": meta["warmup"]["days"]})
    elif warmup is not None:
        scenario = scenario.model_copy(update={"warmup_days": int(warmup)})
    key = safe_key(scenario.name)
    exp = Experiment({key: scenario}, seed, options, TABLES)
    try:  # the run folder stays locked until its tables are written
        n = scenario.replications if replications is None else replications
        if precision is not None:
            n = max(n, 3)
        exp.ensure(n)
        if precision is not None:
            while True:
                report = precision_report(exp.table("summary"), precision.target)
                if all(r["held"] for r in report.values()) or n >= precision.max_replications:
                    break
                n = min(n + PRECISION_BATCH, precision.max_replications)
                exp.ensure(n)
            meta["precision"] = {"target": precision.target, "replications": n, "metrics": report}
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
            write_tables(exp.store.root, result.tables())
            exp.store.update_manifest(
                replications=n,
                started=exp.store.manifest.get("started", started),
                finished=result.finished,
                **meta,
            )
            if options.figures:
                save_figures(result, exp.store.root)
    finally:
        exp.close()
    return result


def detect_warmup(scenario: Scenario, seed: int, options: RunOptions | None = None) -> dict:
    """Run pilot replications from empty (in memory, on the given workers) and pick the
    warm-up with MSER-5 on their daily backlog."""
    options = options or RunOptions()
    pilot = scenario.model_copy(update={"warmup_days": 0})
    quiet = RunOptions(workers=options.workers, scheduler=options.scheduler, progress=False)
    exp = Experiment({"pilot": pilot}, seed, quiet, ("summary", "timeseries"))
    exp.ensure(PILOT_REPLICATIONS)
    days = mser5(daily_backlog(exp.table("timeseries")))
    days = min(days, scenario.days - 1)
    return {
        "method": "MSER-5 on the daily backlog",
        "days": int(days),
        "pilot_replications": PILOT_REPLICATIONS,
    }


def typed_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Demand records with their declared types (replications travel and are stored with
    their text as categories; columns already of their type are not copied)."""
    if frame.empty:
        return frame
    types = {k: v for k, v in RECORD_COLUMNS.items() if k in frame.columns}
    coded = [k for k, v in types.items() if v == "string" and frame[k].dtype == "category"]
    if coded:
        frame = frame.assign(**{k: decoded_text(frame[k]) for k in coded})
    return frame.astype(types)


def decoded_text(column: pd.Series) -> pd.Series:
    """A text column held as categories, as pandas' text type: the same values as
    ``astype("string")``, decoded by Arrow from the codes instead of through one Python
    string per row (a city-year's 3.9 million rows: a quarter of the time, and no 0.2 GB
    passing copy per column)."""
    import pyarrow as pa

    codes = column.cat.codes.to_numpy()
    dictionary = pa.array(column.cat.categories.to_numpy(dtype=object), pa.large_string())
    values = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), dictionary)
    text = values.dictionary_decode().to_pandas(types_mapper=lambda _: pd.StringDtype())
    return pd.Series(text.array, index=column.index, name=column.name)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
