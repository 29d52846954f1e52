"""What a comparison of reforms found: each arm's results and the paired differences.

`Comparison` is what `sim.compare` returns to a notebook. It keeps the per-replication
summary of every arm (baseline and reforms, run on common random numbers) and the paired
differences reform − baseline with their intervals, and reads them out the way an analyst
asks: a labelled table with units and a verdict (better, worse, no clear change, from the
metric registry's better direction), each arm's own means and intervals, and a figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.experiment.result import interval_table, registry_labels

# the rows a comparison shows when none are asked: metric -> demand type ("" all types)
SHOWN = {
    "resolution_days_mean": "",
    "trips_per_demand_mean": "",
    "wait_minutes_mean": "",
    "staff_hours_share_tasks": "",
    "staff_hours_share_self_governance": "",
    "cost_yuan_per_demand": "",
}
# the columns every table of differences starts with: which row, and both arms' means
DIFFERENCE_KEYS = [
    "metric",
    "demand_type",
    "scenario",
    "baseline_mean",
    "scenario_mean",
    "diff_mean",
]


def paired(
    summary: pd.DataFrame, baseline: str, keys: list[str], column: str = "scenario"
) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each other arm's values beside the baseline's, row by row: what a paired comparison
    rests on. Yields ``(arm, frame)`` with columns ``b`` (baseline), ``s`` (the arm) and
    ``d`` (``s − b``), indexed by `keys`; rows missing (or NaN) in either arm are left out.
    """
    base = summary[summary[column] == baseline].set_index(keys)["value"]
    for name in [x for x in summary[column].unique() if x != baseline]:
        other = summary[summary[column] == name].set_index(keys)["value"]
        both = pd.concat({"b": base, "s": other}, axis=1, join="inner").dropna()
        both["d"] = both["s"] - both["b"]
        yield name, both


Rows = Mapping[str, str] | Iterable[str | tuple[str, str]] | None


def verdict(low: float, high: float, better: str) -> str:
    """Which way a reform moved a metric, read from the interval of its difference and the
    metric's better direction: ``better``, ``worse``, ``no clear change`` (the interval holds
    0) or ``neither is better``."""
    if better == "neither":
        return "neither is better"
    if pd.isna(low) or pd.isna(high) or low <= 0 <= high:
        return "no clear change"
    lower = high < 0
    return "better" if lower == (better == "lower") else "worse"


@dataclass
class Comparison:
    """Reforms set against a baseline on common random numbers.

    Attributes
    ----------
    baseline : str
        Name of the baseline arm.
    differences : DataFrame
        Paired differences: ``metric, demand_type, scenario, baseline_mean, scenario_mean,
        diff_mean, diff_ci_low, diff_ci_high, replications`` (one row per reform, metric and
        demand type).
    summary : DataFrame
        Every arm's tidy summary, one value per metric, demand type and replication.
    seed : int
        Root seed all arms share.
    replications : int
        Paired replications.
    """

    baseline: str
    differences: pd.DataFrame
    summary: pd.DataFrame
    seed: int
    replications: int

    @property
    def reforms(self) -> list[str]:
        """Names of the reform arms, in the order given."""
        return list(dict.fromkeys(self.differences["scenario"]))

    def labels(self) -> dict[str, tuple[str, str, str]]:
        """Label, unit and better direction of each metric compared (metric registry)."""
        return registry_labels(self.differences["metric"].unique())

    def select(self, rows: Rows = None, demand_type: str = "") -> pd.DataFrame:
        """Rows of the differences: a mapping metric -> demand type, (metric, demand type)
        pairs, or metric names (of `demand_type`); the default headline rows when None."""
        d = self.differences
        parts = [
            d[(d["metric"] == m) & (d["demand_type"] == t)] for m, t in _rows(rows, demand_type)
        ]
        parts = [p for p in parts if not p.empty]
        return pd.concat(parts, ignore_index=True) if parts else d.iloc[0:0]

    def table(self, rows: Rows = None, demand_type: str = "") -> pd.DataFrame:
        """The differences as an analyst reads them: label and unit, both arms' means, the
        difference with its interval, and the verdict from the metric's better direction.

        Parameters
        ----------
        rows : mapping, iterable of pairs or of str, optional
            Metric -> demand type, (metric, demand type) pairs, or metric names (of
            `demand_type`); the headline rows when None.
        demand_type : str
            Demand type of metrics given by name (``""``: all types together).
        """
        sel = self.select(rows, demand_type)
        labels = self.labels()
        out = pd.DataFrame(
            {
                "reform": sel["scenario"],
                "metric": [labels.get(m, (m, "", ""))[0] for m in sel["metric"]],
                "unit": [labels.get(m, ("", "", ""))[1] for m in sel["metric"]],
                "demand_type": sel["demand_type"].replace("", "all"),
                self.baseline: sel["baseline_mean"],
                "reform_mean": sel["scenario_mean"],
                "difference": sel["diff_mean"],
                "ci_low": sel["diff_ci_low"],
                "ci_high": sel["diff_ci_high"],
                "verdict": [
                    verdict(lo, hi, labels.get(m, ("", "", "neither"))[2])
                    for m, lo, hi in zip(
                        sel["metric"], sel["diff_ci_low"], sel["diff_ci_high"], strict=True
                    )
                ],
            }
        )
        return out.set_index(["reform", "metric", "demand_type"])

    def arms(
        self,
        metrics: Iterable[str] | None = None,
        demand_type: str | None = "",
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Each arm's own mean and confidence interval over its replications (not paired):
        what the baseline and each reform reached, not only how far apart they are."""
        s = self.summary
        if metrics is not None:
            s = s[s["metric"].isin(list(metrics))]
        if demand_type is not None:
            s = s[s["demand_type"] == demand_type]
        return interval_table(s, level)

    def plot(self, metrics: Iterable[str] | None = None, demand_type: str = "") -> Any:
        """Differences with their intervals, one panel a metric, coloured by verdict."""
        from sim.plots.figures import comparison_figure

        chosen = list(metrics) if metrics is not None else None
        return comparison_figure(
            self.differences,
            metrics=chosen,
            labels=self.labels(),
            baseline=self.baseline,
            demand_type=demand_type,
        )

    def _repr_html_(self) -> str:  # a notebook shows the headline table
        return self.table()._repr_html_()

    def __repr__(self) -> str:
        return (
            f"Comparison({len(self.reforms)} reform(s) against '{self.baseline}', "
            f"{self.replications} paired replications, seed {self.seed})"
        )


def _rows(rows: Rows, demand_type: str) -> list[tuple[str, str]]:
    """(metric, demand type) pairs asked for, in order."""
    if rows is None:
        return list(SHOWN.items())
    if isinstance(rows, Mapping):
        return list(rows.items())
    if isinstance(rows, str):
        return [(rows, demand_type)]
    return [(r, demand_type) if isinstance(r, str) else (r[0], r[1]) for r in rows]
