"""How and where an experiment runs: workers, a cluster, the results folder, progress, figures.

None of these changes a result: a run's tables depend only on the scenario, the root seed and
the number of replications. `run`, `compare` and `sweep` take the same `RunOptions`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path("results")


@dataclass(frozen=True)
class RunOptions:
    """Where replications run and where their results go.

    Parameters
    ----------
    workers : int, optional
        Local worker processes (all cores by default; one runs in this process).
    scheduler : str or distributed.Client, optional
        A Dask scheduler (``tcp://host:8786``) or client to run on instead.
    out : path, optional
        Run folder: each replication is stored as it finishes and a rerun into the same
        folder resumes. Without it, results stay in memory.
    progress : bool, optional
        Show a progress bar (default: when standard error is a terminal).
    figures : bool
        Draw the PNG figures into `out`.
    """

    workers: int | None = None
    scheduler: object | None = None
    out: str | Path | None = None
    progress: bool | None = None
    figures: bool = True

    @property
    def folder(self) -> Path | None:
        """The run folder as a path (None: in memory)."""
        return Path(self.out) if self.out is not None else None


def default_out(label: str, seed: int) -> Path:
    """The default run folder ``results/<label>/<UTC stamp>-seed<seed>``.

    `label` is the scenario's name for a run, ``compare-<baseline>`` for a comparison and
    ``sweep-<name>`` for a sweep.
    """
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    return RESULTS / slug(label) / f"{stamp}-seed{seed}"


def slug(label: str) -> str:
    """`label` as one safe folder name: letters, digits, ``-``, ``_`` and ``.`` kept (any
    script), everything else (path separators, ``..``, control characters) made ``_``, at
    most 80 characters, never empty or a dot name; so a scenario's ``name`` cannot place
    results outside ``results/``."""
    text = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)[:80]
    text = text.strip(".") or "_"
    return text
