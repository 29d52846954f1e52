"""Burden after a cut: tasks pushed back (反弹), the access gate (准入), funds follow tasks
(费随事转).

Tongling cut the tasks a community carries by nearly half from 280+ in May 2014 (001). Unless
departments change how they work, they push tasks back down and the burden rebounds (001).
Here the core's upfront task stream (``tasks.per_year``) is the level right after the cut, and
departments push new tasks back on top of it, a few more every year up to the pre-cut level
(`sim.rules.gate.add_back_rate`). The Tongling proposal (004) puts an access gate in their way
(准入: the reform group vets every new task) and makes funds follow the task (费随事转): the
funds buy part of the task's hours from outside, so the community staff work fewer of them.

Every new task a department would push is drawn up front from the ``burden`` stream, as a
Poisson stream in office hours per community and year, with its department (equally likely),
its workload (as a core task) and three uniform numbers of its own: for its funds, for the
department's restraint after a poor rating (two-way evaluation) and for the gate. Two
scenarios run with the same seed therefore see the same would-be tasks, and differ only in
what their rules make of them. At its time the task is decided (`sim.rules.gate`) and, if it
gets through, pushed to the community's staff as a task item (``router.push_work``).

The yearly counts of what each department assigned and funded are kept in a `Ledger`, which
two-way evaluation (`sim.processes.evaluation`) reads and writes the departments' push
factors into.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import simpy

from sim.clock import DAY, YEAR
from sim.model.calendar import Calendar
from sim.processes.ledger import Ledger
from sim.processes.mechanism import Context
from sim.rules.gate import add_back_rate, gate_rejects, is_funded, is_pushed, staff_minutes
from sim.scenario.schema import Scenario
from sim.scenario.sections.burden import BurdenSpec

PUSH, REJECT, WITHHOLD = "push", "reject", "withhold"


def years_of(s: Scenario) -> int:
    """Years of the run, counting a last partial year."""
    return max(1, math.ceil(s.days / 365.0))


def year_bounds(s: Scenario, year: int) -> tuple[float, float]:
    """Clock minutes at which year `year` of the run starts and ends (the horizon at most)."""
    return year * YEAR, min((year + 1) * YEAR, s.days * DAY)


@dataclass
class Candidates:
    """New tasks departments would push down, in time order, each with its own uniforms."""

    time: np.ndarray
    community: np.ndarray
    department: np.ndarray
    minutes: np.ndarray
    u_fund: np.ndarray
    u_push: np.ndarray
    u_gate: np.ndarray

    @property
    def size(self) -> int:
        """Number of would-be tasks."""
        return len(self.time)


def draw_candidates(s: Scenario, cal: Calendar, rng: np.random.Generator) -> Candidates:
    """Draw every task departments would push back over the run (from the burden stream).

    In year ``y`` each community gets a Poisson number of tasks with mean
    ``add_back_rate(y) * (share of the year in the run)``, at uniform open-time instants of
    that year, each from a department drawn uniformly, with an exponential workload of mean
    ``tasks.hours_each``.
    """
    spec = s.burden
    if spec is None or s.tasks.unit is None:
        return _no_candidates()
    n_dept = len(s.departments)
    cols: list[list[np.ndarray]] = [[] for _ in range(7)]
    for y in range(years_of(s)):
        start, end = year_bounds(s, y)
        rate = add_back_rate(y, spec.rebound_per_year, s.tasks.per_year, spec.ceiling_per_year)
        mean = rate * (end - start) / YEAR
        a, b = cal.open_time(start), cal.open_time(end)
        for c in range(s.structure.communities):
            n = int(rng.poisson(mean))
            u = rng.random((3, n))
            drawn = (
                cal.to_clock(rng.uniform(a, b, n)),
                np.full(n, c, np.int32),
                rng.integers(0, n_dept, n).astype(np.int32),
                rng.exponential(s.tasks.hours_each * 60.0, n),
                u[0],
                u[1],
                u[2],
            )
            for col, x in zip(cols, drawn, strict=True):
                col.append(x)
    time = np.concatenate(cols[0])
    order = np.argsort(time, kind="stable")
    return Candidates(*(np.concatenate(col)[order] for col in cols))


def _no_candidates() -> Candidates:
    e = np.empty(0)
    i = np.empty(0, np.int32)
    return Candidates(e, i, i, e, e, e, e)


@dataclass(frozen=True)
class BurdenTally:
    """What the burden mechanism counted, per year of the run (plain data).

    Attributes
    ----------
    years : int
        Years of the run (a last partial year counts).
    pushed, rejected, withheld : ndarray
        Would-be tasks pushed to the staff, turned away by the gate, held back by their
        department, per year.
    bought_minutes : ndarray
        Task minutes bought from outside with the funds that followed tasks, per year.
    assigned, funded : ndarray
        The ledger's tasks assigned and funded, by (year, department).
    """

    years: int
    pushed: np.ndarray
    rejected: np.ndarray
    withheld: np.ndarray
    bought_minutes: np.ndarray
    assigned: np.ndarray
    funded: np.ndarray


class Burden:
    """Departments pushing tasks back after a cut, through the gate, with or without funds.

    Parameters
    ----------
    ctx : Context
        The replication's environment, scenario, router and streams.
    spec : BurdenSpec
        The scenario's ``[burden]`` section.
    candidates : Candidates, optional
        The would-be tasks (drawn from the ``burden`` stream by default; tests pass their own).

    Attributes
    ----------
    ledger : Ledger
        The books of tasks assigned and funded (shared with two-way evaluation).
    log : list of tuple
        ``(event, minute, community, department, funded, staff_minutes)`` for every would-be
        task at its time; ``event`` is ``push``, ``reject`` (the gate) or ``withhold`` (the
        department held an unfunded task back after poor ratings); staff minutes are 0 for a
        task not pushed.
    """

    section: ClassVar[str] = "burden"
    hooks: ClassVar[tuple[str, ...]] = ()
    needs: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, ctx: Context, spec: BurdenSpec, candidates: Candidates | None = None
    ) -> None:
        self.ctx, self.spec = ctx, spec
        s = ctx.scenario
        self.years = years_of(s)
        self.cand = (
            candidates
            if candidates is not None
            else draw_candidates(s, ctx.calendar, ctx.stream("burden"))
        )
        depts = list(s.departments)
        n_dept = len(depts)
        self.ledger = Ledger(
            depts, np.zeros((self.years, n_dept), int), np.zeros((self.years, n_dept), int)
        )
        ctx.ledger = self.ledger
        gate, funds = spec.gate, spec.funds
        self.reject_unfunded = gate.reject_unfunded if gate else 0.0
        self.reject_funded = gate.reject_funded if gate else 0.0
        self.funded_share = funds.funded_share if funds else 0.0
        self.bought_share = funds.bought_share if funds else 0.0
        self.log: list[tuple[str, float, int, str, bool, float]] = []
        zeros = np.zeros(self.years)
        self.pushed, self.rejected, self.withheld = zeros.copy(), zeros.copy(), zeros.copy()
        self.bought_minutes = zeros.copy()

    def start(self) -> None:
        """Start the departments' pushing (nothing to do when tasks land nowhere)."""
        if self.cand.size and self.ctx.router.takes_work:
            self.ctx.env.process(self._push())

    def _push(self) -> Generator[simpy.Event, None, None]:
        env, cand = self.ctx.env, self.cand
        times = cand.time.tolist()
        for j, t in enumerate(times):
            if t > env.now:
                yield env.timeout(t - env.now)
            self._decide(j)

    def _decide(self, j: int) -> None:
        """Would-be task `j` is due: funds, the department's restraint, the gate, the staff."""
        cand, ledger = self.cand, self.ledger
        now = self.ctx.env.now
        y = min(int(now // YEAR), self.years - 1)
        c, d = int(cand.community[j]), int(cand.department[j])
        dept = ledger.departments[d]
        funded = is_funded(float(cand.u_fund[j]), self.funded_share)
        if not is_pushed(float(cand.u_push[j]), funded, float(ledger.push_factor[d])):
            self.withheld[y] += 1
            self.log.append((WITHHOLD, now, c, dept, funded, 0.0))
            return
        ledger.assigned[y, d] += 1
        ledger.funded[y, d] += funded
        gate = float(cand.u_gate[j])
        if gate_rejects(gate, funded, self.reject_unfunded, self.reject_funded):
            self.rejected[y] += 1
            self.log.append((REJECT, now, c, dept, funded, 0.0))
            return
        minutes = float(cand.minutes[j])
        staff = staff_minutes(minutes, funded, self.bought_share)
        self.pushed[y] += 1
        self.bought_minutes[y] += minutes - staff
        self.log.append((PUSH, now, c, dept, funded, staff))
        self.ctx.router.push_work(c, staff)

    def finish(self) -> None:
        """Nothing is left to settle after the run."""

    def tally(self) -> BurdenTally:
        """The yearly counts and the ledger's books."""
        ledger = self.ledger
        return BurdenTally(
            self.years,
            self.pushed.copy(),
            self.rejected.copy(),
            self.withheld.copy(),
            self.bought_minutes.copy(),
            ledger.assigned.copy(),
            ledger.funded.copy(),
        )
