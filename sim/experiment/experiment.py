"""An experiment: scenarios × replications under one root seed, run by an executor.

Every scenario of an experiment runs replication r with the same random streams (common
random numbers), so their differences are paired. Finished replications go to a `RunStore`
when the experiment has a folder (then a rerun resumes) or stay in memory otherwise.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable, Iterator

import pandas as pd

from sim.experiment.executors import execute
from sim.experiment.jobs import TABLES, Job, replicate
from sim.experiment.options import RunOptions
from sim.experiment.output import base_manifest
from sim.experiment.store import RunStore
from sim.scenario.schema import Scenario


def safe_key(name: str) -> str:
    """A scenario name made safe as a folder name."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "scenario"


class Experiment:
    """Scenarios run side by side over replications.

    Parameters
    ----------
    scenarios : dict
        Key -> resolved scenario (keys become folder names and keep their order).
    seed : int
        Root seed shared by every scenario.
    options : RunOptions, optional
        Workers or a cluster, the run folder (results are stored there as they finish and a
        rerun resumes) and progress.
    tables : tuple of str
        Tables kept per replication.
    manifest : dict, optional
        Extra manifest fields (e.g. the sweep design).
    """

    def __init__(
        self,
        scenarios: dict[str, Scenario],
        seed: int,
        options: RunOptions | None = None,
        tables: tuple[str, ...] = TABLES,
        manifest: dict | None = None,
    ) -> None:
        options = options or RunOptions()
        self.scenarios = {safe_key(k): s for k, s in scenarios.items()}
        self.seed = seed
        self.workers, self.scheduler = options.workers, options.scheduler
        self.tables = tables
        self.progress = _interactive() if options.progress is None else options.progress
        out = options.folder
        self.replications = 0
        self._memory: dict[tuple[str, int], dict[str, pd.DataFrame]] = {}
        self.store: RunStore | None = None
        if out is not None:
            identity = {
                "scenarios": {k: s.model_dump(mode="json") for k, s in self.scenarios.items()},
                "seed": seed,
                "tables": list(tables),
            }
            info = base_manifest(self.scenarios, seed)
            self.store = RunStore(out, identity, {**info, **(manifest or {})})

    def has(self, key: str, rep: int) -> bool:
        """Whether replication `rep` of `key` is done (stored whole, when in a folder)."""
        if self.store is not None:
            return self.store.has(key, rep)
        return (key, rep) in self._memory

    def close(self) -> None:
        """Release the run folder (its lock); results already stored stay."""
        if self.store is not None:
            self.store.close()

    def _missing(self, replications: int) -> Iterator[Job]:
        """The jobs still to run, generated one at a time (in replication order)."""
        for r in range(replications):
            for key, s in self.scenarios.items():
                if not self.has(key, r):
                    yield Job(key, s, r, self.seed, self.tables)

    def _left(self, replications: int) -> dict[str, int]:
        """Replications left per scenario, counted without checking the stored parts."""
        if self.store is not None:
            done = {k: self.store.stored(k, replications) for k in self.scenarios}
        else:
            done = dict.fromkeys(self.scenarios, 0)
            for k, r in self._memory:
                done[k] += r < replications
        return {k: max(0, replications - done[k]) for k in self.scenarios}

    def ensure(self, replications: int, on_done: Callable[[], None] | None = None) -> int:
        """Make replications 0 … `replications`-1 of every scenario available; return how
        many had to be run.

        Jobs are made as workers free up, so a huge number of replications starts at once;
        a stored part that fails its check is run again.
        """
        jobs = self._missing(replications)
        head = list(itertools.islice(jobs, 2))
        self.replications = max(self.replications, replications)
        if not head:
            return 0
        jobs = itertools.chain(head, jobs)
        # simulated days, here or in local workers; replications on a Dask cluster
        by_day = self.scheduler is None
        left = self._left(replications)
        days = sum(n * self.scenarios[k].days for k, n in left.items())
        bar = _bar_class()(
            total=days if by_day else sum(left.values()),
            unit="day" if by_day else "rep",
            desc="simulated days" if by_day else "replications",
            delay=2.0,
            disable=not self.progress,
            leave=False,
        )
        ticks = bar.update if by_day and self.progress else None
        results = execute(replicate, jobs, self.workers, self.scheduler, ticks)
        ran = 0
        try:
            for job, tables in results:
                if self.store is not None:
                    self.store.write(job.key, job.replication, tables)
                else:
                    self._memory[(job.key, job.replication)] = tables
                ran += 1
                if not by_day:
                    bar.update(1)
                if on_done is not None:
                    on_done()
        finally:
            bar.close()
        return ran

    def table(self, name: str, keys: list[str] | None = None) -> pd.DataFrame:
        """One table over scenarios (in order) and replications (in order); from a folder,
        every replication or an error (never fewer)."""
        keys = list(self.scenarios) if keys is None else keys
        order = [(k, r) for k in keys for r in range(self.replications)]
        if self.store is not None:
            return self.store.read(name, order)
        frames = [self._memory[o][name] for o in order if name in self._memory.get(o, {})]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _interactive() -> bool:
    """Whether someone watches: a terminal on standard error, or a notebook's kernel (an
    IPython shell with a kernel; merely importing ipykernel, as notebook tools do, is not
    one)."""
    return sys.stderr.isatty() or _in_kernel()


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _bar_class() -> type:
    """The progress bar: a widget in a notebook with ipywidgets, else text (a notebook shows
    text bars too)."""
    if _in_kernel():
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm as notebook_bar

            return notebook_bar
        except ImportError:
            pass
    from tqdm import tqdm

    return tqdm
