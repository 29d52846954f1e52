"""Burden after a cut: departments pushing work back (反弹) by capacity, channel and habit,
the access gate (准入), funds follow tasks (费随事转).

Tongling cut the tasks a community carries by nearly half from 280+ in May 2014 (001). The
departments still have the work they used to push down, and unless they change how they work
they push it back: the burden rebounds, and a community treated as a street office turns back
into one (只会把社区变回街道, 001). Here the core's upfront task stream (``tasks.per_year``) is
what stays with communities; on top of it, departments have a latent stream of would-be tasks
(``burden.latent_per_year``) and push each with a chance from the push rule
(`sim.rules.push`): their habit of pushing to that community times the community's attraction
(its staff per resident against a reference, and its administrative status). Each task the
community accepts strengthens the habit, each one the access gate turns away weakens it; the
rebound's speed and shape come out of that loop, not from a yearly figure.

Every would-be task is drawn up front from the ``burden`` stream, as a Poisson stream in
office hours per community and year, with its department (equally likely), its workload (as a
core task) and four uniform numbers of its own: for its funds, for the department's attempt
(the push rule), for its restraint after a poor rating (two-way evaluation) and for the gate.
Two scenarios with the same seed, the same communities and the same horizon therefore see the
same would-be tasks (one sequence over years and communities: a different structure or horizon
draws others), and differ only in what their rules make of them. At its time the task is
decided and, if it gets through, pushed to the community's staff as a task item
(``router.push_work``).

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
from sim.processes.tasks import work_scale
from sim.rules.gate import (
    ENTRUSTED,
    REJECTED,
    gate_decision,
    is_funded,
    is_pushed,
    listed_share,
    staff_minutes,
)
from sim.rules.push import attraction, learning_step, reinforce, tries
from sim.scenario.schema import Scenario
from sim.scenario.sections.burden import BurdenSpec

PUSH, REJECT, WITHHOLD, KEEP = "push", "reject", "withhold", "keep"


def years_of(s: Scenario) -> int:
    """Years of the run, counting a last partial year."""
    return max(1, math.ceil(s.days / 365.0))


def year_bounds(s: Scenario, year: int) -> tuple[float, float]:
    """Clock minutes at which year `year` of the run starts and ends (the horizon at most)."""
    return year * YEAR, min((year + 1) * YEAR, s.days * DAY)


@dataclass
class Candidates:
    """New tasks departments would push down, in time order, each with its own uniforms:
    for its funds, the department's attempt (push rule), its restraint after poor ratings
    and the gate."""

    time: np.ndarray
    community: np.ndarray
    department: np.ndarray
    minutes: np.ndarray
    u_fund: np.ndarray
    u_try: np.ndarray
    u_push: np.ndarray
    u_gate: np.ndarray

    @property
    def size(self) -> int:
        """Number of would-be tasks."""
        return len(self.time)


def draw_candidates(s: Scenario, cal: Calendar, rng: np.random.Generator) -> Candidates:
    """Draw every task departments would push down over the run (from the burden stream).

    In year ``y`` each community gets a Poisson number of would-be tasks with mean
    ``latent_per_year * scale * (share of the year in the run)`` (``scale`` as for core
    tasks, `sim.processes.tasks.work_scale`), at uniform open-time instants of that year,
    each from a department drawn uniformly, with an exponential workload of mean
    ``tasks.hours_each``. The rules that decide them draw nothing.
    """
    spec = s.burden
    if spec is None or s.tasks.unit is None:
        return _no_candidates()
    n_dept = len(s.departments)
    cols: list[list[np.ndarray]] = [[] for _ in range(8)]
    for y in range(years_of(s)):
        start, end = year_bounds(s, y)
        mean = spec.latent_per_year * work_scale(s) * (end - start) / YEAR
        a, b = cal.open_time(start), cal.open_time(end)
        for c in range(s.structure.communities):
            n = int(rng.poisson(mean))
            u = rng.random((4, n))
            drawn = (
                cal.to_clock(rng.uniform(a, b, n)),
                np.full(n, c, np.int32),
                rng.integers(0, n_dept, n).astype(np.int32),
                rng.exponential(s.tasks.hours_each * 60.0, n),
                u[0],
                u[1],
                u[2],
                u[3],
            )
            for col, x in zip(cols, drawn, strict=True):
                col.append(x)
    time = np.concatenate(cols[0])
    order = np.argsort(time, kind="stable")
    return Candidates(*(np.concatenate(col)[order] for col in cols))


def _no_candidates() -> Candidates:
    e = np.empty(0)
    i = np.empty(0, np.int32)
    return Candidates(e, i, i, e, e, e, e, e)


@dataclass(frozen=True)
class BurdenTally:
    """What the burden mechanism counted, per year of the run (plain data).

    Attributes
    ----------
    years : int
        Years of the run (a last partial year counts).
    pushed, rejected, withheld, kept : ndarray
        Would-be tasks pushed to the staff, turned away by the gate, held back by their
        department after poor ratings, and not tried at all (the push rule: no habit or no
        draw), per year.
    bought_minutes : ndarray
        Task minutes bought from outside with the funds that followed tasks, per year.
    assigned, funded : ndarray
        The ledger's tasks assigned and funded, by (year, department).
    habit : ndarray
        Departments' mean habit of pushing to a community at the end of each year.
    attraction : float
        The communities' attraction for departments' work (`sim.rules.push.attraction`).
    entrusted : ndarray
        Tasks the gate turned away that became entrustment contracts (委托协议), per year.
    """

    years: int
    pushed: np.ndarray
    rejected: np.ndarray
    withheld: np.ndarray
    kept: np.ndarray
    bought_minutes: np.ndarray
    assigned: np.ndarray
    funded: np.ndarray
    habit: np.ndarray
    attraction: float
    entrusted: np.ndarray | None = None


class Burden:
    """Departments pushing work down where they see capacity, a channel and a habit, through
    the gate, with or without funds.

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
    habit : ndarray
        Each department's habit of pushing to each community, (departments, communities).
    draw : float
        The communities' attraction for departments' work (`sim.rules.push.attraction`).
    step : float
        How far one attempt moves a habit (`sim.rules.push.learning_step`).
    log : list of tuple
        ``(event, minute, community, department, funded, staff_minutes)`` for every would-be
        task at its time; ``event`` is ``push``, ``reject`` (the gate), ``withhold`` (the
        department held an unfunded task back after poor ratings) or ``keep`` (the push
        rule: the department did not try); staff minutes are 0 for a task not pushed.
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
        self.listed = listed_share(gate.listed_items, gate.items_before) if gate else None
        self.entrust = gate.entrustment if gate else 0.0
        self.funded_share = funds.funded_share if funds else 0.0
        self.bought_share = funds.bought_share if funds else 0.0
        unit = s.units[s.tasks.unit] if s.tasks.unit is not None else None
        staff = float(unit.servers) if unit is not None and unit.servers else math.inf
        self.draw = attraction(
            staff, spec.reference_staff, work_scale(s), spec.capacity_elasticity, spec.channel
        )
        self.habit = np.full((n_dept, s.structure.communities), spec.habit_start)
        would_be = spec.latent_per_year * work_scale(s) / max(n_dept, 1)
        self.step = learning_step(spec.learning_per_year, would_be)
        self.log: list[tuple[str, float, int, str, bool, float]] = []
        zeros = np.zeros(self.years)
        self.pushed, self.rejected, self.withheld = zeros.copy(), zeros.copy(), zeros.copy()
        self.kept, self.bought_minutes = zeros.copy(), zeros.copy()
        self.entrusted = zeros.copy()
        self.habit_mean = np.full(self.years, np.nan)
        self._year = 0  # the year whose end-of-year habit is not yet written

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
        """Would-be task `j` is due: funds, the department's attempt (push rule), its
        restraint after poor ratings, the gate, the habit it learns, the staff."""
        cand, ledger = self.cand, self.ledger
        now = self.ctx.env.now
        y = min(int(now // YEAR), self.years - 1)
        self._close_years(y)
        c, d = int(cand.community[j]), int(cand.department[j])
        dept = ledger.departments[d]
        funded = is_funded(float(cand.u_fund[j]), self.funded_share)
        habit = float(self.habit[d, c])
        if not tries(float(cand.u_try[j]), habit, self.draw):
            self.kept[y] += 1
            self.log.append((KEEP, now, c, dept, funded, 0.0))
            return
        if not is_pushed(float(cand.u_push[j]), funded, float(ledger.push_factor[d])):
            self.withheld[y] += 1
            self.log.append((WITHHOLD, now, c, dept, funded, 0.0))
            return
        ledger.assigned[y, d] += 1
        ledger.funded[y, d] += funded
        gate = float(cand.u_gate[j])
        decision = gate_decision(
            gate, funded, self.reject_unfunded, self.reject_funded, self.listed, self.entrust
        )
        rejected = decision == REJECTED
        self.habit[d, c] = reinforce(habit, not rejected, self.step)
        if rejected:
            self.rejected[y] += 1
            self.log.append((REJECT, now, c, dept, funded, 0.0))
            return
        if decision == ENTRUSTED:  # the department pays for the work after all
            funded = True
            ledger.funded[y, d] += 1
            self.entrusted[y] += 1
        minutes = float(cand.minutes[j])
        staff = staff_minutes(minutes, funded, self.bought_share)
        self.pushed[y] += 1
        self.bought_minutes[y] += minutes - staff
        self.log.append((PUSH, now, c, dept, funded, staff))
        self.ctx.router.push_work(c, staff)

    def _close_years(self, year: int) -> None:
        """Write the end-of-year mean habit of every year before `year` not yet written."""
        if year > self._year:
            self.habit_mean[self._year : year] = self.habit.mean() if self.habit.size else 0.0
            self._year = year

    def finish(self) -> None:
        """Write the mean habit of the years the last would-be task did not close."""
        self._close_years(self.years)

    def tally(self) -> BurdenTally:
        """The yearly counts, the ledger's books and the habits by year."""
        ledger = self.ledger
        return BurdenTally(
            self.years,
            self.pushed.copy(),
            self.rejected.copy(),
            self.withheld.copy(),
            self.kept.copy(),
            self.bought_minutes.copy(),
            ledger.assigned.copy(),
            ledger.funded.copy(),
            self.habit_mean.copy(),
            float(self.draw),
            self.entrusted.copy(),
        )
