"""Listing what a scenario's figures rest on: sources and labelled assumptions."""

from __future__ import annotations

import pandas as pd

from sim.scenario import figures
from sim.scenario.schema import Scenario


def assumptions(s: Scenario, every: bool = False) -> pd.DataFrame:
    """Figures of a resolved scenario with their sources.

    Parameters
    ----------
    s : Scenario
        A loaded scenario.
    every : bool
        List every numeric figure (sourced or not); by default only assumptions.

    Returns
    -------
    DataFrame
        Columns ``key, value, kind, source``; ``kind`` is ``assumption``, ``article``,
        ``public report``, ``override`` or ``unsourced``.
    """
    values = figures.leaves(s.model_dump(mode="json", exclude={"sources"}))
    rows = []
    for key, source in s.sources.items():
        rows.append((key, values.get(key, _value_at(s, key)), figures.kind(source), source))
    if every:
        for key, v in values.items():
            if key not in s.sources:
                rows.append((key, v, "unsourced", ""))
    out = pd.DataFrame(rows, columns=["key", "value", "kind", "source"])
    if not every:
        out = out[out["kind"] == "assumption"]
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
