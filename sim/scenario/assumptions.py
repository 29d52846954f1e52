"""Listing what a scenario's figures rest on: sources and labelled assumptions."""

from __future__ import annotations

import pandas as pd

from sim.scenario import figures
from sim.scenario.schema import Scenario

KINDS = ("assumption", "article", "public report", "override", "unsourced", "default")


def assumptions(s: Scenario, every: bool = False) -> pd.DataFrame:
    """Figures of a resolved scenario with their sources.

    Parameters
    ----------
    s : Scenario
        A loaded scenario.
    every : bool
        List every numeric figure; by default only assumptions.

    Returns
    -------
    DataFrame
        Columns ``key, value, kind, source``. ``kind`` is ``assumption``, ``fitted`` (an
        assumption set to reproduce a field pattern), ``article`` (a founding article),
        ``public report``, ``override`` (``--set``), ``unsourced`` (a plain number in a file)
        or ``default`` (not in any file: the schema's default). By default the assumptions
        and the fitted figures.
    """
    values = figures.leaves(s.model_dump(mode="json", exclude={"sources"}))
    rows = []
    for key, source in s.sources.items():
        value = values[key] if key in values else _value_at(s, key)
        rows.append((key, value, figures.kind(source), source))
    if every:
        for key, v in values.items():
            if figures.covering(key, s.sources) is None:
                rows.append((key, v, "default", "schema default"))
    out = pd.DataFrame(rows, columns=["key", "value", "kind", "source"])
    if not every:
        out = out[out["kind"].isin(["assumption", "fitted"])]
    return out.sort_values("key").reset_index(drop=True)


def _value_at(s: Scenario, key: str) -> object:
    node: object = s.model_dump(mode="json", exclude={"sources"})
    for part in key.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
