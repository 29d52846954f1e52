"""The record sink of one replication: what happened, kept as typed columns.

Every resident's matter leaves one row (arrival, first service, finish, trips, hand-offs,
units visited, minutes waited, outcome), every work package pushed down to a community one
row (arrival, community, minutes left, finish, kind), every station its staff minutes by day
and class of work, and every governance mechanism a typed tally of its own. The processes
emit into the sink while the clock runs (`DemandLog` and `WorkLog` are preallocated columns
that the router writes to); when the run ends the world collects everything into one
`Records`, plain data that `sim.metrics` reduces into tables. No simulation object reaches
the metrics, and reporting changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.model.district import District
from sim.rules.priority import N_CLASSES
from sim.scenario.schema import Scenario

OPEN, RESOLVED, ABANDONED = 0, 1, 2
OUTCOMES = ("open", "resolved", "abandoned")
TASK_ITEM, PLAQUE, ASSESSMENT = 0, 1, 2  # kinds of top-down work


class DemandLog:
    """Preallocated columns, one row per demand, that the router writes while the run goes.

    Each column is a typed numpy array (`arrays`), written through a flat ``memoryview`` of
    its memory (the attributes below), so a row costs a few bytes per column and no Python
    object; `demand_records` freezes the arrays themselves, without a copy.

    Attributes
    ----------
    arrival : memoryview of float
        Clock minute the demand arose.
    first_start, finish : memoryview of float
        Minute of its first service and of its end (NaN while not reached).
    trips, handoffs, visits : memoryview of int
        Trips the resident made, hand-offs of the file between staffed stations, distinct
        stations visited in a row.
    wait : memoryview of float
        Open minutes the resident spent queueing.
    outcome : memoryview of int
        `OPEN`, `RESOLVED` or `ABANDONED`.
    queue, service : memoryview of float
        Clock minutes the demand (resident or file) spent queueing at stations, overnight
        included, and minutes in service.
    transfer, statutory, away : memoryview of float
        Clock minutes between stages: files carried between offices (waiting for the
        courier included), statutory periods such as publicity (公示), and the resident away
        (sent home for a document, or told to come back for the result).
    staff_minutes, handling_yuan : memoryview of float
        Minutes staffed stations spent on the demand, and their wage cost.
    between : memoryview of float
        ``transfer``, ``statutory`` and ``away`` as the rows of one array, indexed by
        (kind, demand) with the kinds of `sim.processes.flows`.
    arrays : dict of str to ndarray
        The same columns as arrays, by name.
    """

    # column -> (dtype, value before anything happened)
    COLUMNS: dict[str, tuple[type, float]] = {
        "first_start": (np.float64, math.nan),
        "finish": (np.float64, math.nan),
        "trips": (np.int16, 0),
        "handoffs": (np.int16, 0),
        "visits": (np.int16, 0),
        "wait": (np.float64, 0.0),
        "outcome": (np.int8, OPEN),
        "queue": (np.float64, 0.0),
        "service": (np.float64, 0.0),
        "staff_minutes": (np.float64, 0.0),
        "handling_yuan": (np.float64, 0.0),
    }
    # the minutes between stages, one row of `between` each, by TRANSFER, STATUTORY, AWAY
    BETWEEN = ("transfer", "statutory", "away")
    __slots__ = ("arrays", "arrival", "between", *COLUMNS, *BETWEEN)

    def __init__(self, arrival: Any) -> None:
        self.arrays = {"arrival": np.array(arrival, dtype=np.float64)}
        n = len(self.arrays["arrival"])
        for name, (dtype, fill) in self.COLUMNS.items():
            self.arrays[name] = np.full(n, fill, dtype)
        between = np.zeros((len(self.BETWEEN), n))
        self.between = memoryview(between)  # [kind, demand]: the router adds by kind
        for name, row in zip(self.BETWEEN, between, strict=True):
            self.arrays[name] = row
        for name, column in self.arrays.items():
            setattr(self, name, memoryview(column))


class WorkLog:
    """Columns of the work packages pushed down to communities (grown by mechanisms that
    push work during the run).

    Attributes
    ----------
    time, community, left, done, kind : list
        Arrival minute, community, staff minutes still to do, minute finished (NaN while
        not), and kind (`TASK_ITEM`, `PLAQUE`, `ASSESSMENT`).
    """

    __slots__ = ("time", "community", "left", "done", "kind")

    def __init__(
        self, time: list[float], community: list[int], minutes: list[float], kind: list[int]
    ) -> None:
        self.time = time
        self.community = community
        self.left = minutes
        self.done = [math.nan] * len(time)
        self.kind = kind

    def add(self, time: float, community: int, minutes: float, kind: int) -> int:
        """A new package arrives; return its index."""
        self.time.append(time)
        self.community.append(community)
        self.left.append(minutes)
        self.done.append(math.nan)
        self.kind.append(kind)
        return len(self.time) - 1


@dataclass(frozen=True)
class DemandRecords:
    """One row per demand, after the run (arrays of equal length)."""

    group: np.ndarray
    item: np.ndarray
    resident: np.ndarray
    community: np.ndarray
    online: np.ndarray
    arrival: np.ndarray
    first_start: np.ndarray
    finish: np.ndarray
    wait: np.ndarray
    trips: np.ndarray
    handoffs: np.ndarray
    visits: np.ndarray
    outcome: np.ndarray
    queue: np.ndarray
    service: np.ndarray
    transfer: np.ndarray
    statutory: np.ndarray
    away: np.ndarray
    staff_minutes: np.ndarray
    handling_yuan: np.ndarray
    group_type: tuple[str, ...]  # demand type of each item group
    group_name: tuple[str, ...]
    group_department: tuple[str, ...]
    # latent needs of each item group over the run, raised or not (``[access]``); by default
    # the demands of each group (every need raised). Keep it last: it has a default.
    group_latent: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.group_latent is None:
            counts = np.bincount(np.asarray(self.group, np.int64), minlength=len(self.group_name))
            object.__setattr__(self, "group_latent", counts)

    @property
    def size(self) -> int:
        """Number of demands."""
        return len(self.arrival)


@dataclass(frozen=True)
class WorkRecords:
    """One row per work package pushed down, after the run."""

    time: np.ndarray
    community: np.ndarray
    left: np.ndarray
    done: np.ndarray
    kind: np.ndarray


@dataclass(frozen=True)
class StationRecords:
    """Each station's identity and its staff minutes by day, after the run.

    Attributes
    ----------
    name, unit, level : tuple of str
        Instance name, unit kind and level of each station.
    servers : ndarray of int
        Windows or staff (0: a pure delay).
    staff_cost : ndarray of float
        Yuan per server per year.
    busy : ndarray
        Minutes of service started, by (station, day, class of work).
    idle : ndarray
        Minutes windows stood free while open, by (station, day).
    backlog : ndarray
        Work waiting at each midnight, by (day, station).
    """

    name: tuple[str, ...]
    unit: tuple[str, ...]
    level: tuple[str, ...]
    servers: np.ndarray
    staff_cost: np.ndarray
    busy: np.ndarray
    idle: np.ndarray
    backlog: np.ndarray


@dataclass(frozen=True)
class ResidentRecords:
    """Who the residents are, for reading demands by who raised them (codes per resident,
    names of the codes)."""

    age: np.ndarray
    occupation: np.ndarray
    education: np.ndarray
    party: np.ndarray
    ages: tuple[str, ...]
    occupations: tuple[str, ...]
    educations: tuple[str, ...]


def resident_records(population: Any) -> ResidentRecords:
    """Freeze the residents' drawn attributes (a `Population`)."""
    return ResidentRecords(
        age=population.age,
        occupation=population.occupation,
        education=population.education,
        party=population.party,
        ages=tuple(population.ages),
        occupations=tuple(population.occupations),
        educations=tuple(population.educations),
    )


@dataclass(frozen=True)
class Records:
    """Everything one replication leaves behind: the input to every reducer.

    Attributes
    ----------
    scenario : Scenario
        The scenario run.
    replication, seed : int
        Replication index and root seed.
    demands, work, stations : DemandRecords, WorkRecords, StationRecords
        The columns of demands, work packages and stations.
    satisfaction : ndarray of float
        Each resident's satisfaction at the end of the run.
    tallies : dict
        Each governance mechanism's tally by its scenario section, in start order.
    residents : ResidentRecords, optional
        Each resident's age band, occupation, education and party membership.
    """

    scenario: Scenario
    replication: int
    seed: int
    demands: DemandRecords
    work: WorkRecords
    stations: StationRecords
    satisfaction: np.ndarray
    tallies: dict[str, Any]
    residents: ResidentRecords | None = None


def demand_records(log: DemandLog, demands: Any, scenario: Scenario) -> DemandRecords:
    """Freeze the demand log beside the demands' drawn attributes (a `Demands` stream)."""
    groups = demands.groups
    return DemandRecords(
        group=demands.group,
        item=demands.item,
        resident=demands.resident,
        community=demands.community,
        online=demands.online,
        **log.arrays,
        group_type=tuple(g.demand_type for g in groups),
        group_name=tuple(g.name for g in groups),
        group_department=tuple(scenario.departments[g.department] for g in groups),
        group_latent=getattr(demands, "latent", None),
    )


def work_records(log: WorkLog) -> WorkRecords:
    """Freeze the work log."""
    return WorkRecords(
        time=np.array(log.time, dtype=float),
        community=np.array(log.community, dtype=np.int32),
        left=np.array(log.left, dtype=float),
        done=np.array(log.done, dtype=float),
        kind=np.array(log.kind, dtype=np.int8),
    )


def station_records(district: District, backlog: list[list[int]], days: int) -> StationRecords:
    """Freeze every station's monitoring columns and the midnight backlog."""
    st = district.stations
    n = len(st)
    return StationRecords(
        name=tuple(x.name for x in st),
        unit=tuple(x.unit for x in st),
        level=tuple(x.level for x in st),
        servers=np.array([x.servers for x in st], dtype=np.int64),
        staff_cost=np.array([x.staff_cost for x in st], dtype=float),
        busy=np.array([x.busy for x in st], dtype=float).reshape(n, days, N_CLASSES),
        idle=np.array([x.idle for x in st], dtype=float).reshape(n, days),
        backlog=np.array(backlog, dtype=np.int64).reshape(days, n),
    )
