"""Governance mechanisms plugged into a replication: consultation, the social-organisation
market, burden rebound, two-way evaluation.

The structural model (units, flows, demands, tasks) runs the same with or without them. A
mechanism is switched on by its section in the scenario (``[consultation]``, ``[market]`` …;
absent means off) and gets a `Context`: the environment, the scenario, the district, the
residents, the router's hooks and random streams of its own — so switching one on never
changes the random numbers the core draws, and a scenario with every mechanism off
reproduces the core model exactly. After the run it reports summary metrics and a yearly
series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import simpy

from sim.model.calendar import Calendar
from sim.model.district import District
from sim.model.population import Population
from sim.model.streams import stream
from sim.processes.routing import Router
from sim.scenario.schema import Scenario


@dataclass
class Context:
    """What a mechanism may see and touch during one replication."""

    env: simpy.Environment
    scenario: Scenario
    calendar: Calendar
    district: District
    population: Population
    router: Router
    seed: int
    replication: int
    shared: dict[str, Any] = field(default_factory=dict)  # what mechanisms pass each other

    def stream(self, name: str) -> np.random.Generator:
        """A random stream of the mechanism's own (a name listed in `sim.model.streams`)."""
        return stream(self.seed, self.replication, name)


class Mechanism(Protocol):
    """A governance mechanism running beside the structural model."""

    def start(self) -> None:
        """Start its processes on the context's environment."""

    def metrics(self) -> dict[tuple[str, str], float]:
        """Summary metrics after the run, keyed by (metric, demand_type)."""

    def yearly(self) -> list[tuple[int, str, float]]:
        """A yearly series after the run: (year, metric, value)."""


Factory = Callable[[Context, Any], Mechanism]
REGISTRY: dict[str, Factory] = {}


def register(section: str) -> Callable[[Factory], Factory]:
    """Declare the mechanism switched on by scenario section `section`."""

    def wrap(factory: Factory) -> Factory:
        REGISTRY[section] = factory
        return factory

    return wrap


def start_mechanisms(ctx: Context) -> list[Mechanism]:
    """Create and start every mechanism whose section the scenario sets, in a fixed order."""
    _load_all()
    active = []
    for section, factory in REGISTRY.items():
        spec = getattr(ctx.scenario, section, None)
        if spec is not None:
            mech = factory(ctx, spec)
            mech.start()
            active.append(mech)
    return active


def _load_all() -> None:
    """Import the mechanism modules so they register themselves."""
    import importlib

    for module in MODULES:
        importlib.import_module(module)


MODULES: list[str] = [
    "sim.processes.consultation",
    "sim.processes.market",
    "sim.processes.burden",
    "sim.processes.evaluation",
]
