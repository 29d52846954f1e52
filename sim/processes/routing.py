"""Routing: how an item moves between units, and the resident's trips along the way.

A flow is a Markov chain over stages (see `sim.scenario.schema.Flow`). When a demand finishes
a stage it may be sent home for a missing document (it comes back to the same stage later: one
more trip), or follow one of the stage's routes after a forwarding delay, or end: resolved.
Each move of a file between two staffed stations is a hand-off (e.g. 街居两级流转: community
to street and back); each entry into a stage with the resident present is a trip; a resident
still waiting when the office closes comes back the next working day (one more trip).
With exponential services and routing probabilities this is an open Jackson network.

The router is event-driven: its methods are callbacks on stations and on SimPy timeouts. It
writes what happens to each demand into the replication's record sink (`DemandLog`,
`WorkLog`), tells the residents' `Satisfaction` when a matter ends, and offers two declared
hook points to governance mechanisms (`RouterHooks`): a stage marked ``outsource`` is offered
to each ``outsource`` hook in turn, and a finished piece of meeting work to each
``meeting_done`` hook until one claims it. A mechanism that took a stage hands the demand back
with `complete_stage`, `repeat_stage` or `redo_stage`; one that decides the task stream during
the run adds work with `push_work`.
"""

from __future__ import annotations

import math

import numpy as np
from simpy.events import Timeout

from sim.model.calendar import next_weekly
from sim.model.district import AT_COMMUNITY, AT_DEPARTMENT, AT_STREET
from sim.model.station import Entry, Station
from sim.model.wake import run_merged, wake
from sim.processes.demand import DRAWS, Demands
from sim.processes.flows import (
    AWAY,
    EXPONENTIAL,
    FIXED,
    TRANSFER,
    compile_flows,
    first_stages,
    odds_without_repeat,
    service_minutes,
    stage_column,
)
from sim.processes.hooks import RouterHooks
from sim.processes.records import ABANDONED, RESOLVED, DemandLog, WorkLog
from sim.processes.satisfaction import Satisfaction
from sim.processes.setting import Setting
from sim.processes.tasks import Workload
from sim.rules.priority import MEETING, RESIDENT, TASK
from sim.rules.satisfaction import after_matter


class Router:
    """Moves demands and work packages through the district's stations.

    Parameters
    ----------
    setting : Setting
        The clock, scenario, office hours (for trips back and waits counted in open minutes)
        and stations.
    demands : Demands
        The demand stream.
    work : Workload
        The work packages pushed down to communities (to the scenario's ``tasks.unit``).
    satisfaction : Satisfaction
        The residents' satisfaction, moved when a matter ends.
    fallback : Generator
        Stream for draws beyond the pre-drawn uniforms of a demand.

    Attributes
    ----------
    log : DemandLog
        The demands' record columns, written as the run goes.
    work_log : WorkLog
        The work packages' record columns (grown by `push_work`).
    hooks : RouterHooks
        The hook points governance mechanisms append to.
    """

    def __init__(
        self,
        setting: Setting,
        demands: Demands,
        work: Workload,
        satisfaction: Satisfaction,
        fallback: np.random.Generator,
    ) -> None:
        s, district = setting.scenario, setting.district
        self.env, self.cal, self.district = setting.env, setting.calendar, district
        self.satisfaction = satisfaction
        self.sat_values = satisfaction.values  # read and written in place as matters end
        self.stages, entries = compile_flows(s, district)
        # the stages' scalar fields as typed columns by stage id, read on the hot paths
        st = self.stages
        self.s_unit, self.s_level, self.s_cls, self.s_balk, self.s_item, self.s_dist = (
            _column(stage_column(st, f, np.int32))
            for f in ("unit", "level", "cls", "balk", "item_time", "dist")
        )
        self.s_minutes = _column(stage_column(st, "minutes", np.float64))
        self.s_outsource, self.terminal = (
            _column(stage_column(st, f, np.int8)) for f in ("outsource", "terminal")
        )
        n = demands.size
        self.n = n
        g = demands.groups
        self.g_dept = [gi.department for gi in g]
        self.g_missing = [gi.missing_docs for gi in g]
        self.g_minutes = [(0.0, gi.intake_minutes, gi.processing_minutes) for gi in g]
        self.table = district.table
        # each demand's drawn attributes, read in place (typed memory, no Python objects)
        self.group = _column(demands.group)
        self.comm = _column(demands.community)
        self.street = _column(district.street_of[demands.community])
        self.resident = _column(demands.resident)
        self.u_service = _column(demands.u_service)  # row i at i * DRAWS
        self.u_route = _column(demands.u_route)
        # the stage each demand arrives at
        self.first = _column(
            first_stages([entries[gi.flow] for gi in g], demands.group, demands.online)
        )
        self.fallback = fallback
        # the record sink's columns, and local names for them on the hot paths
        self.log = log = DemandLog(demands.time)
        self.t_arrive = log.arrival
        self.trips, self.handoffs, self.visits = log.trips, log.handoffs, log.visits
        self.first_start, self.finish = log.first_start, log.finish
        self.wait, self.outcome = log.wait, log.outcome
        self.queued, self.served = log.queue, log.service
        self.between = log.between  # [TRANSFER | STATUTORY | AWAY, demand]
        self.staff_minutes, self.handling_yuan = log.staff_minutes, log.handling_yuan
        self.stage = _column(np.full(n, -1, dtype=np.int32))  # each demand's current stage
        self.k = _column(np.zeros(n, dtype=np.int32))  # each demand's uniforms used
        self.last: list[Station | None] = [None] * n
        # work packages
        self.work = work
        self.task_unit = district.unit_names.index(s.tasks.unit) if s.tasks.unit else -1
        # the station of each community that takes the work pushed down (its first window
        # group)
        self.task_desks = [row[0] for row in district.table[self.task_unit]] if s.tasks.unit else []
        self.work_log = WorkLog(
            work.time.tolist(), work.community.tolist(), work.minutes.tolist(), work.kind.tolist()
        )
        self.w_time, self.w_comm = self.work_log.time, self.work_log.community
        self.w_left, self.w_done = self.work_log.left, self.work_log.done
        self.chunk = s.tasks.chunk_hours * 60.0
        year = (
            365.0 * 1440.0
            if self.cal.always
            else self.cal.open_per_day * (self.cal.days_per_week * 365.0 / 7.0)
        )
        for st in district.stations:
            # a staffer's wage per minute of the office year: the cost of a minute of service
            st.cost_per_minute = st.staff_cost / year if st.servers else 0.0
            st.on_start = self.on_start
            st.on_done = self.on_done
            st.on_close = self.on_close
        self._next_demand = 0
        self._next_work = 0
        self._entering = self._enter_later  # the call-back of a delayed entry, bound once
        self.hooks = RouterHooks()

    @property
    def takes_work(self) -> bool:
        """Whether work pushed down lands anywhere (the scenario sets ``tasks.unit``)."""
        return self.task_unit >= 0

    def community(self, i: int) -> int:
        """The community demand `i` arose in."""
        return self.comm[i]

    # -- arrivals -------------------------------------------------------------------------
    def start(self) -> None:
        """Schedule the first demand and the first work package as SimPy events (for
        stepping the environment by hand; `run` is the fast way)."""
        self._schedule_demand()
        self._schedule_work()

    def run(self, until: float) -> None:
        """Run the environment to `until` with the demand stream merged into its calendar
        (`sim.model.wake.run_merged`): each demand enters its first stage when it is due,
        without an event of its own; everything else runs as events."""
        self._schedule_work()
        self._next_demand = run_merged(
            self.env, until, self.t_arrive, self._next_demand, self.enter, self.first
        )

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
        self.enter(i, self.first[i])  # its flow's entry (online if its resident goes online)

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
        j = self.work_log.add(self.env.now, community, minutes, kind)
        self._queue_work(j)
        return j

    def _queue_work(self, j: int, first: bool = False) -> None:
        """Queue the next chunk of work package `j` at its community's staff."""
        st = self.task_desks[self.w_comm[j]]
        left = self.w_left[j]
        st.join((TASK, j, left if left < self.chunk else self.chunk, self.w_time[j]), first)

    # -- stages ---------------------------------------------------------------------------
    def enter(self, i: int, sid: int) -> None:
        """Demand `i` enters stage `sid`: it joins the station serving it."""
        minutes = -1.0  # drawn once: for a mechanism offered the stage, else at the station
        if self.s_outsource[sid] and self.hooks.outsource:
            self.stage[i] = sid
            minutes = self._duration(i, sid)
            for take in self.hooks.outsource:
                if take(i, self.stages[sid], minutes):
                    return  # e.g. a social organisation does it and hands the demand back
        level = self.s_level[sid]
        dept = self.g_dept[self.group[i]]
        if level == AT_COMMUNITY:
            loc = self.comm[i]
        elif level == AT_STREET:
            loc = self.street[i]
        elif level == AT_DEPARTMENT:
            loc = dept
        else:
            loc = 0
        station = self.table[self.s_unit[sid]][loc][dept]
        self.stage[i] = sid
        cls = self.s_cls[sid]
        if cls == RESIDENT:
            self.trips[i] += 1
            balk = self.s_balk[sid]
            if balk and len(station.queues[RESIDENT]) >= balk:
                self._end(i, ABANDONED)
                return
        last = self.last[i]
        if station is not last:
            self.visits[i] += 1
            if last is not None and last.servers and station.servers:
                self.handoffs[i] += 1
            self.last[i] = station
        if minutes < 0.0:
            minutes = self._duration(i, sid)
        station.join((cls, i, minutes, self.env._now))

    def _duration(self, i: int, sid: int) -> float:
        """Service time of demand `i` at stage `sid`, from its own pre-drawn uniforms."""
        item = self.s_item[sid]
        mean = self.s_minutes[sid] if item == 0 else self.g_minutes[self.group[i]][item]
        dist = self.s_dist[sid]
        if dist == FIXED:
            return mean
        k = self.k[i]
        u = self.u_service[i * DRAWS + k] if k < DRAWS else self.fallback.random()
        if dist == EXPONENTIAL:  # `service_minutes`, inlined for the common case
            return -mean * math.log1p(-u)
        return service_minutes(self.stages[sid], mean, u)

    def on_start(self, station: Station, entry: Entry, now: float) -> None:
        """A station starts serving: note the first start and the resident's wait."""
        cls = entry[0]
        if cls >= TASK:
            return
        i, t0 = entry[1], entry[3]
        first = self.first_start
        if first[i] != first[i]:  # NaN: first service of this demand
            first[i] = now
        self.queued[i] += now - t0
        if cls == RESIDENT and now > t0:
            cal = self.cal
            self.wait[i] += cal.open_time(now) - cal.open_time(t0)

    def on_done(self, station: Station, entry: Entry) -> None:
        """A service ends: route the demand on, or continue the work package."""
        cls, i, minutes, _ = entry
        if cls == TASK:
            self.w_left[i] -= minutes
            if self.w_left[i] > 1e-9:
                self._queue_work(i, first=True)
            else:
                self.w_done[i] = self.env._now
            return
        if cls == MEETING:
            for claim in self.hooks.meeting_done:
                if claim(station, entry):
                    return
            return
        self.served[i] += minutes
        if station.servers:
            self.staff_minutes[i] += minutes
            self.handling_yuan[i] += minutes * station.cost_per_minute
        if self.terminal[self.stage[i]]:  # the common end of a flow, without a call
            self._end(i, RESOLVED)
        else:
            self.advance(i)

    def complete_stage(self, i: int, rework: bool = True) -> None:
        """A mechanism that took demand `i`'s current stage has done it: move on. With
        `rework` False it got it right first time: the stage's routes back to itself (the
        staff's repeat visits) are not taken."""
        self.advance(i, rework)

    def repeat_stage(self, i: int) -> None:
        """A mechanism that took demand `i`'s current stage hands it back undone: the
        stage's own station serves it."""
        self.enter(i, self.stage[i])

    def redo_stage(self, i: int) -> None:
        """A mechanism that took demand `i`'s current stage did it, but not right: the
        stage is entered again after the delay of its route back to itself (as a staff
        visit that missed), or at once (`repeat_stage`) when it has none."""
        sid = self.stage[i]
        st = self.stages[sid]
        if sid not in st.targets:
            self.enter(i, sid)
            return
        r = st.targets.index(sid)
        kind = st.delay_kinds[r] if st.delay_kinds else TRANSFER
        self._later(i, sid, st.delays[r], st.cls == RESIDENT, kind)

    def advance(self, i: int, rework: bool = True) -> None:
        """Demand `i` has finished its current stage: send it home for a missing document,
        on along a route, or end it resolved (without the routes back to the stage itself
        when `rework` is False: the others keep their odds, given no repeat)."""
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
                self._later(i, sid, st.return_delay, st.cls == RESIDENT, AWAY)
                return
            u = (u - p) / (1.0 - p)
        cum = st.cum_p
        if not rework and sid in st.targets:
            cum = odds_without_repeat(st, sid)
        for r in range(len(cum)):
            if u < cum[r]:
                target = st.targets[r]
                delay = st.delays[r]
                if st.pickups and st.pickups[r]:  # the file waits for the courier
                    now = self.env._now
                    delay = next_weekly(now + delay, st.pickups[r], st.pickup_minutes[r]) - now
                kind = st.delay_kinds[r] if st.delay_kinds else TRANSFER
                self._later(i, target, delay, self.stages[target].cls == RESIDENT, kind)
                return
        self._end(i, RESOLVED)

    def on_close(self, station: Station) -> None:
        """Closing time: residents still queueing must come back another day."""
        trips = self.trips
        for entry in station.queues[RESIDENT]:
            trips[entry[1]] += 1

    def _later(self, i: int, sid: int, delay: float, resident: bool, kind: int) -> None:
        """Demand `i` enters stage `sid` after `delay` minutes, counted as time of `kind`
        (`TRANSFER`, `STATUTORY` or `AWAY`)."""
        now = self.env._now
        if resident:  # the resident comes back when the office is open
            delay = self.cal.next_open(now + delay) - now
        self.between[kind, i] += delay
        if delay <= 0.0:
            self.enter(i, sid)
            return
        wake(self.env, delay, self._entering, (i, sid))

    def _enter_later(self, at: tuple[int, int]) -> None:
        self.enter(at[0], at[1])

    def _end(self, i: int, outcome: int) -> None:
        """Demand `i` ends (resolved or abandoned); its resident's satisfaction moves."""
        now = self.env._now
        self.finish[i] = now
        self.outcome[i] = outcome
        sat, r = self.satisfaction, self.resident[i]
        v = self.sat_values
        v[r] = after_matter(
            v[r],
            self.t_arrive[i],
            now,
            self.trips[i],
            outcome == RESOLVED,
            sat.target_days,
            sat.trip_penalty,
            sat.rate,
        )


def _column(values: np.ndarray) -> memoryview:
    """A demand attribute's typed column as the hot paths read it: one flat view of the
    array's own memory, whose items are plain Python numbers."""
    return memoryview(np.ascontiguousarray(values).reshape(-1))
