"""A picture of one simulated day, as frames a view can step through.

Stand in the street at 8:30 and watch until the community staff go home: residents queue at
the community desk and at the street center, files sit in trays and travel community →
street → department and back, and the staff switch between residents, files and the tasks
departments push down. `day_frames` samples one working day of a traced replication every
few minutes: at each frame every demand in the district (by the records the metrics use) is
in exactly one place, and every station's staff are on residents, files, tasks, meetings or
free. The day's staff hours are also given as the run's daily series reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.app.frame import Day, Frame, Spot, Who
from sim.app.segments import STATES, segments
from sim.app.tables import label
from sim.app.trace import Trace
from sim.clock import DAY
from sim.model.calendar import calendar_of
from sim.rules.priority import FILE, MEETING, RESIDENT, TASK

STEP_MINUTES = 10
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LEVELS = ("community", "street", "district", "department", "online")
CLASSES = ("residents", "files", "tasks", "meetings")  # what a staffer is busy with


def working_days(tr: Trace) -> list[int]:
    """Working days after the warm-up (the days a picture is worth drawing)."""
    cal = calendar_of(tr.scenario)
    days = range(tr.scenario.warmup_days, tr.scenario.days)
    return [d for d in days if cal.always or d % 7 < cal.days_per_week]


def busiest_day(tr: Trace) -> int:
    """The working day after the warm-up, before the last day of the run (whose demands'
    later stages fall after the end), on which most demands arose."""
    days = working_days(tr)
    days = [d for d in days if d < tr.scenario.days - 1] or days
    day_of = (tr.demands["arrival_min"] // DAY).astype(int)
    arrivals = np.bincount(day_of, minlength=tr.scenario.days)
    return max(days, key=lambda d: (arrivals[d], -d)) if days else 0


def spot_of(stations: pd.DataFrame, communities: int) -> list[tuple[str, str]]:
    """The picture's place (key, label) of each station: a community's own desk while there
    are few communities, a unit's stations taken together at department level or when the
    unit has many, else the station itself."""
    per_unit = stations.groupby("unit")["name"].transform("count")
    out = []
    for row, n in zip(stations.itertuples(index=False), per_unit, strict=True):
        lump = row.level == "department" or (row.level == "community" and communities > 4) or n > 8
        key = row.unit if lump else row.name
        name = row.unit.replace("_", " ")
        out.append((key, f"{name} ({n})" if lump and n > 1 else row.name.replace("_", " ")))
    return out


def day_frames(tr: Trace, day: int | None = None, step: float = STEP_MINUTES) -> Day:
    """The frames of `day` (the busiest working day by default), every `step` minutes from
    opening until the staff's overtime ends."""
    s = tr.scenario
    day = busiest_day(tr) if day is None else day
    first, last = day * DAY, (day + 1) * DAY
    if not calendar_of(s).always:
        first += s.calendar.open_hour * 60.0
        last = day * DAY + (s.calendar.close_hour + s.tasks.overtime_hours) * 60.0
    win = _window(tr, first, last)
    frames = [_frame(tr, win, t, day) for t in np.arange(first, last + 1e-9, step)]
    title = f"Day {day + 1} ({WEEKDAYS[day % 7]}) of {s.days}: {s.name}"
    hours = tr.timeseries[tr.timeseries["day"] == day].drop(columns=["scenario", "replication"])
    return Day(s.name, day, title, tuple(frames), hours.reset_index(drop=True))


@dataclass(frozen=True)
class _Window:
    """What overlaps the day, as arrays: segments, services, work on the desks, demands'
    arrivals and ends, and the picture's places (each station's spot, the spots' keys,
    names and order by level, who each demand's resident is)."""

    seg: dict[str, np.ndarray]
    services: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # station, cls, start, done
    work: tuple[np.ndarray, np.ndarray, np.ndarray]  # community, arrived, done
    demands: tuple[np.ndarray, np.ndarray, np.ndarray]  # id, arrival, finish
    spot: np.ndarray
    keys: list[str]
    names: dict[str, str]
    order: list[int]
    who: dict[int, Who]


def _window(tr: Trace, first: float, last: float) -> _Window:
    seg = segments(tr)
    seg = seg[(seg["t0"] <= last) & (seg["t1"] > first)]
    arrays = {c: seg[c].to_numpy() for c in seg.columns}
    v, w = tr.visits, tr.work
    station = np.concatenate([v["station"], w["station"]]).astype(np.int64)
    cls = np.concatenate([v["cls"], w["cls"]]).astype(np.int64)
    start = np.nan_to_num(np.concatenate([v["start"], w["start"]]).astype(float), nan=np.inf)
    done = np.nan_to_num(np.concatenate([v["done"], w["done"]]).astype(float), nan=np.inf)
    keep = (start <= last) & (done > first)
    wr = tr.records.work
    d = tr.demands
    finish = d["finish_min"].fillna(np.inf).to_numpy()
    arrival = d["arrival_min"].to_numpy()
    alive = (arrival <= last) & (finish > first - DAY)
    st = tr.stations
    places = spot_of(st, tr.scenario.structure.communities)
    keys = list(dict.fromkeys(k for k, _ in places))
    spot = np.array([keys.index(k) for k, _ in places])
    level = {spot[i]: st["level"][i] for i in range(len(spot))}
    return _Window(
        seg=arrays,
        services=(station[keep], cls[keep], start[keep], done[keep]),
        work=(wr.community, wr.time, np.nan_to_num(wr.done, nan=np.inf)),
        demands=(d["demand"].to_numpy()[alive], arrival[alive], finish[alive]),
        spot=spot,
        keys=keys,
        names=dict(places),
        order=sorted(range(len(keys)), key=lambda k: LEVELS.index(level[k])),
        who=_who(tr),
    )


def _who(tr: Trace) -> dict[int, Who]:
    d = tr.demands
    items = [label(f"{t}/{g}") for t, g in zip(d["demand_type"], d["item_class"], strict=True)]
    return {
        int(i): Who(int(i), item, str(age))
        for i, item, age in zip(d["demand"], items, d["age_band"], strict=True)
    }


def _frame(tr: Trace, win: _Window, t: float, day: int) -> Frame:
    """The district at minute `t`."""
    sg = win.seg
    on = (sg["t0"] <= t) & (t < sg["t1"])
    state, station, demand = sg["state"][on], sg["station"][on], sg["demand"][on]
    ids, arrival, finish = win.demands
    present = ids[(arrival <= t) & (t < finish)]
    level = tr.stations["level"].to_numpy()
    moving = state == "transit"
    transit: dict[str, int] = {}
    for a, b in zip(level[station[moving]], level[sg["following"][on][moving]], strict=True):
        transit[f"{a} → {b}"] = transit.get(f"{a} → {b}", 0) + 1
    busy = _busy(win, len(level), t)
    spots = [_spot(tr, win, k, t, state, station, demand, busy) for k in win.order]
    start = day * DAY
    return Frame(
        minute=float(t),
        clock=f"{int(t % DAY // 60):02d}:{int(t % 60):02d}",
        spots=tuple(spots),
        transit=transit,
        states={s: int((state == s).sum()) for s in STATES},
        in_system=len(present),
        unplaced=len(np.setdiff1d(present, demand)),
        arrived=int(((arrival >= start) & (arrival <= t)).sum()),
        ended=int(((finish >= start) & (finish <= t)).sum()),
    )


def _spot(
    tr: Trace,
    win: _Window,
    k: int,
    t: float,
    state: np.ndarray,
    station: np.ndarray,
    demand: np.ndarray,
    busy: np.ndarray,
) -> Spot:
    """Place `k` of the picture at minute `t`."""
    st = tr.stations
    mine = np.flatnonzero(win.spot == k)
    at = np.isin(station, mine)
    servers = int(st["servers"].to_numpy()[mine].sum())
    staff = {c: int(busy[mine, i].sum()) for i, c in enumerate(CLASSES)}
    unit, name = st["unit"][mine[0]], st["name"][mine[0]]
    staff["free"] = max(servers - sum(staff.values()), 0) if _open(tr, unit, t) else 0
    tasks = 0
    if unit == tr.scenario.tasks.unit and len(mine) == 1:
        community = int(name.rpartition("/")[2]) if "/" in name else 0
        comm, arrived, done = win.work
        tasks = int(((comm == community) & (arrived <= t) & (t < done)).sum())
    return Spot(
        key=win.keys[k],
        label=win.names[win.keys[k]],
        level=str(st["level"][mine[0]]),
        servers=servers,
        queueing=tuple(win.who[int(i)] for i in demand[at & (state == "queue")]),
        at_counter=tuple(win.who[int(i)] for i in demand[at & (state == "counter")]),
        files_waiting=int((at & (state == "tray")).sum()),
        files_in_work=int((at & (state == "work")).sum()),
        staff=staff,
        tasks_waiting=tasks,
    )


def _busy(win: _Window, n: int, t: float) -> np.ndarray:
    """Servers busy at minute `t`, by (station, class of work: residents, files, tasks,
    meetings)."""
    station, cls, start, done = win.services
    on = (start <= t) & (t < done)
    out = np.zeros((n, 4), dtype=np.int64)
    np.add.at(out, (station[on], cls[on]), 1)
    return out[:, [RESIDENT, FILE, TASK, MEETING]]


def _open(tr: Trace, unit: str, t: float) -> bool:
    """Whether a unit's staff are at work at minute `t` (office hours or its sessions)."""
    spec = tr.scenario.units[unit]
    if spec.calendar == "always" or tr.scenario.calendar.kind == "always":
        return True
    hour, weekday = (t % DAY) / 60.0, int(t // DAY) % 7
    if spec.sessions is not None:
        sess = spec.sessions
        return weekday in sess.weekdays and sess.open_hour <= hour < sess.close_hour
    cal = tr.scenario.calendar
    return weekday < cal.days_per_week and cal.open_hour <= hour < cal.close_hour
