"""The house is one-way: no module imports from a layer above its own, and no import circle.

Layers, from the bottom: simulated time (`sim.clock`), the process's memory (`sim.memory`),
decision rules (`sim.rules`) and figures (`sim.plots`) import nothing of the model; then
scenario → model → processes → metrics → experiment → the interfaces (`sim.cli`, the
package's public API). Every import is counted, those inside functions and under
``TYPE_CHECKING`` too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import sim
from sim.processes.hooks import HOOK_POINTS
from sim.processes.mechanisms import MECHANISMS

PACKAGE = Path(sim.__file__).resolve().parent
BOTTOM = {"sim.clock", "sim.memory", "sim.rules", "sim.plots"}  # import nothing of the model
RANK = {
    "sim.clock": 0,
    "sim.memory": 0,
    "sim.rules": 0,
    "sim.plots": 0,
    "sim.scenario": 1,
    "sim.model": 2,
    "sim.processes": 3,
    "sim.metrics": 4,
    "sim.experiment": 5,
    "sim.cli": 6,
    "sim.app": 6,
    "sim": 6,  # the package's public API (sim/__init__.py) and sim/__main__.py
    "sim.__main__": 6,
}


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(path: Path, known: set[str]) -> set[str]:
    """The package modules `path` imports (a ``from a import b`` of a submodule counts as
    an import of the submodule)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "sim")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "sim":
                continue
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in known else node.module)
    return out


def layer(name: str) -> str:
    """The layer a module belongs to (the longest prefix in `RANK`)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        prefix = ".".join(parts[:k])
        if prefix in RANK:
            return prefix
    raise AssertionError(f"{name} is in no layer")


GRAPH = {name: imports(path, set(modules())) for name, path in modules().items()}


def test_no_module_imports_from_a_layer_above() -> None:
    """Scenario → model → processes → metrics → experiment → interfaces, one way."""
    wrong = []
    for name, targets in GRAPH.items():
        here = layer(name)
        for target in targets:
            there = layer(target)
            if here in BOTTOM and there != here and there != "sim.clock":
                wrong.append(f"{name} -> {target} (the bottom imports nothing of the model)")
            elif RANK[there] > RANK[here]:
                wrong.append(f"{name} -> {target} (up from {here} to {there})")
    assert not wrong, "imports that run back up:\n" + "\n".join(sorted(wrong))


def test_no_import_circle() -> None:
    """No module reaches itself through its imports."""
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(GRAPH.get(name, ())):
            if state.get(target) == 1:
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_mechanisms_declare_what_they_plug_into() -> None:
    """Each mechanism names its section, uses only declared hook points, and needs only
    mechanisms that start before it."""
    started: list[str] = []
    for cls in MECHANISMS:
        assert isinstance(cls.section, str) and cls.section
        assert set(cls.hooks) <= set(HOOK_POINTS), (cls.__name__, cls.hooks)
        assert set(cls.needs) <= set(started), f"{cls.__name__} needs {cls.needs} first"
        started.append(cls.section)
    assert len(set(started)) == len(started)
