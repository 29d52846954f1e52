"""govsim: a discrete-event, agent-based simulator of community governance reform.

The public API: load a scenario (with overrides), run it, get its tables; compare reforms with
a baseline (paired differences with confidence intervals).

>>> import sim
>>> s = sim.load_scenario("scenarios/teaching.toml", {"days": 20})
>>> result = sim.run(s, replications=2)
>>> result.summary.head()  # doctest: +SKIP
"""

from sim.experiment.compare import compare, paired_differences
from sim.experiment.options import RunOptions
from sim.experiment.result import RunResult, interval_table
from sim.experiment.run import Precision, run
from sim.experiment.sweep import sweep
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.assumptions import assumptions

__all__ = [
    "Precision",
    "RunOptions",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "assumptions",
    "compare",
    "interval_table",
    "load_scenario",
    "paired_differences",
    "run",
    "sweep",
]
__version__ = "0.1.0"
