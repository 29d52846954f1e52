"""Keys some levers derive from their value and from other levers.

Three levers set more than a copy of their value. Windows at a street public service center
either pool (全街通办: any window handles any item) or are split into item-specific windows
by department; online handling is a share of Xiangfang's uptake by age band (the elderly
often need assisted handling, 帮办代办); and departments push back only the work the cuts
took away (001: without changing how departments work, the burden rebounds, 反弹).
"""

from __future__ import annotations

from typing import Any

from sim.app.levers import Value, Values
from sim.scenario.schema import Scenario

# 002: the 33 approval items the center takes belong to these three departments
CENTER_DEPARTMENTS = ("civil_affairs", "disability", "family_planning")
TASKS_BEFORE_CUTS = 280  # 001: 280+ task items per community before the 2014 cuts


def split_windows(n: int, departments: tuple[str, ...] = CENTER_DEPARTMENTS) -> dict[str, int]:
    """`n` windows split into item-specific groups, one or more per department, the first
    departments taking the remainder; with fewer windows than departments, the last window
    group (``other``) takes the departments left over."""
    if n < 1:
        raise ValueError("at least one window")
    if n < len(departments):
        out = {d: 1 for d in departments[: n - 1]}
        out["other"] = 1
        return out
    each, extra = divmod(n, len(departments))
    return {d: each + (k < extra) for k, d in enumerate(departments)}


def center_windows(value: Value, values: Values, base: Scenario) -> dict[str, Any]:
    """The center's windows: `value` windows, pooled or split by department."""
    n = int(value)
    if values.get("pooled", True):
        return {"units.street_center.servers": n}
    return {"units.street_center.servers": n, "units.street_center.windows": split_windows(n)}


def online_uptake(value: Value, values: Values, base: Scenario) -> dict[str, Any]:
    """Who applies online: `value` percent of the uptake by age band of the layered reform
    file (Xiangfang's), at most everyone."""
    share = int(value) / 100.0
    adoption = base.online.adoption or {}
    uptake = {band: min(1.0, round(p * share, 4)) for band, p in adoption.items()}
    return {"online.adoption": uptake}


def pushed_back(value: Value, values: Values, base: Scenario) -> dict[str, Any]:
    """Work departments would push back after a cut: what the cut took away."""
    if value == "steady":
        return {}
    kept = int(values.get("tasks", TASKS_BEFORE_CUTS))
    return {"burden.latent_per_year": max(0, TASKS_BEFORE_CUTS - kept)}
