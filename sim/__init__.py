"""govsim: a discrete-event, agent-based simulator of community governance reform.

The public API: load a scenario (with overrides), run it, get its tables.

>>> import sim
>>> s = sim.load_scenario("scenarios/teaching.toml", {"days": 20})
>>> result = sim.run(s, replications=2)
>>> result.summary.head()  # doctest: +SKIP
"""

from sim.experiment.run import RunResult, interval_table, run
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.assumptions import assumptions

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "assumptions",
    "interval_table",
    "load_scenario",
    "run",
]
__version__ = "0.1.0"
