"""Uncertainty over replications: the half-width of a Student-t confidence interval of a
mean, the one rule every table and figure of the project uses."""

from __future__ import annotations

import numpy as np
from scipy import stats


def half_width(std: object, count: object, level: float = 0.95) -> np.ndarray:
    """Half-width of the Student-t interval of a mean of `count` values with standard
    deviation `std` (NaN below two values). Works on scalars, arrays and pandas Series
    (a Series comes back as a Series with its index)."""
    n = np.asarray(count, dtype=float)
    t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(n > 1, t * np.asarray(std, dtype=float) / np.sqrt(n), np.nan)
    index = getattr(std, "index", None)
    if index is not None:
        import pandas as pd

        return pd.Series(out, index=index)  # type: ignore[return-value]
    return out
