"""Running the class's comparison live: baseline and reform on common random numbers, fast.

A class moves a slider and expects the answer before the next question. `Runner` runs a
handful of replications of each arm with the same root seed (replication r of both sees the
same residents and demands), by the same job function as ``govsim compare``
(`sim.experiment.jobs.replicate`), so its numbers are the command's. It keeps every
replication it has run, keyed by the scenario's content and the seed, so moving a slider
reruns only the arm that changed (the baseline almost never does), and a pool of worker
processes started once runs the replications side by side.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from sim.app.reading import reading
from sim.app.tables import result_tables
from sim.experiment.compare import paired_differences
from sim.experiment.comparison import Comparison
from sim.experiment.executors import cores, die_with_parent
from sim.experiment.jobs import Job, replicate
from sim.scenario.schema import Scenario

REPLICATIONS = 5
CACHE_SIZE = 2_000  # replications kept (a teaching replication's tables are ~30 kB)


def scenario_key(s: Scenario) -> str:
    """A digest of what a scenario simulates (its name, description and sources left out):
    two arms with the same key give the same tables."""
    body = s.model_dump_json(exclude={"name", "description", "sources"})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]


@dataclass
class Results:
    """What the page shows after a run.

    Attributes
    ----------
    comparison : Comparison
        Both arms' summaries and the paired differences, as ``sim.compare`` returns them.
    tables : dict of DataFrame
        The page's tables by name (``days``, ``trips``, ``waits``, ``staff``, ``cost``): one
        row per measure, both arms' means with 95% intervals, the difference with its
        interval and the verdict (`sim.app.tables`).
    reading : list of str
        The plain-language reading (`sim.app.reading`).
    timeseries : dict of DataFrame
        Replication 0's daily series of each arm (``baseline``, ``reform``).
    seconds : float
        Wall time of the call.
    ran : int
        Replications simulated in the call (the rest came from the runner's store).
    """

    comparison: Comparison
    tables: dict[str, pd.DataFrame]
    reading: list[str]
    timeseries: dict[str, pd.DataFrame]
    seconds: float
    ran: int
    baseline: Scenario = field(repr=False)
    reform: Scenario = field(repr=False)


class Runner:
    """Runs comparisons for the page and keeps what it ran.

    Parameters
    ----------
    replications : int
        Paired replications of each arm.
    workers : int, optional
        Worker processes (one: in this process). By default one below four cores: on two
        cores a teaching comparison ran faster in the page's own process (0.3-0.5 s for five
        replications) than on two workers (0.7-0.9 s: the jobs and tables travel between
        processes), and two workers from four cores on.
    """

    def __init__(self, replications: int = REPLICATIONS, workers: int | None = None) -> None:
        self.replications = replications
        self.workers = (1 if cores() < 4 else 2) if workers is None else max(1, workers)
        self._store: OrderedDict[tuple[str, int, int], dict[str, pd.DataFrame]] = OrderedDict()
        self._pool: ProcessPoolExecutor | None = None

    def warm(self) -> None:
        """Start the worker processes now (they import the model once), not at the first
        slider move."""
        pool = self._workers()
        if pool is not None:
            for f in [pool.submit(os.getpid) for _ in range(self.workers)]:
                f.result()

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def compare(
        self,
        baseline: Scenario,
        reform: Scenario,
        replications: int | None = None,
        seed: int | None = None,
    ) -> Results:
        """Run both arms on common random numbers and reduce them to the page's tables."""
        t0 = time.perf_counter()
        n = max(2, replications or self.replications)
        seed = baseline.seed if seed is None else seed
        arms = {"baseline": baseline, "reform": reform}
        keys = {arm: scenario_key(s) for arm, s in arms.items()}
        missing = [
            (arm, r)
            for arm in arms
            for r in range(n)
            if (keys[arm], seed, r) not in self._store
            and not (arm == "reform" and keys["reform"] == keys["baseline"])
        ]
        self._run([(keys[a], arms[a], r, seed) for a, r in missing])
        summaries, series = [], {}
        for arm, s in arms.items():
            parts = [self._store[(keys[arm], seed, r)] for r in range(n)]
            for r in range(n):
                self._store.move_to_end((keys[arm], seed, r))
            summaries.append(pd.concat([p["summary"] for p in parts]).assign(scenario=s.name))
            series[arm] = parts[0]["timeseries"].assign(scenario=s.name)
        summary = pd.concat(summaries, ignore_index=True)
        differences = paired_differences(summary, baseline.name)
        cmp = Comparison(baseline.name, differences, summary, seed, n)
        tables = result_tables(cmp, baseline, reform)
        said = reading(tables, n, same=keys["reform"] == keys["baseline"])
        seconds = time.perf_counter() - t0
        return Results(cmp, tables, said, series, seconds, len(missing), baseline, reform)

    def _run(self, jobs: list[tuple[str, Scenario, int, int]]) -> None:
        """Simulate replications and keep their tables."""
        made = [
            Job(key, s, r, seed, ("summary", "timeseries") if r == 0 else ("summary",))
            for key, s, r, seed in jobs
        ]
        pool = self._workers() if len(made) > 1 else None
        if pool is None:
            done = [(job, replicate(job)) for job in made]
        else:
            futures: list[tuple[Job, Future]] = [(job, pool.submit(replicate, job)) for job in made]
            done = [(job, f.result()) for job, f in futures]
        for job, tables in done:
            self._store[(job.key, job.seed, job.replication)] = tables
        while len(self._store) > CACHE_SIZE:
            self._store.popitem(last=False)

    def _workers(self) -> ProcessPoolExecutor | None:
        """The pool (started on first use; None with one worker). Workers come from a fork
        server, not from the page's threaded server process, and end with it."""
        if self.workers == 1:
            return None
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["sim.experiment.jobs"])
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker
            )
        return self._pool


def _start_worker() -> None:
    """A worker ends with the fork server that started it, which ends with the app."""
    die_with_parent(os.getppid())
