"""Asking residents to a consultation: who is asked, who comes and why the others do not.

Residents of the matter's grid or community are asked in a random order (the matter's own
stream) until the meeting's resident seats are filled (`sim.rules.consultation.
take_participants`): each comes when willing (`sim.rules.participation.willingness`, with
the matter's interest and the resident's trust) and reached (available at the meeting's
time, or by a visit, written or online consultation), and not while disappointed. What is
asked and who came is counted by the consultation's `Tracker`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.population import Population
from sim.processes.consultation import people
from sim.processes.consultation.matters import Matter
from sim.processes.consultation.tally import Tracker
from sim.rules import consultation as rules
from sim.rules import participation
from sim.scenario.sections.consultation import LEVEL_NAMES, ConsultationSpec, LevelSpec


@dataclass
class Meeting:
    """Who took part in one consultation meeting, with their uniforms for disappointment."""

    residents: np.ndarray
    u_disappoint: np.ndarray
    u_recover: np.ndarray


class Invitations:
    """The residents' side of consultation in one replication.

    Parameters
    ----------
    spec : ConsultationSpec
        The scenario's ``[consultation]`` section.
    pop : Population
        The residents.
    satisfaction : list of float
        The residents' current satisfaction (read when they are asked).
    initial_satisfaction : float
        The population's starting satisfaction (trust is measured from it).
    count : Tracker
        Where the asking is counted.
    recover_at : ndarray of float
        Per resident, the minute until which they refuse out of disappointment (shared with
        the consultation, which writes it).
    grids : int
        Grids per community.
    """

    def __init__(
        self,
        spec: ConsultationSpec,
        pop: Population,
        satisfaction: list[float],
        initial_satisfaction: float,
        count: Tracker,
        recover_at: np.ndarray,
        grids: int,
    ) -> None:
        self.spec, self.pop, self.count, self.recover_at = spec, pop, count, recover_at
        self.satisfaction, self.initial_satisfaction = satisfaction, initial_satisfaction
        n_comm = int(pop.community.max()) + 1 if pop.size else 0
        self.pool_community = [np.flatnonzero(pop.community == c) for c in range(n_comm)]
        self.pool_grid = [[p[pop.grid[p] == g] for g in range(grids)] for p in self.pool_community]
        self.willing = people.base_willingness(spec, pop)

    def pool(self, m: Matter, level: str) -> np.ndarray:
        """Residents invited from: the matter's grid or its community."""
        if self.spec.level(level).pool == "grid":
            return self.pool_grid[m.community][m.grid]
        return self.pool_community[m.community]

    def invite(
        self, m: Matter, level: str, lv: LevelSpec, members: np.ndarray, now: float
    ) -> tuple[Meeting, int]:
        """Ask residents to the meeting until its seats are filled; a temporary
        organisation's members come first. Returns the meeting and the number reached by a
        visit (staff time)."""
        rng = m.rng
        pool = self.pool(m, level)
        k = min(lv.invite_limit, len(pool))
        cand = rng.choice(pool, size=k, replace=False) if k else pool[:0]
        u_attend = rng.random(lv.invite_limit)[:k]
        u_dis = rng.random(lv.invite_limit)[:k]
        u_rec = rng.random(lv.invite_limit)[:k]
        u_will = rng.random(lv.invite_limit)[:k]
        if len(members):
            keep = ~np.isin(cand, members)
            cand, u_attend, u_dis, u_rec = cand[keep], u_attend[keep], u_dis[keep], u_rec[keep]
            u_will = u_will[keep]
        seats = max(m.seats[LEVEL_NAMES.index(level)] - lv.official_seats - len(members), 0)
        interested = self.pop.grid[cand] == m.grid if lv.pool == "community" else True
        draw, channel = self.ask(cand, u_attend, seats, now, u_will, interested)
        taken = draw.taken
        visits = int(np.count_nonzero(channel[taken] == rules.VISIT))
        # the organisation's members: their own uniforms for disappointment
        u_m = rng.random((2, len(members))) if len(members) else np.zeros((2, 0))
        meeting = Meeting(
            np.concatenate([members, cand[taken]]).astype(np.int64),
            np.concatenate([u_m[0], u_dis[taken]]),
            np.concatenate([u_m[1], u_rec[taken]]),
        )
        self.count.times_participated[meeting.residents] += 1
        return meeting, visits

    def ask(
        self,
        cand: np.ndarray,
        u: np.ndarray,
        seats: int,
        now: float,
        u_will: np.ndarray | None = None,
        interested: np.ndarray | bool = True,
    ) -> tuple[rules.Draw, np.ndarray]:
        """Ask candidates `cand` (uniforms `u` for being reached, `u_will` for being willing)
        until `seats` take part; count who was asked, who came (by channel, occupation and
        education) and why the others did not. Returns the draw and each candidate's
        channel."""
        ch = self.spec.channels
        pop = self.pop
        channel = rules.attendance_channel(
            u, pop.availability[cand], pop.online_factor[cand], ch.visits, ch.written, ch.online
        )
        if u_will is None:  # a temporary organisation's members: asked in person only
            u_will = np.zeros(len(cand))
        values = self.satisfaction  # only the candidates': the whole list is 100,000s long
        sat = np.array([values[i] for i in cand.tolist()], dtype=float)
        willing = people.asked_willingness(
            self.spec,
            self.willing[cand],
            np.broadcast_to(interested, cand.shape),
            sat,
            self.initial_satisfaction,
        )
        reason = participation.reasons(
            u_will, willing, channel >= 0, rules.refuses(self.recover_at[cand], now)
        )
        draw = rules.take_participants(reason, seats)
        came = cand[draw.taken]
        occ = np.bincount(pop.occupation[came], minlength=len(pop.occupations))
        edu = np.bincount(pop.education[came], minlength=len(pop.educations))
        chan = np.bincount(channel[draw.taken], minlength=4)[:4]
        self.count.asked(now, draw.invited, len(draw.taken), draw.declined, occ, chan, edu)
        return draw, channel
