"""Small reductions shared by the reducers: a ratio that is NaN without a denominator, and
means and minima that are NaN over nothing."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def ratio(num: float, den: float) -> float:
    """``num / den``, NaN when there is nothing to divide by (e.g. no one was invited)."""
    return float(num / den) if den else math.nan


def mean_or_nan(values: Sequence[float]) -> float:
    """Mean of `values`, NaN when there are none."""
    return float(np.mean(values)) if len(values) else math.nan


def rated_mean(values: Sequence[float]) -> float:
    """Mean over the rated (non-NaN) values; NaN if none."""
    x = np.array(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if len(x) else math.nan


def rated_min(values: Sequence[float]) -> float:
    """Lowest of the rated (non-NaN) values; NaN if none."""
    x = np.array(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.min()) if len(x) else math.nan
