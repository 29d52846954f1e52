"""Scenarios: the typed schema, loading with ``extends`` and overrides, and figure sources."""

from sim.scenario.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario"]
