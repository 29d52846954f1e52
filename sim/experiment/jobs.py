"""A job: one replication of one scenario, the unit of work sent to an executor.

`replicate` is a top-level, picklable function of the job alone: a worker process, a Dask
worker or the calling process all compute exactly the same tables from the same job.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.metrics.records import demand_records
from sim.metrics.summary import summary, timeseries, yearly
from sim.processes.world import run_replication
from sim.scenario.schema import Scenario

TABLES = ("summary", "timeseries", "demands", "yearly")


@dataclass(frozen=True)
class Job:
    """One replication to run.

    Parameters
    ----------
    key : str
        Which scenario (or sweep point) of the experiment the job belongs to.
    scenario : Scenario
        The resolved scenario.
    replication : int
        Replication index: selects the random streams.
    seed : int
        Root seed of the experiment.
    tables : tuple of str
        Tables to return (a subset of `TABLES`; ``summary`` always).
    """

    key: str
    scenario: Scenario
    replication: int
    seed: int
    tables: tuple[str, ...] = TABLES


def replicate(job: Job, progress: Callable[[int], object] | None = None) -> dict[str, pd.DataFrame]:
    """Run one job and reduce it to its tables (`progress` is called with 1 per simulated
    day)."""
    rep = run_replication(job.scenario, job.replication, job.seed, progress)
    rec = demand_records(rep)
    out = {"summary": summary(rep, rec)}
    if "timeseries" in job.tables:
        out["timeseries"] = timeseries(rep)
    if "demands" in job.tables:  # text as categories: far cheaper to send between processes
        out["demands"] = rec
    if "yearly" in job.tables:
        out["yearly"] = yearly(rep)
    del rep, rec
    if multiprocessing.parent_process() is not None:  # in a worker process
        gc.collect()  # a replication's object graph has cycles: free it now, not at a rare GC
    return out
