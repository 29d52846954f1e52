"""Decisions of three-level, six-step consultation (三级六步), as pure functions.

Which level a residents' matter goes to; who of the residents asked to a meeting takes part,
and by which channel; whether an agreed outcome is carried out; who is disappointed and for
how long they refuse to come again. None of them needs a SimPy environment: the process in
`sim.processes.consultation` owns the time and draws the uniforms, these rules turn uniforms
and figures into decisions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.clock import DAY, WEEK, YEAR
from sim.rules.participation import CAME, DISAPPOINTED, REASONS

DELIBERATION, LINKAGE, HEARING = "deliberation", "linkage", "hearing"

ABSENT, IN_PERSON, VISIT, WRITTEN, ONLINE = -1, 0, 1, 2, 3
CHANNEL_NAMES = ("in_person", "visit", "written", "online")


def route_level(complexity: str, cross_grid: bool) -> str:
    """The level a matter is consulted at (003).

    A major matter (renovation, relocation, large spending) goes to a hearing (听证会); a
    complex matter, or a simple one that spans several grids, to a linkage consultation
    (联动协商) in the community; a simple matter within one grid to the grid's deliberation
    meeting (议事会).

    Parameters
    ----------
    complexity : {"simple", "complex", "major"}
        How weighty the matter is.
    cross_grid : bool
        Whether it involves residents of more than one grid.
    """
    if complexity == "major":
        return HEARING
    if complexity == "complex" or cross_grid:
        return LINKAGE
    if complexity == "simple":
        return DELIBERATION
    raise ValueError(f"unknown complexity '{complexity}'")


def attendance_probability(
    availability: np.ndarray,
    online_factor: np.ndarray,
    visits: float = 0.0,
    written: float = 0.0,
    online: float = 0.0,
) -> np.ndarray:
    """Chance an invited resident takes part: in person with their availability, else reached
    by a visit, a written consultation or online (online scaled by their online propensity,
    at most 1)."""
    a = np.asarray(availability, dtype=float)
    reach_online = np.minimum(online * np.asarray(online_factor, dtype=float), 1.0)
    missed = (1.0 - visits) * (1.0 - written) * (1.0 - reach_online)
    return a + (1.0 - a) * (1.0 - missed)


def attendance_channel(
    u: np.ndarray,
    availability: np.ndarray,
    online_factor: np.ndarray,
    visits: float = 0.0,
    written: float = 0.0,
    online: float = 0.0,
) -> np.ndarray:
    """How each invited resident takes part, from one uniform each.

    The unit interval is cut in order: in person (``availability``), then a visit, written
    consultation and online, each reaching its share of those not reached before; the rest
    is absent. With every channel at zero only residents free in office hours come.

    Returns
    -------
    ndarray of int8
        `IN_PERSON`, `VISIT`, `WRITTEN`, `ONLINE` or `ABSENT` for each resident.
    """
    u = np.asarray(u, dtype=float)
    a = np.asarray(availability, dtype=float)
    rest = 1.0 - a
    cut_visit = a + rest * visits
    rest = rest * (1.0 - visits)
    cut_written = cut_visit + rest * written
    rest = rest * (1.0 - written)
    cut_online = cut_written + rest * np.minimum(online * np.asarray(online_factor), 1.0)
    out = np.full(u.shape, ABSENT, dtype=np.int8)
    out[u < cut_online] = ONLINE
    out[u < cut_written] = WRITTEN
    out[u < cut_visit] = VISIT
    out[u < a] = IN_PERSON
    return out


@dataclass(frozen=True)
class Draw:
    """The outcome of inviting residents to a meeting, in the order they were asked.

    Attributes
    ----------
    invited : int
        How many were asked (the first `invited` candidates).
    taken : ndarray of int
        Positions (among the candidates) of those who took part.
    declined : ndarray of int
        Of those asked who did not come, how many gave each reason, indexed by the codes of
        `sim.rules.participation.REASONS` (the first, ``came``, is 0).
    """

    invited: int
    taken: np.ndarray
    declined: np.ndarray

    @property
    def refused(self) -> int:
        """Those asked who refused because they were disappointed before."""
        return int(self.declined[DISAPPOINTED])


def take_participants(reason: np.ndarray, seats: int) -> Draw:
    """Ask candidates in order until `seats` have agreed to take part (or the list ends).

    Parameters
    ----------
    reason : ndarray of int
        What each candidate does when asked (`sim.rules.participation.reasons`): `CAME`,
        or their reason for not coming.
    seats : int
        Participants wanted.
    """
    reason = np.asarray(reason)
    order = np.flatnonzero(reason == CAME)
    if seats <= 0:
        invited = 0
    elif len(order) >= seats:
        invited = int(order[seats - 1]) + 1
    else:
        invited = len(reason)
    taken = order[order < invited]
    declined = np.bincount(reason[:invited], minlength=len(REASONS)).astype(np.int64)
    declined[CAME] = 0
    return Draw(invited, taken, declined)


def implementation_probability(
    base: float,
    funds: float,
    needs_funds: bool,
    departments: int,
    department_penalty: float,
    linkage_carry: float = 0.0,
) -> float:
    """Chance an agreed outcome is carried out (落实), 003: outcomes fail for want of funds
    and when many departments are involved.

    ``base`` × ``funds`` (when the matter needs money) × ``department_penalty`` for every
    department beyond the first; a linkage mechanism (联动机制) then carries
    ``linkage_carry`` of the otherwise failed outcomes through.
    """
    p = base * (funds if needs_funds else 1.0) * department_penalty ** max(departments - 1, 0)
    return p + (1.0 - p) * linkage_carry


def consensus_probability(consensus: float, no_consensus_factor: float = 1.0) -> float:
    """Chance a meeting agrees; participatory training (参与式培训) multiplies the chance of
    no consensus by `no_consensus_factor`."""
    return min(max(1.0 - (1.0 - consensus) * no_consensus_factor, 0.0), 1.0)


def becomes_disappointed(u: np.ndarray, implemented: bool, probability: float) -> np.ndarray:
    """Which participants of a consultation are disappointed: none when its outcome was
    carried out, else each with `probability` (uniforms `u`, one per participant)."""
    u = np.asarray(u, dtype=float)
    if implemented:
        return np.zeros(u.shape, dtype=bool)
    return u < probability


def recovery_time(u: np.ndarray, now: float, per_year: float) -> np.ndarray:
    """When disappointed residents get over it: an exponential wait of mean ``1 / per_year``
    years from `now` (never without recovery)."""
    u = np.asarray(u, dtype=float)
    if per_year <= 0.0:
        return np.full(u.shape, math.inf)
    return now - np.log1p(-u) * (YEAR / per_year)


def refuses(recover_at: np.ndarray, now: float) -> np.ndarray:
    """Whether residents refuse to take part out of disappointment at time `now`."""
    return np.asarray(recover_at) > now


def next_mass_work_day(t: float, opening: float, weekday: int, weeks: int = 1) -> float:
    """Opening time of the first mass-work day (群众工作日) at or after clock time `t`.

    Mass-work days fall on `weekday` (0 is Monday) of every `weeks`-th week, counting the
    first simulated week; a meeting called after that day's opening (`opening` minutes after
    midnight: `sim.model.calendar.Calendar.opening_minute`) waits for the next one.
    """
    week = math.floor(t / WEEK)
    week -= week % weeks
    while True:
        start = week * WEEK + weekday * DAY + opening
        if start >= t:
            return start
        week += weeks


def staff_minutes(hours: float, duration_factor: float = 1.0, relief: float = 0.0) -> float:
    """Community staff minutes of one step: its hours, sped up by training and cut by a
    temporary organisation's relief."""
    return hours * 60.0 * duration_factor * (1.0 - relief)
