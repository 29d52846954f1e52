"""Social organisations (社会组织) and the service projects the district buys from them.

Public-interest, service and care organisations and professional social-work agencies bid
for projects the government lists (项目化, 001); a project won gives them paid hours of
service for a year in the community it serves. They grow with the projects they deliver —
quality (the chance a visit meets a resident's need), experience and the number of projects
they can hold at once — and close when they go too long without one. New organisations appear
more often in larger communities (the aggregation effect, 000/001) and where communities open
their space to them (Xiangfang: 90% of the space, 463 organisations cultivated, 002).

Organisations are stored column-wise (one Python list per attribute, appended as they
enter); projects are small frozen records. Everything here is state and pure decisions; the
yearly cycle and the visits are in `sim.processes.market`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sim.scenario.sections.market import MarketSpec

TEN_THOUSAND = 10_000.0
DISTRICT = -1  # community code of a district-wide project or contract


@dataclass(frozen=True)
class Project:
    """A service project listed for one year (购买服务项目).

    Attributes
    ----------
    line : str
        The project line it belongs to.
    community : int
        The community it serves; `DISTRICT` for a district-wide project.
    budget : float
        Budget ceiling, yuan.
    key : str
        Stable name across years (``line/c<community>/<k>`` or ``line/district/<k>``), which
        the ``incumbent`` rule uses to find last year's holder.
    """

    line: str
    community: int
    budget: float
    key: str


def list_projects(
    spec: MarketSpec, residents: list[int], funds: Sequence[float] | None = None
) -> list[Project]:
    """The projects listed in one year (立项), in a fixed order.

    A ``community`` line's budget is split among communities by residents (each community
    has all of it with ``per_community``: its own fund); a community whose share reaches
    ``min_project_yuan`` lists ``max(1, round(share / project_yuan))`` equal projects, a
    smaller share is pooled. The pool, and each ``district`` line, is listed
    district-wide as ``max(1, round(budget / project_yuan))`` equal projects (none if the
    budget is below ``min_project_yuan``). Community projects come first, by line and
    community, then district projects by line.

    Parameters
    ----------
    spec : MarketSpec
        The market.
    residents : list of int
        Residents of each community.
    funds : sequence of float, optional
        Each community's factor on its own fund (``per_community`` lines), from two-way
        evaluation (以奖代补); 1 for all by default.
    """
    total = float(sum(residents))
    local: list[Project] = []
    district: list[Project] = []
    for name, line in spec.projects.items():
        pool = line.budget_yuan
        if line.scope == "community" and total > 0:
            pool = 0.0
            for c, r in enumerate(residents):
                if line.per_community:
                    share = line.budget_yuan * (1.0 if funds is None else float(funds[c]))
                else:
                    share = line.budget_yuan * r / total
                if share <= 0.0:
                    continue
                if share < spec.min_project_yuan:
                    pool += share
                    continue
                n = max(1, round(share / line.project_yuan))
                local += [Project(name, c, share / n, f"{name}/c{c}/{k}") for k in range(n)]
        if pool > 0.0 and pool >= spec.min_project_yuan:
            n = max(1, round(pool / line.project_yuan))
            district += [
                Project(name, DISTRICT, pool / n, f"{name}/district/{k}") for k in range(n)
            ]
    return local + district


def entry_rate(spec: MarketSpec, residents: int) -> float:
    """New organisations a year in a community of `residents` (登记成立): grows with size
    as ``(residents / 10,000) ** entry_elasticity`` and with the free space opened."""
    size = residents / TEN_THOUSAND
    space = 1.0 + spec.free_space_effect * spec.free_space_share
    return spec.entry_per_10k_residents_year * size**spec.entry_elasticity * space


def initial_mean(spec: MarketSpec, residents: int) -> float:
    """Mean number of organisations in a community of `residents` at the start."""
    return spec.initial_per_10k_residents * residents / TEN_THOUSAND


def grown_quality(q: float, growth: float, projects: int) -> float:
    """Quality after delivering `projects` more: each closes `growth` of the gap to 1."""
    return 1.0 - (1.0 - q) * (1.0 - growth) ** projects


def capacity(experience: int, projects_to_grow: int) -> int:
    """Projects an organisation can hold at once: one, plus one per `projects_to_grow`
    delivered."""
    return 1 + experience // projects_to_grow


@dataclass
class SocialOrgs:
    """The district's social organisations, one entry per organisation ever active.

    Attributes
    ----------
    community : list of int
        Home community (where it is registered and serves its community projects).
    quality : list of float
        Chance a visit meets the resident's need.
    price_ratio : list of float
        Price it asks as a share of a project's budget.
    experience : list of int
        Projects delivered.
    idle_years : list of int
        Listings lost in a row.
    entered, exited : list of float
        Clock minute of entry and exit (NaN while active).
    initial : list of bool
        Whether it was there at the start (not an entrant).
    """

    community: list[int] = field(default_factory=list)
    quality: list[float] = field(default_factory=list)
    price_ratio: list[float] = field(default_factory=list)
    experience: list[int] = field(default_factory=list)
    idle_years: list[int] = field(default_factory=list)
    entered: list[float] = field(default_factory=list)
    exited: list[float] = field(default_factory=list)
    initial: list[bool] = field(default_factory=list)

    @property
    def size(self) -> int:
        """Organisations ever active."""
        return len(self.community)

    def add(
        self,
        community: int,
        quality: float,
        price_ratio: float,
        now: float,
        experience: int = 0,
        initial: bool = False,
    ) -> int:
        """Register a new organisation; returns its index."""
        self.community.append(community)
        self.quality.append(quality)
        self.price_ratio.append(price_ratio)
        self.experience.append(experience)
        self.idle_years.append(0)
        self.entered.append(now)
        self.exited.append(math.nan)
        self.initial.append(initial)
        return self.size - 1

    def active(self) -> list[int]:
        """Organisations not exited, in order of entry."""
        return [o for o in range(self.size) if math.isnan(self.exited[o])]

    def active_at(self, t: float) -> int:
        """Organisations that had entered by minute `t` and not exited before it."""
        return sum(
            1
            for e, x in zip(self.entered, self.exited, strict=True)
            if e <= t and not x < t  # NaN (still active) compares false
        )

    def ever_at(self, t: float) -> int:
        """Organisations that had entered by minute `t`."""
        return sum(1 for e in self.entered if e <= t)

    def deliver(self, o: int, projects: int, growth: float) -> None:
        """Organisation `o` delivered `projects` projects this year: it grows."""
        self.experience[o] += projects
        self.quality[o] = grown_quality(self.quality[o], growth, projects)
        self.idle_years[o] = 0
