"""Pictures of a calibration: what was learnt about each assumption, how the fitted model
sits against each field pattern, and how the inference closed in.

Each function takes the stored tables of a `Posterior` and returns a matplotlib Figure made
without pyplot's global state (drawn by the Agg canvas when saved); `save_figures` writes
the three as PNG files, each under a temporary name renamed into place.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.experiment.calibration.posterior import Posterior, weighted_quantile
from sim.experiment.calibration.priors import Parameter
from sim.plots.figures import save_figure


def prior_posterior_figure(
    parameters: list[Parameter],
    particles: pd.DataFrame,
    truth: Mapping[str, float] | None = None,
) -> Figure:
    """Prior against posterior, one panel per assumption: the posterior's weighted
    histogram, the prior's density over its range, the 95% credible interval, and (for a
    simulation-based check) the known value."""
    fig = Figure(figsize=(4.2 * len(parameters), 3.4), layout="constrained")
    axes = fig.subplots(1, len(parameters), squeeze=False)[0]
    w = particles["weight"].to_numpy()
    for ax, p in zip(axes, parameters, strict=True):
        x = particles[p.name].to_numpy()
        log = p.prior == "loguniform"
        grid = np.geomspace(p.low, p.high, 200) if log else np.linspace(p.low, p.high, 200)
        bins = np.geomspace(p.low, p.high, 25) if log else np.linspace(p.low, p.high, 25)
        ax.hist(x, bins=bins, weights=w, density=True, alpha=0.6, label="posterior")
        ax.plot(grid, p.distribution().pdf(grid), color="black", lw=1.2, label="prior")
        for q in (0.025, 0.975):
            ax.axvline(weighted_quantile(x, w, q), color="tab:blue", ls=":", lw=1)
        if truth and p.name in truth:
            ax.axvline(truth[p.name], color="tab:red", lw=1.5, label="known value")
        if log:
            ax.set_xscale("log")
        ax.set_title(p.name, fontsize=9)
        ax.set_xlabel(p.key, fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("density")
    axes[0].legend(fontsize=7)
    fig.suptitle("prior and posterior (dotted: 95% credible interval)", fontsize=10)
    return fig


def predictive_figure(predictive: pd.DataFrame) -> Figure:
    """Each field pattern against the posterior predictive: the observation and its band,
    the median of the model's value over the posterior and its 90% interval."""
    names = list(dict.fromkeys(predictive["target"]))
    fig = Figure(figsize=(7.5, 0.9 + 0.8 * len(names)), layout="constrained")
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, name in zip(axes, names, strict=True):
        rows = predictive[predictive["target"] == name]
        t = rows.iloc[0]
        x, w = rows["model"].to_numpy(dtype=float), rows["weight"].to_numpy(dtype=float)
        ok = np.isfinite(x)
        low = t["low"] if pd.notna(t["low"]) else None
        high = t["high"] if pd.notna(t["high"]) else None
        if low is not None or high is not None:
            span = [v for v in (low, high, t["observed"], *x[ok]) if v is not None]
            left = low if low is not None else min(span)
            right = high if high is not None else max(span)
            ax.axvspan(left, right, color="tab:green", alpha=0.15, label="band")
        ax.plot([t["observed"]], [0], "D", color="tab:green", label="observed")
        if ok.any():
            med = weighted_quantile(x[ok], w[ok], 0.5)
            lo, hi = weighted_quantile(x[ok], w[ok], 0.05), weighted_quantile(x[ok], w[ok], 0.95)
            err = [[med - lo], [hi - med]]
            ax.errorbar([med], [0], xerr=err, fmt="o", capsize=4, label="model: median, 90%")
        metric = t["metric"] + (f" ({t['demand_type']})" if t["demand_type"] else "")
        ax.set_title(f"{name}: {metric}", fontsize=8, loc="left")
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="upper right", ncols=3)
    return fig


def epsilon_figure(diagnostics: pd.DataFrame) -> Figure:
    """The acceptance threshold (epsilon) and the acceptance rate by generation."""
    d = diagnostics[diagnostics["generation"] >= 0]
    fig = Figure(figsize=(5.5, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(d["generation"], d["epsilon"], "o-", color="tab:blue")
    ax.set_yscale("log")
    for axis in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
        axis(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("generation")
    ax.set_ylabel("epsilon (RMS distance in band half-widths)", color="tab:blue", fontsize=8)
    ax.set_xticks(d["generation"])
    rate = ax.twinx()
    rate.plot(d["generation"], d["acceptance_rate"], "s--", color="tab:orange")
    rate.set_ylabel("acceptance rate", color="tab:orange", fontsize=8)
    rate.set_ylim(0, 1)
    return fig


def save_figures(
    posterior: Posterior, folder: str | Path | None = None, truth: Mapping[str, float] | None = None
) -> list[Path]:
    """Write the three figures as PNG files (into the posterior's folder by default)."""
    folder = Path(folder) if folder is not None else posterior.folder
    figs = {
        "prior_posterior.png": prior_posterior_figure(
            posterior.parameters, posterior.particles, truth
        ),
        "predictive.png": predictive_figure(posterior.predictive),
        "epsilon.png": epsilon_figure(posterior.diagnostics),
    }
    return [save_figure(fig, folder / name) for name, fig in figs.items()]
