"""The result of a run: a scenario's tables over replications, with means and intervals.

`RunResult` is what `sim.run` returns to a notebook: tidy tables (summary, daily series, one
record per demand, the mechanisms' yearly series) and the means with Student-t confidence
intervals over replications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.output import base_manifest, save_figures, write_manifest, write_tables
from sim.plots.intervals import half_width
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

    def labels(self) -> dict[str, tuple[str, str, str]]:
        """Label, unit and better direction of every metric of the summary, from the
        metric registry (for figures)."""
        return registry_labels(self.summary["metric"].unique())

    def plot(self, out_dir: str | Path | None = None) -> list:
        """The standard figures (resolution by type, backlog, staff time) as matplotlib
        figures; with `out_dir`, also written there as PNG files."""
        from sim.plots import figures

        labels = self.labels()
        warmup = float(self.meta.get("warmup", {}).get("days_used", self.scenario.warmup_days))
        made = [
            figures.resolution_by_type(self.summary, labels),
            figures.backlog_by_level(self.timeseries, warmup, labels),
            figures.staff_time(self.summary, labels),
        ]
        if out_dir is not None:
            save_figures(self, Path(out_dir))
        return made

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables to write, by name (the yearly series only when a mechanism is on)."""
        out = {"summary": self.summary, "timeseries": self.timeseries, "demands": self.demands}
        if not self.yearly.empty:
            out["yearly"] = self.yearly
        return out

    def save(self, out_dir: str | Path, figures: bool = True) -> Path:
        """Write the tables, manifest and figures to `out_dir`; return it."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_tables(out_dir, self.tables())
        info = base_manifest({self.scenario.name: self.scenario}, self.seed)
        info.update(
            replications=self.replications,
            started=self.started,
            finished=self.finished,
            **self.meta,
        )
        write_manifest(out_dir, info)
        if figures:
            save_figures(self, out_dir)
        return out_dir


def registry_labels(names: Any) -> dict[str, tuple[str, str, str]]:
    """Label, unit and better direction of each registered metric among `names`
    (`sim.metric_labels`, imported when first needed)."""
    from sim.metrics.registry import metric_labels

    return metric_labels(names)


def interval_table(summary_table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, Student-t confidence interval and count of each (scenario, metric, type).

    A missing ``demand_type`` (NaN, as a plain ``pd.read_csv`` of ``summary.csv`` reads the
    empty text of the all-types rows) counts as ``""``, all demand types together.
    """
    keys = ["scenario", "metric", "demand_type"]
    if summary_table["demand_type"].isna().any():
        summary_table = summary_table.assign(demand_type=summary_table["demand_type"].fillna(""))
    g = summary_table.groupby(keys, sort=False)["value"]
    out = g.agg(["mean", "std", "count"]).reset_index()
    half = half_width(out["std"], out["count"], level)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out.rename(columns={"count": "replications"}).drop(columns="std")


__all__ = ["RunResult", "half_width", "interval_table", "registry_labels"]
