"""How a resident's satisfaction moves when a matter ends (a pure rule).

A matter resolved quickly and in one trip pleases; every extra day and every extra trip
costs. The score of one matter is ``exp(-days / target_days)``, multiplied by
``1 - trip_penalty * (trips - 1)`` (never below 0); an abandoned matter scores 0. The resident's
satisfaction then moves toward the score by ``learning_rate`` (an exponential average).
"""

from __future__ import annotations

import math

from sim.clock import DAY


def matter_score(
    arrival: float, finish: float, trips: int, target_days: float, trip_penalty: float
) -> float:
    """Score in [0, 1] of a matter resolved at clock minute `finish` that arose at `arrival`.

    Parameters
    ----------
    arrival, finish : float
        Clock minutes the matter arose and was resolved.
    trips : int
        Trips the resident made for it.
    target_days : float
        Days at which the score has fallen to 1/e.
    trip_penalty : float
        Score lost per trip beyond the first.
    """
    score = math.exp((arrival - finish) / (DAY * target_days))
    if trips > 1:
        score *= max(0.0, 1.0 - trip_penalty * (trips - 1))
    return score


def moved(satisfaction: float, score: float, rate: float) -> float:
    """Satisfaction after one matter: moved toward its `score` by `rate`."""
    return satisfaction + rate * (score - satisfaction)
