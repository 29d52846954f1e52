"""Three-level, six-step consultation (三级六步) and temporary social organisations.

Residents' matters arise in every community during office hours: a neighbour dispute
(纠纷), a problem of shared space, a renovation or a relocation. Each goes to the level that
fits it (`sim.rules.consultation.route_level`): a deliberation meeting (议事会) in its grid,
a linkage consultation (联动协商) in the community on the mass-work day (群众工作日) or ad hoc
when urgent, or a hearing (听证会) reported for approval first (Shazitang street, 003). At
each level it passes six steps — set the topic, review, publicise, consult, file, publish
the result — each a wait of some days and then community staff work, joined at the
community's staff as meeting work (class ``MEETING``, served first by every priority rule),
so consultation shows in staff hours. A grid deliberation without consensus goes up to a
linkage consultation.

Who comes is not set but drawn: residents of the grid or community are asked in a random
order, each takes part with their availability in office hours (by occupation) or through a
visit, written or online consultation where the reform offers them; a resident still
disappointed by an earlier consultation refuses. Once the result is published, it is carried
out with a probability that falls for want of funds and with every department involved; if
it is not, each participant may be disappointed and refuse to come again until they get
over it. For a dispute or a relocation a temporary social organisation (临时性社会组织, 001)
of a few residents may form, take work off the community staff and dissolve when the result
is published. Participatory training (参与式培训, 001) makes steps faster and consensus
likelier.

Every matter is drawn when the run starts, from sub-streams of the mechanism's
``consultation`` stream addressed by (kind, community), with a generator of its own for the
draws made during the run (who is asked, who comes, who is disappointed); temporary
organisations draw from the ``temporary_orgs`` stream. So a reform that changes only what
happens to matters (the linkage mechanism, more funds, more channels) meets the same matters
and the same residents: common random numbers.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from sim.clock import DAY, YEAR
from sim.model.station import Entry, Station
from sim.model.streams import substream
from sim.processes.mechanism import Context, register
from sim.rules import consultation as rules
from sim.rules.priority import MEETING
from sim.scenario.errors import ScenarioError
from sim.scenario.sections.consultation import (
    LEVEL_NAMES,
    STEP_NAMES,
    ConsultationSpec,
    LevelSpec,
)

JOB_BASE = 3 << 40  # job numbers of consultation meetings at the stations, apart from others
ESCALATED = "escalated"
CONSULT = STEP_NAMES.index("consult")
INITIAL = zlib.crc32(b"initial disappointment")  # sub-stream of the residents' starting state


@dataclass
class Matter:
    """A residents' matter (事项) and the draws fixed for it when the run starts.

    Attributes
    ----------
    index : int
        Number of the matter (in order of arrival).
    kind : str
        Matter kind in the scenario (``dispute``, ``relocation`` …).
    time : float
        Clock minute it arises.
    community, grid : int
        Where it arises.
    complexity : str
        ``simple``, ``complex`` or ``major``.
    cross_grid, urgent, needs_funds : bool
        Whether it spans grids, is urgent, needs money to carry out.
    departments : int
        Departments that must act on the outcome.
    seats : tuple of int
        Participants wanted at each level (in `LEVEL_NAMES` order).
    u_consensus : tuple of float
        Uniforms deciding consensus at each level.
    u_implement : float
        Uniform deciding whether the outcome is carried out.
    rng : Generator
        The matter's own stream for draws during the run.
    u_org : float
        Uniform deciding whether a temporary organisation forms (1.0: never).
    org_rng : Generator or None
        The temporary organisation's stream.
    """

    index: int
    kind: str
    time: float
    community: int
    grid: int
    complexity: str
    cross_grid: bool
    urgent: bool
    departments: int
    needs_funds: bool
    seats: tuple[int, int, int]
    u_consensus: tuple[float, float, float]
    u_implement: float
    rng: np.random.Generator
    u_org: float = 1.0
    org_rng: np.random.Generator | None = None


@dataclass
class Meeting:
    """Who took part in one consultation meeting, with their uniforms for disappointment."""

    residents: np.ndarray
    u_disappoint: np.ndarray
    u_recover: np.ndarray


@dataclass
class Tally:
    """Counts of one period (the run after warm-up, or one year)."""

    invited: int = 0
    attended: int = 0
    refused: int = 0
    outcomes: int = 0
    implemented: int = 0
    by_occupation: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    by_channel: np.ndarray = field(default_factory=lambda: np.zeros(4, np.int64))


@register("consultation")
class Consultation:
    """The consultation mechanism of one replication.

    Parameters
    ----------
    ctx : Context
        The replication's environment, scenario, district, residents and router.
    spec : ConsultationSpec
        The scenario's ``[consultation]`` section.

    Attributes
    ----------
    recover_at : ndarray of float
        Per resident, the clock minute until which they refuse out of disappointment
        (``-inf``: not disappointed).
    times_participated : ndarray of int
        Per resident, consultations they took part in.
    log : list of tuple
        ``(minute, matter, event, detail)`` in the order things happened.
    """

    def __init__(self, ctx: Context, spec: ConsultationSpec) -> None:
        self.ctx, self.spec = ctx, spec
        self.env: simpy.Environment = ctx.env
        s = ctx.scenario
        if spec.unit not in ctx.district.unit_names:
            raise ScenarioError("<scenario>", "consultation.unit", f"unknown unit '{spec.unit}'")
        unit = ctx.district.unit_names.index(spec.unit)
        if s.units[spec.unit].level != "community":
            raise ScenarioError(
                "<scenario>", "consultation.unit", "consultations run at a community-level unit"
            )
        if s.calendar.kind == "office" and spec.mass_work_weekday >= s.calendar.days_per_week:
            raise ScenarioError("<scenario>", "consultation.mass_work_weekday", "not a working day")
        self.stations: list[Station] = [row[0] for row in ctx.district.table[unit]]
        pop = ctx.population
        self.pop = pop
        n_comm = s.structure.communities
        grids = s.structure.grids_per_community
        self.pool_community = [np.flatnonzero(pop.community == c) for c in range(n_comm)]
        self.pool_grid = [[p[pop.grid[p] == g] for g in range(grids)] for p in self.pool_community]
        self.recover_at = np.full(pop.size, -math.inf)
        self.times_participated = np.zeros(pop.size, np.int64)
        training = spec.training
        self.duration_factor = training.duration_factor if training else 1.0
        self.no_consensus_factor = training.no_consensus_factor if training else 1.0
        self.warm = s.warmup_days * DAY
        self.horizon = s.days * DAY
        self.matters: list[Matter] = []
        self.log: list[tuple[float, int, str, Any]] = []
        self._pending: dict[int, simpy.Event] = {}
        self._jobs = 0
        self._previous_hook: Callable[[Station, Entry], None] = ctx.router.meeting_done
        n_occ = len(pop.occupations)
        self.total = Tally(by_occupation=np.zeros(n_occ, np.int64))
        self.years: dict[int, Tally] = defaultdict(
            lambda: Tally(by_occupation=np.zeros(n_occ, np.int64))
        )
        self.year_end_disappointed: dict[int, float] = {}
        self.held: dict[str, int] = dict.fromkeys(LEVEL_NAMES, 0)
        self.level_days: dict[str, list[float]] = {k: [] for k in LEVEL_NAMES}
        self.matter_days: list[float] = []
        self.raised = 0
        self.escalated = 0
        self.orgs_formed = 0
        self.saved_minutes = 0.0

    # -- set-up ---------------------------------------------------------------------------
    def start(self) -> None:
        """Draw the residents' starting disappointment and every matter of the run, hook the
        staff's finished meetings, and start the arrivals."""
        rng = self.ctx.stream("consultation")
        d = self.spec.disappointment
        u = substream(rng, INITIAL).random((2, self.pop.size))
        p = rules.initial_disappointment(self.pop.availability, d.initial_share)
        start = u[0] < p
        self.recover_at[start] = rules.recovery_time(u[1][start], 0.0, d.recovery_per_year)
        orgs = self.ctx.stream("temporary_orgs") if self.spec.temporary_orgs else None
        self.matters = self.draw_matters(rng, orgs)
        self.ctx.router.meeting_done = self._meeting_done
        self.env.process(self._arrivals(self.matters))
        self.env.process(self._year_ends())

    def draw_matters(
        self, rng: np.random.Generator, org_rng: np.random.Generator | None = None
    ) -> list[Matter]:
        """Every matter of the run, sorted by time: per kind and community a Poisson stream
        in office hours, with its attributes and uniforms, from sub-streams addressed by
        (kind, community) so that changing one kind or adding communities leaves the other
        matters as they were; `org_rng` gives the temporary organisations' draws."""
        s, cal = self.ctx.scenario, self.ctx.calendar
        open_minutes = cal.open_minutes_in(s.days)
        years = s.days / 365.0
        grids = s.structure.grids_per_community
        levels = [self.spec.level(k) for k in LEVEL_NAMES]
        orgs = self.spec.temporary_orgs
        rows: list[Matter] = []
        for kind, ms in self.spec.matters.items():
            key = zlib.crc32(kind.encode())
            with_org = org_rng is not None and orgs is not None and kind in orgs.kinds
            for c in range(s.structure.communities):
                n = int(substream(rng, key, c, 0).poisson(ms.rate_per_community_year * years))
                r = substream(rng, key, c, 1)
                times = cal.to_clock(r.uniform(0.0, open_minutes, n))
                grid = r.integers(0, grids, n)
                cross = r.random(n) < ms.cross_grid
                urgent = r.random(n) < ms.urgent
                depts = r.poisson(ms.departments_mean, n)
                funds = r.random(n) < ms.needs_funds
                seats = np.stack(
                    [r.integers(v.participants_min, v.participants_max + 1, n) for v in levels],
                    axis=1,
                )
                u_cons = r.random((n, 3))
                u_impl = r.random(n)
                seeds = r.integers(0, 2**63, n)
                u_org, org_seeds = np.ones(n), np.zeros(n, np.int64)
                if with_org:
                    assert org_rng is not None
                    o = substream(org_rng, key, c)
                    u_org, org_seeds = o.random(n), o.integers(0, 2**63, n)
                for j in range(n):
                    rows.append(
                        Matter(
                            index=-1,
                            kind=kind,
                            time=float(times[j]),
                            community=c,
                            grid=int(grid[j]),
                            complexity=ms.complexity,
                            cross_grid=bool(cross[j]),
                            urgent=bool(urgent[j]),
                            departments=int(depts[j]),
                            needs_funds=bool(funds[j]),
                            seats=(int(seats[j, 0]), int(seats[j, 1]), int(seats[j, 2])),
                            u_consensus=(
                                float(u_cons[j, 0]),
                                float(u_cons[j, 1]),
                                float(u_cons[j, 2]),
                            ),
                            u_implement=float(u_impl[j]),
                            rng=_generator(int(seeds[j])),
                            u_org=float(u_org[j]),
                            org_rng=_generator(int(org_seeds[j])) if with_org else None,
                        )
                    )
        rows.sort(key=lambda m: m.time)  # stable: ties keep kind and community order
        for i, m in enumerate(rows):
            m.index = i
        return rows

    # -- processes ------------------------------------------------------------------------
    def _arrivals(self, matters: list[Matter]) -> Generator[simpy.Event, None, None]:
        """Each matter arises at its time and starts its own process."""
        env = self.env
        for m in matters:
            if m.time > env.now:
                yield env.timeout(m.time - env.now)
            env.process(self.matter(m))

    def submit(self, m: Matter) -> simpy.Process:
        """Start matter `m` now (for tests and for other mechanisms raising matters)."""
        return self.env.process(self.matter(m))

    def matter(self, m: Matter) -> Generator[simpy.Event, None, None]:
        """A matter from arising to its published result: a temporary organisation may form,
        the matter is consulted at its level (and the next when a deliberation fails), the
        result is carried out or not, and the organisation dissolves."""
        now = self.env.now
        level = rules.route_level(m.complexity, m.cross_grid)
        self._log(m, "arise", level)
        if now >= self.warm:
            self.raised += 1
        members = np.zeros(0, np.int64)
        org = self.spec.temporary_orgs
        has_org = org is not None and m.org_rng is not None and m.u_org < org.formation
        if has_org:
            assert org is not None and m.org_rng is not None
            members = self._form_org(m, org.members)
        while True:
            result = yield from self.consult(m, level, members, has_org)
            if result != ESCALATED:
                break
            up = self.spec.level(level).escalate_to
            assert up is not None
            self.escalated += int(self.env.now >= self.warm)
            self._log(m, "escalate", up)
            level = up
        if self.env.now >= self.warm and m.time >= self.warm:
            self.matter_days.append((self.env.now - m.time) / DAY)
        if has_org:
            self._log(m, "org_dissolved", None)

    def consult(
        self, m: Matter, level: str, members: np.ndarray, has_org: bool
    ) -> Generator[simpy.Event, None, str]:
        """The six steps of matter `m` at `level`; returns ``"escalated"`` when a meeting
        without consensus hands it up, else ``"implemented"`` or ``"not_implemented"``."""
        env, spec = self.env, self.spec
        lv: LevelSpec = spec.level(level)
        f = self.duration_factor
        relief = spec.temporary_orgs.relief if has_org and spec.temporary_orgs else 0.0
        days, hours = lv.days.as_tuple(), lv.staff_hours.as_tuple()
        t0 = env.now
        agreed = True
        meeting: Meeting | None = None
        for k, step in enumerate(STEP_NAMES):
            wait = days[k] * f * DAY
            if wait > 0.0:
                yield env.timeout(wait)
            if k == CONSULT:
                if lv.mass_work_day and not m.urgent:
                    due = rules.next_mass_work_day(
                        env.now,
                        self.ctx.calendar.opening_minute,
                        spec.mass_work_weekday,
                        spec.mass_work_weeks,
                    )
                    if due > env.now:
                        yield env.timeout(due - env.now)
                meeting, visits = self._invite(m, level, lv, members)
                work = [self._minutes(hours[k], relief)] * lv.staff_at_meeting
                work.append(visits * spec.channels.visit_minutes)
                yield from self._staff(m, work)
                p = rules.consensus_probability(lv.consensus, self.no_consensus_factor)
                agreed = m.u_consensus[LEVEL_NAMES.index(level)] < p
                if env.now >= self.warm:
                    self.held[level] += 1
                self._log(m, f"{level}/consult", tuple(sorted(meeting.residents.tolist())))
                if not agreed:
                    self._log(m, "no_consensus", level)
                    if lv.escalate_to is not None:
                        return ESCALATED
            else:
                yield from self._staff(m, [self._minutes(hours[k], relief)])
                self._log(m, f"{level}/{step}", None)
            if step == "review" and lv.approval_days > 0.0:
                yield env.timeout(lv.approval_days * DAY)
                self._log(m, "approved", level)
        impl = spec.implementation
        p = rules.implementation_probability(
            impl.base,
            impl.funds,
            m.needs_funds,
            m.departments,
            impl.department_penalty,
            impl.linkage_carry,
        )
        implemented = agreed and m.u_implement < p
        self._outcome(m, implemented, meeting)
        if t0 >= self.warm:
            self.level_days[level].append((env.now - t0) / DAY)
        return "implemented" if implemented else "not_implemented"

    def _form_org(self, m: Matter, size: int) -> np.ndarray:
        """A temporary social organisation of `size` residents forms around matter `m`: they
        are asked in order from the matter's pool, like meeting participants."""
        assert m.org_rng is not None
        pool = self._pool(m, rules.route_level(m.complexity, m.cross_grid))
        limit = self.spec.level(rules.route_level(m.complexity, m.cross_grid)).invite_limit
        k = min(limit, len(pool))
        cand = m.org_rng.choice(pool, size=k, replace=False) if k else pool[:0]
        u = m.org_rng.random(limit)[:k]
        draw, _ = self._draw(cand, u, size)
        members = cand[draw.taken]
        if self.env.now >= self.warm:
            self.orgs_formed += 1
        self._log(m, "org_formed", tuple(sorted(members.tolist())))
        return members

    def _pool(self, m: Matter, level: str) -> np.ndarray:
        """Residents invited from: the matter's grid or its community."""
        if self.spec.level(level).pool == "grid":
            return self.pool_grid[m.community][m.grid]
        return self.pool_community[m.community]

    def _invite(
        self, m: Matter, level: str, lv: LevelSpec, members: np.ndarray
    ) -> tuple[Meeting, int]:
        """Ask residents to the meeting until its seats are filled; a temporary
        organisation's members come first. Returns the meeting and the number reached by a
        visit (staff time)."""
        rng = m.rng
        pool = self._pool(m, level)
        k = min(lv.invite_limit, len(pool))
        cand = rng.choice(pool, size=k, replace=False) if k else pool[:0]
        u_attend = rng.random(lv.invite_limit)[:k]
        u_dis = rng.random(lv.invite_limit)[:k]
        u_rec = rng.random(lv.invite_limit)[:k]
        if len(members):
            keep = ~np.isin(cand, members)
            cand, u_attend, u_dis, u_rec = cand[keep], u_attend[keep], u_dis[keep], u_rec[keep]
        seats = max(m.seats[LEVEL_NAMES.index(level)] - len(members), 0)
        draw, channel = self._draw(cand, u_attend, seats)
        taken = draw.taken
        visits = int(np.count_nonzero(channel[taken] == rules.VISIT))
        # the organisation's members: their own uniforms for disappointment
        u_m = rng.random((2, len(members))) if len(members) else np.zeros((2, 0))
        meeting = Meeting(
            np.concatenate([members, cand[taken]]).astype(np.int64),
            np.concatenate([u_m[0], u_dis[taken]]),
            np.concatenate([u_m[1], u_rec[taken]]),
        )
        self.times_participated[meeting.residents] += 1
        return meeting, visits

    def _draw(self, cand: np.ndarray, u: np.ndarray, seats: int) -> tuple[rules.Draw, np.ndarray]:
        """Ask candidates `cand` (uniforms `u`) until `seats` take part; count who was asked,
        who came and by which channel, and who refused out of disappointment. Returns the
        draw and each candidate's channel."""
        now = self.env.now
        ch = self.spec.channels
        pop = self.pop
        channel = rules.attendance_channel(
            u, pop.availability[cand], pop.online_factor[cand], ch.visits, ch.written, ch.online
        )
        refusing = rules.refuses(self.recover_at[cand], now)
        draw = rules.take_participants(channel, refusing, seats)
        came = cand[draw.taken]
        occ = np.bincount(pop.occupation[came], minlength=len(pop.occupations))
        chan = np.bincount(channel[draw.taken], minlength=4)[:4]
        tallies = [self.years[int(now // YEAR)]]
        if now >= self.warm:
            tallies.append(self.total)
        for t in tallies:
            t.invited += draw.invited
            t.attended += len(draw.taken)
            t.refused += len(draw.refused)
            t.by_occupation += occ
            t.by_channel += chan
        return draw, channel

    def _outcome(self, m: Matter, implemented: bool, meeting: Meeting | None) -> None:
        """The result is published: carried out or not; if not, participants may be
        disappointed and refuse to come until they get over it."""
        now = self.env.now
        tallies = [self.years[int(now // YEAR)]]
        if now >= self.warm:
            tallies.append(self.total)
        for t in tallies:
            t.outcomes += 1
            t.implemented += implemented
        self._log(m, "implemented" if implemented else "not_implemented", None)
        if meeting is None or not len(meeting.residents):
            return
        d = self.spec.disappointment
        hit = rules.becomes_disappointed(meeting.u_disappoint, implemented, d.probability)
        if hit.any():
            who = meeting.residents[hit]
            until = rules.recovery_time(meeting.u_recover[hit], now, d.recovery_per_year)
            self.recover_at[who] = np.maximum(self.recover_at[who], until)

    def _minutes(self, hours: float, relief: float) -> float:
        """Staff minutes of a step, and the minutes a temporary organisation saves."""
        full = rules.staff_minutes(hours, self.duration_factor)
        cut = rules.staff_minutes(hours, self.duration_factor, relief)
        if self.env.now >= self.warm:
            self.saved_minutes += full - cut
        return cut

    def _staff(self, m: Matter, minutes: list[float]) -> Generator[simpy.Event, None, None]:
        """Community staff do the work of a step: one meeting entry per staffer at the
        community's staff; the step ends when all are done."""
        station = self.stations[m.community]
        events = []
        for mins in minutes:
            if mins <= 0.0:
                continue
            job = JOB_BASE + self._jobs
            self._jobs += 1
            ev = self.env.event()
            self._pending[job] = ev
            station.join((MEETING, job, mins, self.env.now))
            events.append(ev)
        if events:
            yield self.env.all_of(events)

    def _meeting_done(self, station: Station, entry: Entry) -> None:
        """Router hook: a staffer finished a piece of meeting work."""
        ev = self._pending.pop(entry[1], None)
        if ev is None:
            self._previous_hook(station, entry)  # another mechanism's meeting
            return
        ev.succeed()

    def _year_ends(self) -> Generator[simpy.Event, None, None]:
        """Note the share of residents refusing out of disappointment at each year end."""
        year = 1
        while year * YEAR < self.horizon:
            yield self.env.timeout(year * YEAR - self.env.now)
            self.year_end_disappointed[year - 1] = self._disappointed_share()
            year += 1

    def _disappointed_share(self) -> float:
        return float(np.mean(rules.refuses(self.recover_at, self.env.now)))

    def _log(self, m: Matter, what: str, detail: Any) -> None:
        self.log.append((self.env.now, m.index, what, detail))

    # -- results --------------------------------------------------------------------------
    def metrics(self) -> dict[tuple[str, str], float]:
        """Participation, the participants' mix, refusals, throughput, implementation and
        temporary organisations after the warm-up (see docs/metrics.md)."""
        t = self.total
        pop = self.pop
        out: dict[tuple[str, str], float] = {
            ("matters_raised", ""): float(self.raised),
            ("participation_rate", ""): _share(t.attended, t.invited),
            ("refusal_share_disappointed", ""): _share(t.refused, t.invited),
        }
        for i, name in enumerate(pop.occupations):
            out[(f"participant_share_{name}", "")] = _share(int(t.by_occupation[i]), t.attended)
        out[("participant_share_remote", "")] = _share(int(t.by_channel[1:].sum()), t.attended)
        out[("residents_participated_share", "")] = _share(
            int(np.count_nonzero(self.times_participated)), pop.size
        )
        out[("disappointed_share_end", "")] = float(
            np.mean(rules.refuses(self.recover_at, self.horizon))
        )
        out[("consultations_held", "")] = float(sum(self.held.values()))
        out[("consultation_days_mean", "")] = _mean(self.matter_days)
        for level in LEVEL_NAMES:
            out[("consultations_held", level)] = float(self.held[level])
            out[("consultation_days_mean", level)] = _mean(self.level_days[level])
        out[("consultations_escalated", "")] = float(self.escalated)
        out[("consultation_implemented_share", "")] = _share(t.implemented, t.outcomes)
        out[("temporary_orgs_formed", "")] = float(self.orgs_formed)
        out[("staff_hours_saved_by_temporary_orgs", "")] = self.saved_minutes / 60.0
        return out

    def yearly(self) -> list[tuple[int, str, float]]:
        """Per year of the run (warm-up included): participation rate, refusal share,
        implemented share, and the share of residents disappointed at the year's end."""
        rows: list[tuple[int, str, float]] = []
        n_years = math.ceil(self.horizon / YEAR - 1e-9)
        for y in range(n_years):
            t = self.years.get(y, Tally())
            rows.append((y, "participation_rate", _share(t.attended, t.invited)))
            rows.append((y, "refusal_share_disappointed", _share(t.refused, t.invited)))
            rows.append((y, "consultation_implemented_share", _share(t.implemented, t.outcomes)))
            end = self.year_end_disappointed.get(y)
            if end is None:  # the last year ends at the horizon
                end = float(np.mean(rules.refuses(self.recover_at, self.horizon)))
            rows.append((y, "disappointed_share", end))
        return rows


def _generator(seed: int) -> np.random.Generator:
    """A matter's own generator, from a seed drawn off the mechanism's stream."""
    return np.random.Generator(np.random.PCG64(seed))


def _share(part: int, whole: int) -> float:
    return part / whole if whole else math.nan


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan
