"""Running a scenario: replications in sequence, tables out, results saved atomically.

`run` is what the CLI and notebooks call. Each replication is independent (its own streams),
so a result depends only on the scenario, the root seed and the number of replications.
"""

from __future__ import annotations

import datetime as _dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from scipy import stats as _stats
from tqdm import tqdm

from sim.experiment.replication import run_replication
from sim.metrics.records import demand_records
from sim.metrics.summary import summary, timeseries
from sim.scenario.schema import Scenario


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
    started, finished : str
        ISO times (UTC) of the start and end of the run.
    """

    scenario: Scenario
    seed: int
    replications: int
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    demands: pd.DataFrame
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
        """Write the tables, manifest and figures to `out_dir` (see `sim.experiment.output`)."""
        from sim.experiment.output import write_run

        return write_run(self, Path(out_dir), figures=figures)


def interval_table(summary_table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, Student-t confidence interval and count of each (scenario, metric, type)."""
    keys = ["scenario", "metric", "demand_type"]
    g = summary_table.groupby(keys, sort=False)["value"]
    out = g.agg(["mean", "std", "count"]).reset_index()
    t = _stats.t.ppf(0.5 + level / 2, (out["count"] - 1).clip(lower=1))
    half = t * out["std"] / out["count"].pow(0.5)
    half = half.where(out["count"] > 1)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out.rename(columns={"count": "replications"}).drop(columns="std")


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
) -> RunResult:
    """Run a scenario over replications and return its tables.

    Parameters
    ----------
    scenario : Scenario
        A scenario from `sim.load_scenario`.
    replications : int, optional
        Number of replications; the scenario's ``replications`` by default.
    seed : int, optional
        Root seed; the scenario's ``seed`` by default.
    progress : bool, optional
        Show a progress bar (it appears only if the run takes more than two seconds).
        Default: when standard error is a terminal.
    """
    n = scenario.replications if replications is None else replications
    seed = scenario.seed if seed is None else seed
    show = sys.stderr.isatty() if progress is None else progress
    started = _now()
    bar = tqdm(
        total=n * scenario.days,
        unit="day",
        desc=scenario.name,
        delay=2.0,
        disable=not show,
        leave=False,
    )
    sums, series, records = [], [], []
    try:
        for r in range(n):
            rep = run_replication(scenario, r, seed, progress=bar.update)
            rec = demand_records(rep)
            sums.append(summary(rep, rec))
            series.append(timeseries(rep))
            records.append(rec)
    finally:
        bar.close()
    return RunResult(
        scenario,
        seed,
        n,
        pd.concat(sums, ignore_index=True),
        pd.concat(series, ignore_index=True),
        pd.concat(records, ignore_index=True),
        started=started,
        finished=_now(),
    )


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
