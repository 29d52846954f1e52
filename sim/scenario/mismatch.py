"""Whether a comparison compares like with like: where a reform differs from its baseline
outside what the reform's own files set.

A reform file holds only what the reform changes and extends the place it reforms. Compared
with another baseline (the teaching district against a reform of the full district, say), the
two also differ in everything their chains do not share — size, staff, horizon — and the
comparison reports those differences as if the reform made them. `unexplained` lists them,
so that ``govsim compare`` can warn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.scenario import figures
from sim.scenario.loading import read_toml
from sim.scenario.schema import Scenario

IGNORED = ("name", "description", "sources", "replications", "seed")


def chain(path: str | Path) -> list[Path]:
    """The files a scenario file loads, itself first, then what it extends (depth first);
    files that cannot be read are left to the loader to report."""
    out: list[Path] = []
    todo = [Path(path).resolve()]
    while todo:
        f = todo.pop(0)
        if f in out:
            continue
        out.append(f)
        try:
            ext = read_toml(f).get("extends", [])
        except ValueError:
            continue
        names = [ext] if isinstance(ext, str) else ext if isinstance(ext, list) else []
        todo.extend((f.parent / n).resolve() for n in names if isinstance(n, str))
    return out


def own_keys(reform: str | Path, baseline: str | Path) -> set[str]:
    """Dotted keys set by the files of the reform's chain that the baseline's chain does not
    load."""
    shared = set(chain(baseline))
    keys: set[str] = set()
    for f in chain(reform):
        if f not in shared:
            data = figures.lift(read_toml(f), "", {})
            data.pop("extends", None)
            keys.update(figures.keys(data))
    return keys


def unexplained(
    base: Scenario, reform: Scenario, base_file: str | Path, reform_file: str | Path
) -> list[str]:
    """Keys where the resolved reform differs from the resolved baseline and that no file
    of the reform's own chain sets (name, description, seed and replications aside)."""
    a, b = _flat(base.model_dump(mode="json")), _flat(reform.model_dump(mode="json"))
    own = own_keys(reform_file, base_file)
    out = []
    for key in sorted(set(a) | set(b)):
        if key.split(".")[0] in IGNORED or a.get(key) == b.get(key):
            continue
        parts = key.split(".")
        if not any(".".join(parts[:i]) in own for i in range(1, len(parts) + 1)):
            out.append(key)
    return out


def _flat(node: Any, path: str = "") -> dict[str, Any]:
    """Leaves of a dumped scenario by dotted key (lists are leaves)."""
    if not isinstance(node, dict) or not node:
        return {path: node}
    out: dict[str, Any] = {}
    for k, v in node.items():
        out.update(_flat(v, figures.join(path, str(k))))
    return out
