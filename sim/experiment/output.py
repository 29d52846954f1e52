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
from typing import TYPE_CHECKING

import pandas as pd

from sim.experiment.store import atomic_write_frame, atomic_write_text

if TYPE_CHECKING:
    from sim.experiment.run import RunResult
    from sim.scenario.schema import Scenario

DEPENDENCIES = ("simpy", "numpy", "pandas", "scipy", "matplotlib", "pydantic", "pyarrow")
TABLE_FILES = {
    "summary": "summary.csv",
    "timeseries": "timeseries.csv",
    "demands": "demands.parquet",
    "yearly": "yearly.csv",
}


def write_tables(out_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write the assembled tables of a run into `out_dir`."""
    for name, frame in tables.items():
        if name in TABLE_FILES:
            atomic_write_frame(Path(out_dir) / TABLE_FILES[name], frame)


def write_run(result: RunResult, out_dir: Path, figures: bool = True) -> Path:
    """Write `result` to `out_dir`: summary.csv, timeseries.csv, demands.parquet,
    manifest.json and PNG figures. Returns `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_tables(
        out_dir,
        {"summary": result.summary, "timeseries": result.timeseries, "demands": result.demands},
    )
    info = {
        **base_manifest({result.scenario.name: result.scenario}, result.seed),
        "replications": result.replications,
        "started": result.started,
        "finished": result.finished,
        **result.meta,
    }
    atomic_write_text(out_dir / "manifest.json", json.dumps(info, indent=2, ensure_ascii=False))
    if figures:
        save_figures(result, out_dir)
    return out_dir


def save_figures(result: RunResult, out_dir: Path) -> None:
    """Draw the standard figures of a run into `out_dir` (each PNG written atomically)."""
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
