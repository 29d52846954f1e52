"""The contract of a governance mechanism: consultation, the social-organisation market,
burden rebound with the access gate, two-way evaluation.

The structural model (units, flows, demands, tasks) runs the same with or without them. A
mechanism is switched on by its section in the scenario (``[consultation]``, ``[market]`` …;
absent means off) and declares, as class attributes, what it plugs into:

* ``section``: the scenario section that switches it on;
* ``hooks``: the router's hook points it appends to (`sim.processes.hooks.HOOK_POINTS`);
* ``needs``: the sections of mechanisms it reads from, which must start before it.

It gets a `Context`: the setting, the residents and their satisfaction, the router (its
hooks, `push_work`, `complete_stage`, `repeat_stage`), random streams of its own — so
switching one on never changes the random numbers the core draws, and a scenario with every
mechanism off reproduces the core model exactly — and the typed `Ledger` it shares with
others. It starts its processes in ``start()``, settles what the clock did not reach in
``finish()`` once the run has ended, and hands the record sink a typed, plain-data tally in
``tally()``; reducers in `sim.metrics` turn tallies into metrics. Reporting changes nothing.
The start order is the one tuple `sim.processes.mechanisms.MECHANISMS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np
import simpy

from sim.model.calendar import Calendar
from sim.model.district import District
from sim.model.population import Population
from sim.model.streams import stream
from sim.processes.ledger import Ledger
from sim.processes.routing import Router
from sim.processes.satisfaction import Satisfaction
from sim.processes.setting import Setting
from sim.scenario.schema import Scenario


@dataclass
class Context:
    """What a mechanism may see and touch during one replication.

    Attributes
    ----------
    setting : Setting
        The clock, scenario, office hours and stations.
    population : Population
        The residents.
    satisfaction : Satisfaction
        The residents' current satisfaction.
    router : Router
        Its hook points and the calls that hand demands and work to it.
    seed, replication : int
        Root seed and replication index (for the mechanism's own streams).
    ledger : Ledger or None
        The books of top-down work, kept by the burden mechanism (None when it is off).
    community_funds : ndarray or None
        Each community's factor on its own fund for the next listing of projects (mean 1),
        set by two-way evaluation from the communities' ratings (以奖代补); None: funds as
        the market's budgets say.
    """

    setting: Setting
    population: Population
    satisfaction: Satisfaction
    router: Router
    seed: int
    replication: int
    ledger: Ledger | None = None
    community_funds: np.ndarray | None = None

    @property
    def env(self) -> simpy.Environment:
        """The SimPy environment."""
        return self.setting.env

    @property
    def scenario(self) -> Scenario:
        """The scenario."""
        return self.setting.scenario

    @property
    def calendar(self) -> Calendar:
        """Office hours."""
        return self.setting.calendar

    @property
    def district(self) -> District:
        """The stations."""
        return self.setting.district

    def stream(self, name: str) -> np.random.Generator:
        """A random stream of the mechanism's own (a name listed in `sim.model.streams`)."""
        return stream(self.seed, self.replication, name)


class Mechanism(Protocol):
    """A governance mechanism running beside the structural model."""

    section: ClassVar[str]
    hooks: ClassVar[tuple[str, ...]]
    needs: ClassVar[tuple[str, ...]]

    def start(self) -> None:
        """Start its processes on the context's environment."""

    def finish(self) -> None:
        """The run has ended: settle what the clock did not reach (e.g. the last rating)."""

    def tally(self) -> Any:
        """Its typed tally for the record sink (plain data; calling it changes nothing)."""
