"""The metric registry: every summary figure a run of the district can report, described.

Each summary metric (a row of ``summary.csv``) is listed once with a plain-English label for
figures, its unit, which direction is better for residents and staff, and a one-line
definition. The summary-metrics tables of docs/metrics.md and the ``metrics.csv`` of every run
are written from it (`sim.metrics.dictionary`). Some names are patterns filled in from the scenario:
``participant_share_<occupation>`` (one per occupation of the residents, with consultation)
and ``utilisation_<level>`` (one per level with staffed units). Mechanism metrics are
reported only when the scenario switches the mechanism on with its section, and access
metrics only with ``[access]`` (`SECTIONS`).

The records themselves are in `sim.metrics.catalogue`. `metric_names` and `metric_rows` say
what a run of a scenario reports without running it; `describe` gives the record of one
metric name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sim.metrics.catalogue import BETTER, MECHANISMS, METRICS, SECTIONS, Metric
from sim.metrics.conservation import entry_levels
from sim.metrics.summary import item_classes
from sim.model.district import locations
from sim.scenario.schema import Scenario
from sim.scenario.sections.consultation import LEVEL_NAMES

_PATTERNS = [m for m in METRICS.values() if m.pattern]


def staffed_levels(scenario: Scenario) -> list[str]:
    """Levels (``community``, ``street``…) with at least one station that has staff.

    A unit stands at each of its level's places (`sim.model.district.locations`); with
    item-specific windows, as one station per window group.
    """
    counts = locations(scenario)
    levels = set()
    for unit in scenario.units.values():
        servers = unit.windows.values() if unit.windows is not None else [unit.servers]
        if counts[unit.level] > 0 and any(c > 0 for c in servers):
            levels.add(unit.level)
    return sorted(levels)


def _expand(metric: Metric, scenario: Scenario) -> list[str]:
    """Names a pattern metric takes in a run of `scenario` (the name itself otherwise)."""
    if metric.name == "utilisation_<level>":
        return [f"utilisation_{level}" for level in staffed_levels(scenario)]
    if metric.name == "demands_per_year_<level>":
        return [f"demands_per_year_{level}" for level in entry_levels(scenario)]
    if metric.name == "staff_count_<level>":
        return [f"staff_count_{level}" for level in staffed_levels(scenario)]
    if metric.name == "participant_share_<occupation>":
        return [f"participant_share_{o}" for o in scenario.population.occupation]
    if metric.name == "participant_share_education_<level>":
        if not scenario.population.education_by_age:
            return []
        levels = scenario.population.education_levels()
        return [f"participant_share_education_{e}" for e in levels]
    return [metric.name]


def metric_rows(scenario: Scenario) -> set[tuple[str, str]]:
    """The ``(metric, demand_type)`` rows the summary of a run of `scenario` holds.

    ``demand_type`` is ``""`` for all demand types together, a demand type of the scenario
    for per-type metrics, or a consultation level for per-level ones.
    """
    rows: set[tuple[str, str]] = set()
    for m in METRICS.values():
        if m.section and getattr(scenario, m.section, None) is None:
            continue
        for name in _expand(m, scenario):
            rows.add((name, ""))
            if m.per_type:
                rows.update((name, dt) for dt in scenario.demands)
            if m.per_level:
                rows.update((name, level) for level in LEVEL_NAMES)
            if m.per_class:
                rows.update((name, f"{t}/{g}") for t, g in item_classes(scenario))
    return rows


def metric_names(scenario: Scenario) -> set[str]:
    """Names of the summary metrics a run of `scenario` reports (mechanism metrics only when
    the scenario sets their section)."""
    return {name for name, _ in metric_rows(scenario)}


def describe(name: str) -> Metric:
    """The registry's record of metric `name` (a pattern's record with the name filled in).

    Raises
    ------
    KeyError
        If no registered metric or pattern has this name.
    """
    if name in METRICS:
        return METRICS[name]
    for m in _PATTERNS:
        head, _, rest = m.name.partition("<")
        slot = "<" + rest
        if name.startswith(head) and len(name) > len(head):
            value = name.removeprefix(head)
            return replace(
                m,
                name=name,
                label=m.label.replace(slot, value),
                description=m.description.replace(slot, value),
            )
    raise KeyError(f"unknown metric {name!r} (see docs/metrics.md)")


def metric_labels(names: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    """Label, unit and better direction of each registered metric among `names` (unknown
    names are left out): what a figure's axis or a table's column is titled with."""
    out = {}
    for name in names:
        try:
            m = describe(str(name))
        except KeyError:
            continue
        out[str(name)] = (m.label, m.unit, m.better)
    return out


__all__ = [
    "BETTER",
    "METRICS",
    "MECHANISMS",
    "SECTIONS",
    "Metric",
    "describe",
    "metric_labels",
    "metric_names",
    "metric_rows",
    "staffed_levels",
]
