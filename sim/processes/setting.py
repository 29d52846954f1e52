"""The setting of one replication: its clock, its scenario, office hours and stations.

What every process of a run shares and nobody changes: the SimPy environment whose clock
counts minutes, the validated scenario, the office calendar and the district's stations.
"""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from sim.model.calendar import Calendar
from sim.model.district import District
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Setting:
    """Where and when a replication runs.

    Attributes
    ----------
    env : simpy.Environment
        The clock (minutes from Monday 00:00 of the first week) and event queue.
    scenario : Scenario
        The scenario.
    calendar : Calendar
        Office hours.
    district : District
        The stations and how to find the one serving a demand.
    """

    env: simpy.Environment
    scenario: Scenario
    calendar: Calendar
    district: District
