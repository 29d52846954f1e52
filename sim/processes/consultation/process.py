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

Every matter is drawn when the run starts (`sim.processes.consultation.matters`), with a
generator of its own for the draws made during the run (who is asked, who comes, who is
disappointed); so a reform that changes only what happens to matters (the linkage
mechanism, more funds, more channels) meets the same matters and the same residents: common
random numbers. What happens is counted by a `Tracker` (`sim.processes.consultation.tally`).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Generator
from typing import Any, ClassVar

import numpy as np
import simpy

from sim.clock import DAY, YEAR
from sim.model.station import Entry, Station
from sim.model.streams import substream
from sim.processes.consultation import people
from sim.processes.consultation.invitation import Invitations, Meeting
from sim.processes.consultation.matters import Matter, draw_matters
from sim.processes.consultation.tally import ConsultationTally, Tracker
from sim.processes.mechanism import Context
from sim.rules import consultation as rules
from sim.rules.priority import MEETING
from sim.scenario.sections.consultation import (
    LEVEL_NAMES,
    STEP_NAMES,
    ConsultationSpec,
    GuideSpec,
    LevelSpec,
)

JOB_BASE = 3 << 40  # job numbers of consultation meetings at the stations, apart from others
ESCALATED = "escalated"
CONSULT = STEP_NAMES.index("consult")
INITIAL = zlib.crc32(b"initial disappointment")  # sub-stream of the residents' starting state


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

    section: ClassVar[str] = "consultation"
    hooks: ClassVar[tuple[str, ...]] = ("meeting_done",)
    needs: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, ctx: Context, spec: ConsultationSpec, matters: list[Matter] | None = None
    ) -> None:
        self.ctx, self.spec = ctx, spec
        self.env: simpy.Environment = ctx.env
        s = ctx.scenario
        unit = ctx.district.unit_names.index(spec.unit)  # a community unit (checked at load)
        self.stations: list[Station] = [row[0] for row in ctx.district.table[unit]]
        pop = ctx.population
        self.pop = pop
        self.recover_at = np.full(pop.size, -math.inf)
        training = spec.training
        self.duration_factor = training.duration_factor if training else 1.0
        self.no_consensus_factor = training.no_consensus_factor if training else 1.0
        self.warm = s.warmup_days * DAY
        self.horizon = s.days * DAY
        self.given = matters
        self.matters: list[Matter] = []
        self.log: list[tuple[float, int, str, Any]] = []
        self._pending: dict[int, simpy.Event] = {}
        self._jobs = 0
        self.count = Tracker(pop.occupations, pop.size, self.warm, pop.educations)
        self.times_participated = self.count.times_participated
        self.invitations = Invitations(
            spec,
            pop,
            ctx.satisfaction.values,
            s.population.initial_satisfaction,
            self.count,
            self.recover_at,
            s.structure.grids_per_community,
        )
        self.scale = (
            1.0
            if spec.per_residents is None
            else s.structure.residents_per_community / spec.per_residents
        )

    # -- set-up ---------------------------------------------------------------------------
    def start(self) -> None:
        """Draw the residents' starting disappointment and every matter of the run, hook the
        staff's finished meetings, and start the arrivals."""
        rng = self.ctx.stream("consultation")
        d = self.spec.disappointment
        u = substream(rng, INITIAL).random((2, self.pop.size))
        if d.initial == "steady":
            inv = self.invitations
            come = people.come_chance(self.spec, self.pop, inv.willing)
            p = people.steady_start(self.spec, self.pop, come, self.scale, inv.pool_community)
            start = u[0] < p
            until = rules.recovery_time(u[1][start], 0.0, d.recovery_per_year)
            self.recover_at[start] = until
        orgs = self.ctx.stream("temporary_orgs") if self.spec.temporary_orgs else None
        if self.given is not None:
            self.matters = self.given
        else:
            self.matters = draw_matters(self.ctx, self.spec, rng, orgs)
        self.ctx.router.hooks.meeting_done.append(self._meeting_done)
        self.env.process(self._arrivals(self.matters))
        self.env.process(self._year_ends())

    # -- processes ------------------------------------------------------------------------
    def _arrivals(self, matters: list[Matter]) -> Generator[simpy.Event, None, None]:
        """Each matter arises at its time and starts its own process."""
        env = self.env
        for m in matters:
            if m.time > env.now:
                yield env.timeout(m.time - env.now)
            env.process(self.matter(m))

    def matter(self, m: Matter) -> Generator[simpy.Event, None, None]:
        """A matter from arising to its published result: a temporary organisation may form,
        the matter is consulted at its level (and the next when a deliberation fails), the
        result is carried out or not, and the organisation dissolves."""
        now = self.env.now
        level = rules.route_level(m.complexity, m.cross_grid)
        self._log(m, "arise", level)
        if now >= self.warm:
            self.count.raised += 1
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
            self.count.escalated += int(self.env.now >= self.warm)
            self._log(m, "escalate", up)
            level = up
        if self.env.now >= self.warm and m.time >= self.warm:
            self.count.matter_days.append((self.env.now - m.time) / DAY)
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
                meeting, visits = self.invitations.invite(m, level, lv, members, env.now)
                work = [self._minutes(hours[k], relief)] * lv.staff_at_meeting
                work.append(visits * spec.channels.visit_minutes)
                yield from self._staff(m, work)
                self._officials(lv, hours[k])
                p = rules.consensus_probability(lv.consensus, self.no_consensus_factor)
                agreed = m.u_consensus[LEVEL_NAMES.index(level)] < p
                if env.now >= self.warm:
                    self.count.held[level] += 1
                self._log(m, f"{level}/consult", tuple(sorted(meeting.residents.tolist())))
                if not agreed and lv.guide is not None:
                    self._log(m, "no_consensus", level)
                    agreed = yield from self._guided(m, lv.guide)
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
            self.count.level_days[level].append((env.now - t0) / DAY)
        return "implemented" if implemented else "not_implemented"

    def _form_org(self, m: Matter, size: int) -> np.ndarray:
        """A temporary social organisation of `size` residents forms around matter `m`: they
        are asked in order from the matter's pool, like meeting participants."""
        assert m.org_rng is not None
        pool = self.invitations.pool(m, rules.route_level(m.complexity, m.cross_grid))
        limit = self.spec.level(rules.route_level(m.complexity, m.cross_grid)).invite_limit
        k = min(limit, len(pool))
        cand = m.org_rng.choice(pool, size=k, replace=False) if k else pool[:0]
        u = m.org_rng.random(limit)[:k]
        draw, _ = self.invitations.ask(cand, u, size, self.env.now)
        members = cand[draw.taken]
        if self.env.now >= self.warm:
            self.count.orgs_formed += 1
        self._log(m, "org_formed", tuple(sorted(members.tolist())))
        return members

    def _officials(self, lv: LevelSpec, hours: float) -> None:
        """Officials sit through the meeting: their seats and hours are counted."""
        self.count.seated(self.env.now, lv.official_seats, hours * self.duration_factor)

    def _guided(self, m: Matter, guide: GuideSpec) -> Generator[simpy.Event, None, bool]:
        """No consensus: the legal-aid staff guide the parties at a second meeting (003), with
        one community staffer; True when they then agree."""
        if guide.days > 0.0:
            yield self.env.timeout(guide.days * DAY)
        yield from self._staff(m, [self._minutes(guide.hours, 0.0)])
        if self.env.now >= self.warm:
            self.count.guided += 1
            self.count.official_hours += guide.hours * self.duration_factor
        p = rules.consensus_probability(guide.consensus, self.no_consensus_factor)
        agreed = m.u_guide < p
        self._log(m, "guided", agreed)
        return agreed

    def _outcome(self, m: Matter, implemented: bool, meeting: Meeting | None) -> None:
        """The result is published: carried out or not; if not, participants may be
        disappointed and refuse to come until they get over it."""
        now = self.env.now
        self.count.published(now, implemented)
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
            self.count.saved_minutes += full - cut
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

    def _meeting_done(self, station: Station, entry: Entry) -> bool:
        """Router hook: a staffer finished a piece of meeting work; True when it was ours."""
        ev = self._pending.pop(entry[1], None)
        if ev is None:
            return False  # another mechanism's meeting
        ev.succeed()
        return True

    def _year_ends(self) -> Generator[simpy.Event, None, None]:
        """Note the share of residents refusing out of disappointment at each year end."""
        year = 1
        while year * YEAR < self.horizon:
            yield self.env.timeout(year * YEAR - self.env.now)
            self.count.year_end_disappointed[year - 1] = self._disappointed_share()
            year += 1

    def _disappointed_share(self) -> float:
        return float(np.mean(rules.refuses(self.recover_at, self.env.now)))

    def _log(self, m: Matter, what: str, detail: Any) -> None:
        self.log.append((self.env.now, m.index, what, detail))

    # -- results ------------------------------------------------------------------------
    def finish(self) -> None:
        """Nothing is left to settle after the run."""

    def tally(self) -> ConsultationTally:
        """What was counted, with the residents' disappointment at the end."""
        spec, pop = self.spec, self.pop
        return self.count.frozen(
            self.recover_at,
            self.horizon,
            pop.occupations.index(spec.official_occupation),
            tuple(spec.official_education.get(e, 0.0) for e in pop.educations),
        )
