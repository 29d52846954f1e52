"""Queueing theory the engine is checked against: Erlang C, M/M/c, Jackson networks."""

from __future__ import annotations

import math


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with offered load `a` = λ/μ."""
    if a >= c:
        return 1.0
    term, total = 1.0, 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c / (1 - a / c)
    return last / (total + last)


def mmc_wait(lam: float, mean_service: float, c: int) -> float:
    """Mean wait in queue Wq of an M/M/c queue (same time unit as `mean_service`)."""
    a = lam * mean_service
    if a >= c:
        return math.inf
    return erlang_c(c, a) * mean_service / (c - a)


def mmc_sojourn(lam: float, mean_service: float, c: int) -> float:
    """Mean time in system W = Wq + 1/μ of an M/M/c queue."""
    return mmc_wait(lam, mean_service, c) + mean_service


def jackson_sojourn(lam: float, stations: list[tuple[float, int, float]]) -> float:
    """Mean time in an open Jackson network.

    Parameters
    ----------
    lam : float
        External arrival rate.
    stations : list of (visits, servers, mean service)
        Mean number of visits per customer (from the traffic equations), servers and mean
        service time of each station.
    """
    return sum(v * mmc_sojourn(lam * v, m, c) for v, c, m in stations)
