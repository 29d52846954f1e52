"""Writing results: tables, manifest and figures, each file written whole or not at all.

Every file goes under a temporary name and is renamed into place, so an interrupted run never
leaves a half-written file under a real name.
"""

from __future__ import annotations

import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.store import atomic_write_frame, atomic_write_text
from sim.metrics.dictionary import dictionary
from sim.scenario.schema import Scenario

DEPENDENCIES = ("simpy", "numpy", "pandas", "scipy", "matplotlib", "pydantic", "pyarrow")
TABLE_FILES = {
    "summary": "summary.csv",
    "timeseries": "timeseries.csv",
    "demands": "demands.parquet",
    "yearly": "yearly.csv",
}
METRICS_FILE = "metrics.csv"  # the dictionary of the summary's metrics


def write_tables(out_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write the assembled tables of a run into `out_dir`, and beside the summary the
    dictionary of its metrics (label, unit, better direction, definition)."""
    for name, frame in tables.items():
        if name in TABLE_FILES:
            atomic_write_frame(Path(out_dir) / TABLE_FILES[name], frame)
    if "summary" in tables and "metric" in tables["summary"]:
        names = tables["summary"]["metric"].unique()
        atomic_write_frame(Path(out_dir) / METRICS_FILE, dictionary(names))


def write_manifest(out_dir: Path, info: dict[str, Any]) -> None:
    """Write ``manifest.json`` into `out_dir` (atomically)."""
    text = json.dumps(info, indent=2, ensure_ascii=False)
    atomic_write_text(Path(out_dir) / "manifest.json", text)


def save_figures(result: Any, out_dir: Path) -> None:
    """Draw the standard figures of a run (a `RunResult`) into `out_dir`, each PNG written
    atomically."""
    from sim.plots.figures import save_run_figures

    save_run_figures(result, out_dir)


def base_manifest(scenarios: dict[str, Scenario], seed: int) -> dict:
    """What is needed to reproduce a run: scenarios, seeds, versions, commit."""
    resolved = {k: s.model_dump(mode="json") for k, s in scenarios.items()}
    single = (
        {
            "scenario": next(iter(scenarios.values())).name,
            "resolved_scenario": next(iter(resolved.values())),
        }
        if len(scenarios) == 1
        else {}
    )
    return {
        **single,
        "scenarios": list(scenarios),
        "resolved_scenarios": resolved,
        "root_seed": seed,
        "seeding": "numpy SeedSequence(root_seed, spawn_key=(replication, stream)); "
        "every scenario uses the same streams (common random numbers)",
        "package_version": _version("govsim"),
        "dependencies": {d: _version(d) for d in DEPENDENCIES},
        "python": platform.python_version(),
        "git_commit": git_commit(),
    }


def git_commit() -> str | None:
    """Commit of the source tree the package runs from (or of the project checkout in the
    working folder, for a non-editable install), if either is a git checkout."""
    places = [Path(__file__).resolve().parent]
    cwd = Path.cwd()
    if (cwd / "sim" / "__init__.py").exists() and (cwd / "pyproject.toml").exists():
        places.append(cwd)
    for here in places:
        try:
            out = subprocess.run(
                ["git", "rev-parse", "HEAD"],
                cwd=here,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
