"""Paired comparison of reforms with a baseline: the difference, with its confidence interval.

Baseline and reforms run the same replications under one root seed, so replication r of each
sees the same residents and demands wherever their structures allow (common random numbers).
The headline result is, for every metric and demand type, the mean of the per-replication
differences reform − baseline and its Student-t interval: pairing removes the variation the
two share, which is why the interval is narrower than that of two independent runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.comparison import DIFFERENCE_KEYS, Comparison, paired
from sim.experiment.experiment import Experiment, safe_key
from sim.experiment.options import RunOptions
from sim.experiment.result import half_width
from sim.experiment.store import atomic_write_frame
from sim.experiment.uncertain import PosteriorComparison, compare_posterior
from sim.scenario.schema import Scenario

COMPARISON_COLUMNS = [
    *DIFFERENCE_KEYS,
    "diff_ci_low",
    "diff_ci_high",
    "replications",
]


def paired_differences(summary: pd.DataFrame, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Reform − baseline differences per replication, reduced to means and intervals.

    Parameters
    ----------
    summary : DataFrame
        Tidy summary with several scenarios and the same replication indices.
    baseline : str
        Name of the baseline scenario in `summary`.
    level : float
        Confidence level of the intervals.
    """
    rows = []
    for name, both in paired(summary, baseline, ["metric", "demand_type", "replication"]):
        g = both.groupby(level=["metric", "demand_type"], sort=False)
        agg = g.agg(
            baseline_mean=("b", "mean"),
            scenario_mean=("s", "mean"),
            diff_mean=("d", "mean"),
            diff_std=("d", "std"),
            replications=("d", "count"),
        )
        half = half_width(agg["diff_std"], agg["replications"], level)
        agg["diff_ci_low"] = agg["diff_mean"] - half
        agg["diff_ci_high"] = agg["diff_mean"] + half
        agg["scenario"] = name
        rows.append(agg.reset_index())
    if not rows:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    return out[COMPARISON_COLUMNS]


def compare(
    baseline: Scenario,
    reforms: list[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    options: RunOptions | None = None,
    posterior: Any = None,
    draws: int = 20,
) -> Comparison | PosteriorComparison:
    """Run a baseline and reforms side by side: each arm's results and their paired
    differences.

    Parameters
    ----------
    baseline : Scenario
        The reference scenario.
    reforms : list of Scenario
        Scenarios compared with it.
    replications : int, optional
        Replications of each (the baseline's ``replications`` by default, at least 2).
    seed : int, optional
        Root seed shared by all (the baseline's by default).
    options : RunOptions, optional
        As for `sim.run`; the run folder gets ``comparison.csv``, ``summary.csv``,
        ``comparison.png`` and the stored replications, and a rerun into it resumes.
    posterior : str, Path or Posterior, optional
        A calibration's posterior (`govsim calibrate`): run every arm under `draws` sets of
        assumptions drawn from it, `replications` each, and report the effects with the
        uncertainty of parameters and randomness together (`sim.experiment.uncertain`).
    draws : int
        Sets of assumptions drawn from the posterior.

    Returns
    -------
    Comparison
        ``.differences`` (columns ``metric, demand_type, scenario, baseline_mean,
        scenario_mean, diff_mean, diff_ci_low, diff_ci_high, replications``), ``.summary``
        (every arm's replications), ``.table()``, ``.arms()`` and ``.plot()``; with a
        posterior, a `PosteriorComparison` (``.effects``, ``.differences``, ``.draws``).
    """
    if posterior is not None:
        return compare_posterior(baseline, reforms, posterior, draws, replications, seed, options)
    options = options or RunOptions()
    seed = baseline.seed if seed is None else seed
    n = max(2, baseline.replications if replications is None else replications)
    scenarios = {safe_key(baseline.name): baseline}
    for s in reforms:
        key = safe_key(s.name)
        while key in scenarios:
            key += "_"
        if key != s.name:  # two scenarios of one name: the table needs them apart
            s = s.model_copy(update={"name": key})
        scenarios[key] = s
    tables = ("summary",) if options.out is None else ("summary", "timeseries")
    manifest = {"kind": "comparison", "baseline": baseline.name}
    exp = Experiment(scenarios, seed, options, tables, manifest)
    try:
        exp.ensure(n)
        summary = exp.table("summary")
        table = paired_differences(summary, baseline.name)
        if exp.store is not None:
            root = exp.store.root
            atomic_write_frame(root / "comparison.csv", table)
            atomic_write_frame(root / "summary.csv", summary)
            exp.store.update_manifest(replications=n)
            if options.figures:
                from sim.plots.figures import save_figure

                fig = Comparison(baseline.name, table, summary, seed, n).plot()
                save_figure(fig, root / "comparison.png")
    finally:
        exp.close()  # the folder's lock is released whatever happened
    return Comparison(baseline.name, table, summary, seed, n)


def readable(
    table: pd.DataFrame, metrics: list[str], demand_type: str = "", baseline: str = "baseline"
) -> str:
    """A plain-text table of differences with intervals, for the terminal, headed
    ``reform − <baseline's name>``."""
    sel = table[table["metric"].isin(metrics) & (table["demand_type"] == demand_type)]
    lines = []
    for name, part in sel.groupby("scenario", sort=False):
        n = int(part["replications"].max())
        lines.append(f"{name} − {baseline} ({n} paired replications)")
        width = max(len(m) for m in part["metric"])
        for row in part.itertuples(index=False):
            ci = f"[{row.diff_ci_low:+.4g}, {row.diff_ci_high:+.4g}]"
            if not np.isfinite(row.diff_ci_low):
                ci = ""
            lines.append(
                f"  {row.metric:<{width}}  {row.baseline_mean:>10.4g} → "
                f"{row.scenario_mean:<10.4g} diff {row.diff_mean:+.4g} {ci}"
            )
    return "\n".join(lines)
