"""Where the particles are evaluated, reproducibly: one worker, local processes or Dask.

pyabc's parallel samplers reseed every worker from the operating system, so a calibration's
particles would change with the number of workers and from run to run. Here each generation's
`n` sampling tasks ("draw from the proposal until one particle is accepted", as pyabc's
`MappingSampler` runs them) each get a seed drawn in this process from NumPy's global
generator, which `sim.experiment.calibration.abc` seeds from (calibration seed,
generation): a task's result depends on its seed alone and the map keeps the tasks' order,
so one worker, two, or a Dask cluster give the same particles, the same evaluations and the
same posterior. The price is pyabc's note on `MappingSampler`: a generation waits for its
slowest task.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pyabc

from sim.experiment.executors import die_with_parent
from sim.scenario import ScenarioError

SEED_BOUND = 2**31 - 1


class SeededMappingSampler(pyabc.sampler.MappingSampler):
    """pyabc's `MappingSampler` with a seed for each task drawn in this process."""

    def map_function(self, simulate_one: Any, seed: Any) -> tuple[Any, int]:
        """One task: draw and simulate from `seed` until a particle is accepted."""
        simulate_one = self.unpickle(simulate_one)
        np.random.seed(int(seed))  # noqa: NPY002 - pyabc draws only from the global generator
        sample, evaluations = self._create_empty_sample(), 0
        while True:
            new = simulate_one()
            evaluations += 1
            sample.append(new)
            if new.accepted:
                return sample, evaluations

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Any,
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """`n` tasks with seeds from this process's (seeded) global generator, in order."""
        seeds = np.random.randint(0, SEED_BOUND, size=n)  # noqa: NPY002 - seeded per generation
        state = np.random.get_state()  # noqa: NPY002 - tasks run here reseed it: put it back
        task = functools.partial(self.map_function, self.pickle(simulate_one))
        try:
            results = list(self.map_(task, [int(s) for s in seeds]))
        finally:
            np.random.set_state(state)  # noqa: NPY002 - as if the tasks had run elsewhere
        self.nr_evaluations_ = sum(e for _, e in results)
        sample = self._create_empty_sample()
        for part, _ in results:
            sample += part
        return sample


def sampler(workers: int = 1, scheduler: Any = None) -> tuple[Any, Callable[[], None]]:
    """The sampler for one worker, `workers` local processes or a Dask scheduler (address
    or client), and what to call to release its processes or connection afterwards."""
    if scheduler is not None:
        from distributed import Client

        own = isinstance(scheduler, str)
        if own:
            try:
                client = Client(scheduler, timeout=10)
            except (OSError, TimeoutError) as exc:
                msg = f"cannot reach {scheduler} ({exc})"
                raise ScenarioError("--scheduler", "", msg) from None
        else:
            client = scheduler

        def on_dask(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
            return client.gather(client.map(fn, list(items), pure=False))

        return SeededMappingSampler(on_dask), (client.close if own else _nothing)
    if workers > 1:
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(method),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        return SeededMappingSampler(pool.map), functools.partial(pool.shutdown, cancel_futures=True)
    return SeededMappingSampler(map), _nothing


def _nothing() -> None:
    """Nothing to release."""
