"""The page's tables: what a resident, a community worker and the government each ask.

Residents ask how many days a matter takes (by item class: a minimum-income application is
not a certificate), how many trips, how long they wait; community workers ask where their
hours go (pushed-down tasks, residents, the time left for self-governance 居民自治); the
government asks what it costs. Each table has one row per measure with both arms' means and
95% intervals (each arm over its own replications), the paired difference reform − baseline
with its interval, and the verdict read from the metric registry's better direction.
"""

from __future__ import annotations

import pandas as pd

from sim.experiment.comparison import Comparison, verdict
from sim.metrics.registry import describe
from sim.metrics.summary import item_classes
from sim.scenario.schema import Scenario

TYPE_LABELS = {
    "": "All matters",
    "administrative": "Administrative items (行政事项)",
    "personal": "Personal needs (个性化需求)",
    "dispute": "Disputes (纠纷)",
    "major": "Major matters (重大事项)",
}
CLASS_LABELS = {
    "minimum_income": "Minimum income (低保)",
    "civil_affairs_approvals": "Civil affairs approvals (民政)",
    "disability_approvals": "Disability federation approvals (残联)",
    "family_planning_approvals": "Family planning approvals (计生)",
    "assist_government": "Assist-government items (协助政府)",
    "self_governance": "Self-governance items (自治)",
}
COLUMNS = [
    "measure", "metric_label", "unit", "better", "baseline", "baseline_low", "baseline_high",
    "reform", "reform_low", "reform_high", "difference", "diff_low", "diff_high", "verdict",
    "metric", "demand_type",
]  # fmt: skip
TITLES = {
    "days": "Days from need to resolution, by item class",
    "trips": "Trips to a counter and hand-offs between offices",
    "waits": "Waiting",
    "staff": "Where community staff time goes",
    "cost": "Cost",
}


def label(demand_type: str) -> str:
    """A demand type or item class (``type/group``) in words."""
    if demand_type in TYPE_LABELS:
        return TYPE_LABELS[demand_type]
    group = demand_type.rpartition("/")[2]
    return CLASS_LABELS.get(group, group.replace("_", " ").capitalize())


def rows(base: Scenario, reform: Scenario) -> dict[str, list[tuple[str, str, str]]]:
    """(metric, demand type, label) of each table's rows for these two arms."""
    classes = [f"{t}/{g}" for t, g in item_classes(base)]
    single = [t for t, spec in base.demands.items() if len(spec.groups) == 1]
    types = list(base.demands)
    staff = ["tasks", "service", "self_governance"]
    if base.consultation is not None or reform.consultation is not None:
        staff.append("consultation")
    return {
        "days": [("resolution_days_mean", d, label(d)) for d in ["", *classes, *single]],
        "trips": [("trips_per_demand_mean", d, label(d)) for d in ["", *types]]
        + [("handoffs_per_demand_mean", "", "Hand-offs, all matters")],
        "waits": [("wait_minutes_mean", d, label(d)) for d in ["", *types]]
        + [("resolution_days_queue", "", "Days in queues and trays, all matters")],
        "staff": [(f"staff_hours_share_{a}", "", describe(f"staff_hours_share_{a}").label)
                  for a in staff]
        + [("staff_hours_per_community_day", "", "Staff hours per community a day"),
           ("tasks_per_community_year", "", "Tasks per community a year")],
        "cost": [("cost_yuan_per_demand", "", "Staff cost per demand"),
                 ("handling_yuan_per_demand", "", "Handling cost per demand"),
                 ("staff_count_total", "", "Staff in all")],
    }  # fmt: skip


def result_tables(cmp: Comparison, base: Scenario, reform: Scenario) -> dict[str, pd.DataFrame]:
    """The page's tables from a comparison of two arms."""
    arms = cmp.arms(demand_type=None).set_index(["scenario", "metric", "demand_type"])
    diffs = cmp.differences.set_index(["metric", "demand_type"])
    out = {}
    for name, wanted in rows(base, reform).items():
        lines = []
        for metric, dtype, what in wanted:
            b, r = (base.name, metric, dtype), (reform.name, metric, dtype)
            if b not in arms.index or r not in arms.index:
                continue
            m = describe(metric)
            d = diffs.loc[(metric, dtype)] if (metric, dtype) in diffs.index else None
            low = d["diff_ci_low"] if d is not None else float("nan")
            high = d["diff_ci_high"] if d is not None else float("nan")
            lines.append([
                what, m.label, m.unit, m.better,
                arms.loc[b, "mean"], arms.loc[b, "ci_low"], arms.loc[b, "ci_high"],
                arms.loc[r, "mean"], arms.loc[r, "ci_low"], arms.loc[r, "ci_high"],
                d["diff_mean"] if d is not None else float("nan"), low, high,
                verdict(low, high, m.better), metric, dtype,
            ])  # fmt: skip
        out[name] = pd.DataFrame(lines, columns=COLUMNS)
    return out
