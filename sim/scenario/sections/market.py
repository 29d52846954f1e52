"""The social-organisation market (项目化): projects bought by open competition.

Tongguanshan lists service functions as projects and awards them by open competition;
organisations compete, the fittest survive and the sector professionalises (001). The section
says what the district buys each year, how winners are picked, how organisations grow, enter
and exit, and how their hours reach residents' personalised needs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.rules.contracting import RULES
from sim.scenario import limits as L
from sim.scenario.section import Section


class ProjectLine(Section):
    """A line of service projects the district buys every year (购买服务项目), and the terms
    of its contracts.

    ``budget_yuan`` a year is split into projects of about ``project_yuan`` each. A
    ``community`` line is split among communities by residents (or, with ``per_community``,
    every community has ``budget_yuan`` of its own: a community fund, 社区基金); a community's
    share too small for one project (below the market's ``min_project_yuan``) is pooled into
    district-wide projects. A ``district`` line is listed district-wide, open to every
    organisation, and its hours serve residents of any community.

    Contract terms: the hours serve the ``outsource`` stages of the flows in ``serves`` (all
    of them when unset); ``personal_share`` of them is for those stages and the provider
    answers ``response_hours`` after a need reaches it (the contract's response clause); both
    default to the market's. With ``quality`` set the line is not tendered among the social
    organisations: a dedicated contractor (a community health service station, a property
    company) holds each of its projects and gets a stage right first time with that chance.
    """

    budget_yuan: float = Field(ge=0.0, le=L.MAX_YUAN)
    project_yuan: float = Field(gt=0.0, le=L.MAX_YUAN)
    scope: Literal["community", "district"] = "community"
    per_community: bool = False
    serves: list[str] | None = None
    personal_share: float | None = Field(None, ge=0.0, le=1.0)
    response_hours: float | None = Field(None, ge=0.0, le=L.MAX_HOURS)
    quality: float | None = Field(None, ge=0.0, le=1.0)


class ScoreWeights(Section):
    """Comprehensive scoring (综合评分法): weights of the price, quality and experience marks,
    and the projects delivered that earn full experience marks."""

    price: float = Field(0.3, ge=0.0, le=1_000.0)
    quality: float = Field(0.5, ge=0.0, le=1_000.0)
    experience: float = Field(0.2, ge=0.0, le=1_000.0)
    experience_full: int = Field(5, ge=1, le=10_000)


class MarketSpec(Section):
    """The social-organisation market (项目化): projects bought by open competition.

    Attributes
    ----------
    projects : dict of ProjectLine
        The project lines bought each year.
    rule : str
        Contracting rule picking the winners (`sim.rules.contracting.RULES`).
    weights : ScoreWeights
        Weights of the ``score`` and ``incumbent`` rules.
    min_project_yuan : float
        Smallest project a community lists; smaller shares are pooled district-wide.
    cost_per_hour_yuan : float
        Budget per hour of service a project buys.
    personal_share : float
        Share of a project's hours spent on residents' personalised needs that reach the
        community (the flow stages marked ``outsource``); the rest is recurring care the model
        does not represent (a line's own ``personal_share`` overrides it).
    response_hours : float
        From a need reaching the community to the organisation's visit: the contracts'
        response clause (a line's own ``response_hours`` overrides it).
    bids_each : int
        Bids an organisation makes a year for each project it can hold.
    initial_per_10k_residents : float
        Mean number of organisations per 10,000 residents at the start.
    entry_per_10k_residents_year : float
        New organisations a year in a community of 10,000 residents with no free space.
    entry_elasticity : float
        Entry grows with community size as ``(residents / 10,000) ** entry_elasticity``;
        above 1 larger communities attract more per resident (the aggregation effect).
    free_space_share : float
        Share of community space opened free to organisations (Xiangfang: 90%, 002).
    free_space_effect : float
        Entry is multiplied by ``1 + free_space_effect * free_space_share``.
    quality_low, quality_high : float
        Quality of an entrant, uniform between these: the chance its visit meets a need.
    quality_growth : float
        Each project delivered closes this share of the gap between quality and 1.
    price_low : float
        An organisation asks a price between this share of a project's budget and all of it.
    projects_to_grow : int
        Projects delivered for each further project an organisation can hold at once.
    exit_after_years : int
        Listings lost in a row after which an organisation exits.
    """

    projects: dict[str, ProjectLine]
    rule: str = "score"
    weights: ScoreWeights = ScoreWeights()
    min_project_yuan: float = Field(50_000.0, ge=0.0, le=L.MAX_YUAN)
    cost_per_hour_yuan: float = Field(50.0, gt=0.0, le=L.MAX_YUAN)
    personal_share: float = Field(1.0, ge=0.0, le=1.0)
    response_hours: float = Field(24.0, ge=0.0, le=L.MAX_HOURS)
    bids_each: int = Field(1, ge=1, le=1_000)
    initial_per_10k_residents: float = Field(2.5, ge=0.0, le=10_000.0)
    entry_per_10k_residents_year: float = Field(1.0, ge=0.0, le=10_000.0)
    entry_elasticity: float = Field(1.15, ge=0.0, le=5.0)
    free_space_share: float = Field(0.0, ge=0.0, le=1.0)
    free_space_effect: float = Field(1.0, ge=0.0, le=100.0)
    quality_low: float = Field(0.6, ge=0.0, le=1.0)
    quality_high: float = Field(0.9, ge=0.0, le=1.0)
    quality_growth: float = Field(0.1, ge=0.0, le=1.0)
    price_low: float = Field(0.8, gt=0.0, le=1.0)
    projects_to_grow: int = Field(3, ge=1, le=10_000)
    exit_after_years: int = Field(2, ge=1, le=1_000)

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, v: str) -> str:
        if v not in RULES:
            raise ValueError(f"unknown contracting rule '{v}'; known: {', '.join(RULES)}")
        return v

    @model_validator(mode="after")
    def _quality_range(self) -> MarketSpec:
        if self.quality_low > self.quality_high:
            raise ValueError("quality_low must not exceed quality_high")
        return self
