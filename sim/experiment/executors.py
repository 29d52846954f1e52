"""Executors: where replications run — here, in a local process pool, or on a Dask cluster.

Whatever the executor, a job's result depends only on the job, so tables are identical for
any number of workers; results are handed back as they finish (the caller writes each one to
disk and lets it go), with at most a few jobs per worker in flight so memory stays flat.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

IN_FLIGHT_PER_WORKER = 2


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def execute(
    fn: Callable[[Any], Any],
    jobs: Sequence[Any],
    workers: int | None = None,
    scheduler: str | Any | None = None,
) -> Iterator[tuple[int, Any]]:
    """Run ``fn(job)`` for every job and yield ``(index, result)`` as each finishes.

    Parameters
    ----------
    fn : callable
        A picklable top-level function.
    jobs : sequence
        The jobs.
    workers : int, optional
        Local worker processes; all cores by default. One worker (or one job) runs in this
        process.
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``tcp://host:8786``) or a ``distributed.Client``: run
        on that cluster instead of locally.
    """
    if not jobs:
        return
    if scheduler is not None:
        yield from _dask(fn, jobs, scheduler)
        return
    n = cores() if workers is None else max(1, workers)
    if n == 1 or len(jobs) == 1:
        for i, job in enumerate(jobs):
            yield i, fn(job)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    gc.freeze()  # forked workers need not walk the parent's objects at each collection
    with ProcessPoolExecutor(
        min(n, len(jobs)), mp_context=multiprocessing.get_context(method)
    ) as pool:
        yield from _windowed(
            lambda job: pool.submit(fn, job),
            jobs,
            n * IN_FLIGHT_PER_WORKER,
            lambda futs: wait(futs, return_when=FIRST_COMPLETED)[0],
        )


def _windowed(
    submit: Callable[[Any], Any],
    jobs: Sequence[Any],
    window: int,
    first_done: Callable[[set], set],
) -> Iterator[tuple[int, Any]]:
    """Keep at most `window` jobs in flight; yield results as they complete."""
    pending: dict[Any, int] = {}
    it = iter(enumerate(jobs))
    for i, job in it:
        pending[submit(job)] = i
        if len(pending) >= window:
            break
    while pending:
        for fut in first_done(set(pending)):
            i = pending.pop(fut)
            yield i, fut.result()
            nxt = next(it, None)
            if nxt is not None:
                pending[submit(nxt[1])] = nxt[0]


def _dask(
    fn: Callable[[Any], Any], jobs: Sequence[Any], scheduler: Any
) -> Iterator[tuple[int, Any]]:
    """Run the jobs on a Dask distributed cluster."""
    from distributed import Client
    from distributed import wait as dwait

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        n = max(1, sum(client.nthreads().values()))
        yield from _windowed(
            lambda job: client.submit(fn, job, pure=False),
            jobs,
            n * IN_FLIGHT_PER_WORKER,
            lambda futs: set(dwait(list(futs), return_when="FIRST_COMPLETED").done),
        )
    finally:
        if own:
            client.close()


__all__ = ["Future", "cores", "execute"]
