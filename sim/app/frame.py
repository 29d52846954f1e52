"""What one picture of the day holds: residents at counters, places, frames, the day.

Plain data, made by `sim.app.day` and drawn by `sim.app.svg`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Who:
    """A resident at a counter: which demand, what item, how old."""

    demand: int
    item: str
    age_band: str


@dataclass(frozen=True)
class Spot:
    """One place on the picture (a station, or a unit's stations taken together) at one
    minute: who queues and is served there, its trays, and what its staff are doing."""

    key: str
    label: str
    level: str
    servers: int
    queueing: tuple[Who, ...]
    at_counter: tuple[Who, ...]
    files_waiting: int
    files_in_work: int
    staff: dict[str, int]
    tasks_waiting: int = 0


@dataclass(frozen=True)
class Frame:
    """The district at one minute of the day.

    Attributes
    ----------
    minute : float
        Clock minute.
    clock : str
        Time of day, e.g. ``10:30``.
    spots : tuple of Spot
        Every place, by level.
    transit : dict
        Files carried between levels: ``"community → street"`` -> count.
    states : dict
        Demands in each state (`sim.app.segments.STATES`).
    in_system : int
        Demands arisen and not ended, from the records.
    unplaced : int
        Demands in the system but in no state (held by a mechanism, e.g. a social
        organisation doing a stage); 0 in the core model.
    arrived, ended : int
        Demands arisen and ended so far today.
    """

    minute: float
    clock: str
    spots: tuple[Spot, ...]
    transit: dict[str, int]
    states: dict[str, int]
    in_system: int
    unplaced: int
    arrived: int
    ended: int


@dataclass(frozen=True)
class Day:
    """One working day of one replication, frame by frame."""

    scenario: str
    day: int
    title: str
    frames: tuple[Frame, ...]
    hours: pd.DataFrame
