"""How far the model is from what was observed: the model at a set of assumptions, and a
distance in units of each observation's band.

A model evaluation loads each distinct target scenario with the parameter values as
overrides (and the calibration's ``days``), runs it over the configured replications on one
seed, and reads each target's metric (for its demand type) as the mean over replications.
Every particle is evaluated with the same seed (common random numbers): two sets of
assumptions are compared on the same residents, demands and delays, so the difference of
their distances comes from the assumptions, not from luck.

The distance is the root mean square over targets of each target's distance:

* a band on both sides (``low`` and ``high``): ``(model - observed) / half-width``, the
  half-width being ``(high - low) / 2``; a model at the band's edge (for a band centred on
  the observation) is 1;
* a band on one side only (``low = 2``: "2 days or more"): 0 inside the band, and outside
  it the distance to the edge over a quarter of the observed value
  (``(low - model) / (0.25 |observed|)``), the project's reading of "about" (±25%);
* no band: ``(model - observed) / (0.25 |observed|)``.

A scale of 0 (an observed 0 without a band) is taken as 1. A metric the run could not
measure (no demand of the type finished: NaN) is infinitely far: such a particle is never
accepted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from sim.experiment.calibration.priors import Calibration
from sim.experiment.options import RunOptions
from sim.experiment.run import run
from sim.experiment.targets import Target
from sim.scenario import load_scenario

ABOUT = 0.25  # "about X": a quarter of X either side (as targets/pre_reform.toml reads it)


def target_distance(target: Target, model: float) -> float:
    """The distance of one model value from one target, in units of its band (absolute)."""
    if model is None or math.isnan(model):
        return math.inf
    low, high, observed = target.low, target.high, target.value
    about = ABOUT * abs(observed) or 1.0
    if low is not None and high is not None:
        half = (high - low) / 2
        return abs(model - observed) / (half or about)
    if low is not None:
        return max(low - model, 0.0) / about
    if high is not None:
        return max(model - high, 0.0) / about
    return abs(model - observed) / about


def band_distance(targets: tuple[Target, ...] | list[Target], values: Mapping[str, float]) -> float:
    """Root mean square of every target's distance (`target_distance`).

    Parameters
    ----------
    targets : sequence of Target
        The targets, each with its band.
    values : mapping
        The model's value for each target, by target name.
    """
    parts = [target_distance(t, values.get(t.name, math.nan)) for t in targets]
    if any(math.isinf(d) for d in parts):
        return math.inf
    return math.sqrt(sum(d * d for d in parts) / len(parts))


def model_values(
    calibration: Calibration,
    params: Mapping[str, float],
    seed: int | None = None,
    replications: int | None = None,
) -> dict[str, float]:
    """The model's value of every target at the given assumptions.

    Parameters
    ----------
    calibration : Calibration
        The targets, parameters and evaluation settings (``replications``, ``days``).
    params : mapping
        A value for every parameter, by name.
    seed : int, optional
        Root seed of every scenario's runs (default: the calibration's ``seed``, else each
        scenario's own). The same seed for every particle: common random numbers.
    replications : int, optional
        Replications of each scenario (default: the calibration's).

    Returns
    -------
    dict
        Target name -> mean over replications of its metric (NaN when never measured).
    """
    seed = calibration.abc.seed if seed is None else seed
    n = calibration.abc.replications if replications is None else replications
    overrides = calibration.overrides(params)
    quiet = RunOptions(workers=1, progress=False, figures=False)
    out: dict[str, float] = {}
    for file in calibration.scenario_files:
        scenario = load_scenario(file, overrides)
        result = run(scenario, n, scenario.seed if seed is None else seed, quiet)
        for t in calibration.targets:
            if Path(t.scenario) == file:
                values = result.metric(t.metric, t.demand_type)
                out[t.name] = float(values.mean()) if len(values) else math.nan
    return out


def evaluate(
    calibration: Calibration, params: Mapping[str, float], seed: int | None = None
) -> tuple[float, dict[str, float]]:
    """The distance of the model from the targets at `params`, and the model's values."""
    values = model_values(calibration, params, seed)
    return band_distance(calibration.targets, values), values
