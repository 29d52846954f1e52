"""The router's hook points: where governance mechanisms step into the flow of demands.

A stage marked ``outsource`` is offered to each ``outsource`` hook in turn (a social
organisation with a contract may take the resident's need), and a finished piece of meeting
work to each ``meeting_done`` hook until one claims it (consultation's meetings). Mechanisms
declare the hook points they use (`sim.processes.mechanism`); the router calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sim.model.station import Entry, Station
from sim.processes.flows import CompiledStage

HOOK_POINTS = ("meeting_done", "outsource")


@dataclass
class RouterHooks:
    """The router's declared hook points: lists that governance mechanisms append to.

    Attributes
    ----------
    meeting_done : list of callable
        ``fn(station, entry) -> bool``: a staffer finished a piece of meeting work (class
        ``MEETING``); the first hook that returns True has claimed it.
    outsource : list of callable
        ``fn(demand, stage, minutes) -> bool``: a demand enters a stage marked ``outsource``
        (`minutes` of service); the first hook that returns True has taken it and hands it
        back later with `Router.complete_stage`, `Router.repeat_stage` or
        `Router.redo_stage`.
    """

    meeting_done: list[Callable[[Station, Entry], bool]] = field(default_factory=list)
    outsource: list[Callable[[int, CompiledStage, float], bool]] = field(default_factory=list)
