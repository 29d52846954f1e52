"""Figures and their sources.

In a scenario file a figure is either a plain value or a table ``{ value = …, source = "…" }``.
A source names a founding article by file number (``"001: 280+ task items"``), a public report
(``"public report: …"``) or says it is an assumption (``"assumption: one-line reason"``). The
loader lifts the value into place and keeps the source in ``Scenario.sources`` under the
figure's dotted key, so ``govsim assumptions`` can list what a result rests on.
"""

from __future__ import annotations

from typing import Any

FIGURE_KEYS = {"value", "source"}
UNSOURCED = ""  # the source recorded for a figure a file gives as a plain number


def is_figure(node: Any) -> bool:
    """Whether a parsed node is a figure table (``value`` with or without ``source``)."""
    return isinstance(node, dict) and "value" in node and set(node) <= FIGURE_KEYS


def lift(node: Any, path: str, sources: dict[str, str]) -> Any:
    """Replace every sourced figure in `node` by its value, recording its source.

    Parameters
    ----------
    node : Any
        A parsed (sub)tree of a scenario file.
    path : str
        Dotted key of `node`.
    sources : dict
        Filled with ``key -> source`` for each figure met.
    """
    if is_figure(node):
        sources[path] = str(node.get("source", UNSOURCED))
        return lift(node["value"], path, sources)
    if isinstance(node, dict):
        return {k: lift(v, join(path, k), sources) for k, v in node.items()}
    if isinstance(node, list):
        return [lift(v, join(path, str(i)), sources) for i, v in enumerate(node)]
    return node


def join(path: str, key: str) -> str:
    """Dotted key of `key` below `path`."""
    return f"{path}.{key}" if path else key


def keys(node: Any, path: str = "") -> list[str]:
    """Every dotted key in a tree, tables included."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            p = join(path, k)
            out.append(p)
            out.extend(keys(v, p))
    return out


def leaves(node: Any, path: str = "") -> dict[str, Any]:
    """Every numeric leaf of a tree, by dotted key (figures that should carry a source)."""
    out: dict[str, Any] = {}
    if isinstance(node, dict):
        for k, v in node.items():
            out.update(leaves(v, join(path, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.update(leaves(v, join(path, str(i))))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        out[path] = node
    return out


def kind(source: str) -> str:
    """Classify a source: ``assumption``, ``fitted`` (set to reproduce a field pattern),
    ``article``, ``public report``, ``override`` or ``unsourced``."""
    s = source.strip().lower()
    if not s:
        return "unsourced"
    if s.startswith("assumption"):
        return "assumption"
    if s.startswith("fitted"):
        return "fitted"
    if s.startswith("public report"):
        return "public report"
    if s.startswith("override"):
        return "override"
    return "article"


def covering(key: str, sources: dict[str, str]) -> str | None:
    """The key in `sources` that covers `key` (itself or an enclosing table), if any."""
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        k = ".".join(parts[:n])
        if k in sources:
            return k
    return None
