"""Fitting the assumptions to the field patterns: approximate Bayesian computation with
pyabc's ABC-SMC, one generation at a time, resumable from its database.

ABC-SMC draws sets of assumptions (particles) from the prior, runs the model at each and
keeps those whose distance from the targets (`sim.experiment.calibration.distance`) is below a
threshold; each later generation perturbs the kept particles and lowers the threshold (the
median distance of the last generation), so the particles close in on the assumptions under
which the model reproduces what was observed.

Seeds. Every particle is evaluated on the same simulation seed, the calibration's ``seed``
(else each scenario's own): common random numbers across particles, so that particles are
ranked by their assumptions and not by the luck of their draws. pyabc itself draws particles
from NumPy's global generator; it is seeded from (``seed``, generation) before each
generation and restored afterwards, and each sampling task gets its own seed from it
(`sim.experiment.calibration.sampler`), so a calibration is reproducible on any number of
workers or on Dask, and a resumed one continues as an uninterrupted one would.

The output folder holds pyabc's SQLite database ``calibration.db``; running again into the
same folder resumes after the last finished generation when the folder was made by the same
calibration (same files and settings: `sim.experiment.calibration.posterior.identity`), and refuses
it otherwise.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from sim.experiment.calibration.distance import band_distance, model_values
from sim.experiment.calibration.posterior import (
    Posterior,
    identity_of,
    note_run,
    open_store,
    write_posterior,
)
from sim.experiment.calibration.priors import Calibration
from sim.experiment.calibration.sampler import sampler
from sim.experiment.lock import FolderLock
from sim.experiment.targets import Target

DB = "calibration.db"


class BandDistance(pyabc.Distance):
    """pyabc's view of `band_distance`: the model's values against the targets' bands."""

    def __init__(self, targets: tuple[Target, ...]) -> None:
        super().__init__()
        self.targets = targets

    def __call__(self, x: dict, x_0: dict, t: int | None = None, par: Any = None) -> float:
        return band_distance(self.targets, x)


class TargetModel:
    """The model as pyabc sees it: assumptions in, each target's model value out (one seed
    for every particle: common random numbers)."""

    def __init__(self, calibration: Calibration) -> None:
        self.calibration = calibration

    def __call__(self, par: Any) -> dict[str, float]:
        return model_values(self.calibration, dict(par))


def prior(calibration: Calibration) -> pyabc.Distribution:
    """The calibration file's priors as a pyabc distribution."""
    rvs = {}
    for p in calibration.parameters:
        name, args = p.scipy()
        rvs[p.name] = pyabc.RV(name, *args)
    return pyabc.Distribution(**rvs)


def calibrate(
    calibration: Calibration,
    out: str | Path,
    workers: int = 1,
    scheduler: Any = None,
    on_generation: Callable[[dict], None] | None = None,
    figures: bool = True,
) -> Posterior:
    """Calibrate: run (or resume) ABC-SMC into `out` and write the posterior there.

    Parameters
    ----------
    calibration : Calibration
        From `load_calibration` (``with_abc`` for other settings).
    out : path
        The output folder (locked while the calibration runs).
    workers : int
        Local processes (the result is the same for any number).
    scheduler : str or distributed.Client, optional
        A Dask scheduler to evaluate particles on instead.
    on_generation : callable, optional
        Called with each finished generation's row of diagnostics.
    figures : bool
        Draw the figures (`sim.experiment.calibration.figures`) into `out`.

    Returns
    -------
    Posterior
        As written to `out` (`sim.experiment.calibration.posterior`).
    """
    out = Path(out)
    lock = FolderLock(out)
    lock.acquire()
    try:
        run_id = open_store(out, calibration)
        db = f"sqlite:///{(out / DB).resolve()}"
        smp, release = sampler(workers, scheduler)
        try:
            with _quiet():
                history = _generations(calibration, out, db, run_id, smp, on_generation)
        finally:
            release()
        particles, predictive = _last_population(calibration, history)
        post = write_posterior(out, calibration, particles, predictive, diagnostics(history))
        if figures:
            from sim.experiment.calibration.figures import save_figures

            save_figures(post)
        return post
    finally:
        lock.release()


def _generations(
    cal: Calibration,
    out: Path,
    db: str,
    run_id: int | None,
    smp: Any,
    on_generation: Callable[[dict], None] | None,
) -> pyabc.History:
    """Run generations until ``generations`` are done or epsilon reaches ``min_epsilon``."""
    observed = {t.name: t.value for t in cal.targets}
    history = pyabc.History(db, _id=run_id) if run_id is not None else None
    last = history.max_t if history is not None else None
    done = last + 1 if last is not None else 0
    while done < cal.abc.generations:
        if history is not None and done > 0 and _epsilon(history, done - 1) <= cal.abc.min_epsilon:
            break
        abc = pyabc.ABCSMC(
            TargetModel(cal),
            prior(cal),
            BandDistance(cal.targets),
            population_size=cal.abc.population,
            sampler=smp,
        )
        if run_id is None:
            history = abc.new(db, observed, meta_info={"calibration": identity_of(cal)})
            run_id = history.id
            note_run(out, run_id)
        else:
            history = abc.load(db, run_id)
        started = time.perf_counter()
        with _numpy_global_seed(cal.abc.seed or 0, done):
            history = abc.run(max_nr_populations=1, minimum_epsilon=cal.abc.min_epsilon)
        if on_generation is not None:
            row = diagnostics(history).iloc[-1].to_dict()
            on_generation({**row, "seconds": time.perf_counter() - started})
        done = history.max_t + 1
    return history


def diagnostics(history: pyabc.History) -> pd.DataFrame:
    """Per generation: epsilon, particles, evaluations, acceptance rate, effective sample
    size (``(sum w)^2 / sum w^2``). Generation -1 is pyabc's sample from the prior that sets
    the first epsilon (its evaluations count; it has no particles)."""
    pops = history.get_all_populations()
    rows = []
    for r in pops.itertuples(index=False):
        t, evals = int(r.t), int(r.samples)
        if t < 0:
            rows.append((t, math.nan, 0, evals, math.nan, math.nan, float(r.wall_time)))
            continue
        _, w = history.get_distribution(m=0, t=t)
        w = np.asarray(w, dtype=float)
        ess = float(w.sum() ** 2 / (w**2).sum()) if len(w) else math.nan
        n = len(w)
        rate = n / evals if evals else math.nan
        rows.append((t, float(r.epsilon), n, evals, rate, ess, float(r.wall_time)))
    cols = ["generation", "epsilon", "particles", "evaluations", "acceptance_rate", "ess"]
    return pd.DataFrame(rows, columns=[*cols, "wall_seconds"])


def _last_population(cal: Calibration, history: pyabc.History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last generation's particles (parameters, weight, distance) and each particle's
    model value of every target."""
    t = history.max_t
    pop = history.get_population(t=t)
    total = sum(p.weight for p in pop.particles)
    rows, pred = [], []
    for i, p in enumerate(pop.particles):
        w = p.weight / total
        values = {n: float(p.parameter[n]) for n in cal.names}
        rows.append({"particle": i, "generation": t, **values, "weight": w, "distance": p.distance})
        for tg in cal.targets:
            model = float(p.sum_stat.get(tg.name, math.nan))
            pred.append(
                (i, w, tg.name, tg.metric, tg.demand_type, tg.value, tg.low, tg.high, model)
            )
    cols = ["particle", "weight", "target", "metric", "demand_type", "observed", "low", "high"]
    return pd.DataFrame(rows), pd.DataFrame(pred, columns=[*cols, "model"])


def _epsilon(history: pyabc.History, t: int) -> float:
    pops = history.get_all_populations()
    return float(pops.loc[pops["t"] == t, "epsilon"].iloc[0])


@contextmanager
def _numpy_global_seed(seed: int, generation: int) -> Iterator[None]:
    """Seed NumPy's global generator for one pyabc generation, then put it back.

    pyabc draws particles, perturbations and priors from the global generator and offers no
    other; the model's own draws come from its named streams and are untouched.
    """
    state = np.random.get_state()  # noqa: NPY002 - pyabc has no generator of its own
    entropy = np.random.SeedSequence([seed, generation]).generate_state(1)[0]
    np.random.seed(int(entropy))  # noqa: NPY002 - the one place: pyabc's draws
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002 - put back what we found


@contextmanager
def _quiet() -> Iterator[None]:
    """pyabc's log at warnings only while we run (our own line per generation says more)."""
    log = logging.getLogger("ABC")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)
