"""Analysis of a sweep: how much each varied figure moves each output.

Point means over replications, Sobol' or Morris sensitivity indices from SALib (the share of
an output's variance due to each figure, or the figures' elementary effects), the figure
driving each output most, and reading back a stored ``sweep.csv``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.sweep.design import DesignPoints
from sim.experiment.sweep.spec import (
    MORRIS_COLUMNS,
    SOBOL_COLUMNS,
    MorrisDesign,
    SobolDesign,
    Sweep,
)


def point_means(table: pd.DataFrame, design: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Each output's mean over replications, one row per point (design order)."""
    means = table.groupby(["point", "metric"], sort=False)["value"].mean().unstack("metric")
    means = means.reindex(index=design["point"], columns=outputs)
    return design.set_index("point").join(means).reset_index()


def sensitivity_indices(sw: Sweep, design: DesignPoints, table: pd.DataFrame) -> pd.DataFrame:
    """Sobol' or Morris indices of each output, from point means (empty for other designs).

    An output that is not finite at every point (e.g. a mean over no resolved demand) gets
    NaN indices rather than numbers SALib would make up, and so do the Sobol' indices of an
    output that does not vary (its Morris effects are zero).
    """
    outputs = list(sw.spec.outputs.metrics)
    if sw.kind not in ("sobol", "morris"):
        return pd.DataFrame()
    means = point_means(table, design.table, outputs)
    names = [p.name for p in sw.parameters]
    rows = []
    for out in outputs:
        y = means[out].to_numpy(dtype=float)
        # Sobol' indices of a constant output are 0/0; its Morris effects are truly zero.
        usable = bool(np.isfinite(y).all() and (np.ptp(y) > 0 or sw.kind == "morris"))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if sw.kind == "sobol":
                spec = sw.spec.design
                assert isinstance(spec, SobolDesign)
                if usable:
                    from SALib.analyze import sobol as sobol_analysis

                    res = sobol_analysis.analyze(
                        design.problem,
                        y,
                        calc_second_order=spec.second_order,
                        conf_level=0.95,
                        seed=sw.seed,
                    )
                    cols = {c: np.asarray(res[c], dtype=float) for c in SOBOL_COLUMNS[2:]}
                else:
                    cols = {c: np.full(len(names), np.nan) for c in SOBOL_COLUMNS[2:]}
            else:
                spec = sw.spec.design
                assert isinstance(spec, MorrisDesign)
                if usable:
                    from SALib.analyze import morris as morris_analysis

                    res = morris_analysis.analyze(
                        design.problem,
                        design.sample,
                        y,
                        num_levels=spec.levels,
                        conf_level=0.95,
                        seed=sw.seed,
                    )
                    cols = {c: np.asarray(res[c], dtype=float) for c in MORRIS_COLUMNS[2:]}
                else:
                    cols = {c: np.full(len(names), np.nan) for c in MORRIS_COLUMNS[2:]}
        frame = pd.DataFrame({"parameter": names, "output": out, **cols})
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def drivers(indices: pd.DataFrame) -> pd.DataFrame:
    """The parameter with the largest total index (or mu*) for each output.

    Returns
    -------
    DataFrame
        ``output, parameter, measure, value`` (no row for an output without indices).
    """
    if indices.empty:
        return pd.DataFrame(columns=["output", "parameter", "measure", "value"])
    measure = "ST" if "ST" in indices else "mu_star"
    rows = []
    for out, part in indices.groupby("output", sort=False):
        part = part.dropna(subset=[measure])
        if part.empty or not (part[measure] > 0).any():
            continue  # no indices, or no parameter moves the output
        top = part.loc[part[measure].idxmax()]
        rows.append((out, top["parameter"], measure, float(top[measure])))
    return pd.DataFrame(rows, columns=["output", "parameter", "measure", "value"])


def read_sweep_table(path: str | Path) -> pd.DataFrame:
    """Read a ``sweep.csv`` (an empty demand type stays ``""``)."""
    table = pd.read_csv(path)
    table["demand_type"] = table["demand_type"].fillna("").astype(str)
    return table
