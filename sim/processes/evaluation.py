"""Two-way evaluation (004): communities and departments rate each other.

At the end of every year of the run the government rates each community by its residents'
mean satisfaction (`sim.rules.evaluation.community_ratings`), and communities rate each
department by the share of the new tasks it assigned that year that came with funds
(费随事转; `sim.rules.evaluation.department_rating`). The departments' ratings feed back: a
poorly rated department pushes fewer unfunded tasks the next year
(`sim.rules.evaluation.next_push_factor`, written into the burden mechanism's `Ledger`, whose
would-be tasks read it when they fall due). The proposal's third party led by local deputies,
and the local units' satisfaction, are not modelled.

Without ``[burden]`` departments push no new tasks, so only communities are rated. The
rating of the last year (at the horizon, where the clock stops) is made after the run from
the residents' final satisfaction.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.clock import DAY
from sim.processes.burden import Ledger, ledger_of, year_bounds, years_of
from sim.processes.mechanism import Context, register
from sim.rules.evaluation import community_ratings, department_rating, next_push_factor
from sim.scenario.sections.evaluation import EvaluationSpec


@dataclass(frozen=True)
class Rating:
    """One year's two-way evaluation: communities' and departments' ratings, and the
    departments' factors on their unfunded tasks for the next year (empty without burden)."""

    year: int
    time: float
    communities: tuple[float, ...]
    departments: tuple[float, ...]
    push_factor: tuple[float, ...]


@register("evaluation")
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
        One per year, in order (the last one once the run has ended and a report is asked).
    """

    def __init__(self, ctx: Context, spec: EvaluationSpec) -> None:
        self.ctx, self.spec = ctx, spec
        self.years = years_of(ctx.scenario)
        self.ratings: list[Rating] = []
        self.ledger: Ledger | None = None

    def start(self) -> None:
        """Start the yearly ratings (the burden mechanism, if on, has started before)."""
        self.ledger = ledger_of(self.ctx)
        self.ctx.env.process(self._run())

    def _run(self) -> Generator[simpy.Event, None, None]:
        env, s = self.ctx.env, self.ctx.scenario
        horizon = s.days * DAY
        for y in range(self.years):
            end = year_bounds(s, y)[1]
            if end >= horizon:
                return  # rated after the run (`_finish`)
            yield env.timeout(end - env.now)
            self.rate(y)

    def rate(self, year: int) -> Rating:
        """Rate communities and departments for `year` now, and set the departments'
        factors on their unfunded tasks for the next year."""
        ctx = self.ctx
        pop = ctx.population
        comm = community_ratings(ctx.router.sat, pop.community, ctx.scenario.structure.communities)
        if self.ledger is None:
            self.ledger = ledger_of(ctx)
        ledger = self.ledger
        depts: tuple[float, ...] = ()
        factors: tuple[float, ...] = ()
        if ledger is not None:
            depts = tuple(
                department_rating(int(a), int(f))
                for a, f in zip(ledger.assigned[year], ledger.funded[year], strict=True)
            )
            ledger.push_factor[:] = [
                next_push_factor(float(m), r, self.spec.feedback)
                for m, r in zip(ledger.push_factor, depts, strict=True)
            ]
            factors = tuple(float(m) for m in ledger.push_factor)
        rating = Rating(year, ctx.env.now, tuple(comm.tolist()), depts, factors)
        self.ratings.append(rating)
        return rating

    def _finish(self) -> None:
        """Make the ratings the clock did not reach (the year ending at the horizon)."""
        while len(self.ratings) < self.years:
            self.rate(len(self.ratings))

    # -- reports --------------------------------------------------------------------------
    def metrics(self) -> dict[tuple[str, str], float]:
        """The last year's ratings and the departments' factors after them."""
        self._finish()
        last = self.ratings[-1]
        return {
            ("community_rating_mean", ""): _mean(last.communities),
            ("community_rating_min", ""): _min(last.communities),
            ("department_rating_mean", ""): _mean(last.departments),
            ("push_factor_mean", ""): _mean(last.push_factor),
        }

    def yearly(self) -> list[tuple[int, str, float]]:
        """Per year: communities' mean and lowest rating, departments' mean rating and mean
        factor on unfunded tasks for the next year."""
        self._finish()
        rows = []
        for r in self.ratings:
            rows += [
                (r.year, "community_rating_mean", _mean(r.communities)),
                (r.year, "community_rating_min", _min(r.communities)),
                (r.year, "department_rating_mean", _mean(r.departments)),
                (r.year, "push_factor_mean", _mean(r.push_factor)),
            ]
        return rows


def _mean(values: tuple[float, ...]) -> float:
    """Mean over the rated (non-NaN) values; NaN if none."""
    x = np.array(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if len(x) else math.nan


def _min(values: tuple[float, ...]) -> float:
    x = np.array(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.min()) if len(x) else math.nan
