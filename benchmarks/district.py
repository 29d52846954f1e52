"""District-year benchmarks: one replication end to end in a fresh, pinned process.

``district_year``: wall time and peak resident memory of one replication of a district
scenario run through `sim.run` (tables built; results written with figures off unless
``--no-write``), in a fresh subprocess pinned to one core so that the peak memory
(``ru_maxrss``, cross-checked by ``VmHWM``) is that run's own. ``mechanisms_overhead``: the
full reform against the structural model. ``replications_per_second``: 1 against 2 local
workers. Run from `run.py` (``--only district``, ``mechanisms``, ``workers``).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

import scale

ROOT = Path(__file__).resolve().parent.parent
RUN = Path(__file__).resolve().parent / "run.py"  # the command line that runs a child
CORE_SCENARIO = "scenarios/tongguanshan_abolition.toml"
FULL_SCENARIO = "scenarios/tongguanshan_full_reform.toml"
MECHANISMS_TARGET = 1.5
SPEEDUP_TARGET = 1.8
TARGET_SECONDS = 30.0
TARGET_MIB = 1024.0


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
    cmd = [sys.executable, str(RUN), "--child", str(file.resolve())]
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
