"""The comparison at a glance, drawn as SVG text: fast enough to redraw on every slider move.

Three panels from the page's tables (never from the model): days to resolution by item class
for both arms with their 95% intervals; where community staff time goes in each arm; and the
headline measures' paired differences as a share of the baseline with their intervals,
coloured by verdict (green better, red worse, grey no clear change, blue neither is better).
The same picture as a matplotlib figure, for notebooks, is `sim.app.figures`.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from sim.app.reading import phrase

ARMS = (("baseline", "#9e9e9e"), ("reform", "#1f77b4"))
VERDICT = {"better": "#2ca02c", "worse": "#d62728", "no clear change": "#7f7f7f",
           "neither is better": "#1f77b4"}  # fmt: skip
SHARES = {"staff_hours_share_tasks": "#d62728", "staff_hours_share_service": "#1f77b4",
          "staff_hours_share_self_governance": "#d9d9d9",
          "staff_hours_share_consultation": "#9467bd"}  # fmt: skip
ROW = 22


def _num(v: float) -> bool:
    return v is not None and math.isfinite(v)


def _text(x: float, y: float, s: str, size: int = 11, anchor: str = "start") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="#222">{escape(s)}</text>')  # fmt: skip


def _days(days: pd.DataFrame, x0: float, y0: float, w: float) -> tuple[list[str], float]:
    d = days[(days["demand_type"] != "")].dropna(subset=["baseline", "reform"])
    top = max([*d["baseline_high"].fillna(0), *d["reform_high"].fillna(0), *d["baseline"], 1e-9])
    label_w, scale = 170.0, (w - 180.0) / top
    out = [_text(x0, y0, "Days from need to resolution by item class (95% interval)", 12)]
    y = y0 + 12
    for _, r in d.iterrows():
        out.append(_text(x0 + label_w - 4, y + 14, r["measure"].split(" (")[0], 10, "end"))
        for k, (arm, colour) in enumerate(ARMS):
            yy = y + 3 + 8 * k
            bar = max(r[arm] * scale, 0.5)
            tip = f"<title>{arm}: {r[arm]:.2f} days</title>"
            out.append(f'<rect x="{x0 + label_w}" y="{yy}" width="{bar:.1f}" height="7" '
                       f'fill="{colour}">{tip}</rect>')  # fmt: skip
            lo, hi = r[f"{arm}_low"], r[f"{arm}_high"]
            if _num(lo) and _num(hi):
                a, b = x0 + label_w + max(lo, 0) * scale, x0 + label_w + hi * scale
                out.append(f'<line x1="{a:.1f}" y1="{yy + 3.5}" x2="{b:.1f}" y2="{yy + 3.5}" '
                           'stroke="#000" stroke-width="1"/>')  # fmt: skip
        y += ROW
    out.append(_text(x0 + label_w, y + 12, f"0 … {top:.1f} days; grey baseline, blue reform", 10))
    return out, y + 16


def _staff(staff: pd.DataFrame, reform: str, x0: float, y0: float, w: float) -> list[str]:
    s = staff[staff["metric"].isin(list(SHARES))]
    out = [_text(x0, y0, "Where community staff time goes", 12)]
    for k, (arm, _) in enumerate(ARMS):
        y, left = y0 + 14 + k * 34, x0 + 80
        out.append(_text(x0 + 74, y + 15, "baseline" if k == 0 else reform[:14], 10, "end"))
        for _, r in s.iterrows():
            width = max(r[arm], 0) * (w - 90) if _num(r[arm]) else 0
            out.append(f'<rect x="{left:.1f}" y="{y}" width="{width:.1f}" height="22" '
                       f'fill="{SHARES[r["metric"]]}"><title>{escape(r["measure"])}: '
                       f'{100 * r[arm]:.1f}%</title></rect>')  # fmt: skip
            if width > 28:
                out.append(_text(left + width / 2, y + 15, f"{100 * r[arm]:.0f}%", 10, "middle"))
            left += width
    for n, (_, r) in enumerate(s.iterrows()):
        y = y0 + 92 + 14 * n
        out.append(f'<rect x="{x0}" y="{y - 9}" width="10" height="10" '
                   f'fill="{SHARES[r["metric"]]}"/>')  # fmt: skip
        out.append(_text(x0 + 14, y, r["measure"], 10))
    return out


def _differences(tables: dict[str, pd.DataFrame], x0: float, y0: float, w: float) -> list[str]:
    rows = pd.concat([t[t["demand_type"] == ""] for t in tables.values()])
    rows = rows[rows["baseline"].abs() > 1e-12].dropna(subset=["difference"])
    out = [_text(x0, y0, "Reform − baseline, % of the baseline (95% interval)", 12)]
    label_w, half = 200.0, (w - 210.0) / 2
    zero = x0 + label_w + half
    base = rows["baseline"].abs()
    rel = pd.concat([100 * rows[c] / base for c in ("difference", "diff_low", "diff_high")])
    span = max(10.0, float(rel.abs().max())) if rel.notna().any() else 10.0
    k = half / span
    y = y0 + 14
    for _, r in rows.iterrows():
        base = abs(r["baseline"])
        colour = VERDICT.get(r["verdict"], "#7f7f7f")
        out.append(_text(x0 + label_w - 6, y + 10, phrase(r)[:38], 10, "end"))
        if _num(r["diff_low"]) and _num(r["diff_high"]):
            a, b = zero + 100 * r["diff_low"] / base * k, zero + 100 * r["diff_high"] / base * k
            out.append(f'<line x1="{a:.1f}" y1="{y + 6}" x2="{b:.1f}" y2="{y + 6}" '
                       f'stroke="{colour}" stroke-width="3"/>')  # fmt: skip
        c = zero + 100 * r["difference"] / base * k
        out.append(f'<circle cx="{c:.1f}" cy="{y + 6}" r="4" fill="{colour}">'
                   f'<title>{escape(r["verdict"])}</title></circle>')  # fmt: skip
        y += 17
    out.append(f'<line x1="{zero}" y1="{y0 + 8}" x2="{zero}" y2="{y}" stroke="#555"/>')
    out.append(_text(zero, y + 12, f"0   (axis ±{span:.0f}%)", 10, "middle"))
    return out


def comparison_svg(tables: dict[str, pd.DataFrame], reform: str) -> str:
    """The page's chart for a comparison's tables (`sim.app.tables`), as SVG text."""
    left, bottom = _days(tables["days"], 10, 18, 470)
    parts = left + _staff(tables["staff"], reform, 500, 18, 330)
    parts += _differences(tables, 850, 18, 470)
    height = max(bottom, 18 + 17 * 16 + 30, 170)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="1330" height="{height:.0f}" '
            'font-family="sans-serif" class="compare-svg">')  # fmt: skip
    return head + "".join(parts) + "</svg>"
