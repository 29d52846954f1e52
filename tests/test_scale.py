"""The benchmarks of scale run, and what they measure means what it says (benchmarks/scale.py).

They are not timed here (the figures live in benchmarks/RESULTS.md): each runs small, and the
test checks its record. The memory benchmark's slope must be a cost per demand that a
demand's columns can explain (its typed columns are about 250 bytes), the import must be
light, and the city scenario must run and be the size it says.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402 - the benchmarks folder is not a package

CORE = min(os.sched_getaffinity(0))


def test_memory_per_demand_is_the_columns_of_a_demand() -> None:
    """The slope over two M/M/c sizes lies between the bytes of a demand's typed columns
    alone (drawn attributes, uniforms and the record: over 200) and the 300 of the target
    (with a margin for the allocator's rounding at small sizes)."""
    record = scale.bench_memory(CORE, sizes=(40_000, 160_000))
    assert record["demands"][1] > 3 * record["demands"][0]
    assert 150.0 < record["value"] < 450.0, record


def test_import_is_light() -> None:
    """``import sim`` costs well under the 0.3 s target beyond Python's own start."""
    record = scale.bench_import(repeats=3)
    assert record["import_alone_seconds"] < 0.3, record


def test_the_city_scenario_runs_at_its_size() -> None:
    """Two days of Harbin: ten million residents in 1,094 communities and 137 streets, and
    about a day's share of the year's four million demands (0.36 a resident a year)."""
    record = scale.bench_city(CORE, days=2)
    assert (record["streets"], record["communities"]) == (137, 1094)
    assert record["residents"] == pytest.approx(10_009_854, rel=1e-3)
    assert 0.5 * 2 / 365 * 0.36e7 < record["demands"] < 2 * 2 / 365 * 0.4e7


def test_a_large_run_hands_its_world_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a run of `LARGE_WORLD` demands or more, its world (held in cycles of stations,
    router and clock) is already gone when the records come back, with the cyclic collector
    switched off (so only `sim.memory.release` can have freed it); below the size it is
    left to the collector."""
    import gc
    import weakref

    import sim
    import sim.processes.world as world

    s = sim.load_scenario(ROOT / "scenarios" / "teaching.toml", {"days": 10})
    clocks: list[weakref.ref] = []
    build = world.build_world

    def spy(*args: object, **kwargs: object) -> world.World:
        w = build(*args, **kwargs)
        clocks.append(weakref.ref(w.setting.env))
        return w

    monkeypatch.setattr(world, "build_world", spy)
    gc.disable()
    try:
        world.run_replication(s)
        assert clocks[-1]() is not None  # a small run: its cycles wait for the collector
        monkeypatch.setattr(world, "LARGE_WORLD", 1)
        records = world.run_replication(s)
        assert records.demands.size >= 1
        assert clocks[-1]() is None
    finally:
        gc.enable()
