"""govsim: a discrete-event, agent-based simulator of community governance reform.

The public API: load a scenario (with overrides), run it, get its tables; compare reforms with
a baseline (paired differences with confidence intervals); load a run folder back; calibrate
uncertain assumptions to field patterns and compare reforms over the posterior.

>>> import sim
>>> s = sim.load_scenario("scenarios/teaching.toml", {"days": 20})
>>> result = sim.run(s, replications=2)
>>> result.summary.head()  # doctest: +SKIP

The names are imported on first use (PEP 562), so ``import sim`` and the ``govsim`` command
start without loading pandas, SciPy or the experiment machinery they do not need.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from sim.compiled import PURE_VARIABLE, install_finder

# the engine core compiled, or from its Python source with GOVSIM_PURE=1 (sim.compiled)
install_finder(pure=bool(os.environ.get(PURE_VARIABLE)))

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and readers
    from sim.experiment.calibration.abc import calibrate
    from sim.experiment.calibration.posterior import Posterior, load_posterior
    from sim.experiment.calibration.priors import load_calibration
    from sim.experiment.compare import compare, paired_differences
    from sim.experiment.comparison import Comparison
    from sim.experiment.load import load_results
    from sim.experiment.options import RunOptions
    from sim.experiment.result import RunResult, interval_table
    from sim.experiment.run import Precision, run
    from sim.experiment.sweep import sweep
    from sim.metrics.registry import describe, metric_labels
    from sim.scenario import Scenario, ScenarioError, load_scenario
    from sim.scenario.assumptions import assumptions
    from sim.scenario.validate import validate

# public name -> module that defines it
_LAZY = {
    "Posterior": "sim.experiment.calibration.posterior",
    "calibrate": "sim.experiment.calibration.abc",
    "load_calibration": "sim.experiment.calibration.priors",
    "load_posterior": "sim.experiment.calibration.posterior",
    "Comparison": "sim.experiment.comparison",
    "Precision": "sim.experiment.run",
    "RunOptions": "sim.experiment.options",
    "RunResult": "sim.experiment.result",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "assumptions": "sim.scenario.assumptions",
    "compare": "sim.experiment.compare",
    "describe": "sim.metrics.registry",
    "interval_table": "sim.experiment.result",
    "load_results": "sim.experiment.load",
    "load_scenario": "sim.scenario",
    "metric_labels": "sim.metrics.registry",
    "paired_differences": "sim.experiment.compare",
    "run": "sim.experiment.run",
    "sweep": "sim.experiment.sweep",
    "validate": "sim.scenario.validate",
}

__all__ = [
    "Comparison",
    "Posterior",
    "calibrate",
    "load_calibration",
    "load_posterior",
    "Precision",
    "RunOptions",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "assumptions",
    "compare",
    "describe",
    "interval_table",
    "load_results",
    "load_scenario",
    "metric_labels",
    "paired_differences",
    "run",
    "sweep",
    "validate",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it (PEP 562)."""
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'sim' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
