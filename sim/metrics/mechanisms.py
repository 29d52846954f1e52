"""The governance mechanisms' metrics: each tally in the records, reduced by its section.

Rows come in the order the mechanisms started (`sim.processes.mechanisms.MECHANISMS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.metrics.burden import burden_metrics, burden_yearly, evaluation_metrics, evaluation_yearly
from sim.metrics.consultation import consultation_metrics, consultation_yearly
from sim.metrics.market import market_metrics, market_yearly
from sim.processes.records import Records

Rows = dict[tuple[str, str], float]
Yearly = list[tuple[int, str, float]]

REDUCERS: dict[str, tuple[Callable[[Any, Records], Rows], Callable[[Any, Records], Yearly]]] = {
    "consultation": (consultation_metrics, consultation_yearly),
    "market": (market_metrics, market_yearly),
    "burden": (burden_metrics, burden_yearly),
    "evaluation": (evaluation_metrics, evaluation_yearly),
}


def mechanism_metrics(rec: Records, section: str | None = None) -> Rows:
    """Summary metrics keyed by (metric, demand_type): of the mechanism `section`, or of
    every mechanism that ran, in start order."""
    out: Rows = {}
    for name, tally in rec.tallies.items():
        if section is None or name == section:
            out.update(REDUCERS[name][0](tally, rec))
    return out


def mechanism_yearly(rec: Records, section: str | None = None) -> Yearly:
    """Yearly rows ``(year, metric, value)``: of the mechanism `section`, or of all."""
    return [
        row
        for name, tally in rec.tallies.items()
        if section is None or name == section
        for row in REDUCERS[name][1](tally, rec)
    ]
