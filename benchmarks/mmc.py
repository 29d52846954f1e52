"""M/M/c benchmark: the project's engine against plain SimPy on one multi-server centre.

``mmc_customers_per_second``: one M/M/c centre (always open) simulated by the project's
engine (`run_replication` of a one-station scenario, demand generation included, scenario
loading excluded) and by plain SimPy in the classic bank-example style (a source process
starting one process per customer, each holding a ``simpy.Resource`` for an exponential
service). Same arrival rate, service mean, servers and horizon; best of the repeats of each,
the two engines taking turns, plus the median of the per-turn ratios. The mean wait in queue
of both is checked against Erlang C, so a fast but wrong engine shows. Run from
`run.py` (``--only mmc``).
"""

from __future__ import annotations

import gc
import math
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any


# -- M/M/c: the project's engine against plain SimPy --------------------------------------------
def mmc_scenario(c: int, rho: float, mean: float = 8.0, days: int = 278) -> dict[str, Any]:
    """A one-centre M/M/c scenario as a mapping for `sim.load_scenario`.

    Parameters
    ----------
    c : int
        Servers (windows).
    rho : float
        Utilisation λ·mean / c.
    mean : float
        Mean service time in minutes (exponential).
    days : int
        Length of the run in days (the calendar is always open).

    Returns
    -------
    dict
        The scenario mapping: one community of 1,000 residents whose demand rate gives
        λ = rho·c/mean arrivals per minute, served at a district-level centre.
    """
    lam = rho * c / mean  # per minute
    return {
        "name": "mmc",
        "days": days,
        "calendar": {"kind": "always"},
        "structure": {"streets": 0, "communities": 1, "residents_per_community": 1000},
        "departments": ["d"],
        "units": {"center": {"level": "district", "servers": c}},
        "flows": {
            "one": {
                "entry": "serve",
                "stages": {"serve": {"unit": "center", "presence": "file", "minutes": mean}},
            }
        },
        "demands": {
            "admin": {
                "rate_per_resident_year": lam * 1440 * 365 / 1000,
                "groups": {"g": {"department": "d", "share": 1.0, "flow": "one"}},
            }
        },
    }


def plain_simpy_mmc(
    lam: float, mean: float, c: int, horizon: float, seed: int
) -> tuple[int, list[float]]:
    """The classic SimPy bank example: a process per customer holding a ``simpy.Resource``.

    Parameters
    ----------
    lam : float
        Arrival rate per minute (Poisson).
    mean : float
        Mean service time in minutes (exponential).
    c : int
        Capacity of the resource.
    horizon : float
        Simulated minutes.
    seed : int
        Seed of the `random.Random` stream.

    Returns
    -------
    arrived : int
        Customers who arrived before the horizon.
    waits : list of float
        Wait in queue of each customer whose service started, in order of service start.
    """
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=c)
    waits: list[float] = []
    arrived = 0

    def customer(env: simpy.Environment) -> Iterator[simpy.Event]:
        t0 = env.now
        with counter.request() as req:
            yield req
            waits.append(env.now - t0)
            yield env.timeout(rng.expovariate(1.0 / mean))

    def source(env: simpy.Environment) -> Iterator[simpy.Event]:
        nonlocal arrived
        while True:
            yield env.timeout(rng.expovariate(lam))
            arrived += 1
            env.process(customer(env))

    env.process(source(env))
    env.run(until=horizon)
    return arrived, waits


def project_waits(rep: Any) -> tuple[int, list[float]]:
    """Arrivals and waits of a replication of the M/M/c scenario on the project's engine.

    Parameters
    ----------
    rep : Records
        What `run_replication` returned for the scenario of `mmc_scenario`.

    Returns
    -------
    arrived : int
        Demands drawn (all arrive before the horizon).
    waits : list of float
        Wait in queue (first service start minus arrival) of each demand served, in order of
        arrival. The stage is a file stage, whose waits the router does not accumulate, and
        it is the only stage, so the first start is the start of the one service.
    """
    start = rep.demands.first_start.tolist()
    arrival = rep.demands.arrival.tolist()
    waits = [s - a for s, a in zip(start, arrival, strict=True) if s == s]  # s == s: not NaN
    return rep.demands.size, waits


def batch_means(x: Sequence[float], batches: int = 20) -> tuple[float, float]:
    """Mean of `x` and the half-width of its 95 % batch-means confidence interval.

    Parameters
    ----------
    x : sequence of float
        An autocorrelated output series (waits in order).
    batches : int
        Number of contiguous batches.

    Returns
    -------
    mean, half_width : float
        The grand mean and the Student-t half-width (NaN when there is too little data).
    """
    from scipy import stats

    n = len(x)
    if n == 0:
        return math.nan, math.nan
    mean = math.fsum(x) / n
    size = n // batches
    if size < 2:
        return mean, math.nan
    means = [math.fsum(x[b * size : (b + 1) * size]) / size for b in range(batches)]
    m = math.fsum(means) / batches
    var = math.fsum((v - m) ** 2 for v in means) / (batches - 1)
    half = float(stats.t.ppf(0.975, batches - 1)) * math.sqrt(var / batches)
    return mean, half


def _sane(wait: float, half_width: float, theory: float, tolerance: float) -> bool:
    """Whether a mean wait agrees with theory: within `tolerance` or inside its 95 % CI."""
    err = abs(wait - theory)
    return err <= tolerance * theory or err <= half_width


def time_turns(repeats: int, *fns: Callable[[], Any]) -> tuple[list[list[float]], list[Any]]:
    """Wall times of `repeats` calls of each of `fns`, and the result of each one's last call.

    The functions take turns (A, B, A, B, ...) so that a disturbance of the machine (another
    job, frequency scaling) falls on both rather than on one of them.

    Returns
    -------
    times : list of list of float
        ``times[k][r]``: seconds of call `r` of function `k`.
    results : list
        What each function returned on its last call.
    """
    times: list[list[float]] = [[] for _ in fns]
    out: list[Any] = [None] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            out[k] = fn()
            times[k].append(time.perf_counter() - t0)
            gc.collect()  # start the next timing without the previous run's garbage
    return times, out


def bench_mmc(
    customers: int, servers: int, rho: float, mean: float, repeats: int, tolerance: float
) -> dict[str, Any]:
    """Customers per second of the project's engine and of plain SimPy on one M/M/c centre.

    Parameters
    ----------
    customers : int
        Expected number of arrivals; the horizon is chosen to give about this many.
    servers, rho, mean : int, float, float
        Servers, utilisation and mean service minutes.
    repeats : int
        Timings of each engine; the best is kept.
    tolerance : float
        Largest relative error of the mean wait against Erlang C still called sane.

    Returns
    -------
    dict
        The JSON record of the benchmark.
    """
    import simpy

    import sim
    from sim.metrics.theory import mmc_wait
    from sim.processes.world import run_replication

    lam = rho * servers / mean
    days = max(1, round(customers / (lam * 1440.0)))
    scenario = sim.load_scenario(mmc_scenario(servers, rho, mean, days))
    horizon = days * 1440.0
    theory = mmc_wait(lam, mean, servers)

    (ts_proj, ts_simpy), (rep, (n_simpy, w_simpy)) = time_turns(
        repeats,
        lambda: run_replication(scenario),
        lambda: plain_simpy_mmc(lam, mean, servers, horizon, scenario.seed),
    )
    t_proj, t_simpy = min(ts_proj), min(ts_simpy)
    paired = statistics.median(b / a for a, b in zip(ts_proj, ts_simpy, strict=True))
    n_proj, w_proj = project_waits(rep)
    wq_proj, hw_proj = batch_means(w_proj)
    wq_simpy, hw_simpy = batch_means(w_simpy)
    rel_proj = wq_proj / theory - 1.0
    rel_simpy = wq_simpy / theory - 1.0
    rate_proj = n_proj / t_proj
    rate_simpy = n_simpy / t_simpy
    return {
        "benchmark": "mmc_customers_per_second",
        "value": round(rate_proj, 1),
        "unit": "customers/s",
        "simpy_customers_per_second": round(rate_simpy, 1),
        "speedup": round(rate_proj / rate_simpy, 3),
        "speedup_paired_median": round(paired * n_proj / n_simpy, 3),
        "project_seconds": round(t_proj, 4),
        "simpy_seconds": round(t_simpy, 4),
        "project_customers": n_proj,
        "simpy_customers": n_simpy,
        "servers": servers,
        "rho": rho,
        "mean_service_min": mean,
        "arrivals_per_min": lam,
        "days": days,
        "repeats": repeats,
        "project_all_seconds": [round(t, 4) for t in ts_proj],
        "simpy_all_seconds": [round(t, 4) for t in ts_simpy],
        "erlang_c_wait_min": round(theory, 4),
        "project_wait_min": round(wq_proj, 4),
        "project_wait_ci95_min": round(hw_proj, 4),
        "project_wait_rel_err": round(rel_proj, 4),
        "simpy_wait_min": round(wq_simpy, 4),
        "simpy_wait_ci95_min": round(hw_simpy, 4),
        "simpy_wait_rel_err": round(rel_simpy, 4),
        "wait_tolerance": tolerance,
        "wait_check": "ok"
        if _sane(wq_proj, hw_proj, theory, tolerance)
        and _sane(wq_simpy, hw_simpy, theory, tolerance)
        else "FAIL",
        "simpy": simpy.__version__,
        "python": platform.python_version(),
    }
