"""Executors: where replications run — here, in a local process pool, or on a Dask cluster.

Whatever the executor, a job's result depends only on the job, so tables are identical for
any number of workers; results are handed back as they finish (the caller writes each one to
disk and lets it go), with at most a few jobs per worker in flight so memory stays flat.
Jobs are drawn from an iterator only as workers free up, so a run of a hundred million
replications starts at once, and local workers end with the process that started them (on
Linux the kernel kills them when it dies; elsewhere each watches its parent).
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from sim.scenario.errors import ScenarioError

CONNECT_SECONDS = 10  # how long to try a Dask scheduler before giving up

IN_FLIGHT_PER_WORKER = 2
PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal sent when the parent dies
WATCH_SECONDS = 0.5
TICK_SECONDS = 0.25  # how often progress from workers is read while waiting for results


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def execute(
    fn: Callable[..., Any],
    jobs: Iterable[Any],
    workers: int | None = None,
    scheduler: str | Any | None = None,
    ticks: Callable[[int], object] | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Run ``fn(job)`` for every job and yield ``(job, result)`` as each finishes.

    Parameters
    ----------
    fn : callable
        A picklable top-level function.
    jobs : iterable
        The jobs, drawn lazily: only a few per worker are taken ahead of the results.
    workers : int, optional
        Local worker processes; all cores by default. One worker (or one job) runs in this
        process.
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``tcp://host:8786``) or a ``distributed.Client``: run
        on that cluster instead of locally.
    ticks : callable, optional
        Progress from inside the jobs, for local workers: ``fn`` is then called as
        ``fn(job, progress=tick)`` and each ``tick(k)`` (e.g. k simulated days) reaches
        ``ticks`` in this process within a quarter of a second (a shared counter the workers
        add to and this process reads while it waits).
    """
    jobs = iter(jobs)
    if scheduler is not None:
        yield from _dask(fn, jobs, scheduler)
        return
    n = cores() if workers is None else max(1, workers)
    head = list(itertools.islice(jobs, n)) if n > 1 else []
    if n == 1 or len(head) <= 1:
        for job in itertools.chain(head, jobs):
            yield job, fn(job) if ticks is None else fn(job, progress=ticks)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    counter = context.Value("q", 0) if ticks is not None else None
    gc.freeze()  # forked workers need not walk the parent's objects at each collection
    pool = ProcessPoolExecutor(
        len(head), mp_context=context, initializer=_start_worker, initargs=(os.getpid(), counter)
    )
    seen = 0

    def first_done(futs: set) -> set:
        nonlocal seen
        done = wait(futs, timeout=None if counter is None else TICK_SECONDS,
                    return_when=FIRST_COMPLETED)[0]  # fmt: skip
        if counter is not None and ticks is not None:
            now = counter.value
            if now > seen:
                ticks(now - seen)
                seen = now
        return done

    submit = (lambda job: pool.submit(fn, job)) if counter is None else (
        lambda job: pool.submit(_counted, fn, job)
    )  # fmt: skip
    try:
        yield from _windowed(
            submit, itertools.chain(head, jobs), n * IN_FLIGHT_PER_WORKER, first_done
        )
    finally:  # interrupted: drop the jobs not started rather than run them
        pool.shutdown(wait=True, cancel_futures=True)


_COUNTER: Any = None  # in a worker: the shared progress counter, when progress is watched


def _start_worker(parent: int, counter: Any) -> None:
    """A pool worker's start: end with the parent; keep the shared progress counter."""
    global _COUNTER
    _COUNTER = counter
    die_with_parent(parent)


def _tick(k: int) -> None:
    """Add `k` to the shared progress counter (a worker's progress callback)."""
    with _COUNTER.get_lock():
        _COUNTER.value += k


def _counted(fn: Callable[..., Any], job: Any) -> Any:
    """Run ``fn(job)`` in a worker with progress going to the shared counter."""
    return fn(job, progress=_tick)


def die_with_parent(parent: int) -> None:
    """Make this worker process end when `parent` does (a pool's initializer).

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); elsewhere
    a daemon thread checks every half second that the parent is still there. A worker
    whose parent is already gone ends at once.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this process once its parent is gone (it is then adopted by another)."""
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def _windowed(
    submit: Callable[[Any], Any],
    jobs: Iterator[Any],
    window: int,
    first_done: Callable[[set], set],
) -> Iterator[tuple[Any, Any]]:
    """Keep at most `window` jobs in flight; yield ``(job, result)`` as they complete."""
    pending: dict[Any, Any] = {}
    for job in jobs:
        pending[submit(job)] = job
        if len(pending) >= window:
            break
    while pending:
        for fut in first_done(set(pending)):
            job = pending.pop(fut)
            yield job, fut.result()
            nxt = next(jobs, None)
            if nxt is not None:
                pending[submit(nxt)] = nxt


def connect(address: str) -> Any:
    """A client of the Dask scheduler at `address`, or a one-line error naming the flag
    when it cannot be reached within `CONNECT_SECONDS`."""
    try:
        from distributed import Client
    except ImportError:
        raise ScenarioError(
            "--scheduler", "", "needs the dask extra (pip install '.[dask]')"
        ) from None
    try:
        return Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        why = str(exc).split("\n")[0]
        raise ScenarioError(
            "--scheduler", "", f"cannot reach '{address}' within {CONNECT_SECONDS} s ({why})"
        ) from None


def check_scheduler(address: str) -> None:
    """Reach the scheduler at `address` once, before anything is written."""
    connect(address).close()


def _dask(
    fn: Callable[[Any], Any], jobs: Iterator[Any], scheduler: Any
) -> Iterator[tuple[Any, Any]]:
    """Run the jobs on a Dask distributed cluster."""
    from distributed import Client
    from distributed import wait as dwait

    own = not isinstance(scheduler, Client)
    client = connect(scheduler) if own else scheduler
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
