"""Benchmarks of scale (issue 13): memory per demand, a city-year, import time, Dask sweeps.

`run.py` calls these; each measurement that needs its own peak memory runs in a fresh
interpreter (this file with ``--child``), so that the peak (``VmHWM``) is that run's alone.

``memory_per_demand``
    Peak resident memory of one M/M/c replication (`run_replication`, records kept) above
    the same process after its imports and scenario, at two sizes; the slope between them is
    the memory a demand costs, with the constant overheads cancelled.
``city_year``
    One replication of the city scenario (`CITY_SCENARIO`, ≈ 10 million residents) in a
    fresh process pinned to one core: seconds and peak memory of the engine's year
    (`run_replication`, records kept), and of the whole run with its tables written.
``import_seconds``
    Wall time of ``python -c "import sim"`` in fresh processes against ``python -c pass``.
``dask_sweep``
    Points per second of a sweep of district-years on a Dask ``LocalCluster`` of two
    single-threaded workers against one local worker, and whether their tables are equal.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CITY_SCENARIO = "scenarios/harbin_city.toml"
MEMORY_SIZES = (100_000, 400_000)
MEMORY_TARGET = 300.0  # bytes a demand
CITY_SECONDS = 60.0
CITY_MIB = 2048.0
IMPORT_TARGET = 0.3


def status_mib(field: str) -> float:
    """A field of this process's ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_child(cmd: list[str], what: str) -> dict[str, Any]:
    """Run a benchmark child `cmd` and return the JSON record it prints last, with its wall
    time as seen from here (interpreter start and imports included)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"{what} failed (exit {proc.returncode})")
    record = json.loads(proc.stdout.strip().splitlines()[-1])
    record["process_seconds"] = round(wall, 3)
    return record


def _child(args: list[str]) -> dict[str, Any]:
    """Run this file with `args` in a fresh interpreter and return its JSON record."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    return run_child(cmd, f"benchmark child {' '.join(args)}")


# -- memory per demand ---------------------------------------------------------------------------
def memory_child(customers: int, core: int) -> dict[str, Any]:
    """One M/M/c replication of about `customers` demands, measured in this fresh process."""
    os.sched_setaffinity(0, {core})
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from mmc import mmc_scenario

    import sim
    from sim.processes.world import run_replication

    lam = 0.8 * 5 / 8.0
    days = max(1, round(customers / (lam * 1440.0)))
    scenario = sim.load_scenario(mmc_scenario(5, 0.8, 8.0, days))
    base = status_mib("VmHWM")
    t0 = time.perf_counter()
    rep = run_replication(scenario)
    seconds = time.perf_counter() - t0
    return {
        "demands": rep.demands.size,
        "base_mib": round(base, 2),
        "peak_mib": round(status_mib("VmHWM"), 2),
        "seconds": round(seconds, 3),
    }


def bench_memory(core: int, sizes: tuple[int, int] = MEMORY_SIZES) -> dict[str, Any]:
    """Bytes of peak memory per demand: the slope of (peak − base) over two run sizes."""
    runs = [_child(["--child", "memory", str(n), "--core", str(core)]) for n in sizes]
    above = [(r["peak_mib"] - r["base_mib"]) * 2**20 for r in runs]
    slope = (above[1] - above[0]) / (runs[1]["demands"] - runs[0]["demands"])
    return {
        "benchmark": "memory_per_demand",
        "value": round(slope, 1),
        "unit": "bytes/demand",
        "demands": [r["demands"] for r in runs],
        "base_mib": [r["base_mib"] for r in runs],
        "peak_mib": [r["peak_mib"] for r in runs],
        "above_base_bytes_per_demand": [
            round(a / r["demands"], 1) for a, r in zip(above, runs, strict=True)
        ],
        "run_seconds": [r["seconds"] for r in runs],
        "target": MEMORY_TARGET,
        "within_target": slope <= MEMORY_TARGET,
    }


# -- the city-year ---------------------------------------------------------------------------------
def city_child(path: str, days: int | None, core: int, end_to_end: bool) -> dict[str, Any]:
    """One replication of the city scenario, measured in this fresh process: the engine's
    year alone (`run_replication`, records kept), or end to end (`sim.run` with its tables,
    then saved to disk without figures, as ``govsim run`` does)."""
    os.sched_setaffinity(0, {core})
    t0 = time.perf_counter()
    import sim
    from sim.processes.world import run_replication

    t1 = time.perf_counter()
    short = {"days": days, "warmup_days": min(14, days - 1)} if days else None
    scenario = sim.load_scenario(path, short)
    s = scenario.structure
    base = status_mib("VmHWM")
    t2 = time.perf_counter()
    if end_to_end:
        import tempfile

        result = sim.run(scenario, 1, options=sim.RunOptions(progress=False, figures=False))
        with tempfile.TemporaryDirectory(prefix="govsim-city-") as tmp:
            result.save(Path(tmp) / "out", figures=False)
        demands = len(result.demands)
    else:
        demands = run_replication(scenario).demands.size
    seconds = time.perf_counter() - t2
    peak = status_mib("VmHWM")
    return {
        "benchmark": "city_year",
        "value": round(seconds, 2),
        "unit": "s",
        "mode": "sim.run and save" if end_to_end else "engine (run_replication)",
        "scenario": scenario.name,
        "days": scenario.days,
        "streets": s.streets,
        "communities": s.communities,
        "residents": s.communities * s.residents_per_community,
        "demands": demands,
        "peak_mib": round(peak, 1),
        "base_mib": round(base, 1),
        "import_seconds": round(t1 - t0, 3),
        "core": core,
        "target_seconds": CITY_SECONDS,
        "target_mib": CITY_MIB,
        "within_target": seconds <= CITY_SECONDS and peak <= CITY_MIB,
    }


def bench_city(core: int, days: int | None = None, end_to_end: bool = False) -> dict[str, Any]:
    """The city-year in a fresh interpreter pinned to `core`."""
    args = ["--child", "city", str(ROOT / CITY_SCENARIO), "--core", str(core)]
    if days:
        args += ["--days", str(days)]
    if end_to_end:
        args.append("--end-to-end")
    return _child(args)


# -- import time ---------------------------------------------------------------------------------
def bench_import(repeats: int = 7) -> dict[str, Any]:
    """Wall seconds of ``python -c "import sim"`` and of ``python -c pass``, taking turns."""
    times: dict[str, list[float]] = {"import sim": [], "pass": []}
    for _ in range(repeats):
        for code in times:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            times[code].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "benchmark": "import_seconds",
        "value": round(med["import sim"], 4),
        "unit": "s",
        "python_alone_seconds": round(med["pass"], 4),
        "import_alone_seconds": round(med["import sim"] - med["pass"], 4),
        "all_seconds": [round(t, 4) for t in times["import sim"]],
        "repeats": repeats,
        "target": IMPORT_TARGET,
        "within_target": med["import sim"] <= IMPORT_TARGET,
    }


# -- a sweep on a Dask LocalCluster --------------------------------------------------------------
def bench_dask(path: str, points: int, days: int) -> dict[str, Any]:
    """A sweep of `points` district-years (a factorial over community staff, one replication
    each, `days` long) on one local worker and on a Dask ``LocalCluster`` of two
    single-threaded worker processes, each into a fresh run folder."""
    import tempfile

    import distributed

    import sim

    spec = {
        "name": "dask_benchmark",
        "base": str(ROOT / path),
        "seed": {"value": 13, "source": "assumption: any fixed root seed"},
        "replications": {"value": 1, "source": "assumption: one replication a point"},
        "overrides": {"days": {"value": days, "source": "assumption: benchmark length"}},
        "design": {"kind": "factorial", "levels": points},
        "parameters": {
            "units.community_desk.servers": {
                "low": 20,
                "high": 60,
                "integer": True,
                "source": "assumption: around the merged communities' 40 staff",
            }
        },
        "outputs": {"metrics": ["resolution_days_mean"], "demand_type": ""},
    }
    timings, tables = {}, {}
    with tempfile.TemporaryDirectory(prefix="govsim-dask-") as tmp:
        quiet = {"progress": False, "figures": False}
        t0 = time.perf_counter()
        local = sim.sweep(spec, sim.RunOptions(workers=1, out=Path(tmp) / "local", **quiet))
        timings["local"] = time.perf_counter() - t0
        tables["local"] = local.table
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            t0 = time.perf_counter()
            on_dask = sim.sweep(
                spec, sim.RunOptions(scheduler=client, out=Path(tmp) / "dask", **quiet)
            )
            timings["dask"] = time.perf_counter() - t0
            tables["dask"] = on_dask.table
            worker_mib = max(
                w["metrics"]["memory"] / 2**20 for w in client.scheduler_info()["workers"].values()
            )
    return {
        "benchmark": "dask_sweep",
        "value": round(points / timings["dask"], 4),
        "unit": "points/s",
        "scenario": path,
        "points": points,
        "days": days,
        "local_1_worker_seconds": round(timings["local"], 2),
        "dask_2_workers_seconds": round(timings["dask"], 2),
        "speedup": round(timings["local"] / timings["dask"], 3),
        "identical_table": bool(tables["local"].equals(tables["dask"])),
        "worker_memory_mib_after": round(worker_mib, 1),
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
    }


def child_main(argv: list[str]) -> int:
    """``--child memory N`` or ``--child city FILE [--days D] [--end-to-end]``, ``--core C``."""
    core = int(argv[argv.index("--core") + 1]) if "--core" in argv else 0
    kind, arg = argv[1], argv[2]
    if kind == "memory":
        print(json.dumps(memory_child(int(arg), core)))
    else:
        days = int(argv[argv.index("--days") + 1]) if "--days" in argv else None
        print(json.dumps(city_child(arg, days, core, "--end-to-end" in argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(child_main(sys.argv[1:]))
