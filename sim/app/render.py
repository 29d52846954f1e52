"""The page's tables and reading as HTML: both arms' means with their 95% intervals, the
difference with its interval, and the verdict in colour. Pure text, tested without a browser.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from sim.app.reading import amount, change
from sim.app.tables import TITLES

VERDICT_STYLE = {
    "better": "color:#1b7a1b;font-weight:bold",
    "worse": "color:#b22222;font-weight:bold",
    "no clear change": "color:#666",
    "neither is better": "color:#1f4e9a",
}
STYLE = (
    "<style>.govsim-table{border-collapse:collapse;font-size:13px;margin:4px 0 14px}"
    ".govsim-table td,.govsim-table th{padding:3px 8px;border-bottom:1px solid #ddd;"
    "text-align:right}.govsim-table td:first-child,.govsim-table th:first-child"
    "{text-align:left}.govsim-ci{color:#777;font-size:11px}</style>"
)


def _cell(mean: float, low: float, high: float, unit: str, signed: bool = False) -> str:
    show = change if signed else amount
    if mean is None or not math.isfinite(mean):
        return "<td>–</td>"
    ci = ""
    if math.isfinite(low) and math.isfinite(high):
        ci = f'<br><span class="govsim-ci">[{show(low, unit)}, {show(high, unit)}]</span>'
    return f"<td>{show(mean, unit)}{ci}</td>"


def table_html(name: str, table: pd.DataFrame, reform: str) -> str:
    """One of the page's tables (`sim.app.tables`) as an HTML table."""
    head = (
        f'<table class="govsim-table table-{escape(name)}"><caption style="text-align:left;'
        f'font-weight:bold">{escape(TITLES.get(name, name))}</caption><tr><th>measure</th>'
        f"<th>baseline</th><th>{escape(reform)}</th><th>difference</th><th>verdict</th></tr>"
    )
    rows = []
    for r in table.itertuples(index=False):
        u = r.unit
        rows.append(
            f"<tr><td>{escape(r.measure)}</td>"
            + _cell(r.baseline, r.baseline_low, r.baseline_high, u)
            + _cell(r.reform, r.reform_low, r.reform_high, u)
            + _cell(r.difference, r.diff_low, r.diff_high, u, signed=True)
            + f'<td style="{VERDICT_STYLE.get(r.verdict, "")}">{escape(r.verdict)}</td></tr>'
        )
    return head + "".join(rows) + "</table>"


def tables_html(tables: dict[str, pd.DataFrame], reform: str) -> str:
    """Every table of a comparison, with the page's style."""
    return STYLE + "".join(table_html(n, t, reform) for n, t in tables.items())


def reading_html(sentences: list[str]) -> str:
    """The reading as a list."""
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return f'<ul class="reading" style="font-size:14px">{items}</ul>'
