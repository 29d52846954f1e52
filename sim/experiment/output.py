"""Writing a run's results: tables, manifest and figures, never half-written.

Everything is written into a temporary folder beside the target and moved into place at the
end (a rename), so an interrupted run leaves no partial results behind under the real name.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.experiment.run import RunResult

DEPENDENCIES = ("simpy", "numpy", "pandas", "scipy", "matplotlib", "pydantic", "pyarrow")


def write_run(result: RunResult, out_dir: Path, figures: bool = True) -> Path:
    """Write `result` to `out_dir`: summary.csv, timeseries.csv, demands.parquet,
    manifest.json and PNG figures. Returns `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        result.summary.to_csv(tmp / "summary.csv", index=False)
        result.timeseries.to_csv(tmp / "timeseries.csv", index=False)
        result.demands.to_parquet(tmp / "demands.parquet", index=False)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest(result), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        if figures:
            from sim.plots.figures import save_run_figures

            save_run_figures(result, tmp)
        if not out_dir.exists():
            os.replace(tmp, out_dir)
        else:
            for f in tmp.iterdir():
                os.replace(f, out_dir / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def manifest(result: RunResult) -> dict:
    """What is needed to reproduce a run: scenario, seeds, versions, commit, times."""
    s = result.scenario
    return {
        "scenario": s.name,
        "resolved_scenario": s.model_dump(mode="json"),
        "root_seed": result.seed,
        "replications": result.replications,
        "seeding": "numpy SeedSequence(root_seed, spawn_key=(replication, stream))",
        "package_version": _version("govsim"),
        "dependencies": {d: _version(d) for d in DEPENDENCIES},
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "started": result.started,
        "finished": result.finished,
        **result.meta,
    }


def git_commit() -> str | None:
    """Commit of the source tree the package runs from, if it is a git checkout."""
    here = Path(__file__).resolve().parent
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
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
