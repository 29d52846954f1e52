"""Figures of a run, drawn from its tables: resolution time, backlog, staff time.

Each function takes tidy tables (as returned by `sim.run` or read from results/) and returns a
matplotlib Figure; `save_run_figures` writes the standard set as PNG files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

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


def resolution_by_type(summary: pd.DataFrame) -> Figure:
    """Mean days from need to resolution by demand type and scenario (mean over
    replications)."""
    sel = summary[(summary["metric"] == "resolution_days_mean") & (summary["demand_type"] != "")]
    means = sel.groupby(["demand_type", "scenario"])["value"].mean().unstack()
    fig, ax = plt.subplots(figsize=(7, 4))
    means.plot.bar(ax=ax, rot=0)
    ax.set_ylabel("days from need to resolution")
    ax.set_xlabel("demand type")
    ax.set_title("Resolution time by demand type")
    fig.tight_layout()
    return fig


def backlog_by_level(series: pd.DataFrame) -> Figure:
    """Work waiting at midnight, summed by level and averaged over replications."""
    daily = series.groupby(["scenario", "replication", "day", "level"])["backlog"].sum()
    mean = daily.groupby(["scenario", "day", "level"]).mean().unstack(["scenario", "level"])
    mean.columns = [f"{scenario}: {level}" for scenario, level in mean.columns]
    fig, ax = plt.subplots(figsize=(7, 4))
    mean.plot(ax=ax, lw=0.9)
    ax.set_xlabel("day")
    ax.set_ylabel("items waiting at midnight")
    ax.set_title("Backlog carried overnight")
    fig.tight_layout()
    return fig


def staff_time(summary: pd.DataFrame) -> Figure:
    """Shares of community staff hours: assigned tasks, service, self-governance."""
    sel = summary[summary["metric"].isin(SHARES) & (summary["demand_type"] == "")]
    table = sel.groupby(["scenario", "metric"])["value"].mean().unstack()[SHARES]
    table.columns = ["assigned tasks", "service", "self-governance"]
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.5 * len(table)))
    table.plot.barh(stacked=True, ax=ax)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of community staff hours")
    ax.set_title("Where community staff time goes")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    fig.tight_layout()
    return fig


def comparison_figure(table: pd.DataFrame, metrics: list[str] | None = None) -> Figure:
    """Reform − baseline differences with their confidence intervals, one panel a metric."""
    metrics = metrics or [m for m in COMPARED if m in set(table["metric"])]
    sel = table[table["metric"].isin(metrics) & (table["demand_type"] == "")]
    scenarios = list(dict.fromkeys(sel["scenario"]))
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 1.0 + 0.9 * len(metrics)), squeeze=False)
    for ax, metric in zip(axes[:, 0], metrics, strict=True):
        part = sel[sel["metric"] == metric].set_index("scenario").reindex(scenarios)
        y = range(len(scenarios))
        lo = (part["diff_mean"] - part["diff_ci_low"]).fillna(0).to_numpy()
        hi = (part["diff_ci_high"] - part["diff_mean"]).fillna(0).to_numpy()
        ax.errorbar(part["diff_mean"], list(y), xerr=[lo, hi], fmt="o", capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(list(y), scenarios, fontsize="small")
        ax.set_title(metric, fontsize="small", loc="left")
    axes[-1, 0].set_xlabel("difference from baseline (95% CI, paired replications)")
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: Path) -> Path:
    """Write a figure as PNG under a temporary name, then rename it into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, path)
    return path


def save_run_figures(result: Any, out_dir: Path) -> list[Path]:
    """Write the standard figures of a run as PNG files in `out_dir`."""
    made = {
        "resolution_by_type.png": resolution_by_type(result.summary),
        "backlog.png": backlog_by_level(result.timeseries),
        "staff_time.png": staff_time(result.summary),
    }
    return [save_figure(fig, Path(out_dir) / name) for name, fig in made.items()]
