"""Loading a run folder back: the tables and scenario a run wrote, as the `RunResult` it was.

A folder written by ``govsim run`` or `RunResult.save` holds ``summary.csv``,
``timeseries.csv``, ``demands.parquet``, ``yearly.csv`` (when a governance mechanism is on)
and ``manifest.json`` (the resolved scenario, the root seed, the number of replications, the
warm-up and precision reports). `load_results` reads them with the types they had in memory:
the CSV's text columns stay text (the empty ``demand_type`` of all-types rows stays ``""``
instead of becoming NaN), its empty numbers become NaN, and the demand records take their
declared types (`sim.metrics.records.RECORD_COLUMNS`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.experiment.output import TABLE_FILES
from sim.experiment.result import RunResult
from sim.experiment.run import typed_records
from sim.metrics.summary import YEARLY_COLUMNS, YEARLY_TYPES
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

# text columns of the CSV tables (every other column is a number)
TEXT_COLUMNS = frozenset({"scenario", "metric", "demand_type", "unit", "level"})
# columns each table must have
REQUIRED = {
    "summary": ["scenario", "replication", "metric", "demand_type", "value"],
    "timeseries": ["scenario", "replication", "day", "unit", "level"],
    "yearly": YEARLY_COLUMNS,
    "demands": ["scenario", "replication", "demand", "demand_type", "outcome"],
}
META = ("warmup", "precision")  # manifest fields that `RunResult.meta` carries


def load_results(path: str | Path) -> RunResult:
    """Read a run folder written by ``govsim run`` or `RunResult.save` back into a
    `RunResult`.

    Parameters
    ----------
    path : path
        The run folder (the one holding ``manifest.json`` and ``summary.csv``).

    Returns
    -------
    RunResult
        The scenario (resolved, from the manifest), root seed, replications, start and end
        times, warm-up and precision reports, and the tables with the types they had in
        memory; ``yearly`` is empty when the folder has no ``yearly.csv``.

    Raises
    ------
    ScenarioError
        One line naming the file, if a file is missing or cannot be read, or if the folder
        holds a comparison or a sweep rather than a run.
    """
    root = Path(path)
    if not root.is_dir():
        raise ScenarioError(str(root), "", "no such folder (expected a run folder)")
    manifest = _manifest(root / "manifest.json")
    scenario = _scenario(root / "manifest.json", manifest)
    tables = {
        name: _read(root / file, name)
        for name, file in TABLE_FILES.items()
        if name != "yearly" or (root / file).exists()
    }
    yearly = tables.get("yearly")
    if yearly is None:
        yearly = pd.DataFrame(columns=YEARLY_COLUMNS).astype(YEARLY_TYPES)
    replications = manifest.get("replications")
    if not isinstance(replications, int):
        replications = int(tables["summary"]["replication"].nunique())
    seed = manifest.get("root_seed", scenario.seed)
    if not isinstance(seed, int):
        raise ScenarioError(str(root / "manifest.json"), "root_seed", "not a whole number")
    return RunResult(
        scenario,
        seed,
        replications,
        tables["summary"],
        tables["timeseries"],
        tables["demands"],
        yearly,
        started=manifest.get("started", ""),
        finished=manifest.get("finished", ""),
        meta={k: manifest[k] for k in META if k in manifest},
    )


def read_table(path: str | Path) -> pd.DataFrame:
    """One CSV table of a run (``summary.csv``, ``timeseries.csv``, ``yearly.csv``) with its
    text columns as text: an empty ``demand_type`` (all demand types together) stays ``""``
    and only an empty number is NaN."""
    path = Path(path)
    columns = pd.read_csv(path, nrows=0).columns
    text = [c for c in columns if c in TEXT_COLUMNS]
    return pd.read_csv(
        path,
        dtype=dict.fromkeys(text, "str"),
        keep_default_na=False,
        na_values={c: [""] for c in columns if c not in TEXT_COLUMNS},
    )


def _read(path: Path, name: str) -> pd.DataFrame:
    """Read one table of the folder, or raise a one-line error naming the file."""
    if not path.is_file():
        raise ScenarioError(str(path), "", "missing; not a complete run folder")
    try:
        if path.suffix == ".parquet":
            frame = typed_records(pd.read_parquet(path))
        else:
            frame = read_table(path)
    except (OSError, ValueError, TypeError, KeyError, ImportError) as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {_first_line(exc)}") from None
    missing = [c for c in REQUIRED[name] if c not in frame.columns]
    if missing:
        raise ScenarioError(str(path), "", f"missing column(s): {', '.join(missing)}")
    return frame


def _manifest(path: Path) -> dict:
    if not path.is_file():
        raise ScenarioError(str(path), "", "missing; not a run folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScenarioError(str(path), "", f"cannot be read: {_first_line(exc)}") from None
    if not isinstance(manifest, dict):
        raise ScenarioError(str(path), "", "cannot be read: not a JSON object")
    return manifest


def _scenario(path: Path, manifest: dict) -> Scenario:
    """The resolved scenario of a single-scenario run."""
    kind = manifest.get("kind")
    if kind in ("comparison", "sweep"):
        raise ScenarioError(str(path), "kind", f"holds a {kind}, not the run of one scenario")
    resolved = manifest.get("resolved_scenario")
    if not isinstance(resolved, dict):
        raise ScenarioError(str(path), "resolved_scenario", "missing")
    try:
        return Scenario.model_validate(resolved)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ScenarioError(
            str(path), "resolved_scenario", f"not a valid scenario: {_first_line(exc)}"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
