"""A plain-language reading of a comparison, written from its numbers.

What a teacher would say after a run: which measures moved, which way, by how much, whether
that is better or worse for the people it concerns (the metric registry's better
direction), and which did not clearly move. A change counts only when the whole 95% interval
of the paired difference lies on one side of zero; otherwise the reading says the interval
holds zero with this many replications.
"""

from __future__ import annotations

import math

import pandas as pd

# (table, metric, demand type, whose measure it is), in the order the reading speaks
HEADLINE = [
    ("days", "resolution_days_mean", "", "residents"),
    ("trips", "trips_per_demand_mean", "", "residents"),
    ("waits", "wait_minutes_mean", "", "residents"),
    ("staff", "staff_hours_share_tasks", "", "community staff"),
    ("staff", "staff_hours_share_self_governance", "", "community staff"),
    ("staff", "staff_hours_share_consultation", "", "community staff"),
    ("cost", "cost_yuan_per_demand", "", "the government"),
]


def amount(value: float, unit: str) -> str:
    """A value with its unit, as a reader says it (shares as percentages)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{100 * value:.1f}%"
    if unit == "yuan":
        return f"{value:,.0f} yuan" if abs(value) >= 100 else f"{value:,.1f} yuan"
    if unit in ("days", "minutes", "trips", "hand-offs", "hours"):
        return f"{value:.2f} {unit}" if abs(value) < 10 else f"{value:.1f} {unit}"
    return f"{value:.3g} {unit}".strip()


def change(value: float, unit: str) -> str:
    """A signed difference with its unit (shares in percentage points)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{100 * value:+.1f} points"
    return ("+" if value >= 0 else "-") + amount(abs(value), unit)


def phrase(row: pd.Series) -> str:
    """What a row measures, in words: the metric, and for whose matters."""
    if row["measure"] == row["metric_label"]:
        return row["measure"]
    return f"{row['metric_label']} ({row['measure'].lower()})"


def sentence(row: pd.Series, who: str) -> str | None:
    """One sentence on a row of the page's tables (None when the arms have no value)."""
    b, r, unit = row["baseline"], row["reform"], row["unit"]
    if not (math.isfinite(b) and math.isfinite(r)):
        return None
    what = phrase(row)
    moved = "fell" if r < b else "rose"
    gap = change(row["difference"], unit)
    span = f"95% interval {change(row['diff_low'], unit)} to {change(row['diff_high'], unit)}"
    head = f"{what[0].upper()}{what[1:]} {moved} from {amount(b, unit)} to {amount(r, unit)}"
    if row["verdict"] == "better":
        return f"{head} ({gap}; {span}): better for {who}."
    if row["verdict"] == "worse":
        return f"{head} ({gap}; {span}): worse for {who}."
    if row["verdict"] == "neither is better":
        return f"{head} ({span}); whether that is better depends on what the reform is for."
    return None


def biggest_class_change(days: pd.DataFrame) -> pd.Series | None:
    """The item class whose days changed most (relative), among clear changes."""
    rows = days[(days["demand_type"].str.contains("/")) & days["verdict"].isin(["better", "worse"])]
    if rows.empty:
        return None
    rel = (rows["difference"] / rows["baseline"].where(rows["baseline"] != 0)).abs()
    return rows.loc[rel.fillna(0).idxmax()]


def reading(
    tables: dict[str, pd.DataFrame], replications: int, same: bool = False
) -> list[str]:
    """The reading of a comparison's tables: sentences on the clear changes, then the
    measures with no clear change (`same`: the two arms are one scenario)."""
    if same:
        return [
            "The reform arm is the baseline itself: every lever is at the place's own value, "
            "so both arms are the same runs and every difference is zero. Move a lever."
        ]
    out, unclear = [], []
    for table, metric, dtype, who in HEADLINE:
        t = tables.get(table)
        if t is None:
            continue
        hit = t[(t["metric"] == metric) & (t["demand_type"] == dtype)]
        if hit.empty:
            continue
        row = hit.iloc[0]
        said = sentence(row, who)
        if said is not None:
            out.append(said)
        elif math.isfinite(row["baseline"]):
            unclear.append(phrase(row).lower())
    cls = biggest_class_change(tables["days"]) if "days" in tables else None
    if cls is not None:
        said = sentence(cls, "residents")
        if said:
            out.append("By item class, the largest change: " + said[0].lower() + said[1:])
    if unclear:
        out.append(
            f"No clear change in {', '.join(unclear)}: the 95% interval of the difference "
            f"holds zero with {replications} paired replications."
        )
    return out
