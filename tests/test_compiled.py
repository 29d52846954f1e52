"""The engine core compiled and as its pure-Python source give the same results.

The station, the clock's loop and the router are compiled at install time where Cython and
a C compiler are available (`sim.compiled`); the ``.py`` source stays the reference. The
golden tables are run here once more with the source (``GOVSIM_PURE=1``), in a process of
their own, so both builds are held to the same files byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.compiled import PURE_VARIABLE, compiled_core

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
    core = {k: v for k, v in _core_in_child().items()}
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


def test_stale_compiled_module_yields_to_its_source(tmp_path: Path) -> None:
    """A compiled module older than its source (an edit not rebuilt) is not run: the
    source is, with a warning naming the module."""
    pkg = tmp_path / "sim" / "core_probe"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "leaf.pxd").write_text("")
    (pkg / "leaf.py").write_text("KIND = 'source'\n")
    import importlib.machinery

    built = pkg / ("leaf" + importlib.machinery.EXTENSION_SUFFIXES[0])
    built.write_bytes(b"not a real extension")
    old = time.time() - 60
    os.utime(built, (old, old))
    code = (
        "import sys, warnings; sys.path.insert(0, sys.argv[1]);"
        "import sim; sim.__path__.append(sys.argv[1] + '/sim');"
        "warnings.simplefilter('always');"
        "import sim.core_probe.leaf as m; print(m.KIND)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "source"
    assert "sim.core_probe.leaf: the compiled module is older than its source" in out.stderr
