"""Benchmarks of the govsim engine: speed against plain SimPy, and a district-year's cost.

Run from the repository root::

    python benchmarks/run.py                      # every benchmark, default sizes
    python benchmarks/run.py --only mmc           # M/M/c customers per second only
    python benchmarks/run.py --only district --scenario scenarios/baseline.toml
    python benchmarks/run.py --customers 20000 --repeats 1 --days 30   # a quick smoke run
    python benchmarks/run.py --only memory,import,city    # issue 13: scale (see scale.py)

Each result is printed as one JSON object per line with the keys ``benchmark``, ``value`` and
``unit`` and extra fields (ratios, parameters, sanity checks).

Benchmarks (each module's docstring says what it measures)
--------------------------------------------------------
``mmc_customers_per_second`` (`mmc.py`)
    The engine against plain SimPy on one M/M/c centre, waits checked against Erlang C.
``district_year``, ``mechanisms_overhead``, ``replications_per_second`` (`district.py`)
    One district-year end to end in a fresh process pinned to one core (seconds, peak memory;
    target 30 s and 1 GiB); the full reform against the structural model; 1 against 2
    workers. The district-years run first, while this process is still small.
``memory_per_demand``, ``city_year``, ``import_seconds``, ``dask_sweep`` (`scale.py`)
    Bytes of peak memory a demand; the Harbin city-year; ``import sim``; a sweep on a Dask
    ``LocalCluster``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import district  # noqa: E402 - the benchmark modules beside this file
import mmc  # noqa: E402
import scale  # noqa: E402

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
    """Print one JSON record, with the commit, the engine core it ran (compiled, source, or
    mixed: `sim.compiled`) and the load average, and flush."""
    from sim.compiled import compiled_core

    built = set(compiled_core().values())
    kind = "mixed" if len(built) > 1 else "compiled" if built == {True} else "source"
    record = {
        **record,
        "commit": commit,
        "engine_core": kind,
        "loadavg_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and print their records."""
    a = parse_args(argv)
    core = default_core() if a.core is None else a.core
    if a.child is not None:
        print(json.dumps(district.district_child(a.child, a.days, a.set, not a.no_write, core)))
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
            emit(
                mmc.bench_mmc(a.customers, a.servers, a.rho, a.mean, a.repeats, a.tolerance), commit
            )
        elif name == "mechanisms_overhead":
            emit(district.bench_mechanisms(core, a.district_repeats), commit)
        elif name == "replications_per_second":
            emit(district.bench_workers("scenarios/teaching.toml", 16, None), commit)
            emit(district.bench_workers(district.CORE_SCENARIO, 8, None), commit)
        else:
            for path in a.scenario or DEFAULT_SCENARIOS:
                runs = [
                    district.bench_district(path, a.days, a.set, not a.no_write, core)
                    for _ in range(a.district_repeats)
                ]
                emit(district.best_district(runs), commit)
    return 0


# the benchmarks of scale (issue 13), in `scale.py` beside this file
SCALE: dict[str, Callable[[argparse.Namespace, int], list[dict[str, Any]]]] = {
    "memory_per_demand": lambda a, core: [scale.bench_memory(core)],
    "city_year": lambda a, core: (
        [scale.bench_city(core, a.city_days)]
        + ([scale.bench_city(core, a.city_days, end_to_end=True)] if a.city_end_to_end else [])
    ),
    "import_seconds": lambda a, core: [scale.bench_import()],
    "dask_sweep": lambda a, core: [
        scale.bench_dask(district.CORE_SCENARIO, a.dask_points, a.dask_days)
    ],
}


if __name__ == "__main__":
    raise SystemExit(main())
