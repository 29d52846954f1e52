"""Checking a scenario before it is run: that it loads, and (strictly) that every figure in
it has a source.

A scenario file is valid when it loads (merged, every key known, every value in range); it
is *strictly* valid when, besides, every figure it sets has a source: a founding article by
number, a public report, or an explicitly labelled assumption. `govsim validate --strict`
and `sim.validate(..., strict=True)` apply the same check.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario


def validate(
    source: str | Path | dict[str, Any] | list[str | Path],
    overrides: dict[str, Any] | list[str] | None = None,
    strict: bool = False,
    roots: Sequence[str | Path] = (),
) -> Scenario:
    """Load a scenario as `sim.load_scenario` does and, when `strict`, refuse one with a
    figure that has no source.

    Returns
    -------
    Scenario
        The loaded scenario.

    Raises
    ------
    ScenarioError
        One line naming the file and the key: the first error of loading, or (strict) the
        figures without a source, all of them named.
    """
    s = load_scenario(source, overrides, roots)
    if strict:
        from sim.scenario.assumptions import assumptions

        table = assumptions(s, every=True)
        keys = list(table.loc[table["kind"] == "unsourced", "key"])
        if keys:
            where = source if isinstance(source, str | Path) else s.name
            more = f" (and {', '.join(keys[1:])})" if len(keys) > 1 else ""
            raise ScenarioError(where, keys[0], f"figure has no source{more}")
    return s
