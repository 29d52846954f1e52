"""What a finished sweep found: its tables, and an account of them for the terminal.

`SweepResult` holds the design, the tidy results and the sensitivity indices of a sweep;
`readable_sweep` tells its size, its indices (or point means) and the figure driving each
output most.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.sweep.analysis import drivers, point_means


@dataclass
class SweepResult:
    """Tables of a finished sweep.

    Attributes
    ----------
    name, kind : str
        Sweep name and design kind.
    out : Path
        Run folder.
    seed, replications : int
        Root seed and replications per point.
    parameters : list of str
        Parameter names (columns of `design`).
    outputs : list of str
        Output metrics.
    demand_type : str
        Demand type of the outputs (``""`` for all).
    design : DataFrame
        ``point`` and parameter values.
    table : DataFrame
        Tidy: ``point, replication``, parameters, ``metric, demand_type, value``.
    indices : DataFrame
        Sobol' (``parameter, output, S1, S1_conf, ST, ST_conf``) or Morris
        (``parameter, output, mu_star, mu_star_conf, sigma``) indices; empty for other
        designs.
    ran : int
        Replications run by this call (the rest were found in the folder).
    """

    name: str
    kind: str
    out: Path
    seed: int
    replications: int
    parameters: list[str]
    outputs: list[str]
    demand_type: str
    design: pd.DataFrame
    table: pd.DataFrame
    indices: pd.DataFrame
    ran: int = 0

    def means(self) -> pd.DataFrame:
        """One row per point: parameter values and each output's mean over replications."""
        return point_means(self.table, self.design, self.outputs)

    def drivers(self) -> pd.DataFrame:
        """The parameter that drives each output most (largest ST, or mu* for Morris)."""
        return drivers(self.indices)


def readable_sweep(result: SweepResult, max_rows: int = 20) -> str:
    """A plain-text account of a sweep for the terminal: its size, its indices (or point
    means for designs without indices) and the parameter driving each output most."""
    points = len(result.design)
    kept = points * result.replications - result.ran
    of = f" for demand type '{result.demand_type}'" if result.demand_type else ""
    lines = [
        f"{result.name}: {result.kind} design, {points} points x {result.replications} "
        f"replication(s), seed {result.seed} ({result.ran} run now, {kept} found in the folder)"
    ]

    def fmt(x: float) -> str:
        return f"{x:.3g}"

    if result.indices.empty:
        means = result.means()
        lines.append(f"point means{of} (over replications):")
        lines.append(means.head(max_rows).to_string(index=False, float_format=fmt))
        if points > max_rows:
            lines.append(f"... {points - max_rows} more points in sweep.csv")
        return "\n".join(lines)
    title = "Sobol' indices" if result.kind == "sobol" else "Morris screening"
    lines.append(f"{title}{of} (conf: 95% interval half-width):")
    for out, part in result.indices.groupby("output", sort=False):
        lines.append(f"  {out}")
        body = part.drop(columns="output").to_string(index=False, float_format=fmt)
        lines.extend("    " + line for line in body.splitlines())
    means = result.means()
    for out in result.outputs:
        y = means[out].to_numpy(dtype=float)
        bad = int((~np.isfinite(y)).sum())
        if bad:
            lines.append(
                f"no indices for {out}: not finite at {bad} of {points} points "
                "(e.g. no demand of the type resolved there); run longer or more replications"
            )
        elif np.ptp(y) == 0:
            lines.append(f"{out} is the same at every point: no parameter moves it")
    top = result.drivers()
    for row in top.itertuples(index=False):
        lines.append(
            f"most influential on {row.output}: {row.parameter} ({row.measure} {row.value:.3g})"
        )
    return "\n".join(lines)
