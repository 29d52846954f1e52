"""Two-way evaluation (004): communities and departments rate each other.

At the end of every year of the run the government rates each community by its residents'
mean satisfaction (`sim.rules.evaluation.community_ratings`), and communities rate each
department by the share of the new tasks it assigned that year that came with funds
(费随事转; `sim.rules.evaluation.department_rating`). The departments' ratings feed back: a
poorly rated department pushes fewer unfunded tasks the next year
(`sim.rules.evaluation.next_push_factor`, written into the burden mechanism's `Ledger`, whose
would-be tasks read it when they fall due). Without the proposal's third party led by local
deputies, communities soften the ratings of their superiors (`reported_rating`). The local
units' satisfaction is not modelled.

Without ``[burden]`` departments push no new tasks, so only communities are rated. The
rating of the last year (at the horizon, where the clock stops) is made when the run has
ended (`Evaluation.finish`), from the residents' final satisfaction.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import ClassVar

import simpy

from sim.clock import DAY
from sim.processes.burden import year_bounds, years_of
from sim.processes.ledger import Ledger
from sim.processes.mechanism import Context
from sim.rules.evaluation import (
    community_ratings,
    department_rating,
    fund_factors,
    next_push_factor,
    reported_rating,
)
from sim.scenario.sections.evaluation import EvaluationSpec

RATED_BEFORE_END = 1.0  # minutes: ratings are made in the last minute of the year, so the
# market's listing at the turn of the year already reads them


@dataclass(frozen=True)
class Rating:
    """One year's two-way evaluation: communities' and departments' ratings, the
    departments' factors on their unfunded tasks for the next year (empty without burden),
    and the communities' factors on next year's funds (empty without the feedback)."""

    year: int
    time: float
    communities: tuple[float, ...]
    departments: tuple[float, ...]
    push_factor: tuple[float, ...]
    funds: tuple[float, ...] = ()


@dataclass(frozen=True)
class EvaluationTally:
    """The ratings of every year of the run, in order (plain data)."""

    ratings: tuple[Rating, ...]


class Evaluation:
    """The yearly two-way evaluation of communities and departments.

    Parameters
    ----------
    ctx : Context
        The replication's environment, scenario, residents and router.
    spec : EvaluationSpec
        The scenario's ``[evaluation]`` section.

    Attributes
    ----------
    ratings : list of Rating
        One per year, in order (the last one once the run has ended).
    """

    section: ClassVar[str] = "evaluation"
    hooks: ClassVar[tuple[str, ...]] = ()
    needs: ClassVar[tuple[str, ...]] = ("burden",)  # its ledger, when burden is on

    def __init__(self, ctx: Context, spec: EvaluationSpec) -> None:
        self.ctx, self.spec = ctx, spec
        self.years = years_of(ctx.scenario)
        self.ratings: list[Rating] = []
        self.ledger: Ledger | None = ctx.ledger

    def start(self) -> None:
        """Start the yearly ratings (the burden mechanism, if on, has started before)."""
        self.ledger = self.ctx.ledger
        self.ctx.env.process(self._run())

    def _run(self) -> Generator[simpy.Event, None, None]:
        env, s = self.ctx.env, self.ctx.scenario
        horizon = s.days * DAY
        for y in range(self.years):
            end = year_bounds(s, y)[1]
            if end >= horizon:
                return  # rated after the run (`finish`)
            yield env.timeout(end - RATED_BEFORE_END - env.now)
            self.rate(y)

    def rate(self, year: int) -> Rating:
        """Rate communities and departments for `year` now, and set the departments'
        factors on their unfunded tasks for the next year."""
        ctx = self.ctx
        pop = ctx.population
        n_comm = ctx.scenario.structure.communities
        comm = community_ratings(ctx.satisfaction.values, pop.community, n_comm)
        ledger = self.ledger
        depts: tuple[float, ...] = ()
        factors: tuple[float, ...] = ()
        if ledger is not None:
            spec = self.spec
            depts = tuple(
                reported_rating(department_rating(int(a), int(f)), spec.third_party, spec.deference)
                for a, f in zip(ledger.assigned[year], ledger.funded[year], strict=True)
            )
            ledger.push_factor[:] = [
                next_push_factor(float(m), r, self.spec.feedback)
                for m, r in zip(ledger.push_factor, depts, strict=True)
            ]
            factors = tuple(float(m) for m in ledger.push_factor)
        funds: tuple[float, ...] = ()
        if self.spec.community_fund_weight > 0.0:
            ctx.community_funds = fund_factors(comm, self.spec.community_fund_weight)
            funds = tuple(ctx.community_funds.tolist())
        rating = Rating(year, ctx.env.now, tuple(comm.tolist()), depts, factors, funds)
        self.ratings.append(rating)
        return rating

    def finish(self) -> None:
        """Make the ratings the clock did not reach (the year ending at the horizon)."""
        while len(self.ratings) < self.years:
            self.rate(len(self.ratings))

    def tally(self) -> EvaluationTally:
        """Every year's ratings."""
        return EvaluationTally(tuple(self.ratings))
