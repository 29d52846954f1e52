"""The command line starts fast: its help and `validate` load none of the heavy libraries.

`govsim --help` and `govsim validate FILE` must not import pandas, SciPy, SALib, matplotlib,
pyarrow or the experiment machinery (each command imports what it runs), and ``import sim``
alone loads none of its public names until they are used. Each check runs in a fresh
interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "scipy", "SALib", "matplotlib", "pyarrow")
MACHINERY = ("sim.experiment.run", "sim.experiment.compare", "sim.experiment.sweep")


def loaded_after(code: str) -> dict:
    """Run `code` in a fresh interpreter; return what it printed last (a JSON object) with
    the heavy libraries and experiment modules it left in ``sys.modules``."""
    probe = (
        "import json, sys\n"
        f"{code}\n"
        f"watch = {(*HEAVY, *MACHINERY)!r}\n"
        "print(json.dumps(sorted(m for m in watch if m in sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return {"loaded": json.loads(proc.stdout.splitlines()[-1]), "stdout": proc.stdout}


def test_help_imports_nothing_heavy() -> None:
    """Importing the command line and building its parser loads no heavy library."""
    out = loaded_after("import sim.cli\nsim.cli._parser().format_help()")
    assert out["loaded"] == []


def test_help_prints_and_exits() -> None:
    """`govsim --help` prints the commands and exits 0 without loading a heavy library."""
    code = (
        "from sim.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code"
    )
    out = loaded_after(code)
    assert "validate" in out["stdout"] and "compare" in out["stdout"]
    assert out["loaded"] == []


@pytest.mark.parametrize("name", ["teaching", "tongling_rebound_5y"])
def test_validate_imports_nothing_heavy(name: str) -> None:
    """`govsim validate` checks a scenario with the schema alone (pydantic, numpy)."""
    code = f"from sim.cli import main\nassert main(['validate', 'scenarios/{name}.toml']) == 0"
    out = loaded_after(code)
    assert f"scenarios/{name}.toml: ok" in out["stdout"]
    assert out["loaded"] == []


def test_import_sim_is_light_and_names_load_on_use() -> None:
    """``import sim`` loads none of its public names; using one (``from sim import run``)
    loads it, and every name of ``sim.__all__`` resolves."""
    out = loaded_after("import sim")
    assert out["loaded"] == []
    code = (
        "import sim\n"
        "from sim import run, load_results\n"
        "assert callable(run) and callable(load_results)\n"
        "assert all(getattr(sim, n) is not None for n in sim.__all__)\n"
        "assert set(sim.__all__) <= set(dir(sim))\n"
        "try:\n"
        "    sim.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')"
    )
    assert "sim.experiment.run" in loaded_after(code)["loaded"]


@pytest.mark.parametrize("command", ["run", "compare"])
def test_the_plan_comes_before_the_machinery(command: str, tmp_path: Path) -> None:
    """A run says what it will do before it loads pandas, SciPy or matplotlib, so its first
    line appears within a fraction of a second (0.33 s measured on this machine's 2 cores)."""
    files = ["scenarios/teaching.toml"] * (2 if command == "compare" else 1)
    argv = [command, *files, "--days", "8", "--replications", "2", "--no-figures"]
    argv += ["--out", str(tmp_path / "out"), "--workers", "1"]
    code = (
        "import builtins, json, sys\n"
        "from sim.cli import main\n"
        "first = []\n"
        "plain = builtins.print\n"
        "def spy(*a, **k):\n"
        f"    first or first.append([m for m in {HEAVY!r} if m in sys.modules])\n"
        "    plain(*a, **k)\n"
        "builtins.print = spy\n"
        f"assert main({argv!r}) == 0\n"
        "plain(json.dumps(first[0]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == []
    assert proc.stdout.splitlines()[0].startswith("running " if command == "run" else "comparing")
