"""Calibration: fit uncertain assumptions to field patterns before a reform (issue 10).

A calibration file lists the assumptions to fit, each with a prior and its reason
(`priors`); a model evaluation runs the target scenarios at a set of assumptions and
measures the distance from the patterns in units of their bands (`distance`); pyabc's
ABC-SMC searches the priors (`abc`); the posterior sample, its predictive and diagnostics
are stored, checked and drawn from (`posterior`) and drawn (`figures`); ``govsim calibrate``
runs it all (`sim.cli.calibrate`); `ema` adapts a comparison to the EMA Workbench
for scenario discovery (PRIM, CART).

>>> from sim.experiment.calibration import load_calibration, calibrate, load_posterior, draws
>>> cal = load_calibration("calibration/sbc_teaching.toml")  # doctest: +SKIP
>>> post = calibrate(cal.with_abc(population=40), "results/sbc")  # doctest: +SKIP
>>> draws(post, 10, numpy.random.default_rng(1))  # doctest: +SKIP

Names are imported on first use, so that ``govsim --help`` does not load pyabc.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "AbcSettings": "sim.experiment.calibration.priors",
    "Calibration": "sim.experiment.calibration.priors",
    "Parameter": "sim.experiment.calibration.priors",
    "load_calibration": "sim.experiment.calibration.priors",
    "band_distance": "sim.experiment.calibration.distance",
    "evaluate": "sim.experiment.calibration.distance",
    "model_values": "sim.experiment.calibration.distance",
    "target_distance": "sim.experiment.calibration.distance",
    "calibrate": "sim.experiment.calibration.abc",
    "Posterior": "sim.experiment.calibration.posterior",
    "draws": "sim.experiment.calibration.posterior",
    "load_posterior": "sim.experiment.calibration.posterior",
    "weighted_quantile": "sim.experiment.calibration.posterior",
    "save_figures": "sim.experiment.calibration.figures",
    "Discovery": "sim.experiment.calibration.ema",
    "discover": "sim.experiment.calibration.ema",
    "ema_model": "sim.experiment.calibration.ema",
    "run_discovery": "sim.experiment.calibration.ema",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim.experiment.calibration' has no attribute {name!r}")
