"""The code stays ruff clean (the project's lint rules live in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_check_is_clean() -> None:
    """`ruff check` finds nothing in the package, tests, benchmarks, notebooks, the
    validation report or the build script."""
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check",
         "sim", "tests", "benchmarks", "notebooks", "validation", "setup.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
