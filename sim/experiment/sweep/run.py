"""Running a sweep: every design point of a sweep file as a scenario of one experiment.

Each design point runs under the sweep's root seed, so replication r of every point sees the
same random streams (common random numbers). Every replication is stored in the run folder
as it finishes (a rerun into the folder resumes); the folder's identity is the base
scenario, the parameters' keys, the design and the seed. The tidy ``sweep.csv`` is then
assembled from the stored replications one point at a time.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.experiment import Experiment
from sim.experiment.options import RunOptions, default_out
from sim.experiment.output import base_manifest
from sim.experiment.store import RunStore, atomic_write_frame, tmp_prefix
from sim.experiment.sweep.analysis import read_sweep_table, sensitivity_indices
from sim.experiment.sweep.design import DesignPoints, make_design, point_scenarios
from sim.experiment.sweep.load import load_sweep
from sim.experiment.sweep.report import SweepResult
from sim.experiment.sweep.spec import SWEEP_TABLES, Sweep


def sweep(
    file_or_path: str | Path | Mapping[str, Any] | Sweep, options: RunOptions | None = None
) -> SweepResult:
    """Run a sweep file and return its design, results and sensitivity indices.

    Parameters
    ----------
    file_or_path : str, Path, mapping or Sweep
        The sweep file, its contents as a mapping (``base`` relative to the working folder),
        or a sweep loaded with `load_sweep`.
    options : RunOptions, optional
        Workers or a Dask cluster, progress, figures (``sensitivity.png`` and
        ``response.png``) and the run folder, by default
        ``results/sweep-<name>/<stamp>-seed<seed>``. Every replication is stored there as it
        finishes; rerunning into the same folder resumes, running only the replications not
        yet stored.

    Returns
    -------
    SweepResult
        ``design``, ``table`` (tidy results) and ``indices`` DataFrames.
    """
    sw = file_or_path if isinstance(file_or_path, Sweep) else load_sweep(file_or_path)
    started = _now()
    design = make_design(sw)
    scenarios = point_scenarios(sw, design)  # every point is checked before anything is written
    options = options or RunOptions()
    root = options.folder or default_out(f"sweep-{sw.name}", sw.seed)
    reps = sw.spec.replications
    in_memory = RunOptions(options.workers, options.scheduler, None, options.progress)
    exp = Experiment(scenarios, sw.seed, in_memory, SWEEP_TABLES)
    # Not Experiment's own store: that one would hash and write into the manifest the
    # resolved scenario of every point. A point's scenario is the base scenario with the
    # point's values at the parameters' keys, so the base, the keys and the design identify
    # the sweep just as well, and the manifest stays small.
    exp.store = store = RunStore(root, _identity(sw, design), _manifest(sw, design, started))
    try:  # the run folder stays locked until its tables are written
        atomic_write_frame(root / "design.csv", design.table)
        ran = exp.ensure(reps)

        outputs = list(sw.spec.outputs.metrics)
        dt = sw.spec.outputs.demand_type
        table = _assemble(store, design.table, reps, outputs, dt, root / "sweep.csv")
        indices = sensitivity_indices(sw, design, table)
        if sw.kind == "sobol":
            atomic_write_frame(root / "sobol_indices.csv", indices)
        elif sw.kind == "morris":
            atomic_write_frame(root / "morris_indices.csv", indices)
        result = SweepResult(
            name=sw.name,
            kind=sw.kind,
            out=root,
            seed=sw.seed,
            replications=reps,
            parameters=[p.name for p in sw.parameters],
            outputs=outputs,
            demand_type=dt,
            design=design.table,
            table=table,
            indices=indices,
            ran=ran,
        )
        if options.figures:
            from sim.plots.figures import save_figure
            from sim.plots.sensitivity import indices_figure, response_figure

            if len(indices):
                save_figure(indices_figure(indices, dt), root / "sensitivity.png")
            save_figure(
                response_figure(result.means(), result.parameters, outputs, dt),
                root / "response.png",
            )
        store.update_manifest(
            sweep=_describe(sw),
            replications=reps,
            finished=_now(),
            started=store.manifest.get("started", started),
        )
    finally:
        store.close()
    return result


def _identity(sw: Sweep, design: DesignPoints) -> dict[str, Any]:
    """What identifies a sweep's results: a folder made for another is refused, not mixed."""
    return {
        "base": sw.base.model_dump(mode="json"),
        "parameters": {p.name: list(p.keys) for p in sw.parameters},
        "design": design.table.to_dict(orient="split", index=False),
        "seed": sw.seed,
        "tables": list(SWEEP_TABLES),
    }


def _manifest(sw: Sweep, design: DesignPoints, started: str) -> dict[str, Any]:
    """What a sweep's run folder records: the sweep, its design and the base scenario."""
    info = base_manifest({"base": sw.base}, sw.seed)
    info["scenarios"] = list(design.table["point"])
    info["seeding"] += "; every design point runs the same replications (common random numbers)"
    return {
        "kind": "sweep",
        "sweep": _describe(sw),
        "design": {
            "kind": sw.kind,
            **sw.spec.design.model_dump(mode="json"),
            "points": len(design.table),
            "file": "design.csv",
        },
        "replications": sw.spec.replications,
        "started": started,
        **info,
    }


def _describe(sw: Sweep) -> dict[str, Any]:
    """The sweep file as resolved: base, overrides, parameters with sources, outputs."""
    return {
        "name": sw.name,
        "file": str(sw.file),
        "description": sw.spec.description,
        "base": [str(p) for p in sw.base_source],
        "overrides": sw.overrides,
        "parameters": {
            p.name: {
                "keys": list(p.keys),
                "low": p.low,
                "high": p.high,
                "integer": p.integer,
                "source": p.source,
                "base_value": p.base_value,
                "base_source": p.base_source,
            }
            for p in sw.parameters
        },
        "outputs": sw.spec.outputs.model_dump(mode="json"),
        "sources": sw.sources,
    }


def _assemble(
    store: RunStore,
    design: pd.DataFrame,
    reps: int,
    outputs: list[str],
    demand_type: str,
    path: Path,
) -> pd.DataFrame:
    """Write ``sweep.csv`` reading the stored replications one point at a time, and read it
    back (the outputs only, so it is small even when the parts are not)."""
    params = [c for c in design.columns if c != "point"]
    grid = pd.MultiIndex.from_product([range(reps), outputs], names=["replication", "metric"])
    fd, tmp = tempfile.mkstemp(prefix=tmp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for i, row in enumerate(design.itertuples(index=False)):
                key = row[0]
                part = store.read("summary", [(key, r) for r in range(reps)])
                sel = part[part["metric"].isin(outputs) & (part["demand_type"] == demand_type)]
                values = sel.set_index(["replication", "metric"])["value"].reindex(grid)
                frame = values.reset_index()
                frame.insert(0, "point", key)
                for j, name in enumerate(params, start=1):
                    frame.insert(1 + j, name, row[j])
                frame.insert(frame.columns.get_loc("metric") + 1, "demand_type", demand_type)
                frame.to_csv(fh, header=i == 0, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return read_sweep_table(path)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
