"""Warm-up: how many days to leave out before the system looks like itself.

A run starts empty — no queue, no backlog of tasks — which no real district ever is. MSER-5
(White 1997; Hoad, Robinson & Davies 2010) picks the truncation point that minimises the
marginal standard error of the mean of the remaining batch means (batches of 5 days), searched
over the first half of the series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BATCH = 5


def mser5(series: np.ndarray | list[float]) -> int:
    """Truncation point (in observations, a multiple of 5) chosen by MSER-5.

    Parameters
    ----------
    series : array
        One observation per day (e.g. the backlog at midnight averaged over replications).
    """
    y = np.asarray(series, dtype=float)
    b = len(y) // BATCH
    if b < 4:
        return 0
    means = y[: b * BATCH].reshape(b, BATCH).mean(axis=1)
    best, best_d = np.inf, 0
    for d in range(b // 2 + 1):
        tail = means[d:]
        n = len(tail)
        stat = float(((tail - tail.mean()) ** 2).sum()) / (n * n)
        if stat < best - 1e-15:
            best, best_d = stat, d
    return best_d * BATCH


def daily_backlog(timeseries: pd.DataFrame) -> np.ndarray:
    """Backlog at midnight summed over stations, averaged over replications, by day."""
    if timeseries.empty:
        return np.empty(0)
    per_rep = timeseries.groupby(["replication", "day"])["backlog"].sum()
    return per_rep.groupby("day").mean().to_numpy()
