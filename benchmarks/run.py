"""Benchmarks of the govsim engine: speed against plain SimPy, and a district-year's cost.

Run from the repository root::

    python benchmarks/run.py                      # every benchmark, default sizes
    python benchmarks/run.py --only mmc           # M/M/c customers per second only
    python benchmarks/run.py --only district --scenario scenarios/baseline.toml
    python benchmarks/run.py --customers 20000 --repeats 1 --days 30   # a quick smoke run
    python benchmarks/run.py --only memory,import,city    # issue 13: scale (see scale.py)

Each result is printed as one JSON object per line with the keys ``benchmark``, ``value`` and
``unit`` and extra fields (ratios, parameters, sanity checks).

Benchmarks
----------
``mmc_customers_per_second``
    One M/M/c centre (always open) simulated by the project's engine (`run_replication` of a
    one-station scenario, demand generation included, scenario loading excluded) and by plain
    SimPy in the classic bank-example style (a source process starting one process per
    customer, each holding a ``simpy.Resource`` for an exponential service). Same arrival rate,
    service mean, servers and horizon; best of ``--repeats`` timings of each, the two engines
    taking turns, plus the median of the per-turn ratios. The mean wait in queue of both is
    checked against Erlang C, so a fast but wrong engine shows.
``district_year``
    Wall time and peak resident memory of one replication of a district scenario run end to
    end through `sim.run` (tables built; results written with figures off unless
    ``--no-write``), in a fresh subprocess pinned to one core so that the peak memory
    (``ru_maxrss``, cross-checked by ``VmHWM``) is that run's own; these run first, while this
    process is still small (see `vm_hwm_mib`). Target: at most 30 s and 1 GiB on one core.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402 - the benchmarks of scale, beside this file

DEFAULT_SCENARIOS = ("scenarios/tongguanshan_abolition.toml", "scenarios/baseline.toml")
BENCHMARKS = (
    "mmc_customers_per_second",
    "district_year",
    "mechanisms_overhead",
    "replications_per_second",
    "memory_per_demand",
    "city_year",
    "import_seconds",
    "dask_sweep",
)
ALIASES = {
    "mmc": "mmc_customers_per_second",
    "district": "district_year",
    "mechanisms": "mechanisms_overhead",
    "workers": "replications_per_second",
    "memory": "memory_per_demand",
    "city": "city_year",
    "import": "import_seconds",
    "dask": "dask_sweep",
}
CORE_SCENARIO = "scenarios/tongguanshan_abolition.toml"
FULL_SCENARIO = "scenarios/tongguanshan_full_reform.toml"
MECHANISMS_TARGET = 1.5
SPEEDUP_TARGET = 1.8
TARGET_SECONDS = 30.0
TARGET_MIB = 1024.0


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


# -- one district-year in a fresh, pinned subprocess ----------------------------------------------
def vm_hwm_mib() -> float | None:
    """This process's own peak resident set (``VmHWM``) in MiB, or None off Linux.

    A cross-check of ``ru_maxrss``: Linux carries the high-water mark of the address space a
    process had before ``execve`` (its parent's, copied at fork) into ``ru_maxrss``, so a
    child started by a parent that has just run a big benchmark would report the parent's
    size. ``VmHWM`` belongs to the address space built by ``execve`` alone. `main` runs the
    district benchmarks first, while the parent is small, so that the two agree.
    """
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return None


def district_child(
    path: str, days: int | None, overrides: list[str], write: bool, core: int
) -> dict[str, Any]:
    """Run one replication of a scenario end to end in this (fresh) process and measure it.

    Imports happen here, after pinning, so that thread pools see one core.

    Parameters
    ----------
    path : str
        Scenario file.
    days : int, optional
        Override of the scenario's ``days``.
    overrides : list of str
        ``key=value`` overrides as given to ``--set``.
    write : bool
        Also write the results (figures off) to a temporary folder.
    core : int
        CPU the process is pinned to.

    Returns
    -------
    dict
        The JSON record of the benchmark.
    """
    os.sched_setaffinity(0, {core})
    t0 = time.perf_counter()
    import tempfile

    import sim

    t1 = time.perf_counter()
    sets = list(overrides) + ([f"days={days}"] if days is not None else [])
    scenario = sim.load_scenario(path, sets or None)
    t2 = time.perf_counter()
    result = sim.run(scenario, replications=1, options=sim.RunOptions(progress=False))
    t3 = time.perf_counter()
    if write:
        with tempfile.TemporaryDirectory(prefix="govsim-bench-") as tmp:
            result.save(Path(tmp) / "out", figures=False)
    t4 = time.perf_counter()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    hwm = vm_hwm_mib()
    peak = maxrss
    n = len(result.demands)
    seconds = t4 - t2
    s = scenario.structure
    return {
        "benchmark": "district_year",
        "value": round(seconds, 3),
        "unit": "s",
        "scenario": scenario.name,
        "file": _display(path),
        "seconds": round(seconds, 3),
        "peak_mib": round(peak, 1),
        "vm_hwm_mib": None if hwm is None else round(hwm, 1),
        "demands": n,
        "demands_per_second": round(n / seconds, 1),
        "run_seconds": round(t3 - t2, 3),
        "write_seconds": round(t4 - t3, 3) if write else None,
        "load_seconds": round(t2 - t1, 4),
        "import_seconds": round(t1 - t0, 3),
        "days": scenario.days,
        "communities": s.communities,
        "residents_per_community": s.residents_per_community,
        "streets": s.streets,
        "stations": int(result.timeseries["unit"].nunique()),
        "core": core,
        "within_target": seconds <= TARGET_SECONDS and peak <= TARGET_MIB,
        "python": platform.python_version(),
    }


def bench_district(
    path: str, days: int | None, overrides: list[str], write: bool, core: int
) -> dict[str, Any]:
    """Run `district_child` in a fresh interpreter and return its record.

    Parameters
    ----------
    path, days, overrides, write, core
        As for `district_child`.

    Returns
    -------
    dict
        The child's record plus ``process_seconds``, the child's wall time as seen from here
        (interpreter start and imports included).
    """
    file = Path(path)
    if not file.is_absolute() and not file.exists():
        file = ROOT / file  # the default scenarios are relative to the repository root
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(file.resolve())]
    cmd += ["--core", str(core)]
    if days is not None:
        cmd += ["--days", str(days)]
    for item in overrides:
        cmd += ["--set", item]
    if not write:
        cmd.append("--no-write")
    return scale.run_child(cmd, f"district_year child on {path}")


def _display(path: str) -> str:
    """`path` relative to the repository root when it lies inside it."""
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def best_district(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of repeated district runs, with the largest peak memory of them all."""
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["peak_mib"] = max(r["peak_mib"] for r in runs)
    best["within_target"] = best["seconds"] <= TARGET_SECONDS and best["peak_mib"] <= TARGET_MIB
    best["repeats"] = len(runs)
    best["all_seconds"] = [r["seconds"] for r in runs]
    return best


def bench_mechanisms(core: int, repeats: int) -> dict[str, Any]:
    """District-year with every governance mechanism on against the structural model alone.

    Tongguanshan after abolition (`CORE_SCENARIO`) and the full reform (`FULL_SCENARIO`:
    the same district with burden cuts, the social-organisation market and consultation),
    both for 365 days, each in a fresh process pinned to one core; best of `repeats`.
    """
    core_runs = [bench_district(CORE_SCENARIO, 365, [], True, core) for _ in range(repeats)]
    full_runs = [bench_district(FULL_SCENARIO, 365, [], True, core) for _ in range(repeats)]
    base, full = best_district(core_runs), best_district(full_runs)
    ratio = full["seconds"] / base["seconds"]
    return {
        "benchmark": "mechanisms_overhead",
        "value": round(ratio, 3),
        "unit": "ratio",
        "core_seconds": base["seconds"],
        "all_mechanisms_seconds": full["seconds"],
        "all_mechanisms_peak_mib": full["peak_mib"],
        "core_scenario": _display(CORE_SCENARIO),
        "all_mechanisms_scenario": _display(FULL_SCENARIO),
        "days": 365,
        "within_target": ratio <= MECHANISMS_TARGET,
        "target": MECHANISMS_TARGET,
    }


def bench_workers(path: str, replications: int, days: int | None) -> dict[str, Any]:
    """Replications per second of `sim.run` with 1 and with 2 local worker processes.

    Parameters
    ----------
    path : str
        Scenario file.
    replications : int
        Replications per timing (the pool's start-up is included in the time).
    days : int, optional
        Override of the scenario's ``days``.
    """
    import sim

    file = Path(path) if Path(path).exists() else ROOT / path
    scenario = sim.load_scenario(file, {"days": days} if days else None)
    rates = {}
    tables = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        result = sim.run(
            scenario,
            replications=replications,
            options=sim.RunOptions(workers=workers, progress=False),
        )
        rates[workers] = replications / (time.perf_counter() - t0)
        tables[workers] = result.summary
    same = tables[1].equals(tables[2])
    speedup = rates[2] / rates[1]
    return {
        "benchmark": "replications_per_second",
        "value": round(rates[2], 3),
        "unit": "replications/s",
        "scenario": scenario.name,
        "file": _display(str(file)),
        "replications": replications,
        "days": scenario.days,
        "workers_1": round(rates[1], 3),
        "workers_2": round(rates[2], 3),
        "speedup": round(speedup, 3),
        "identical_summary": same,
        "cores": len(os.sched_getaffinity(0)),
        "within_target": speedup >= SPEEDUP_TARGET and same,
        "target": SPEEDUP_TARGET,
    }


# -- command line ------------------------------------------------------------------------------
def default_core() -> int:
    """Core 0 if this process may run there, else the lowest allowed core."""
    allowed = os.sched_getaffinity(0)
    return 0 if 0 in allowed else min(allowed)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(
        description="govsim benchmarks; one JSON object per line on standard output."
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="benchmark to run (mmc, district or a full name; repeatable or comma-separated)",
    )
    g = p.add_argument_group("mmc_customers_per_second")
    g.add_argument("--customers", type=int, default=200_000, help="about how many arrivals")
    g.add_argument("--servers", type=int, default=5, help="servers c")
    g.add_argument("--rho", type=float, default=0.8, help="utilisation")
    g.add_argument("--mean", type=float, default=8.0, help="mean service minutes")
    g.add_argument("--repeats", type=int, default=3, help="timings per engine (best kept)")
    g.add_argument(
        "--tolerance",
        type=float,
        default=0.10,
        help="relative error of the mean wait vs Erlang C accepted even outside its 95%% CI",
    )
    g = p.add_argument_group("district_year")
    g.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="FILE",
        help=f"scenario file (repeatable; default: {', '.join(DEFAULT_SCENARIOS)})",
    )
    g.add_argument("--days", type=int, default=None, help="override the scenario's days")
    g.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="scenario override"
    )
    g.add_argument(
        "--district-repeats",
        type=int,
        default=1,
        help="fresh runs per scenario; the fastest is reported, with the largest peak",
    )
    g.add_argument("--no-write", action="store_true", help="do not write results to disk")
    g.add_argument("--core", type=int, default=None, help="CPU to pin the child to")
    g = p.add_argument_group("city_year and dask_sweep")
    g.add_argument("--city-days", type=int, default=None, help="shorten the city's year")
    g.add_argument(
        "--city-end-to-end",
        action="store_true",
        help="also time the whole city run with its tables written (sim.run and save)",
    )
    g.add_argument("--dask-points", type=int, default=4, help="sweep points on Dask")
    g.add_argument("--dask-days", type=int, default=120, help="days of each sweep point")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def selected(only: list[str]) -> list[str]:
    """Full names of the benchmarks picked by ``--only`` (all when empty)."""
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    if not names:
        return list(BENCHMARKS)
    out = []
    for n in names:
        full = ALIASES.get(n, n)
        if full not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark '{n}'; choose from {', '.join(ALIASES)}")
        if full not in out:
            out.append(full)
    return out


def source_version() -> str:
    """Short commit of the checkout, with ``+dirty`` when ``sim/`` has uncommitted changes.

    When the `sim` package imported is not this checkout's (``PYTHONPATH`` pointing at an
    export, say), its folder is returned instead.
    """
    spec = importlib.util.find_spec("sim")
    origin = Path(spec.origin).resolve().parent if spec and spec.origin else None
    if origin != ROOT / "sim":
        return f"sim from {origin}"
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "sim"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def emit(record: dict[str, Any], commit: str) -> None:
    """Print one JSON record, with the commit and the load average, and flush."""
    record = {**record, "commit": commit, "loadavg_1min": round(os.getloadavg()[0], 2)}
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and print their records."""
    a = parse_args(argv)
    core = default_core() if a.core is None else a.core
    if a.child is not None:
        print(json.dumps(district_child(a.child, a.days, a.set, not a.no_write, core)))
        return 0
    commit = source_version()
    # district_year first: its children inherit the parent's resident set in ru_maxrss
    # (replications_per_second last: its pool forks this process, which then holds more)
    order = {"district_year": 0, "mechanisms_overhead": 1, "replications_per_second": 3}
    for name in sorted(selected(a.only), key=lambda n: order.get(n, 2)):
        if name in SCALE:
            for record in SCALE[name](a, core):
                emit(record, commit)
        elif name == "mmc_customers_per_second":
            emit(bench_mmc(a.customers, a.servers, a.rho, a.mean, a.repeats, a.tolerance), commit)
        elif name == "mechanisms_overhead":
            emit(bench_mechanisms(core, a.district_repeats), commit)
        elif name == "replications_per_second":
            emit(bench_workers("scenarios/teaching.toml", 16, None), commit)
            emit(bench_workers(CORE_SCENARIO, 8, None), commit)
        else:
            for path in a.scenario or DEFAULT_SCENARIOS:
                runs = [
                    bench_district(path, a.days, a.set, not a.no_write, core)
                    for _ in range(a.district_repeats)
                ]
                emit(best_district(runs), commit)
    return 0


# the benchmarks of scale (issue 13), in `scale.py` beside this file
SCALE: dict[str, Callable[[argparse.Namespace, int], list[dict[str, Any]]]] = {
    "memory_per_demand": lambda a, core: [scale.bench_memory(core)],
    "city_year": lambda a, core: [scale.bench_city(core, a.city_days)]
    + ([scale.bench_city(core, a.city_days, end_to_end=True)] if a.city_end_to_end else []),
    "import_seconds": lambda a, core: [scale.bench_import()],
    "dask_sweep": lambda a, core: [
        scale.bench_dask(CORE_SCENARIO, a.dask_points, a.dask_days)
    ],
}


if __name__ == "__main__":
    raise SystemExit(main())
