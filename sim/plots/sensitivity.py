"""Figures of a sweep: which assumptions drive an output, and how the output responds to each.

Functions of the sweep's tables only (``sobol_indices.csv`` or ``morris_indices.csv``, and
the point means of ``sweep.csv``); each returns a matplotlib Figure to be written with
`sim.plots.figures.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.intervals import half_width


def short_name(name: str, width: int = 32) -> str:
    """A dotted key shortened from the left to its last parts, to fit an axis label."""
    if len(name) <= width:
        return name
    parts = name.split(".")
    out = parts[-1]
    for part in reversed(parts[:-1]):
        if len(part) + len(out) + 2 > width:
            break
        out = f"{part}.{out}"
    return f"…{out}"


def _title(output: str, demand_type: str) -> str:
    return f"{output} ({demand_type})" if demand_type else output


def indices_figure(indices: pd.DataFrame, demand_type: str = "") -> Figure:
    """How much each varied figure drives each output: one panel per output.

    Sobol' indices (columns ``S1, S1_conf, ST, ST_conf``) are drawn as paired bars — the
    share of the output's variance due to the figure alone (S1) and with its interactions
    (ST) — with their 95% bootstrap intervals; Morris screening (``mu_star, mu_star_conf,
    sigma``) as the mean absolute elementary effect mu* with its interval, and sigma (spread
    of the effects: interactions or non-linearity).

    Parameters
    ----------
    indices : DataFrame
        ``parameter, output`` and the index columns.
    demand_type : str
        Demand type of the outputs, for the titles.
    """
    sobol = "ST" in indices.columns
    bars = [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")]
    if not sobol:
        bars = [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")]
    outputs = list(dict.fromkeys(indices["output"]))
    params = list(dict.fromkeys(indices["parameter"]))
    height = 0.8 + 0.35 * len(params)
    fig, axes = plt.subplots(
        len(outputs), 1, figsize=(8, 0.6 + height * len(outputs)), squeeze=False
    )
    y = np.arange(len(params))
    width = 0.38
    for ax, out in zip(axes[:, 0], outputs, strict=True):
        part = indices[indices["output"] == out].set_index("parameter").reindex(params)
        for k, (col, conf, label) in enumerate(bars):
            err = part[conf].fillna(0).to_numpy() if conf else None
            ax.barh(
                y + (k - 0.5) * width,
                part[col].fillna(0).to_numpy(),
                height=width,
                xerr=err,
                capsize=2,
                label=label,
            )
        ax.set_yticks(y, params, fontsize="small")
        ax.invert_yaxis()
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(_title(out, demand_type), fontsize="small", loc="left")
        if sobol:
            ax.set_xlim(min(0.0, ax.get_xlim()[0]), max(1.0, ax.get_xlim()[1]))
    axes[0, 0].legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1, 0].set_xlabel(
        "Sobol' index (share of output variance, 95% CI)"
        if sobol
        else "Morris elementary effects (output units, 95% CI on mu*)"
    )
    fig.tight_layout()
    return fig


def response_figure(
    means: pd.DataFrame,
    parameters: list[str],
    outputs: list[str],
    demand_type: str = "",
    max_parameters: int = 6,
) -> Figure:
    """How each output responds to each varied figure: the design points' means (dots) and,
    across them, the mean response with its 95% interval (a line and a band) by the
    figure's levels (a factorial design) or by eighths of its range (other designs).

    Only the `max_parameters` figures that move the first output most (absolute rank
    correlation) are drawn, strongest first, so a wide sweep stays readable.

    Parameters
    ----------
    means : DataFrame
        One row per design point: the parameter columns and one column per output.
    parameters, outputs : list of str
        Columns to draw (parameters across, outputs down).
    demand_type : str
        Demand type of the outputs, for the labels.
    max_parameters : int
        Most parameters to draw.
    """
    outputs = list(outputs)
    ranked = sorted(
        parameters,
        key=lambda p: -abs(np.nan_to_num(means[p].rank().corr(means[outputs[0]].rank()))),
    )
    shown = ranked[:max_parameters]
    n_out, n_par = len(outputs), len(shown)
    fig, axes = plt.subplots(
        n_out,
        n_par,
        figsize=(2.8 * n_par + 0.8, 2.3 * n_out + 0.9),
        squeeze=False,
        sharey="row",
    )
    alpha = 0.5 if len(means) <= 100 else 0.2
    for i, out in enumerate(outputs):
        for j, par in enumerate(shown):
            ax = axes[i, j]
            ax.scatter(means[par], means[out], s=6, alpha=alpha, color="tab:grey")
            x, mean, half = _binned(means[par], means[out])
            ax.plot(x, mean, color="tab:blue", lw=1.2)
            ax.fill_between(x, mean - half, mean + half, color="tab:blue", alpha=0.2, lw=0)
            if i == n_out - 1:
                ax.set_xlabel(short_name(par, 26), fontsize="x-small")
            if j == 0:
                ax.set_ylabel(short_name(_title(out, demand_type), 30), fontsize="x-small")
            ax.tick_params(labelsize="x-small")
    left_out = len(parameters) - n_par
    note = f"; {left_out} weaker figure(s) not drawn" if left_out > 0 else ""
    fig.suptitle(
        f"Response to each varied figure: point means, and their mean with 95% interval{note}",
        fontsize="small",
    )
    fig.tight_layout()
    return fig


def _binned(x: pd.Series, y: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of `y` and the half-width of its 95% Student-t interval, by the levels of `x`
    (up to ten) or by eighths of its range."""
    if x.nunique() <= 10:
        groups = x
    else:
        groups = pd.qcut(x, 8, duplicates="drop")
    g = pd.DataFrame({"x": x, "y": y}).groupby(groups, observed=True)
    centre = g["x"].mean().to_numpy()
    m = g["y"].mean().to_numpy()
    half = np.nan_to_num(half_width(g["y"].std().to_numpy(), g["y"].count().to_numpy()))
    return centre, m, half
