"""The world a production run builds is the world the exact-log tests build.

`World.run()` merges the sorted demand stream straight into SimPy's event loop and steps the
loop itself (`sim.processes.routing.Router.run`); the tests with exact logs step SimPy's own
``Environment.run`` with one event per arrival (`World.run(stepped=True)`). Both must give
the same records, number for number. The fast path relies on SimPy internals, checked here so
that a SimPy release that changes them fails loudly.
"""

from __future__ import annotations

import heapq
from pathlib import Path

import numpy as np
import pytest
import simpy

import sim
from sim.metrics.mechanisms import mechanism_metrics
from sim.model.wake import ArrayWakes, Environment, QueueWakes, wake
from sim.processes.world import build_world

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SMALL = {"days": 120, "structure.communities": 2, "structure.residents_per_community": 800}


@pytest.mark.parametrize(
    ("file", "overrides"),
    [
        ("teaching.toml", {}),
        ("tongguanshan_full_reform.toml", SMALL),  # consultation, market and burden on
        ("xiangfang_center.toml", SMALL),  # online entry, a street center
    ],
)
def test_production_path_equals_the_stepped_path(file: str, overrides: dict) -> None:
    """Replication 1 run both ways leaves identical demand, work and station records."""
    s = sim.load_scenario(SCENARIOS / file, overrides)
    fast = build_world(s, 1, 7).run()
    slow = build_world(s, 1, 7).run(stepped=True)
    for part in ("demands", "work", "stations"):
        a, b = getattr(fast, part), getattr(slow, part)
        for field in a.__dataclass_fields__:
            x, y = getattr(a, field), getattr(b, field)
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y, err_msg=f"{part}.{field}")
            else:
                assert x == y, f"{part}.{field}"
    np.testing.assert_array_equal(fast.satisfaction, slow.satisfaction)
    assert fast.demands.size > 0
    ma, mb = mechanism_metrics(fast), mechanism_metrics(slow)
    assert ma.keys() == mb.keys()
    for key in ma:
        assert ma[key] == mb[key] or (ma[key] != ma[key] and mb[key] != mb[key]), key


def test_simpy_internals_the_engine_relies_on() -> None:
    """The engine pushes ``(time, priority, eid, event)`` onto ``env._queue``, sets
    ``env._now``, draws ids from ``env._eid``, and reads ``event._ok``/``_defused``."""
    env = simpy.Environment()
    assert isinstance(env._queue, list)
    assert env._now == 0
    first, second = next(env._eid), next(env._eid)
    assert second == first + 1
    ev = env.timeout(5, value="x")
    assert ev._ok is True and ev._value == "x"
    when, priority, eid, event = env._queue[0]
    assert (when, event) == (5, ev)
    assert priority == simpy.events.NORMAL and isinstance(eid, int)
    heapq.heappop(env._queue)
    failed = env.event()
    failed.fail(RuntimeError("x"))
    failed.defused = True
    assert failed._defused is True and failed._ok is False


@pytest.mark.parametrize("where", [QueueWakes, ArrayWakes])
def test_wakes_and_simpy_events_share_one_calendar_in_order(where: type) -> None:
    """A wake (a bare call-back on the calendar) runs at its time, in SimPy's (time,
    priority, event id) order among timeouts and processes, under `step` and `run(until)`,
    whether it waits on SimPy's queue (the source) or in a heap of its own (compiled)."""
    env = Environment()
    env.wakes = where(env._queue)
    seen: list[tuple[str, float]] = []

    def process(env: Environment):  # noqa: ANN202 - a SimPy generator
        yield env.timeout(2.0)
        seen.append(("process", env.now))
        wake(env, 0.0, lambda v: seen.append((v, env.now)), "wake at 2, after the process")

    wake(env, 2.0, lambda v: seen.append((v, env.now)), "wake at 2, first")
    env.process(process(env))
    env.timeout(1.0).callbacks.append(lambda _: seen.append(("timeout", env.now)))
    wake(env, 3.0, lambda v: seen.append((v, env.now)), "wake at 3")
    wake(env, 9.0, lambda v: seen.append((v, env.now)), "never: after the horizon")
    env.run(until=5.0)
    assert seen == [
        ("timeout", 1.0),
        ("wake at 2, first", 2.0),
        ("process", 2.0),
        ("wake at 2, after the process", 2.0),
        ("wake at 3", 3.0),
    ]
    assert env.now == 5.0


def test_wake_heap_gives_time_then_id_order() -> None:
    """The compiled core's heap of wakes pops them as one heap of SimPy's keys would:
    by time, then by event id (many times tie), through growth and interleaved pops."""
    rng = np.random.default_rng(20261202)
    heap = ArrayWakes([])
    reference: list[tuple[float, int]] = []
    popped, expected = [], []
    eid = 0
    for _ in range(3000):
        for _ in range(int(rng.integers(0, 4))):
            t = float(rng.integers(0, 50)) / 4.0
            heap.push(t, eid, None, (t, eid))
            heapq.heappush(reference, (t, eid))
            eid += 1
        if heap.size and rng.random() < 0.6:
            key = (float(heap.t[0]), int(heap.eid[0]))
            popped.append((key, heap.pop()[1]))
            expected.append(heapq.heappop(reference))
    while heap.size:
        key = (float(heap.t[0]), int(heap.eid[0]))
        popped.append((key, heap.pop()[1]))
        expected.append(heapq.heappop(reference))
    assert len(expected) == eid > 2000
    assert [k for k, _ in popped] == expected
    assert [v for _, v in popped] == expected  # each wake's value travels with its key
