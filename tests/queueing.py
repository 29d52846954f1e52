"""Queueing networks written as govsim scenarios, and intervals over replications.

A service center that never closes (``calendar.kind = "always"``), Poisson arrivals and
exponential services is an M/M/c queue; stages joined by routing probabilities make an open
Jackson network. These builders return plain scenario dicts for `sim.load_scenario`; the
statistics helpers turn independent replications into Student-t confidence intervals that the
tests compare with `sim.metrics.theory`. Time is in minutes throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from harness import finished
from scipy import stats

import sim
from sim.clock import DAY
from sim.processes.records import RESOLVED
from sim.processes.world import World

Spec = dict[str, Any]

LEVEL = 0.999  # confidence of each interval: many intervals per run, none may fail by chance
BIAS = 0.02  # relative allowance for start-from-empty and end-of-run bias
RESIDENTS = 1000  # residents of the single community; the rate is set per resident
EPS = 1e-9  # minutes: a wait shorter than this is a rounding error of clock times, not a wait


# -- scenarios ------------------------------------------------------------------------------
def rate_per_resident_year(lam: float) -> float:
    """Yearly demand rate per resident giving `lam` arrivals per minute in all."""
    return lam * DAY * 365.0 / RESIDENTS


def days_for(lam: float, demands: int, warm: float = 3.0, tail: float = 2.0) -> int:
    """Horizon in days holding about `demands` arrivals at `lam` per minute after the
    warm-up and before the tail."""
    return math.ceil(warm + tail + demands / (lam * DAY))


def network(
    lam: float,
    units: dict[str, Spec],
    stages: dict[str, Spec],
    entry: str,
    days: int,
    groups: dict[str, Spec] | None = None,
    departments: list[str] | None = None,
    name: str = "network",
) -> Spec:
    """A district-level queueing network open day and night, fed by one Poisson stream.

    Parameters
    ----------
    lam : float
        External arrival rate per minute.
    units : dict
        Unit name -> extra unit keys (``servers`` or ``windows``); all at district level.
    stages : dict
        Stage name -> stage keys of the one flow ``net``.
    entry : str
        Entry stage.
    days : int
        Horizon in days.
    groups : dict, optional
        Item groups (default: one group of department ``d`` taking the whole stream).
    departments : list of str, optional
        Departments (default ``["d"]``).
    name : str
        Scenario name.
    """
    if groups is None:
        groups = {"g": {"department": "d", "share": 1.0, "flow": "net"}}
    return {
        "name": name,
        "days": days,
        "calendar": {"kind": "always"},
        "structure": {"streets": 0, "communities": 1, "residents_per_community": RESIDENTS},
        "departments": departments or ["d"],
        "units": {u: {"level": "district", **spec} for u, spec in units.items()},
        "flows": {"net": {"entry": entry, "stages": stages}},
        "demands": {
            "admin": {"rate_per_resident_year": rate_per_resident_year(lam), "groups": groups}
        },
    }


def mmc(c: int, rho: float, mean: float = 8.0, days: int = 60, presence: str = "file") -> Spec:
    """An M/M/c service center: `c` windows at utilisation `rho`, mean service `mean`."""
    lam = rho * c / mean
    stage = {"unit": "center", "presence": presence, "minutes": mean}
    return network(lam, {"center": {"servers": c}}, {"serve": stage}, "serve", days, name="mmc")


def two_windows(rho: float, mean: float, pooled: bool, days: int) -> Spec:
    """Two windows at utilisation `rho`: item-specific (two M/M/1) or any item (one M/M/2).

    Residents bring items of departments ``d1`` and ``d2`` in equal shares. Item-specific
    windows (``windows = {d1 = 1, d2 = 1}``) make two separate queues; pooled windows
    (``servers = 2``, 全街通办) one queue served by either window.
    """
    lam = 2.0 * rho / mean
    unit: Spec = {"servers": 2} if pooled else {"windows": {"d1": 1, "d2": 1}}
    groups = {f"g{k}": {"department": f"d{k}", "share": 0.5, "flow": "net"} for k in (1, 2)}
    stage = {"unit": "center", "presence": "resident", "minutes": mean}
    return network(
        lam,
        {"center": unit},
        {"serve": stage},
        "serve",
        days,
        groups=groups,
        departments=["d1", "d2"],
        name="pooled" if pooled else "split",
    )


def tandem(
    lam: float,
    a: tuple[int, float],
    b: tuple[int, float],
    days: int,
    feedback: float = 0.0,
) -> Spec:
    """Accept at unit A, forward to unit B (p = 1); B sends a share `feedback` back to A.

    `a` and `b` are (servers, mean service minutes). With ``feedback > 0`` each demand visits
    A and B ``1 / (1 - feedback)`` times on average (a file returned for a missing document).
    """
    st_b: Spec = {"unit": "b", "presence": "file", "minutes": b[1]}
    if feedback > 0.0:
        st_b["routes"] = [{"to": "a", "p": feedback}]
    stages = {
        "a": {"unit": "a", "presence": "file", "minutes": a[1], "routes": [{"to": "b", "p": 1.0}]},
        "b": st_b,
    }
    units = {"a": {"servers": a[0]}, "b": {"servers": b[0]}}
    return network(lam, units, stages, "a", days, name="tandem")


def missing_docs_tandem(
    lam: float, a: tuple[int, float], b: tuple[int, float], missing: float, days: int
) -> Spec:
    """A resident's intake at A, sent straight back with probability `missing` for a missing
    document (``missing_docs_return``, no delay), then the file forwarded to B."""
    stages = {
        "a": {
            "unit": "a",
            "presence": "resident",
            "minutes": a[1],
            "missing_docs_return": True,
            "return_delay_hours": 0.0,
            "routes": [{"to": "b", "p": 1.0}],
        },
        "b": {"unit": "b", "presence": "file", "minutes": b[1]},
    }
    groups = {"g": {"department": "d", "share": 1.0, "flow": "net", "missing_docs": missing}}
    units = {"a": {"servers": a[0]}, "b": {"servers": b[0]}}
    return network(lam, units, stages, "a", days, groups=groups, name="missing_docs")


# -- replications -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Columns:
    """One replication's demand records as arrays (minutes)."""

    arrive: np.ndarray
    start: np.ndarray
    finish: np.ndarray
    outcome: np.ndarray
    trips: np.ndarray
    wait: np.ndarray

    @classmethod
    def of(cls, rep: World) -> Columns:
        """Columns of the router of `rep`."""
        r = rep.router
        return cls(
            np.asarray(r.t_arrive, dtype=float),
            np.asarray(r.first_start, dtype=float),
            np.asarray(r.finish, dtype=float),
            np.asarray(r.outcome),
            np.asarray(r.trips),
            np.asarray(r.wait, dtype=float),
        )

    def window(self, days: int, warm: float, tail: float) -> np.ndarray:
        """Demands arriving after `warm` days and more than `tail` days before the end.

        Every one of them must be resolved by the end of the run, so that leaving out the
        others does not censor long sojourns."""
        sel = (self.arrive >= warm * DAY) & (self.arrive < (days - tail) * DAY)
        assert sel.sum() > 0, "no demand in the measurement window"
        unresolved = int((self.outcome[sel] != RESOLVED).sum())
        assert unresolved == 0, f"{unresolved} demands of the window unresolved at the end"
        return sel


def replicate(
    scenario: Spec, reps: int, seed: int, stat: Callable[[World], Any]
) -> np.ndarray:
    """``stat`` of `reps` independent replications (indices 0..reps-1 of root `seed`): one
    row per replication (one column per value when `stat` returns a tuple)."""
    s = sim.load_scenario(scenario)
    return np.array([stat(finished(s, r, seed)) for r in range(reps)], dtype=float)


def waits(warm: float = 3.0, tail: float = 2.0) -> Callable[[World], tuple[float, float]]:
    """Per-replication mean queue wait (first start minus arrival) over the window, and the
    share of those demands that waited at all."""

    def stat(rep: World) -> tuple[float, float]:
        c = Columns.of(rep)
        sel = c.window(rep.scenario.days, warm, tail)
        wq = (c.start - c.arrive)[sel]
        return float(wq.mean()), float((wq > EPS).mean())

    return stat


def sojourns(warm: float = 3.0, tail: float = 2.0) -> Callable[[World], float]:
    """Per-replication mean time in the system (finish minus arrival) over the window."""

    def stat(rep: World) -> float:
        c = Columns.of(rep)
        sel = c.window(rep.scenario.days, warm, tail)
        return float((c.finish - c.arrive)[sel].mean())

    return stat


# -- intervals ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    """Student-t confidence interval of a mean over independent replications."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half(self) -> float:
        """Half-width."""
        return (self.high - self.low) / 2.0

    def __str__(self) -> str:
        return f"{self.mean:.4g} [{self.low:.4g}, {self.high:.4g}] (n={self.n})"


def t_interval(values: np.ndarray, level: float = LEVEL) -> Interval:
    """Confidence interval at `level` of the mean of `values` (one per replication)."""
    v = np.asarray(values, dtype=float)
    assert v.ndim == 1 and len(v) >= 2 and np.isfinite(v).all(), v
    m = float(v.mean())
    half = float(stats.t.ppf(0.5 + level / 2.0, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return Interval(m, m - half, m + half, len(v))


def assert_covers(
    values: np.ndarray,
    theory: float,
    what: str,
    bias: float = BIAS,
    level: float = LEVEL,
) -> Interval:
    """Assert that the interval of the replication means, widened on both sides by
    ``bias * |theory|``, contains `theory`; return the interval."""
    ci = t_interval(values, level)
    slack = bias * abs(theory)
    assert ci.low - slack <= theory <= ci.high + slack, (
        f"{what}: simulated {ci} at {level:.1%} (+/- {slack:.3g} bias allowance) "
        f"excludes theory {theory:.4g}"
    )
    return ci
