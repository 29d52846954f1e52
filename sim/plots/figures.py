"""Figures of a run, drawn from its tables: resolution time, backlog, staff time, and the
differences a reform makes.

Each function takes tidy tables (as returned by `sim.run` or read from results/) and returns a
matplotlib Figure; `save_run_figures` writes the standard set as PNG files. With more than one
replication every figure shows its uncertainty: 95% Student-t intervals of the mean over
replications as error bars or bands. Labels, units and the better direction of each metric
come from the metric registry, handed in as `labels` (figures import nothing of the model).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.intervals import half_width

COMPARED = [
    "resolution_days_mean",
    "trips_per_demand_mean",
    "handoffs_per_demand_mean",
    "wait_minutes_mean",
    "staff_hours_share_self_governance",
    "cost_yuan_per_demand",
]
SHARES = [
    "staff_hours_share_tasks",
    "staff_hours_share_service",
    "staff_hours_share_self_governance",
]
SHARE_NAMES = ["assigned tasks", "service", "self-governance"]
BETTER = {"lower": "lower is better", "higher": "higher is better", "neither": ""}

Labels = Mapping[str, tuple[str, str, str]]  # metric -> (label, unit, better direction)


def _label(metric: str, labels: Labels | None) -> str:
    """'Label (unit; lower is better)' from the registry, else the metric's name."""
    if not labels or metric not in labels:
        return metric
    label, unit, better = labels[metric]
    notes = "; ".join(x for x in (unit, BETTER.get(better, "")) if x)
    return f"{label} ({notes})" if notes else label


def mean_and_half(frame: pd.DataFrame, keys: list[str], value: str = "value") -> pd.DataFrame:
    """Mean over replications and the half-width of its 95% Student-t interval (0 with a
    single replication), by `keys`."""
    g = frame.groupby(keys)[value].agg(["mean", "std", "count"])
    g["half"] = half_width(g["std"], g["count"]).fillna(0.0)
    return g[["mean", "half", "count"]]


def resolution_by_type(summary: pd.DataFrame, labels: Labels | None = None) -> Figure:
    """Mean days from need to resolution by demand type and scenario, with 95% intervals
    over replications."""
    sel = summary[(summary["metric"] == "resolution_days_mean") & (summary["demand_type"] != "")]
    sel = sel[~sel["demand_type"].str.contains("/", regex=False)]  # types, not item classes
    g = mean_and_half(sel, ["demand_type", "scenario"])
    means, half = g["mean"].unstack(), g["half"].unstack()
    fig, ax = plt.subplots(figsize=(7, 4))
    means.plot.bar(ax=ax, rot=0, yerr=half, capsize=3)
    ax.set_ylabel(_label("resolution_days_mean", labels))
    ax.set_xlabel("demand type")
    reps = int(g["count"].max()) if len(g) else 0
    ax.set_title(f"Resolution time by demand type ({_reps(reps)})")
    fig.tight_layout()
    return fig


def backlog_by_level(
    series: pd.DataFrame, warmup_days: float = 0.0, labels: Labels | None = None
) -> Figure:
    """Work waiting at midnight, summed over the units of each level, with a 95% band over
    replications; the warm-up left out of the summary is shaded."""
    daily = series.groupby(["scenario", "replication", "day", "level"])["backlog"].sum()
    g = mean_and_half(daily.reset_index(), ["scenario", "level", "day"], "backlog")
    units = series.groupby("level")["unit"].nunique() if "unit" in series else pd.Series()
    fig, ax = plt.subplots(figsize=(7, 4))
    for (scenario, level), part in g.groupby(level=["scenario", "level"]):
        days = part.index.get_level_values("day")
        n = int(units.get(level, 0))
        name = f"{scenario}: {level}" + (f" ({n} units)" if n else "")
        (line,) = ax.plot(days, part["mean"], lw=0.9, label=name)
        if (part["half"] > 0).any():
            lo = (part["mean"] - part["half"]).clip(lower=0.0)  # a count is not negative
            hi = part["mean"] + part["half"]
            ax.fill_between(days, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    if warmup_days > 0:
        ax.axvspan(0, warmup_days, color="grey", alpha=0.15, label="warm-up (left out)")
    ax.set_xlabel("day")
    ax.set_ylabel("items waiting at midnight (sum over the level's units)")
    reps = int(g["count"].max()) if len(g) else 0
    ax.set_title(f"Backlog carried overnight ({_reps(reps)})")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def staff_time(summary: pd.DataFrame, labels: Labels | None = None) -> Figure:
    """Shares of community staff hours (assigned tasks, service, self-governance) by
    scenario, with 95% intervals over replications."""
    sel = summary[summary["metric"].isin(SHARES) & (summary["demand_type"] == "")]
    g = mean_and_half(sel, ["scenario", "metric"])
    means = g["mean"].unstack()[SHARES]
    half = g["half"].unstack()[SHARES]
    means.columns = half.columns = SHARE_NAMES
    fig, ax = plt.subplots(figsize=(7, 1.6 + 0.8 * len(means)))
    means.plot.barh(ax=ax, xerr=half, capsize=3)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of community staff hours")
    reps = int(g["count"].max()) if len(g) else 0
    ax.set_title(f"Where community staff time goes ({_reps(reps)})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    fig.tight_layout()
    return fig


def comparison_figure(
    table: pd.DataFrame,
    metrics: list[str] | None = None,
    labels: Labels | None = None,
    baseline: str = "the baseline",
    demand_type: str = "",
) -> Figure:
    """Reform − baseline differences with their 95% confidence intervals, one panel a
    metric (of `demand_type`, ``""`` all types), each titled with its label, unit and which
    way is better; a difference whose interval lies on the better side is drawn green, on
    the worse side red."""
    sel = table[table["demand_type"] == demand_type]
    metrics = metrics or [m for m in COMPARED if m in set(sel["metric"])]
    sel = sel[sel["metric"].isin(metrics)]
    scenarios = list(dict.fromkeys(sel["scenario"]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 1.0 + 1.0 * len(metrics)), squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        part = sel[sel["metric"] == metric].set_index("scenario").reindex(scenarios)
        better = labels[metric][2] if labels and metric in labels else "neither"
        for y, (_, row) in enumerate(part.iterrows()):
            lo = row["diff_mean"] - row["diff_ci_low"]
            hi = row["diff_ci_high"] - row["diff_mean"]
            color = _verdict(row["diff_ci_low"], row["diff_ci_high"], better)
            err = [[0.0 if np.isnan(lo) else lo], [0.0 if np.isnan(hi) else hi]]
            ax.errorbar([row["diff_mean"]], [y], xerr=err, fmt="o", capsize=3, color=color)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(list(range(len(scenarios))), scenarios, fontsize="small")
        ax.set_title(_label(metric, labels), fontsize="small", loc="left")
    kind = f", {demand_type}" if demand_type else ""
    axes[-1, 0].set_xlabel(f"reform − {baseline} (95% CI, paired replications{kind})")
    fig.tight_layout()
    return fig


def _verdict(low: float, high: float, better: str) -> str:
    """Green when the whole interval is an improvement, red when it is a worsening, else
    neutral."""
    if better == "neither" or np.isnan(low) or np.isnan(high):
        return "tab:blue"
    if (better == "lower" and high < 0) or (better == "higher" and low > 0):
        return "tab:green"
    if (better == "lower" and low > 0) or (better == "higher" and high < 0):
        return "tab:red"
    return "tab:grey"


def _reps(n: int) -> str:
    """How many replications a figure rests on, and what its bars mean."""
    return "1 replication" if n <= 1 else f"{n} replications, 95% intervals"


def save_figure(fig: Figure, path: Path) -> Path:
    """Write a figure as PNG under a temporary name, then rename it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)
    return path


def save_run_figures(result: Any, out_dir: Path) -> list[Path]:
    """Write the standard figures of a run as PNG files in `out_dir`; labels come from the
    result's ``labels()`` when it has one, the warm-up from its scenario."""
    labels = result.labels() if hasattr(result, "labels") else None
    scenario = getattr(result, "scenario", None)
    warmup = float(getattr(scenario, "warmup_days", 0) or 0)
    warmup = float(getattr(result, "meta", {}).get("warmup", {}).get("days_used", warmup))
    made = {
        "resolution_by_type.png": resolution_by_type(result.summary, labels),
        "backlog.png": backlog_by_level(result.timeseries, warmup, labels),
        "staff_time.png": staff_time(result.summary, labels),
    }
    return [save_figure(fig, Path(out_dir) / name) for name, fig in made.items()]
