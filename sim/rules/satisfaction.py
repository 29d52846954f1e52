"""How a resident's satisfaction moves when a matter ends (a pure rule).

A matter resolved quickly and in one trip pleases; every extra day and every extra trip
costs. The score of one matter is ``exp(-days / target_days)``, multiplied by
``1 - trip_penalty * (trips - 1)`` (never below 0); an abandoned matter scores 0. The resident's
satisfaction then moves toward the score by ``learning_rate`` (an exponential average).
"""

from __future__ import annotations

import math

from sim.clock import DAY


def after_matter(
    satisfaction: float,
    arrival: float,
    finish: float,
    trips: int,
    resolved: bool,
    target_days: float,
    trip_penalty: float,
    rate: float,
) -> float:
    """A resident's satisfaction after one of their matters ended at clock minute `finish`.

    Parameters
    ----------
    satisfaction : float
        The resident's satisfaction before, in [0, 1].
    arrival, finish : float
        Clock minutes the matter arose and ended.
    trips : int
        Trips the resident made for it.
    resolved : bool
        Whether it was resolved (an abandoned matter scores 0).
    target_days : float
        Days at which the score of a resolved matter has fallen to 1/e.
    trip_penalty : float
        Score lost per trip beyond the first.
    rate : float
        How far satisfaction moves toward the matter's score (the learning rate).

    Returns
    -------
    float
        ``satisfaction + rate * (score - satisfaction)``.
    """
    score = 0.0
    if resolved:
        score = math.exp((arrival - finish) / (DAY * target_days))
        if trips > 1:
            score *= max(0.0, 1.0 - trip_penalty * (trips - 1))
    return satisfaction + rate * (score - satisfaction)
