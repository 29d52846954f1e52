"""A service station: windows, priority, office hours and monitoring (sim/model/station.py).

Each test builds a `simpy.Environment` and one `Station`, schedules joins, openings and
closings at chosen minutes, records ``(event, job, env.now)`` from the station's hooks and
asserts the exact log. Services have fixed durations, so every time is hand-computable.
Note that when a service ends the station reports the end first (``on_done``, where the
router may queue follow-up work) and only then frees the window, which starts its next piece
of work: at the same minute ``done`` of the last job precedes ``start`` of the next.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as hs

from sim.clock import DAY
from sim.model.station import Entry, Post, Station
from sim.model.wake import Environment
from sim.rules.priority import FILE, RESIDENT, TASK, Rule, fifo, residents_first, tasks_first

Log = list[tuple]


def make_station(
    env: simpy.Environment,
    servers: int,
    rule: Rule = fifo,
    always_open: bool = True,
    days: int = 2,
) -> tuple[Station, Log]:
    """A station whose hooks append ``(event, job, now)`` to the returned log."""
    st = Station(env, Post("desk", "desk", "community", servers, rule, always_open), days)
    log: Log = []
    st.on_start = lambda s, e, now: log.append(("start", e[1], now))
    st.on_done = lambda s, e: log.append(("done", e[1], s.env.now))
    st.on_close = lambda s: log.append(("close", tuple(e[1] for e in s.queues[RESIDENT]), env.now))
    return st, log


def at(env: simpy.Environment, t: float, action: Callable[[], object]) -> None:
    """Run `action` at minute `t` (a timeout callback: no process needed)."""
    env.timeout(t - env.now).callbacks.append(lambda _: action())


def join_at(
    env: simpy.Environment, st: Station, t: float, cls: int, job: int, minutes: float
) -> None:
    """Job `job` of class `cls` needing `minutes` of service joins `st` at minute `t`."""
    at(env, t, lambda: st.join((cls, job, minutes, env.now)))


def test_fifo_on_two_windows() -> None:
    """Five residents a minute apart at two ten-minute windows: first come, first served."""
    env = Environment()
    st, log = make_station(env, servers=2)
    for job in range(5):
        join_at(env, st, float(job), RESIDENT, job, 10.0)
    env.run()
    assert log == [
        ("start", 0, 0.0),
        ("start", 1, 1.0),
        ("done", 0, 10.0),
        ("start", 2, 10.0),
        ("done", 1, 11.0),
        ("start", 3, 11.0),
        ("done", 2, 20.0),
        ("start", 4, 20.0),
        ("done", 3, 21.0),
        ("done", 4, 30.0),
    ]
    assert st.free == 2
    assert st.present == 0
    assert st.started == 5


@pytest.mark.parametrize(
    ("rule", "order"),
    [(fifo, (1, 2, 3)), (tasks_first, (2, 3, 1)), (residents_first, (3, 1, 2))],
    ids=["fifo", "tasks_first", "residents_first"],
)
def test_priority_between_classes(rule: Rule, order: tuple[int, int, int]) -> None:
    """While one staffer is busy a file, a task and a resident arrive; the rule orders them."""
    env = Environment()
    st, log = make_station(env, servers=1, rule=rule)
    join_at(env, st, 0.0, RESIDENT, 0, 10.0)
    join_at(env, st, 1.0, FILE, 1, 10.0)
    join_at(env, st, 2.0, TASK, 2, 10.0)
    join_at(env, st, 3.0, RESIDENT, 3, 10.0)
    env.run()
    a, b, c = order
    assert log == [
        ("start", 0, 0.0),
        ("done", 0, 10.0),
        ("start", a, 10.0),
        ("done", a, 20.0),
        ("start", b, 20.0),
        ("done", b, 30.0),
        ("start", c, 30.0),
        ("done", c, 40.0),
    ]


def test_no_service_while_closed_and_overtime_after_closing() -> None:
    """Nothing starts while the office is closed; a service begun before closing is finished."""
    env = Environment()
    st, log = make_station(env, servers=1, always_open=False)
    join_at(env, st, 5.0, RESIDENT, 0, 30.0)  # before opening: waits
    at(env, 10.0, st.open)
    join_at(env, st, 15.0, RESIDENT, 1, 10.0)
    at(env, 20.0, st.close)  # job 0 is in service, job 1 waits at the counter
    join_at(env, st, 50.0, RESIDENT, 2, 10.0)
    queued_at_60: list[int] = []
    at(env, 60.0, lambda: queued_at_60.append(st.queued()))
    at(env, 100.0, st.open)
    env.run()
    assert log == [
        ("start", 0, 10.0),
        ("close", (1,), 20.0),
        ("done", 0, 40.0),  # overtime: 20 minutes past closing
        ("start", 1, 100.0),
        ("done", 1, 110.0),
        ("start", 2, 110.0),
        ("done", 2, 120.0),
    ]
    assert queued_at_60 == [2]


@pytest.mark.parametrize(
    ("cls", "called"),
    [(RESIDENT, True), (FILE, False), (TASK, False)],
    ids=["resident", "file", "task"],
)
def test_close_calls_on_close_only_when_residents_wait(cls: int, called: bool) -> None:
    """Closing sends home residents at the counter; files and tasks just stay in the tray."""
    env = Environment()
    st, log = make_station(env, servers=1, always_open=False)
    at(env, 0.0, st.open)
    join_at(env, st, 1.0, RESIDENT, 0, 100.0)
    join_at(env, st, 2.0, cls, 1, 5.0)
    at(env, 50.0, st.close)
    env.run()
    expected = [("start", 0, 1.0)]
    if called:
        expected.append(("close", (1,), 50.0))
    expected.append(("done", 0, 101.0))
    assert log == expected
    assert st.queued() == 1  # the waiting work stays queued for the next opening


def test_open_starts_waiting_work_on_every_free_window() -> None:
    """At opening, each of three windows takes the next work by priority (tasks first)."""
    env = Environment()
    st, log = make_station(env, servers=3, rule=tasks_first, always_open=False)
    join_at(env, st, 1.0, RESIDENT, 0, 20.0)
    join_at(env, st, 2.0, FILE, 1, 20.0)
    join_at(env, st, 3.0, RESIDENT, 2, 20.0)
    join_at(env, st, 4.0, TASK, 3, 20.0)
    at(env, 60.0, st.open)
    env.run()
    assert log == [
        ("start", 3, 60.0),
        ("start", 0, 60.0),
        ("start", 2, 60.0),
        ("done", 3, 80.0),  # the first window freed takes the file
        ("start", 1, 80.0),
        ("done", 0, 80.0),
        ("done", 2, 80.0),
        ("done", 1, 100.0),
    ]


def test_zero_servers_is_an_unlimited_delay() -> None:
    """An online platform (servers = 0) starts every job at once, however many there are."""
    env = Environment()
    st, log = make_station(env, servers=0, rule=tasks_first, days=1)
    for job, t in enumerate([0.0, 0.0, 0.0, 1.0, 2.0]):
        join_at(env, st, t, FILE if job % 2 else RESIDENT, job, 10.0)
    env.run()
    assert log == [
        ("start", 0, 0.0),
        ("start", 1, 0.0),
        ("start", 2, 0.0),
        ("start", 3, 1.0),
        ("start", 4, 2.0),
        ("done", 0, 10.0),
        ("done", 1, 10.0),
        ("done", 2, 10.0),
        ("done", 3, 11.0),
        ("done", 4, 12.0),
    ]
    st._mark(env.now)
    assert st.area == 50.0  # five jobs, ten minutes each
    assert st.free == 0
    assert st.idle == [0.0]
    assert st.busy == [30.0, 20.0, 0.0, 0.0]


def test_busy_idle_and_area_bookkeeping() -> None:
    """Two staffers over two office days: busy minutes by class, idle windows, Little's area.

    Day 0 is open 100-400, day 1 is open 1540-1840. A 300-minute task runs into overtime and
    is booked in full to day 0; a resident who comes before the second opening waits for it.
    """
    env = Environment()
    st, log = make_station(env, servers=2, rule=fifo, always_open=False, days=2)
    at(env, 100.0, st.open)
    join_at(env, st, 130.0, RESIDENT, 0, 60.0)
    join_at(env, st, 160.0, TASK, 1, 300.0)
    join_at(env, st, 170.0, FILE, 2, 30.0)
    at(env, 400.0, st.close)
    join_at(env, st, 1500.0, RESIDENT, 3, 100.0)
    at(env, 1540.0, st.open)
    at(env, 1840.0, st.close)
    env.run()
    st._mark(2880.0)
    assert log == [
        ("start", 0, 130.0),
        ("start", 1, 160.0),
        ("done", 0, 190.0),
        ("start", 2, 190.0),
        ("done", 2, 220.0),
        ("done", 1, 460.0),
        ("start", 3, 1540.0),
        ("done", 3, 1640.0),
    ]
    # busy[4 * day + class]: resident, file, task, meeting
    assert st.busy == [60.0, 30.0, 300.0, 0.0, 100.0, 0.0, 0.0, 0.0]
    # day 0: 2 free x 30 (100-130) + 1 x 30 (130-160) + 1 x 180 (220-400)
    # day 1: 1 free x 100 (1540-1640) + 2 x 200 (1640-1840); nothing while closed
    # (office hours never span midnight, so no idle interval here is split between days)
    assert st.idle == [270.0, 500.0]
    # sum of times in the station: 60 + 300 + 50 + 140
    assert st.area == 550.0
    assert st.present == 0
    assert st.started == 4


def test_idle_time_over_midnight_is_booked_to_each_day() -> None:
    """An always-open window idle from 0 to 3000 is idle 1440 + 1440 + 120 minutes by day.

    One 10-minute job at minute 3000 (day 2, 2:00) of a three-day run; the window is idle
    again from 3010 to the end of day 2 (4320): 120 + 1310 = 1430 idle minutes on day 2.
    """
    env = Environment()
    st, log = make_station(env, servers=1, days=3)
    join_at(env, st, 3000.0, FILE, 0, 10.0)
    env.run()
    st._mark(3 * DAY)
    assert log == [("start", 0, 3000.0), ("done", 0, 3010.0)]
    assert st.idle == [1440.0, 1440.0, 1430.0]
    assert st.busy == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0]
    assert st.area == 10.0


def test_idle_split_at_exact_midnight_and_past_the_last_day() -> None:
    """Idle time ending exactly at midnight stays on its day; time past the run's end goes to
    the last day.

    Two always-open windows over a two-day run; a 30-minute file at minute 1440 (midnight):
    day 0 is 2 x 1440 idle; day 1 is 1 x 30 (1440-1470) + 2 x 1530 (1470-3000), of which
    2 x 120 lie past the end of the run (2880) and are booked on day 1 too.
    """
    env = Environment()
    st, _ = make_station(env, servers=2, days=2)
    join_at(env, st, DAY, FILE, 0, 30.0)
    env.run()
    st._mark(3000.0)
    assert st.idle == [2880.0, 3090.0]
    assert sum(st.idle) == 2 * 3000.0 - 30.0


def test_work_after_the_last_day_is_booked_on_the_last_day() -> None:
    """Monitoring columns have one row per day of the run; later work lands in the last row."""
    env = Environment()
    st, _ = make_station(env, servers=1, days=2)
    join_at(env, st, 5000.0, FILE, 0, 7.0)  # day 3 of a two-day run
    env.run()
    assert st.busy == [0.0, 0.0, 0.0, 0.0, 0.0, 7.0, 0.0, 0.0]


@given(
    hs.lists(
        hs.tuples(
            hs.integers(0, 600),  # arrival minute
            hs.integers(1, 120),  # service minutes
            hs.sampled_from([RESIDENT, FILE, TASK]),
        ),
        min_size=1,
        max_size=12,
    ),
    hs.integers(1, 3),
    hs.sampled_from([fifo, tasks_first, residents_first]),
)
def test_little_and_busy_identities(
    jobs: list[tuple[int, int, int]], servers: int, rule: Rule
) -> None:
    """An always-open counter: area = total time in system (Little), busy + idle = c * T."""
    env = Environment()
    st, log = make_station(env, servers=servers, rule=rule, days=1)
    for job, (t, minutes, cls) in enumerate(jobs):
        join_at(env, st, float(t), cls, job, float(minutes))
    env.run()
    horizon = env.now  # the last service ends here
    st._mark(horizon)
    start = {job: t for ev, job, t in log if ev == "start"}
    done = {job: t for ev, job, t in log if ev == "done"}
    assert sorted(done) == list(range(len(jobs)))
    assert st.area == sum(done[j] - t for j, (t, _, _) in enumerate(jobs))
    assert sum(st.busy) == sum(m for _, m, _ in jobs)
    assert sum(st.idle) == servers * horizon - sum(m for _, m, _ in jobs)
    assert all(start[j] >= t for j, (t, _, _) in enumerate(jobs))
    # no more than `servers` jobs in service at any start
    for j, s in start.items():
        in_service = sum(1 for k in start if start[k] <= s < done[k])
        assert in_service <= servers, (j, s)


def test_join_while_full_queues_by_class() -> None:
    """With every window busy, arrivals wait in the queue of their class."""
    env = Environment()
    st, _ = make_station(env, servers=1)
    entries: list[Entry] = [
        (RESIDENT, 0, 10.0, 0.0),
        (TASK, 1, 10.0, 0.0),
        (RESIDENT, 2, 10.0, 0.0),
        (FILE, 3, 10.0, 0.0),
    ]
    for entry in entries:
        st.join(entry)
    assert [[e[1] for e in q] for q in st.queues] == [[2], [3], [1], []]
    assert (st.free, st.present, st.queued()) == (0, 4, 3)
