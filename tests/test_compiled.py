"""The engine core compiled and as its pure-Python source give the same results.

The station, the clock's loop and the router are compiled at install time where Cython and
a C compiler are available (`sim.compiled`); the ``.py`` source stays the reference. The
golden tables are run here once more with the source (``GOVSIM_PURE=1``), in a process of
their own, so both builds are held to the same files byte for byte.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.compiled import PURE_VARIABLE, _SourceFinder, compiled_core, stale_modules
from sim.compiled import ROOT as ROOT_PACKAGE

ROOT = Path(__file__).resolve().parent.parent


def _core_in_child(**env: str) -> dict[str, bool]:
    code = "import json, sim.compiled as c; print(json.dumps(c.compiled_core()))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_core_modules_are_declared() -> None:
    """The core is the station, the loop and the router, each with its declarations."""
    assert set(compiled_core()) == {"sim.model.station", "sim.model.wake", "sim.processes.routing"}


def test_pure_variable_loads_every_module_from_source() -> None:
    """``GOVSIM_PURE=1`` runs the reference: no core module is the compiled one."""
    assert not any(_core_in_child(**{PURE_VARIABLE: "1"}).values())


def test_compiled_core_is_built() -> None:
    """After an install with a C compiler every core module loads compiled (a machine
    without one runs the source, and says so here as a skip)."""
    core = _core_in_child()
    stale = stale_modules(ROOT_PACKAGE)
    if stale:
        pytest.skip(f"compiled core older than its source ({', '.join(stale)}): rebuild it")
    if not any(core.values()):
        pytest.skip("compiled core not built (no Cython or C compiler at install): the source runs")
    assert all(core.values()), core


def test_golden_tables_from_the_source() -> None:
    """The pure-Python reference reproduces the golden tables byte for byte (the test
    process itself, where built, runs them compiled)."""
    env = {**os.environ, PURE_VARIABLE: "1"}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_golden.py"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout[-3000:]
    assert " passed" in out.stdout and "skipped" not in out.stdout


def test_stale_core_runs_from_its_source(tmp_path: Path) -> None:
    """A compiled module older than its source (an edit not rebuilt) is not run: the whole
    core is loaded from source (its compiled modules know each other's C types), with a
    warning naming the module."""
    root = tmp_path / "sim"
    for leaf, age in (("fresh", 0.0), ("edited", 60.0)):
        (root / "model").mkdir(parents=True, exist_ok=True)
        for ext in (".py", ".pxd"):
            (root / "model" / (leaf + ext)).write_text("")
        built = root / "model" / (leaf + importlib.machinery.EXTENSION_SUFFIXES[0])
        built.write_bytes(b"")
        when = time.time() - age
        os.utime(built, (when, when))
    assert stale_modules(str(root)) == ["sim.model.edited"]
    finder = _SourceFinder(pure=False, root=str(root))
    with pytest.warns(UserWarning, match="sim.model.edited: the compiled module is older"):
        spec = finder.find_spec("sim.model.fresh", [str(root / "model")])
    assert spec is not None and spec.origin == str(root / "model" / "fresh.py")
    assert finder.find_spec("sim.other", [str(root)]) is None  # not of the core


def test_up_to_date_core_is_left_to_python(tmp_path: Path) -> None:
    """With every compiled module newer than its source, the finder steps aside."""
    folder = tmp_path / "sim" / "model"
    folder.mkdir(parents=True)
    (folder / "leaf.py").write_text("")
    (folder / "leaf.pxd").write_text("")
    (folder / ("leaf" + importlib.machinery.EXTENSION_SUFFIXES[0])).write_bytes(b"")
    finder = _SourceFinder(pure=False, root=str(tmp_path / "sim"))
    assert finder.find_spec("sim.model.leaf", [str(folder)]) is None
    assert _SourceFinder(pure=True, root=str(tmp_path / "sim")).find_spec(
        "sim.model.leaf", [str(folder)]
    ).origin == str(folder / "leaf.py")
