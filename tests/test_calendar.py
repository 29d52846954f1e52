"""Office hours: open minutes, opening and closing instants, weekends (sim/model/calendar.py).

The reference calendar is Monday to Friday, 8:30 to 17:30 (540 open minutes a day), the
baseline's. Property tests draw times on a 1/64-minute grid, where every step of the
calendar's arithmetic is exact, so the inverse relations can be asserted with ``==``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.clock import DAY, WEEK
from sim.model.calendar import Calendar

OFFICE = Calendar(8.5 * 60, 17.5 * 60, 5)
ALWAYS = Calendar(0.0, DAY, 7, always=True)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
YEAR = 365 * DAY


def at(day: int, hour: float) -> float:
    """Clock time (minutes) of `hour` o'clock on day `day` of the run (day 0 is a Monday)."""
    return day * DAY + hour * 60.0


# -- strategies -------------------------------------------------------------------------
grid_times = st.integers(0, int(YEAR) * 64).map(lambda n: n / 64.0)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    """Office calendars with whole-minute hours and 1 to 7 working days a week."""
    open_minute = draw(st.integers(0, 1439))
    close_minute = draw(st.integers(open_minute + 1, 1440))
    return Calendar(float(open_minute), float(close_minute), draw(st.integers(1, 7)))


@st.composite
def open_instants(draw: st.DrawFn) -> tuple[Calendar, float]:
    """A calendar and an instant when its offices are open (on the 1/64-minute grid)."""
    cal = draw(calendars())
    week = draw(st.integers(0, 52))
    dow = draw(st.integers(0, cal.days_per_week - 1))
    offset = draw(st.integers(0, int(cal.open_per_day) * 64 - 1)) / 64.0
    return cal, (week * 7 + dow) * DAY + cal.open_minute + offset


# -- examples ---------------------------------------------------------------------------
def test_open_minutes_per_day_and_week() -> None:
    """A working day of 8:30-17:30 has 540 open minutes, a week of five such days 2,700."""
    assert OFFICE.open_per_day == 540.0
    assert OFFICE.open_minutes_in(1) == 540.0
    assert OFFICE.open_minutes_in(7) == 2700.0
    assert OFFICE.open_minutes_in(14) == 5400.0
    assert OFFICE.open_minutes_in(2.5) == 2 * 540.0 + (12 * 60 - 510)  # Wednesday noon


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (at(MON, 0), 0.0),
        (at(MON, 8.5), 0.0),
        (at(MON, 9), 30.0),
        (at(MON, 17.5), 540.0),
        (at(MON, 23), 540.0),
        (at(TUE, 9), 570.0),
        (at(FRI, 17.5), 2700.0),
        (at(SAT, 12), 2700.0),
        (at(SUN, 23.75), 2700.0),
        (at(7, 8.5), 2700.0),
        (at(7, 9.5), 2760.0),
        (at(14 + WED, 10), 2 * 2700.0 + 2 * 540.0 + 90.0),
    ],
)
def test_open_time_counts_only_office_minutes(t: float, expected: float) -> None:
    """The open-time clock stands still at night and over the weekend."""
    assert OFFICE.open_time(t) == expected


def test_to_clock_maps_open_minutes_to_office_hours() -> None:
    """Open minute 0 is Monday 8:30; the 540th open minute is Tuesday's opening, not closing."""
    s = np.array([0.0, 30.0, 539.0, 540.0, 2699.0, 2700.0, 2760.0])
    expected = [
        at(MON, 8.5),
        at(MON, 9),
        at(MON, 17.5) - 1,
        at(TUE, 8.5),
        at(FRI, 17.5) - 1,
        at(7, 8.5),
        at(7, 9.5),
    ]
    out = OFFICE.to_clock(s)
    assert isinstance(out, np.ndarray)
    assert out.shape == s.shape
    assert out.tolist() == expected


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (at(MON, 8.5), True),
        (at(MON, 8.5) - 1e-6, False),
        (at(MON, 17.5) - 1e-6, True),
        (at(MON, 17.5), False),
        (at(MON, 0), False),
        (at(FRI, 12), True),
        (at(SAT, 12), False),
        (at(SUN, 8.5), False),
        (at(7, 8.5), True),
        (at(7 + SAT, 10), False),
    ],
)
def test_is_open_on_weekends_and_at_boundaries(t: float, expected: bool) -> None:
    """Offices open at 8:30 sharp, are closed from 17:30 sharp and all weekend."""
    assert OFFICE.is_open(t) is expected


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (at(MON, 7), at(MON, 8.5)),
        (at(MON, 8.5), at(MON, 8.5)),
        (at(MON, 12.25), at(MON, 12.25)),
        (at(MON, 17.5), at(TUE, 8.5)),
        (at(FRI, 17.5), at(7, 8.5)),
        (at(SAT, 12), at(7, 8.5)),
        (at(SUN, 23.99), at(7, 8.5)),
        (at(7, 0), at(7, 8.5)),
    ],
)
def test_next_open(t: float, expected: float) -> None:
    """A resident told to come back at night or at the weekend comes at the next opening."""
    assert OFFICE.next_open(t) == expected


def test_openings_lists_working_days_and_clips_the_last_one() -> None:
    """The office-hours process opens Monday to Friday; the horizon cuts the last day short."""
    eight_days = OFFICE.openings(8 * DAY)
    assert eight_days == [(at(d, 8.5), at(d, 17.5)) for d in (0, 1, 2, 3, 4, 7)]
    assert OFFICE.openings(at(TUE, 12)) == [
        (at(MON, 8.5), at(MON, 17.5)),
        (at(TUE, 8.5), at(TUE, 12)),
    ]
    assert OFFICE.openings(at(MON, 8.5)) == []  # the horizon falls on the first opening
    assert OFFICE.openings(0.0) == []
    assert OFFICE.openings(at(SAT, 0)) == OFFICE.openings(at(SUN, 23.5))


def test_always_calendar_is_the_identity() -> None:
    """An "always" calendar (queueing-theory checks) never closes: open time is clock time."""
    times = [0.0, at(MON, 3), at(SAT, 12), at(SUN, 23.9), 10 * WEEK + 0.125]
    assert [ALWAYS.open_time(t) for t in times] == times
    assert ALWAYS.to_clock(np.array(times)).tolist() == times
    assert [ALWAYS.next_open(t) for t in times] == times
    assert all(ALWAYS.is_open(t) for t in times)
    assert ALWAYS.openings(30 * DAY) == []
    assert ALWAYS.open_per_day == DAY
    assert ALWAYS.open_minutes_in(3) == 3 * DAY


# -- properties -------------------------------------------------------------------------
@given(open_instants())
def test_to_clock_inverts_open_time_on_open_instants(case: tuple[Calendar, float]) -> None:
    """Mapping an open instant to open minutes and back returns the same instant."""
    cal, t = case
    assert cal.is_open(t)
    assert cal.to_clock(np.array([cal.open_time(t)]))[0] == t


@given(calendars(), st.integers(0, 300 * 540 * 64).map(lambda n: n / 64.0))
def test_open_time_inverts_to_clock(cal: Calendar, s: float) -> None:
    """Every open minute is mapped to an open instant, and counting back gives the minute."""
    t = float(cal.to_clock(np.array([s]))[0])
    assert cal.is_open(t)
    assert cal.open_time(t) == s


@given(calendars(), grid_times)
def test_next_open_is_the_first_open_instant(cal: Calendar, t: float) -> None:
    """next_open is open, not earlier, and no office minute passes between `t` and it."""
    n = cal.next_open(t)
    assert n >= t
    assert cal.is_open(n)
    assert cal.open_time(n) == cal.open_time(t)
    if not cal.is_open(t):
        assert n % DAY == cal.open_minute  # an opening instant
        assert math.floor(n / DAY) % 7 < cal.days_per_week


@given(calendars(), grid_times, grid_times)
def test_open_time_runs_no_faster_than_the_clock(cal: Calendar, a: float, b: float) -> None:
    """Open minutes never decrease and never pass faster than clock minutes."""
    t1, t2 = min(a, b), max(a, b)
    assert 0.0 <= cal.open_time(t2) - cal.open_time(t1) <= t2 - t1


@given(calendars(), grid_times)
def test_a_week_holds_a_fixed_number_of_open_minutes(cal: Calendar, t: float) -> None:
    """Any seven consecutive days hold days_per_week full working days."""
    assert cal.open_time(t + WEEK) - cal.open_time(t) == cal.days_per_week * cal.open_per_day


@given(calendars(), st.floats(0.0, 1e7, allow_nan=False))
def test_open_time_round_trip_with_arbitrary_floats(cal: Calendar, s: float) -> None:
    """Off the exact grid, open minutes survive the round trip up to the clock's rounding."""
    t = float(cal.to_clock(np.array([s]))[0])
    assert abs(cal.open_time(t) - s) <= 4 * math.ulp(t)


@given(st.floats(0.0, 1e8, allow_nan=False))
def test_always_calendar_identity_property(t: float) -> None:
    """An "always" calendar maps every instant to itself and is open at every instant."""
    assert ALWAYS.open_time(t) == t
    assert ALWAYS.to_clock(np.array([t]))[0] == t
    assert ALWAYS.next_open(t) == t
    assert ALWAYS.is_open(t)
