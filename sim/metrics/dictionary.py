"""The metrics dictionary: the registry written out for readers, in docs/metrics.md and in runs.

`render` writes the summary-metrics tables of docs/metrics.md from the registry
(`sim.metrics.registry.METRICS`): the core model's metrics, then those of each mechanism
section, then access, each with its unit, the direction that is better, whether it is also
reported per demand type (and item class) or per consultation level, and its definition. The
page holds them between two markers and the rest of it is written by hand; regenerate the
block after changing the registry with::

    python -m sim.metrics.dictionary docs/metrics.md

(``--check`` only reports whether the page is current; ``tests/test_metrics_doc.py`` fails
when it is not). `dictionary` is the same as a table, written with every run as
``metrics.csv``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sim.metrics.registry import MECHANISMS, METRICS, Metric, describe

BEGIN = "<!-- metrics:begin -->"
END = "<!-- metrics:end -->"
NOTE = (
    "<!-- generated from sim/metrics/registry.py by "
    "`python -m sim.metrics.dictionary docs/metrics.md`; edit the registry, not this block -->"
)
# the groups of the page, in order: the core model, each mechanism, then access
SECTION_TITLES = {
    "": "Core model",
    "consultation": "Consultation: `[consultation]` (三级六步)",
    "market": "Social-organisation market: `[market]` (项目化)",
    "burden": "Burden after a cut: `[burden]` (反弹, 准入, 费随事转)",
    "evaluation": "Two-way evaluation: `[evaluation]` (004)",
    "access": "Access: `[access]` (recorded demand is not need)",
}
GROUPS = ("", *MECHANISMS, "access")
COLUMNS = [
    "metric",
    "label",
    "unit",
    "better",
    "per_type",
    "per_class",
    "per_level",
    "section",
    "description",
]


def reported_by(metric: Metric) -> str:
    """What else a metric is reported for, besides all demand types together: ``type +
    class`` (per demand type and per item class), ``type``, ``level`` (per consultation
    level) or ``no``."""
    if metric.per_type and metric.per_class:
        return "type + class"
    if metric.per_type:
        return "type"
    if metric.per_level:
        return "level"
    return "no"


def render() -> str:
    """The summary-metrics tables of docs/metrics.md, markers included."""
    lines = [BEGIN, NOTE]
    for section in GROUPS:
        metrics = [m for m in METRICS.values() if m.section == section]
        if not metrics:
            continue
        lines += ["", f"### {SECTION_TITLES[section]}", ""]
        lines += ["| metric | unit | better | per type | definition |", "|---|---|---|---|---|"]
        for m in metrics:
            cells = [f"`{m.name}`", m.unit, m.better, reported_by(m), _code(m.description)]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """`text` with each placeholder such as ``<level>`` outside code spans set as code, so
    that Markdown shows it rather than taking it for an HTML tag."""
    parts = text.split("`")  # even parts are outside code spans
    parts[::2] = [re.sub(r"<(\w+)>", r"`<\1>`", s) for s in parts[::2]]
    return "`".join(parts)


def splice(page: str, block: str) -> str:
    """`page` with the text from its begin marker to its end marker replaced by `block`.

    Raises
    ------
    ValueError
        If the page does not hold each marker exactly once, begin before end.
    """
    if page.count(BEGIN) != 1 or page.count(END) != 1 or page.index(BEGIN) > page.index(END):
        raise ValueError(f"expected one '{BEGIN}' and then one '{END}'")
    head, rest = page.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + block.removesuffix("\n") + tail


def dictionary(names: Iterable[str] | None = None) -> pd.DataFrame:
    """The metrics dictionary as a table: one row per metric, in the registry's order, or
    one per registered name of `names` (patterns filled in, e.g. ``utilisation_street``), in
    the order given."""
    if names is None:
        rows = list(METRICS.values())
    else:
        rows = []
        for name in dict.fromkeys(names):
            try:
                rows.append(describe(name))
            except KeyError:  # not registered (tests/test_registry.py keeps this from happening)
                continue
    return pd.DataFrame(
        [
            [
                m.name,
                m.label,
                m.unit,
                m.better,
                m.per_type,
                m.per_class,
                m.per_level,
                m.section,
                m.description,
            ]
            for m in rows
        ],
        columns=COLUMNS,
    )


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, compare) the generated block of a page."""
    p = argparse.ArgumentParser(
        prog="python -m sim.metrics.dictionary",
        description="regenerate the summary-metrics tables of docs/metrics.md from the registry",
    )
    p.add_argument("page", type=Path, help="the page to update, e.g. docs/metrics.md")
    p.add_argument("--check", action="store_true", help="only say whether it is current")
    args = p.parse_args(argv)
    try:
        page = args.page.read_text(encoding="utf-8")
        new = splice(page, render())
    except (OSError, ValueError) as exc:
        print(f"{args.page}: {exc}", file=sys.stderr)
        return 2
    if new == page:
        print(f"{args.page}: current")
        return 0
    if args.check:
        print(f"{args.page}: out of date; run python -m sim.metrics.dictionary {args.page}")
        return 1
    args.page.write_text(new, encoding="utf-8")
    print(f"{args.page}: rewritten")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
