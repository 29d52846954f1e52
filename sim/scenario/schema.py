"""The scenario schema: a district, its units, flows, demands and top-down tasks, as data.

A scenario is parsed and validated once into a frozen `Scenario`; entities and processes trust
it afterwards. Each section mirrors something in the world being modelled (see DOMAIN.md):
the calendar of offices, the structure of the district (streets 街道, communities 社区, grids
网格), the residents (居民), the service units (community desk, street public service center
街道公共服务中心, department back offices, the online platform), the flows an item takes
through them, the demand streams and the tasks departments push down (条块下派).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from sim.scenario import limits as L
from sim.scenario.section import Probability, Section
from sim.scenario.sections.access import AccessSpec
from sim.scenario.sections.burden import BurdenSpec
from sim.scenario.sections.consultation import ConsultationSpec
from sim.scenario.sections.evaluation import EvaluationSpec
from sim.scenario.sections.market import MarketSpec


class CalendarSpec(Section):
    """Office hours of all units (working days from Monday)."""

    kind: Literal["office", "always"] = "office"
    open_hour: float = Field(8.5, ge=0.0, le=24.0)
    close_hour: float = Field(17.5, ge=0.0, le=24.0)
    days_per_week: int = Field(5, ge=1, le=7)


class Structure(Section):
    """The district's tiers: street offices 街道办事处, communities 社区, grids 网格."""

    streets: int = Field(ge=0, le=L.MAX_STREETS)
    communities: int = Field(ge=1, le=L.MAX_COMMUNITIES)
    residents_per_community: int = Field(ge=1, le=L.MAX_RESIDENTS_PER_COMMUNITY)
    grids_per_community: int = Field(1, ge=1, le=L.MAX_GRIDS)


class PopulationSpec(Section):
    """Who the residents are: shares by occupation and age band, online propensity by age,
    availability (chance of being free when a daytime meeting is held) by occupation, and
    what makes them willing to take part in community affairs: education and party
    membership.

    ``occupation_by_age`` gives the occupations within each age band (retirement comes with
    age); residents are then drawn by age first, and ``occupation`` must be the marginal it
    implies (within half a percentage point). ``education_by_age`` gives the education
    levels within each age band (younger cohorts are more educated); ``party_share`` is the
    share of residents who are members of the Communist Party. All three are optional:
    without them every resident's occupation is drawn from ``occupation`` independently of
    age, and residents have one education level and no party members.
    """

    occupation: dict[str, float] = Field(default_factory=lambda: {"employed": 1.0})
    age: dict[str, float] = Field(default_factory=lambda: {"all": 1.0})
    online_factor: dict[str, float] = Field(default_factory=dict)
    availability: dict[str, float] = Field(default_factory=dict)
    initial_satisfaction: float = Field(0.6, ge=0.0, le=1.0)
    occupation_by_age: dict[str, dict[str, float]] = Field(default_factory=dict)
    education_by_age: dict[str, dict[str, float]] = Field(default_factory=dict)
    party_share: float = Field(0.0, ge=0.0, le=1.0)

    def education_levels(self) -> list[str]:
        """Education levels from lowest to highest, as the first age band lists them
        (``["all"]`` without ``education_by_age``)."""
        for row in self.education_by_age.values():
            return list(row)
        return ["all"]


class SatisfactionSpec(Section):
    """How a resolved demand moves its resident's satisfaction (an exponential memory)."""

    learning_rate: float = Field(0.2, ge=0.0, le=1.0)
    target_days: float = Field(5.0, gt=0.0, le=L.MAX_DAYS)
    trip_penalty: float = Field(0.1, ge=0.0, le=1.0)


Weekday = Annotated[int, Field(ge=0, le=6)]


class SessionsSpec(Section):
    """Hours a unit works when they are not the office's: a leader who signs files off on
    some afternoons a week (weekdays from 0 = Monday)."""

    weekdays: list[Weekday] = Field(min_length=1)
    open_hour: float = Field(ge=0.0, le=24.0)
    close_hour: float = Field(ge=0.0, le=24.0)


class UnitSpec(Section):
    """A kind of service unit, instantiated once per community, street, or district.

    ``servers`` windows (or staff at the counter) work in parallel; 0 means unlimited (a pure
    delay, e.g. the online platform). ``windows`` instead splits the unit into item-specific
    windows by department (key ``other`` for the rest); without it any window handles any item
    (全街通办); ``pooled`` merges item-specific ``windows`` into one pool of as many
    windows, any window any item (a one-window reform). ``sessions`` replaces office hours
    by a few sessions a week (a leader's sign-off).
    """

    level: Literal["community", "street", "district", "department", "online"]
    servers: int = Field(1, ge=0, le=L.MAX_SERVERS)
    windows: dict[str, int] | None = None
    pooled: bool = False
    calendar: Literal["office", "always"] = "office"
    sessions: SessionsSpec | None = None
    priority: str = "fifo"
    staff_cost_yuan_per_year: float = Field(0.0, ge=0.0, le=L.MAX_YUAN)


class Route(Section):
    """One branch out of a stage: go to stage ``to`` with probability ``p`` after a delay.

    A file carried by a courier leaves only at the next pickup after the delay
    (``pickup_weekdays`` at ``pickup_hour``: files go to the street office on Tuesdays and
    Fridays). A ``statutory`` delay is a period the law sets, not work: the publicity of a
    minimum-income approval (公示).
    """

    to: str
    p: float = Probability
    delay_hours: float = Field(0.0, ge=0.0, le=L.MAX_HOURS)
    pickup_weekdays: list[Weekday] | None = Field(None, min_length=1)
    pickup_hour: float = Field(9.0, ge=0.0, lt=24.0)
    statutory: bool = False


class Stage(Section):
    """One step of a flow at a unit: the resident at a counter, or a file in a back office.

    The service time has mean ``minutes`` (or the item's ``intake_minutes`` /
    ``processing_minutes`` when ``item_time`` says so). With ``missing_docs_return`` the
    resident is sent home with the item's missing-document probability and comes back
    ``return_delay_hours`` later. Routes not taken (probabilities summing below one) end the
    flow: the demand is resolved.
    """

    unit: str
    presence: Literal["resident", "file"] = "resident"
    minutes: float = Field(10.0, ge=0.0, le=L.MAX_MINUTES)
    item_time: Literal["none", "intake", "processing"] = "none"
    dist: Literal["exponential", "fixed", "lognormal"] = "exponential"
    cv: float = Field(1.0, ge=0.0, le=L.MAX_CV)
    missing_docs_return: bool = False
    return_delay_hours: float = Field(48.0, ge=0.0, le=L.MAX_HOURS)
    balk_queue: int | None = Field(None, ge=1, le=L.MAX_RESIDENTS_PER_COMMUNITY)
    outsource: bool = False
    routes: list[Route] = Field(default_factory=list)


class Flow(Section):
    """The path an item takes through units: a Markov chain over stages (an open Jackson
    network when every service is exponential)."""

    entry: str
    online_entry: str | None = None
    stages: dict[str, Stage]


class ItemGroup(Section):
    """Items of one kind in the catalogue, e.g. civil-affairs approvals (民政审批)."""

    department: str
    items: int = Field(1, ge=1, le=1_000)
    share: float = Probability
    flow: str
    online_eligible: bool = False
    missing_docs: float = Field(0.0, ge=0.0, le=1.0)
    intake_minutes: float = Field(10.0, ge=0.0, le=L.MAX_MINUTES)
    processing_minutes: float = Field(30.0, ge=0.0, le=L.MAX_MINUTES)


class DemandSpec(Section):
    """A stream of demands of one type raised by residents of every community."""

    rate_per_resident_year: float = Field(ge=0.0, le=L.MAX_RATE)
    age_weights: dict[str, float] | None = None
    groups: dict[str, ItemGroup] = Field(min_length=1)


class TasksSpec(Section):
    """Work departments push down to each community (条块下派): tasks, plaques, assessments.

    It lands on ``unit`` (the community staff) as work packages served in chunks of at most
    ``chunk_hours``, so a staffer can turn to the counter between chunks.

    With ``per_residents`` the figures are those of a community of that many residents and
    each community gets them in proportion to its residents, so that merging communities
    leaves the district's work as it was; without it they are per community. With
    ``campaigns_per_year`` the departments push tasks in campaigns (inspections 迎检,
    statistical reports, ledgers 台账): every community gets its tasks of a campaign at the
    same moment, each due ``deadline_days`` later. With ``overtime_hours`` the staff stay up
    to that long after closing on days when tasks are waiting, for the tasks only (bounded
    overtime); residents still queueing must come back the next day.
    """

    unit: str | None = None
    per_year: float = Field(0.0, ge=0.0, le=L.MAX_PER_YEAR)
    hours_each: float = Field(8.0, ge=0.0, le=L.MAX_HOURS)
    plaques: int = Field(0, ge=0, le=10_000)
    plaque_hours_per_month: float = Field(0.0, ge=0.0, le=744.0)
    assessments: int = Field(0, ge=0, le=10_000)
    assessment_hours: float = Field(0.0, ge=0.0, le=L.MAX_HOURS)
    chunk_hours: float = Field(1.0, gt=0.0, le=L.MAX_HOURS)
    per_residents: int | None = Field(None, ge=1, le=L.MAX_RESIDENTS_PER_COMMUNITY)
    campaigns_per_year: float = Field(0.0, ge=0.0, le=365.0)
    deadline_days: float | None = Field(None, gt=0.0, le=L.MAX_DAYS)
    overtime_hours: float = Field(0.0, ge=0.0, le=8.0)


class OnlineSpec(Section):
    """The online government-service platform (互联网+政务服务).

    A resident's item that is ``online_eligible`` goes online with chance ``share`` times the
    resident's ``population.online_factor``, or, with ``adoption``, with the share of the
    resident's age band who handle government items online when they can (the digital
    divide: the elderly often need assisted handling, 帮办代办); a band not listed never goes
    online.
    """

    share: float = Probability
    adoption: dict[str, float] | None = None


class Scenario(Section):
    """A whole scenario: what the district looks like and how work flows through it."""

    name: str = Field(min_length=1, max_length=L.MAX_NAME)
    description: str = Field("", max_length=L.MAX_TEXT)
    days: int = Field(365, ge=1, le=L.MAX_DAYS)
    warmup_days: int = Field(0, ge=0, le=L.MAX_DAYS)
    seed: int = Field(1, ge=0, le=L.MAX_SEED)
    replications: int = Field(1, ge=1, le=L.MAX_REPLICATIONS)
    calendar: CalendarSpec = CalendarSpec()
    structure: Structure
    departments: list[str]
    population: PopulationSpec = PopulationSpec()
    satisfaction: SatisfactionSpec = SatisfactionSpec()
    units: dict[str, UnitSpec]
    flows: dict[str, Flow]
    demands: dict[str, DemandSpec]
    tasks: TasksSpec = TasksSpec()
    online: OnlineSpec = OnlineSpec(share=0.0)
    # governance mechanisms (issue #3): absent means switched off
    consultation: ConsultationSpec | None = None
    market: MarketSpec | None = None
    burden: BurdenSpec | None = None
    evaluation: EvaluationSpec | None = None
    # residents' access costs (issue #8): absent means every latent need is raised
    access: AccessSpec | None = None
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("name", "description")
    @classmethod
    def _printable(cls, v: str) -> str:
        if not all(c.isprintable() or c in "\n\t" for c in v):
            raise ValueError("must not hold control characters")
        return v
