"""The social-organisation market (项目化): projects, bids, growth, entry and exit.

Tongguanshan lists service functions as projects and awards them by open competition; the
organisations compete, the fittest survive and the sector professionalises (001). Personalised
needs — elderly care, empty-nest elderly, the seriously ill — still come to the community
first, and only social organisations serve them well (001).

At the start of every year of the run the district

1. closes last year's contracts: an organisation that delivered projects gains experience and
   quality; one that won nothing counts one more idle year, and after ``exit_after_years`` of
   them it closes (exits);
2. lists this year's projects (`sim.model.social_orgs.list_projects`);
3. takes bids: the active organisations, in a random order, each bid for ``bids_each``
   projects per project they can hold, among those of their own community and the
   district-wide ones, where the fewest have bid so far (`choose_projects`), at their price;
4. awards them with the scenario's contracting rule (`sim.rules.contracting`);
5. grants each winner the project's hours for the year (budget / cost per hour), a share of
   which (``personal_share``) serves residents' personalised needs in the community the
   project serves (any community for a district-wide project). The hours are paid out by
   the month — a twelfth at the start of each month of the year, what is left carrying over
   — and lapse at the year's end.

New organisations enter all year round, a Poisson stream per community whose rate grows with
the community's size and the free space it opens (`sim.model.social_orgs.entry_rate`); they
bid from the next listing on.

A line whose ``quality`` is set (health services, property management) is not tendered: a
dedicated contractor holds each of its projects (contracting out, not competition among the
social organisations), with that fixed chance of getting a stage right first time.

A stage marked ``outsource`` (a personal visit, a health check's organisation, a repair) is
offered to the market through the router's ``outsource`` hook point: the first contract
serving the stage's flow (the line's ``serves``) and the resident's community, with enough
hours left, takes it; its provider comes after the contract's response clause (the line's
``response_hours``) for the stage's service time, and gets it right first time with its
quality as probability; the router then moves the demand on without the stage's repeat
visits (`Router.complete_stage` with ``rework=False``). A need no contract has hours for falls
back on the community staff station at once, as in the core model, where the staff's own
first-time-right is the scenario's route from the stage back to itself; one the provider got
wrong comes back after that route's delay, as a staff miss would, and the staff do it
(`Router.redo_stage`; at once for a stage without such a route).

Every draw comes from the replication's ``market`` stream. Pass a list as ``log`` to record
``(event, who, what, minute)`` for each step: ``enter`` (organisation, community), ``deliver``
(organisation, projects), ``exit`` (organisation, idle years), ``list`` (project, budget),
``bid`` (organisation, project), ``award`` (organisation, project), ``grant`` (organisation,
hours), ``take`` (organisation, demand), ``met`` / ``unmet`` (organisation, demand) and
``fallback`` (-1 for the community staff, demand); a contractor is named by its line
(``award`` and ``grant`` without a ``bid``).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import fields
from typing import ClassVar

import numpy as np
import simpy
from simpy.events import Timeout

from sim.clock import DAY, MONTH, MONTHS, YEAR
from sim.model.social_orgs import (
    DISTRICT,
    Project,
    SocialOrgs,
    capacity,
    entry_rate,
    initial_mean,
    list_projects,
)
from sim.processes.flows import CompiledStage
from sim.processes.market_tally import MarketTally
from sim.processes.mechanism import Context
from sim.rules.contracting import RULES, Bids, Weights, award, choose_projects
from sim.scenario.sections.market import MarketSpec

STAFF = -1  # "who" of a need left to the community staff


class Market:
    """The yearly purchasing cycle, the organisations' entry and exit, and their visits.

    Parameters
    ----------
    ctx : Context
        The replication.
    spec : MarketSpec
        The scenario's ``[market]`` section.
    log : list, optional
        Filled with ``(event, who, what, minute)`` tuples (see the module docstring).
    """

    section: ClassVar[str] = "market"
    hooks: ClassVar[tuple[str, ...]] = ("outsource",)
    needs: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: Context, spec: MarketSpec, log: list[tuple] | None = None) -> None:
        self.ctx, self.spec, self.log = ctx, spec, log
        self.env = ctx.env
        # sub-streams of the market stream, so that the same seed gives the same entrants
        # whatever the bids and visits drew (common random numbers across market variants)
        streams = ctx.stream("market").spawn(4)
        self.rng_initial, self.rng_entry, self.rng_bids, self.rng_visits = streams
        self.orgs = SocialOrgs()
        s = ctx.scenario
        self.years = max(1, math.ceil(s.days / 365.0))
        self.residents = [s.structure.residents_per_community] * s.structure.communities
        w = spec.weights
        self.weights = Weights(w.price, w.quality, w.experience, w.experience_full)
        self.rule = RULES[spec.rule]
        for name, line in spec.projects.items():
            unknown = set(line.serves or ()) - set(s.flows)
            if unknown:  # a misspelt flow would leave the line serving nothing
                raise ValueError(f"market.projects.{name}.serves: unknown flows {unknown}")
        # this year's contracts: provider, minutes for needs granted and used, the flows
        # served (None: all), response minutes, and a contractor's quality (NaN: the org's)
        self.c_org: list[int | str] = []
        self.c_minutes: list[float] = []
        self.c_used: list[float] = []
        self.c_flows: list[frozenset[str] | None] = []
        self.c_response: list[float] = []
        self.c_quality: list[float] = []
        self._listed_at = 0.0
        self._local: list[list[int]] = [[] for _ in self.residents]
        self._district: list[int] = []
        self._bidders: list[int] = []
        self._won: dict[int, int] = {}
        self._holder: dict[str, int] = {}
        self._declined: set[int] = set()
        y = self.years
        self.listed, self.bids, self.awarded = np.zeros(y), np.zeros(y), np.zeros(y)
        self.hours, self.spend = np.zeros(y), np.zeros(y)
        self.granted_minutes, self.used_minutes = np.zeros(y), np.zeros(y)
        self.entered, self.exited = np.zeros(y), np.zeros(y)
        self.quality_listed = np.full(y, math.nan)
        self.quality_holders = np.full(y, math.nan)
        self.offered, self.met = np.zeros(y), np.zeros(y)
        self.offered_after, self.met_after = 0, 0  # after the warm-up, for the summary
        self.taken, self.taken_after = np.zeros(y), 0
        self.org_taken, self.org_met = np.zeros(y), np.zeros(y)
        self.contract_hours, self.contract_spend = np.zeros(y), np.zeros(y)
        self.contract_minutes, self.contract_used = np.zeros(y), np.zeros(y)

    # -- processes ------------------------------------------------------------------------
    def start(self) -> None:
        """Take over the outsourced stages, seed the initial organisations, start the yearly
        cycle and the entrants."""
        self.ctx.router.hooks.outsource.append(self.take)
        means = np.array([initial_mean(self.spec, r) for r in self.residents])
        total = float(means.sum())
        rng = self.rng_initial
        for _ in range(int(rng.poisson(total)) if total > 0 else 0):
            self._new_org(int(rng.choice(len(means), p=means / total)), rng, initial=True)
        self.env.process(self._cycle())
        self.env.process(self._entrants())

    def _cycle(self) -> Generator[simpy.Event, None, None]:
        """At the start of each year: close last year, list, bid, award, grant."""
        for y in range(self.years):
            if self.env.now < y * YEAR:
                yield self.env.timeout(y * YEAR - self.env.now)
            if y > 0:
                self._close(y)
            self._listing(y)

    def _entrants(self) -> Generator[simpy.Event, None, None]:
        """New organisations register (登记成立) as a Poisson stream over communities."""
        rates = np.array([entry_rate(self.spec, r) for r in self.residents])
        total = float(rates.sum())
        if total <= 0.0:
            return
        p = rates / total
        rng = self.rng_entry
        while True:
            yield self.env.timeout(rng.standard_exponential() * YEAR / total)
            self._new_org(int(rng.choice(len(p), p=p)), rng, initial=False)

    def _new_org(self, community: int, rng: np.random.Generator, initial: bool) -> int:
        """An organisation registers in `community` (one of the initial stock, or an
        entrant), its quality and price drawn from `rng`."""
        spec, now = self.spec, self.env.now
        q = float(rng.uniform(spec.quality_low, spec.quality_high))
        price = float(rng.uniform(spec.price_low, 1.0))
        o = self.orgs.add(community, q, price, now, initial=initial)
        if not initial:
            self.entered[self._year(now)] += 1
        self._note("enter", o, community)
        return o

    # -- the yearly cycle -----------------------------------------------------------------
    def _close(self, y: int) -> None:
        """Close year ``y - 1``: the bidders grow or count an idle year, and may exit."""
        orgs, spec = self.orgs, self.spec
        for o in self._bidders:
            n = self._won.get(o, 0)
            if n:
                orgs.deliver(o, n, spec.quality_growth)
                self._note("deliver", o, n)
                continue
            orgs.idle_years[o] += 1
            if orgs.idle_years[o] >= spec.exit_after_years:
                orgs.exited[o] = self.env.now
                self.exited[y] += 1
                self._note("exit", o, orgs.idle_years[o])

    def _listing(self, y: int) -> None:
        """List the year's projects, take the bids, award them and grant the hours."""
        listed = list_projects(self.spec, self.residents, self.ctx.community_funds)
        for pr in listed:
            self._note("list", pr.key, pr.budget)
        lines = self.spec.projects
        projects = [pr for pr in listed if lines[pr.line].quality is None]
        contracted = [pr for pr in listed if lines[pr.line].quality is not None]
        bidders = self.orgs.active()
        caps = np.array(
            [capacity(e, self.spec.projects_to_grow) for e in self.orgs.experience], np.int64
        )
        bids = self._bids(projects, bidders, caps)
        scores = self.rule(bids, self.weights)
        winner = award(bids, scores, len(projects), caps, self.rng_bids.random(bids.size))
        self._grant(y, projects, bids, winner)
        for pr in contracted:  # contracted out, not tendered
            hours = pr.budget / self.spec.cost_per_hour_yuan
            self.contract_minutes[y] += self._contract(pr, pr.line, hours)
            self.contract_hours[y] += hours
            self.contract_spend[y] += pr.budget
            self._note("award", pr.line, pr.key)
            self._note("grant", pr.line, hours)
        self._bidders = bidders
        self.listed[y] = len(projects)
        self.bids[y] = bids.size
        if bidders:
            self.quality_listed[y] = float(np.mean([self.orgs.quality[o] for o in bidders]))

    def _bids(self, projects: list[Project], bidders: list[int], caps: np.ndarray) -> Bids:
        """The organisations register for tenders in a random order, each where the fewest
        have bid so far among its community's and the district-wide projects; their bids are
        returned in order of organisation."""
        orgs, rng = self.orgs, self.rng_bids
        local: dict[int, list[int]] = {}
        district: list[int] = []
        for p, pr in enumerate(projects):
            if pr.community == DISTRICT:
                district.append(p)
            else:
                local.setdefault(pr.community, []).append(p)
        chosen: dict[int, list[int]] = {}
        counts = np.zeros(len(projects), np.int64)
        for o in rng.permutation(np.array(bidders, np.int64)).tolist():
            eligible = local.get(orgs.community[o], []) + district
            k = self.spec.bids_each * int(caps[o])
            chosen[o] = choose_projects(eligible, counts, k, rng.random(len(eligible)))
            counts[chosen[o]] += 1
        rows = []
        for o in bidders:
            for p in chosen[o]:
                pr = projects[p]
                price = pr.budget * orgs.price_ratio[o]
                held = self._holder.get(pr.key) == o
                rows.append((p, o, price, pr.budget, orgs.quality[o], orgs.experience[o], held))
                self._note("bid", o, pr.key)
        cols = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(7)]
        return Bids.of(*cols)

    def _grant(self, y: int, projects: list[Project], bids: Bids, winner: np.ndarray) -> None:
        """This year's contracts replace last year's (unused hours lapse): each winner gets
        its project's hours, a share of them for the needs of the community it serves."""
        self.c_org, self.c_minutes, self.c_used = [], [], []
        self.c_flows, self.c_response, self.c_quality = [], [], []
        self._listed_at = self.env.now
        self._local = [[] for _ in self.residents]
        self._district = []
        self._won, self._holder = {}, {}
        held = [self.orgs.quality[int(bids.org[b])] for b in winner.tolist() if b >= 0]
        if held:
            self.quality_holders[y] = float(np.mean(held))
        for p, b in enumerate(winner.tolist()):
            if b < 0:
                continue
            pr, o = projects[p], int(bids.org[b])
            hours = pr.budget / self.spec.cost_per_hour_yuan
            minutes = self._contract(pr, o, hours)
            self._won[o] = self._won.get(o, 0) + 1
            self._holder[pr.key] = o
            self.awarded[y] += 1
            self.hours[y] += hours
            self.granted_minutes[y] += minutes
            self.spend[y] += float(bids.price[b])
            self._note("award", o, pr.key)
            self._note("grant", o, hours)

    def _contract(self, pr: Project, provider: int | str, hours: float) -> float:
        """Sign project `pr`'s contract with `provider` (an organisation, or a contractor
        named by its line) for `hours`; returns the minutes it grants for outsourced stages."""
        spec, line = self.spec, self.spec.projects[pr.line]
        share = spec.personal_share if line.personal_share is None else line.personal_share
        response = spec.response_hours if line.response_hours is None else line.response_hours
        minutes = hours * share * 60.0
        k = len(self.c_org)
        self.c_org.append(provider)
        self.c_minutes.append(minutes)
        self.c_used.append(0.0)
        self.c_flows.append(None if line.serves is None else frozenset(line.serves))
        self.c_response.append(response * 60.0)
        self.c_quality.append(math.nan if line.quality is None else line.quality)
        (self._district if pr.community == DISTRICT else self._local[pr.community]).append(k)
        return minutes

    # -- outsourced stages ----------------------------------------------------------------
    def take(self, i: int, stage: CompiledStage, minutes: float) -> bool:
        """The router offers demand `i`'s outsourced stage (`minutes` of service): a contract
        serving its flow with hours left in the resident's community takes it (True), else the
        community staff do (False)."""
        if i in self._declined:  # the organisation's visit failed: back to the staff
            self._declined.discard(i)
            return False
        now = self.env.now
        y = self._year(now)
        after = now >= self.ctx.scenario.warmup_days * DAY
        self.offered[y] += 1
        self.offered_after += after
        k = self._contract_for(self.ctx.router.community(i), minutes, stage.flow)
        if k < 0:
            self._note("fallback", STAFF, i)
            return False
        self.c_used[k] += minutes
        o, q = self.c_org[k], self.c_quality[k]
        if isinstance(o, int):
            self.used_minutes[y] += minutes
            self.org_taken[y] += 1
        else:
            self.contract_used[y] += minutes
        self.taken[y] += 1
        self.taken_after += after
        self._note("take", o, i)
        delay = self.c_response[k] + minutes
        Timeout(self.env, delay, (i, o, q, y, after)).callbacks.append(self._visited)
        return True

    def _contract_for(self, community: int, minutes: float, flow: str) -> int:
        """This year's first contract serving `flow` in `community` (its own, then
        district-wide) with at least `minutes` left of the hours paid out so far, or -1."""
        month = int((self.env.now - self._listed_at) // MONTH)
        paid = min(month + 1, MONTHS) / MONTHS
        granted, used, flows = self.c_minutes, self.c_used, self.c_flows
        for k in (*self._local[community], *self._district):
            f = flows[k]
            if (f is None or flow in f) and granted[k] * paid - used[k] >= minutes:
                return k
        return -1

    def _visited(self, ev: Timeout) -> None:
        """The provider's visit ends: right first time with its quality as probability (a
        contractor's fixed quality, an organisation's as it is now)."""
        i, o, q, y, after = ev._value
        router = self.ctx.router
        if self.rng_visits.random() < (self.orgs.quality[o] if isinstance(o, int) else q):
            self.met[y] += 1
            self.met_after += after
            if isinstance(o, int):
                self.org_met[y] += 1
            self._note("met", o, i)
            router.complete_stage(i, rework=False)
            return
        self._note("unmet", o, i)
        self._declined.add(i)
        router.redo_stage(i)

    # -- reporting ------------------------------------------------------------------------
    def finish(self) -> None:
        """Nothing is left to settle after the run (contracts simply lapse)."""

    def tally(self) -> MarketTally:
        """The yearly counts and the organisations as they are at the end of the run."""
        return MarketTally(**{f.name: getattr(self, f.name) for f in fields(MarketTally)})

    # -- helpers --------------------------------------------------------------------------
    def _year(self, t: float) -> int:
        return min(int(t // YEAR), self.years - 1)

    def _note(self, event: str, who: int | str, what: object) -> None:
        if self.log is not None:
            self.log.append((event, who, what, self.env.now))
