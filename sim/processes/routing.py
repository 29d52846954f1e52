"""Routing: how an item moves between units, and the resident's trips along the way.

A flow is a Markov chain over stages (see `sim.scenario.schema.Flow`). When a demand finishes
a stage it may be sent home for a missing document (it comes back to the same stage later: one
more trip), or follow one of the stage's routes after a forwarding delay, or end: resolved.
Each move of a file between two staffed stations is a hand-off (e.g. 街居两级流转: community
to street and back); each entry into a stage with the resident present is a trip; a resident
still waiting when the office closes comes back the next working day (one more trip).
With exponential services and routing probabilities this is an open Jackson network.

The router is event-driven: its methods are callbacks on stations and on SimPy timeouts; it
keeps one row per demand in preallocated columns (Python lists, turned into arrays at the end).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappop
from statistics import NormalDist
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from sim.clock import DAY
from sim.model.calendar import Calendar
from sim.model.district import District
from sim.model.population import Population
from sim.model.station import Entry, Station
from sim.model.wake import Wake, wake
from sim.processes.demand import DRAWS, Demands
from sim.processes.tasks import Workload
from sim.rules.priority import FILE, MEETING, RESIDENT, TASK
from sim.scenario.schema import Scenario

OPEN, RESOLVED, ABANDONED = 0, 1, 2
OUTCOMES = ("open", "resolved", "abandoned")
EXPONENTIAL, FIXED, LOGNORMAL = 0, 1, 2
ITEM_TIME = {"none": 0, "intake": 1, "processing": 2}
_inv_norm = NormalDist().inv_cdf


@dataclass(frozen=True)
class CompiledStage:
    """A stage flattened for the engine (indices instead of names, minutes not hours)."""

    unit: int
    level: int
    cls: int
    minutes: float
    item_time: int
    dist: int
    sigma: float
    missing_return: bool
    return_delay: float
    balk: int
    cum_p: tuple[float, ...]
    targets: tuple[int, ...]
    delays: tuple[float, ...]
    flow: str
    name: str
    outsource: bool = False
    terminal: bool = False  # a demand that finishes here is always resolved (set below)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terminal", not self.missing_return and not self.targets)


def compile_flows(
    s: Scenario, district: District
) -> tuple[list[CompiledStage], dict[str, tuple[int, int]]]:
    """Flatten the scenario's flows: the stage list and each flow's (entry, online entry)."""
    ids: dict[tuple[str, str], int] = {}
    for fname, flow in s.flows.items():
        for sname in flow.stages:
            ids[(fname, sname)] = len(ids)
    units = district.unit_names
    stages = []
    for fname, flow in s.flows.items():
        for sname, st in flow.stages.items():
            u = units.index(st.unit)
            cum, acc = [], 0.0
            for r in st.routes:
                acc += r.p
                cum.append(acc)
            stages.append(
                CompiledStage(
                    unit=u,
                    level=district.unit_level[u],
                    cls=RESIDENT if st.presence == "resident" else FILE,
                    minutes=st.minutes,
                    item_time=ITEM_TIME[st.item_time],
                    dist={"exponential": EXPONENTIAL, "fixed": FIXED, "lognormal": LOGNORMAL}[
                        st.dist
                    ],
                    sigma=math.sqrt(math.log1p(st.cv**2)),
                    missing_return=st.missing_docs_return,
                    return_delay=st.return_delay_hours * 60.0,
                    balk=st.balk_queue or 0,
                    cum_p=tuple(cum),
                    targets=tuple(ids[(fname, r.to)] for r in st.routes),
                    delays=tuple(r.delay_hours * 60.0 for r in st.routes),
                    flow=fname,
                    name=sname,
                    outsource=st.outsource,
                )
            )
    entries = {
        f: (ids[(f, fl.entry)], ids[(f, fl.online_entry)] if fl.online_entry else -1)
        for f, fl in s.flows.items()
    }
    return stages, entries


class Router:
    """Moves demands and work packages through the district's stations.

    Parameters
    ----------
    env : simpy.Environment
        The environment.
    s : Scenario
        The scenario.
    cal : Calendar
        Office hours (for trips back and waits counted in open minutes).
    district : District
        The stations.
    pop : Population
        The residents (their satisfaction is updated on resolution).
    demands : Demands
        The demand stream.
    work : Workload
        The work packages pushed down to communities.
    task_unit : int
        Unit index receiving the work packages (-1 for none).
    fallback : Generator
        Stream for draws beyond the pre-drawn uniforms of a demand.
    """

    def __init__(
        self,
        env: simpy.Environment,
        s: Scenario,
        cal: Calendar,
        district: District,
        pop: Population,
        demands: Demands,
        work: Workload,
        task_unit: int,
        fallback: np.random.Generator,
    ) -> None:
        self.env, self.cal, self.district, self.pop = env, cal, district, pop
        self.stages, entries = compile_flows(s, district)
        n = demands.size
        self.n = n
        g = demands.groups
        self.entry = [entries[gi.flow] for gi in g]
        self.g_dept = [gi.department for gi in g]
        self.g_missing = [gi.missing_docs for gi in g]
        self.g_minutes = [(0.0, gi.intake_minutes, gi.processing_minutes) for gi in g]
        self.t_arrive = demands.time.tolist()
        self.group = demands.group.tolist()
        self.comm = demands.community.tolist()
        self.street = district.street_of[demands.community].tolist()
        self.online = demands.online.tolist()
        self.resident = demands.resident.tolist()
        self.u_service = demands.u_service.ravel().tolist()  # row i at i * DRAWS
        self.u_route = demands.u_route.ravel().tolist()
        self.sat = pop.satisfaction.tolist()
        self.fallback = fallback
        # preallocated record columns
        nan = math.nan
        self.stage = [-1] * n
        self.k = [0] * n
        self.last: list[Station | None] = [None] * n
        self.trips = [0] * n
        self.handoffs = [0] * n
        self.visits = [0] * n
        self.first_start = [nan] * n
        self.finish = [nan] * n
        self.wait = [0.0] * n
        self.outcome = [OPEN] * n
        # work packages
        self.work = work
        self.task_unit = task_unit
        self.w_time = work.time.tolist()
        self.w_comm = work.community.tolist()
        self.w_left = work.minutes.tolist()
        self.w_done = [nan] * work.size
        self.chunk = s.tasks.chunk_hours * 60.0
        sat = s.satisfaction
        self.sat_rate, self.sat_days, self.sat_trip = (
            sat.learning_rate,
            sat.target_days,
            sat.trip_penalty,
        )
        for st in district.stations:
            st.on_start = self.on_start
            st.on_done = self.on_done
            st.on_close = self.on_close
        self._next_demand = 0
        self._next_work = 0
        self.w_kind = work.kind.tolist()
        # hooks for governance mechanisms (off in the core model)
        self.meeting_done: Callable[[Station, Entry], None] = _ignore
        self.outsourcer: Callable[[int, CompiledStage, float], bool] | None = None

    # -- arrivals -------------------------------------------------------------------------
    def start(self) -> None:
        """Schedule the first demand and the first work package as SimPy events (for
        stepping the environment by hand; `run` is the fast way)."""
        self._schedule_demand()
        self._schedule_work()

    def run(self, until: float) -> None:
        """Run the environment to `until`, merging the demand stream into its event loop.

        Demands are known in advance and sorted, so instead of one event each they are
        taken straight from their list whenever the next one is due before the next event on
        SimPy's queue (a demand due at the same time as an event goes first). Everything
        else — services, forwarding, office hours, mechanisms — runs as SimPy events.
        """
        env = self.env
        self._schedule_work()
        queue, times, n = env._queue, self.t_arrive, self.n
        j = self._next_demand
        t_arr = times[j] if j < n else math.inf
        while True:
            t_ev = queue[0][0] if queue else math.inf
            if t_arr <= t_ev:
                if t_arr >= until:
                    break
                env._now = t_arr
                self._next_demand = j + 1
                entry, online_entry = self.entry[self.group[j]]  # `_arrive`, inlined
                self.enter(j, online_entry if (online_entry >= 0 and self.online[j]) else entry)
                j += 1
                t_arr = times[j] if j < n else math.inf
                continue
            if t_ev >= until:
                break
            # SimPy's Environment.step, inlined: pop the next event and run its callbacks
            env._now, _, _, event = heappop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                raise event._value
        env._now = until

    def _schedule_demand(self) -> None:
        j = self._next_demand
        if j < self.n:
            Timeout(self.env, max(self.t_arrive[j] - self.env.now, 0.0), j).callbacks.append(
                self._demand_arrives
            )

    def _demand_arrives(self, ev: Timeout) -> None:
        i = ev._value
        self.t_arrive[i] = self.env.now  # the clock, not the drawn time (rounding)
        self._next_demand = i + 1
        self._schedule_demand()
        self._arrive(i)

    def _arrive(self, i: int) -> None:
        """Demand `i` arises: it enters its flow (online if its resident goes online)."""
        entry, online_entry = self.entry[self.group[i]]
        self.enter(i, online_entry if (self.online[i] and online_entry >= 0) else entry)

    def _schedule_work(self) -> None:
        j = self._next_work
        if j < self.work.size and self.task_unit >= 0:  # the upfront stream only
            Timeout(self.env, max(self.w_time[j] - self.env.now, 0.0), j).callbacks.append(
                self._work_arrives
            )

    def _work_arrives(self, ev: Timeout) -> None:
        j = ev._value
        self._next_work = j + 1
        self._schedule_work()
        self._queue_work(j)

    def push_work(self, community: int, minutes: float, kind: int = 0) -> int:
        """Departments push a new work package to a community now (used by mechanisms that
        decide the task stream as the run goes); returns its index."""
        j = len(self.w_time)
        self.w_time.append(self.env.now)
        self.w_comm.append(community)
        self.w_left.append(minutes)
        self.w_done.append(math.nan)
        self.w_kind.append(kind)
        self._queue_work(j)
        return j

    def _queue_work(self, j: int, first: bool = False) -> None:
        """Queue the next chunk of work package `j` at its community's staff."""
        st = self.district.table[self.task_unit][self.w_comm[j]][0]
        left = self.w_left[j]
        st.join((TASK, j, left if left < self.chunk else self.chunk, self.w_time[j]), first)

    # -- stages ---------------------------------------------------------------------------
    def enter(self, i: int, sid: int) -> None:
        """Demand `i` enters stage `sid`: it joins the station serving it."""
        st = self.stages[sid]
        if st.outsource and self.outsourcer is not None:
            self.stage[i] = sid
            if self.outsourcer(i, st, self._duration(i, st)):
                return  # a social organisation does it and calls `advance` when done
        level = st.level
        if level == 0:
            loc = self.comm[i]
        elif level == 1:
            loc = self.street[i]
        elif level == 3:
            loc = self.g_dept[self.group[i]]
        else:
            loc = 0
        g = self.group[i]
        station = self.district.table[st.unit][loc][self.g_dept[g]]
        self.stage[i] = sid
        if st.cls == RESIDENT:
            self.trips[i] += 1
            if st.balk and len(station.queues[RESIDENT]) >= st.balk:
                self._end(i, ABANDONED)
                return
        last = self.last[i]
        if station is not last:
            self.visits[i] += 1
            if last is not None and last.servers and station.servers:
                self.handoffs[i] += 1
            self.last[i] = station
        station.join((st.cls, i, self._duration(i, st), self.env.now))

    def _duration(self, i: int, st: CompiledStage) -> float:
        """Service time of demand `i` at stage `st`, from its own pre-drawn uniforms."""
        mean = st.minutes if st.item_time == 0 else self.g_minutes[self.group[i]][st.item_time]
        if st.dist == FIXED:
            return mean
        k = self.k[i]
        u = self.u_service[i * DRAWS + k] if k < DRAWS else self.fallback.random()
        if st.dist == EXPONENTIAL:
            return -mean * math.log1p(-u)
        sg = st.sigma
        return mean * math.exp(sg * _inv_norm(min(max(u, 1e-12), 1 - 1e-12)) - sg * sg / 2)

    def on_start(self, station: Station, entry: Entry, now: float) -> None:
        """A station starts serving: note the first start and the resident's wait."""
        cls, i = entry[0], entry[1]
        if cls >= TASK:
            return
        if self.first_start[i] != self.first_start[i]:  # NaN: first service of this demand
            self.first_start[i] = now
        if cls == RESIDENT:
            t0 = entry[3]
            if now > t0:
                cal = self.cal
                self.wait[i] += cal.open_time(now) - cal.open_time(t0)

    def on_done(self, station: Station, entry: Entry) -> None:
        """A service ends: route the demand on, or continue the work package."""
        cls = entry[0]
        if cls == TASK:
            j = entry[1]
            self.w_left[j] -= entry[2]
            if self.w_left[j] > 1e-9:
                self._queue_work(j, first=True)
            else:
                self.w_done[j] = self.env.now
            return
        if cls == MEETING:
            self.meeting_done(station, entry)
            return
        i = entry[1]
        if self.stages[self.stage[i]].terminal:  # the common end of a flow, without a call
            self._end(i, RESOLVED)
        else:
            self.advance(i)

    def advance(self, i: int) -> None:
        """Demand `i` has finished its current stage: send it home for a missing document,
        on along a route, or end it resolved."""
        sid = self.stage[i]
        st = self.stages[sid]
        if st.terminal:  # no way on and nothing to send home for: resolved
            self._end(i, RESOLVED)
            return
        k = self.k[i]
        u = self.u_route[i * DRAWS + k] if k < DRAWS else self.fallback.random()
        self.k[i] = k + 1
        if st.missing_return:
            p = self.g_missing[self.group[i]]
            if u < p:
                self._later(i, sid, st.return_delay, resident=st.cls == RESIDENT)
                return
            u = (u - p) / (1.0 - p)
        cum = st.cum_p
        for r in range(len(cum)):
            if u < cum[r]:
                target = st.targets[r]
                self._later(i, target, st.delays[r], self.stages[target].cls == RESIDENT)
                return
        self._end(i, RESOLVED)

    def on_close(self, station: Station) -> None:
        """Closing time: residents still queueing must come back another day."""
        trips = self.trips
        for entry in station.queues[RESIDENT]:
            trips[entry[1]] += 1

    def _later(self, i: int, sid: int, delay: float, resident: bool) -> None:
        now = self.env.now
        if resident:  # the resident comes back when the office is open
            delay = self.cal.next_open(now + delay) - now
        if delay <= 0.0:
            self.enter(i, sid)
            return
        wake(self.env, delay, self._enter_later, (i, sid))

    def _enter_later(self, ev: Wake) -> None:
        i, sid = ev._value
        self.enter(i, sid)

    def finalize(self) -> None:
        """End of the run: write the residents' satisfaction back to the population."""
        self.pop.satisfaction[:] = self.sat

    def _end(self, i: int, outcome: int) -> None:
        """Demand `i` ends (resolved or abandoned); its resident's satisfaction moves toward
        how it went: ``exp(-days / target_days)``, less a penalty per extra trip."""
        now = self.env._now
        self.finish[i] = now
        self.outcome[i] = outcome
        r = self.resident[i]
        sat = self.sat
        score = 0.0
        if outcome == RESOLVED:
            score = math.exp((self.t_arrive[i] - now) / (DAY * self.sat_days))
            trips = self.trips[i]
            if trips > 1:
                score *= max(0.0, 1.0 - self.sat_trip * (trips - 1))
        sat[r] += self.sat_rate * (score - sat[r])


def _ignore(*_: Any) -> None:
    return None
