"""The comparison at a glance: baseline and reform side by side, with 95% intervals.

Three panels drawn from the page's tables (never from the model): days to resolution by item
class, where community staff time goes, and the headline measures' paired differences with
their intervals coloured by verdict (green better, red worse, grey no clear change).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.app.reading import phrase

VERDICT_COLOURS = {
    "better": "#2ca02c",
    "worse": "#d62728",
    "no clear change": "#7f7f7f",
    "neither is better": "#1f77b4",
}
ARMS = (("baseline", "#9e9e9e"), ("reform", "#1f77b4"))


def comparison_figure(tables: dict[str, pd.DataFrame], reform: str) -> Figure:
    """The page's figure for a comparison's tables (`sim.app.tables`). Laid out by hand:
    matplotlib's constrained layout doubles the drawing time, and the page redraws on every
    slider move."""
    fig = Figure(figsize=(13, 4.4), dpi=80)
    ax1, ax2, ax3 = fig.subplots(1, 3, width_ratios=[1.3, 0.9, 1.2])
    fig.subplots_adjust(left=0.12, right=0.99, bottom=0.27, top=0.93, wspace=0.95)
    _days(ax1, tables["days"])
    _staff(ax2, tables["staff"], reform)
    _differences(ax3, tables)
    return fig


def figure_png(tables: dict[str, pd.DataFrame], reform: str) -> bytes:
    """The comparison figure as PNG bytes."""
    buf = io.BytesIO()
    comparison_figure(tables, reform).savefig(buf, format="png")
    return buf.getvalue()


def _days(ax, days: pd.DataFrame) -> None:  # noqa: ANN001
    d = days[days["demand_type"] != ""].dropna(subset=["baseline", "reform"]).iloc[::-1]
    y = np.arange(len(d))
    for k, (arm, colour) in enumerate(ARMS):
        mean = d[arm].to_numpy()
        err = np.vstack([mean - d[f"{arm}_low"], d[f"{arm}_high"] - mean])
        err = np.nan_to_num(np.clip(err, 0, None))
        ax.barh(y + (0.2 if k == 0 else -0.2), mean, 0.4, xerr=err, color=colour,
                label=arm, capsize=2)  # fmt: skip
    ax.set_yticks(y, [t.split(" (")[0] for t in d["measure"]], fontsize=8)
    ax.set_xlabel("days from need to resolution (95% interval)")
    ax.set_title("Days by item class", fontsize=10)
    ax.legend(fontsize=8)


def _staff(ax, staff: pd.DataFrame, reform: str) -> None:  # noqa: ANN001
    shares = staff[staff["metric"].str.startswith("staff_hours_share_")]
    colours = ["#d62728", "#1f77b4", "#d9d9d9", "#9467bd"]
    for k, (arm, _) in enumerate(ARMS):
        left = 0.0
        for (_, row), c in zip(shares.iterrows(), colours, strict=False):
            ax.barh(k, row[arm], left=left, color=c, edgecolor="white",
                    label=row["measure"] if k == 0 else None)  # fmt: skip
            if row[arm] >= 0.06:
                ax.text(left + row[arm] / 2, k, f"{100 * row[arm]:.0f}%", ha="center",
                        va="center", fontsize=8)  # fmt: skip
            left += row[arm]
    ax.set_yticks([0, 1], ["baseline", reform[:18]], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of community staff hours")
    ax.set_title("Where community staff time goes", fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)


def _differences(ax, tables: dict[str, pd.DataFrame]) -> None:  # noqa: ANN001
    rows = pd.concat([t[t["demand_type"] == ""] for t in tables.values()])
    rows = rows[rows["baseline"].abs() > 1e-12].dropna(subset=["difference"]).iloc[::-1]
    rel = 100 * rows["difference"] / rows["baseline"].abs()
    low = 100 * rows["diff_low"] / rows["baseline"].abs()
    high = 100 * rows["diff_high"] / rows["baseline"].abs()
    y = np.arange(len(rows))
    for k, (r, lo, hi, v) in enumerate(zip(rel, low, high, rows["verdict"], strict=True)):
        c = VERDICT_COLOURS.get(v, "#7f7f7f")
        ax.plot([lo, hi], [k, k], color=c, lw=2)
        ax.plot([r], [k], "o", color=c)
    ax.axvline(0, color="#555", lw=0.8)
    ax.set_yticks(y, [phrase(r) for _, r in rows.iterrows()], fontsize=7)
    ax.set_xlabel("reform − baseline, % of baseline")
    ax.set_title("Paired differences", fontsize=10)
