"""Two-way evaluation (004): how communities and departments are rated, and what a rating
does to a department's pushing of tasks.

The government rates each community by its residents' satisfaction; communities rate each
department by whether it provided the funds for the work it assigned. A third party led by
local deputies judges both in the proposal; without it communities rate their superiors
themselves and soften the ratings (`reported_rating`). Every rule is a pure function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def community_ratings(
    satisfaction: Sequence[float] | np.ndarray, community: np.ndarray, communities: int
) -> np.ndarray:
    """Each community's rating: the mean satisfaction of its residents (NaN if it has none).

    Parameters
    ----------
    satisfaction : sequence of float
        Current satisfaction of every resident, in [0, 1].
    community : ndarray of int
        Community of every resident.
    communities : int
        Number of communities.
    """
    sat = np.asarray(satisfaction, dtype=float)
    total = np.bincount(community, weights=sat, minlength=communities)
    count = np.bincount(community, minlength=communities)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def department_rating(assigned: int, funded: int) -> float:
    """A department's rating: the share of the tasks it assigned that came with funds
    (NaN when it assigned none).

    Parameters
    ----------
    assigned : int
        New tasks the department pushed down in the year (accepted or turned away at the
        gate).
    funded : int
        How many of them came with their funds.
    """
    return funded / assigned if assigned else math.nan


def fund_factors(ratings: np.ndarray, weight: float) -> np.ndarray:
    """Each community's factor on its own fund next year from its rating (以奖代补, rewards
    instead of subsidies): ``1 + weight * (r - mean) / mean``, at least 0, scaled back to a
    mean of 1 so the district's total stays as budgeted; an unrated community (NaN) and a
    weight of 0 give 1.

    Parameters
    ----------
    ratings : ndarray of float
        The communities' ratings this year (mean satisfaction of their residents).
    weight : float
        How strongly the rating moves the fund (0: not at all).
    """
    r = np.asarray(ratings, dtype=float)
    ok = ~np.isnan(r)
    out = np.ones(r.shape)
    if weight <= 0.0 or not ok.any():
        return out
    mean = float(r[ok].mean())
    if mean <= 0.0:
        return out
    out[ok] = np.maximum(0.0, 1.0 + weight * (r[ok] - mean) / mean)
    total = out.mean()
    return out / total if total > 0.0 else np.ones(r.shape)


def reported_rating(rating: float, third_party: bool, deference: float) -> float:
    """The rating a department gets: from the books when a third party led by local
    deputies judges it (004), else from communities rating their own superiors, who hide a
    share `deference` of its shortfall (``rating + deference * (1 - rating)``; NaN stays
    NaN)."""
    if third_party or math.isnan(rating):
        return rating
    return rating + deference * (1.0 - rating)


def next_push_factor(factor: float, rating: float, feedback: float) -> float:
    """The department's factor on its unfunded tasks next year, after its rating.

    ``factor * (1 - feedback * (1 - rating))``: a department rated 1 (it funded everything)
    keeps its factor; one rated 0 pushes a share `feedback` fewer unfunded tasks than this
    year. An unrated department (NaN: it assigned nothing) keeps its factor.

    Parameters
    ----------
    factor : float
        This year's factor, in [0, 1] (1 before any rating).
    rating : float
        The department's rating this year, in [0, 1], or NaN.
    feedback : float
        Strength of the consequence of a poor rating, in [0, 1].
    """
    if math.isnan(rating):
        return factor
    return factor * (1.0 - feedback * (1.0 - rating))
