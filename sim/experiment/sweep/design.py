"""The design: which combinations of the varied figures a sweep runs, each as a scenario.

A design point is one combination of parameter values; its scenario is the base scenario
with the sweep's overrides and the point's values at the parameters' keys. Points are drawn
by `make_design` (the same for the same file: designs are seeded by the sweep's root seed).
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.sweep.spec import (
    FactorialDesign,
    LhsDesign,
    MorrisDesign,
    QmcSobolDesign,
    SobolDesign,
    Sweep,
)
from sim.scenario.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class DesignPoints:
    """The points of a design.

    Attributes
    ----------
    table : DataFrame
        ``point`` and one column per parameter: the values applied.
    sample : ndarray
        The sampled values before rounding (what SALib's analysis needs), points × D.
    problem : dict
        The SALib problem (names and sampled bounds).
    """

    table: pd.DataFrame
    sample: np.ndarray
    problem: dict[str, Any]


def design_size(sw: Sweep) -> int:
    """Number of points of a sweep's design."""
    d, spec = len(sw.parameters), sw.spec.design
    if isinstance(spec, FactorialDesign):
        return math.prod(len(p.grid(p.levels or spec.levels)) for p in sw.parameters)
    if isinstance(spec, SobolDesign):
        return spec.samples * (2 * d + 2 if spec.second_order else d + 2)
    if isinstance(spec, MorrisDesign):
        return spec.trajectories * (d + 1)
    return spec.samples


def make_design(sw: Sweep) -> DesignPoints:
    """The design points of a sweep; the same for the same file (seeded by its root seed)."""
    params, spec, seed = sw.parameters, sw.spec.design, sw.seed
    d = len(params)
    bounds = np.array([p.bounds for p in params], dtype=float)
    problem = {"num_vars": d, "names": [p.name for p in params], "bounds": bounds.tolist()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if isinstance(spec, FactorialDesign):
            grids = [p.grid(p.levels or spec.levels) for p in params]
            sample = np.array(list(itertools.product(*grids)), dtype=float).reshape(-1, d)
        elif isinstance(spec, LhsDesign):
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d, rng=seed).random(spec.samples)
            sample = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
        elif isinstance(spec, QmcSobolDesign):
            from scipy.stats import qmc

            unit = qmc.Sobol(d, scramble=True, rng=seed).random_base2(int(np.log2(spec.samples)))
            sample = qmc.scale(unit, bounds[:, 0], bounds[:, 1])
        elif isinstance(spec, SobolDesign):
            from SALib.sample import sobol as saltelli

            sample = saltelli.sample(
                problem, spec.samples, calc_second_order=spec.second_order, seed=seed
            )
        else:
            from SALib.sample import morris

            sample = morris.sample(problem, spec.trajectories, num_levels=spec.levels, seed=seed)
    sample = np.asarray(sample, dtype=float)
    table = pd.DataFrame({"point": [point_id(i) for i in range(len(sample))]})
    for j, p in enumerate(params):
        col = p.values(sample[:, j])
        table[p.name] = col.astype(np.int64) if p.integer else col
    return DesignPoints(table, sample, problem)


def point_id(i: int) -> str:
    """Key of design point `i` (its folder under parts/)."""
    return f"p{i:05d}"


def point_scenario(sw: Sweep, values: dict[str, int | float], where: str) -> Scenario:
    """The base scenario with the sweep's overrides and one point's parameter values."""
    by_name = {p.name: p for p in sw.parameters}
    over = dict(sw.overrides)
    for name, v in values.items():
        for key in by_name[name].keys:
            over[key] = v
    src: Path | list[Path] = sw.base_source[0] if len(sw.base_source) == 1 else sw.base_source
    try:
        return load_scenario(src, over)
    except ScenarioError as exc:
        shown = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        inner = f"key '{exc.key}': {exc.message}" if exc.key else exc.message
        raise ScenarioError(sw.label, where, f"with {shown}: {inner}") from None


def point_scenarios(sw: Sweep, design: DesignPoints) -> dict[str, Scenario]:
    """Scenario of every design point, by point key, in design order."""
    out: dict[str, Scenario] = {}
    cols = [p.name for p in sw.parameters]
    casts = [p.cast for p in sw.parameters]
    for row in design.table.itertuples(index=False):
        values = {c: cast(v) for c, cast, v in zip(cols, casts, row[1:], strict=True)}
        out[row[0]] = point_scenario(sw, values, f"design point {row[0]}")
    return out
