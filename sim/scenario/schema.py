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
from sim.scenario.section import Section
from sim.scenario.sections.access import AccessSpec
from sim.scenario.sections.burden import BurdenSpec
from sim.scenario.sections.consultation import ConsultationSpec
from sim.scenario.sections.evaluation import EvaluationSpec
from sim.scenario.sections.market import MarketSpec


class CalendarSpec(Section):
    """Office hours of all units (working days from Monday)."""

    kind: Literal["office", "always"] = Field(
        "office", description="office hours on working days, or always open"
    )
    open_hour: float = Field(
        8.5, ge=0.0, le=24.0, description="hour the offices open (8.5 is 8:30)"
    )
    close_hour: float = Field(17.5, ge=0.0, le=24.0, description="hour the offices close")
    days_per_week: int = Field(5, ge=1, le=7, description="working days a week, from Monday")


class Structure(Section):
    """The district's tiers: street offices 街道办事处, communities 社区, grids 网格."""

    streets: int = Field(
        ge=0, le=L.MAX_STREETS, description="street offices (街道办事处); 0 when abolished"
    )
    communities: int = Field(
        ge=1,
        le=L.MAX_COMMUNITIES,
        description="communities (社区), shared evenly among the streets",
    )
    residents_per_community: int = Field(
        ge=1, le=L.MAX_RESIDENTS_PER_COMMUNITY, description="residents of each community"
    )
    grids_per_community: int = Field(
        1, ge=1, le=L.MAX_GRIDS, description="grids (网格) each community is divided into"
    )


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

    occupation: dict[str, float] = Field(
        default_factory=lambda: {"employed": 1.0},
        description="share of residents by occupation (occupation_by_age's marginal)",
    )
    age: dict[str, float] = Field(
        default_factory=lambda: {"all": 1.0}, description="share of residents by age band"
    )
    online_factor: dict[str, float] = Field(
        default_factory=dict,
        description="relative propensity to use the online platform, by age band",
    )
    availability: dict[str, float] = Field(
        default_factory=dict,
        description="chance of being free when a daytime meeting is held, by occupation",
    )
    initial_satisfaction: float = Field(
        0.6, ge=0.0, le=1.0, description="every resident's satisfaction at the start, in [0, 1]"
    )
    occupation_by_age: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="occupation shares within each age band"
    )
    education_by_age: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="education level shares within each age band, lowest level first",
    )
    party_share: float = Field(
        0.0, ge=0.0, le=1.0, description="share of residents who are party members"
    )

    def education_levels(self) -> list[str]:
        """Education levels from lowest to highest, as the first age band lists them
        (``["all"]`` without ``education_by_age``)."""
        for row in self.education_by_age.values():
            return list(row)
        return ["all"]


class SatisfactionSpec(Section):
    """How a resolved demand moves its resident's satisfaction (an exponential memory)."""

    learning_rate: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="share of the way a resident's view moves toward each experience",
    )
    target_days: float = Field(
        5.0, gt=0.0, le=L.MAX_DAYS, description="days within which a resolved matter is rated well"
    )
    trip_penalty: float = Field(0.1, ge=0.0, le=1.0, description="rating lost for each extra trip")


Weekday = Annotated[int, Field(ge=0, le=6)]


class SessionsSpec(Section):
    """Hours a unit works when they are not the office's: a leader who signs files off on
    some afternoons a week (weekdays from 0 = Monday)."""

    weekdays: list[Weekday] = Field(
        min_length=1, description="weekdays of the sessions (0 is Monday)"
    )
    open_hour: float = Field(ge=0.0, le=24.0, description="hour a session starts")
    close_hour: float = Field(ge=0.0, le=24.0, description="hour a session ends")


class UnitSpec(Section):
    """A kind of service unit, instantiated once per community, street, or district.

    ``servers`` windows (or staff at the counter) work in parallel; 0 means unlimited (a pure
    delay, e.g. the online platform). ``windows`` instead splits the unit into item-specific
    windows by department (key ``other`` for the rest); without it any window handles any item
    (全街通办); ``pooled`` merges item-specific ``windows`` into one pool of as many
    windows, any window any item (a one-window reform). ``sessions`` replaces office hours
    by a few sessions a week (a leader's sign-off).
    """

    level: Literal["community", "street", "district", "department", "online"] = Field(
        description="one unit per community, street, district, department, or online"
    )
    servers: int = Field(
        1,
        ge=0,
        le=L.MAX_SERVERS,
        description="windows or staff working in parallel; 0 is unlimited (a pure delay)",
    )
    windows: dict[str, int] | None = Field(
        None,
        description="windows by department (other: the rest); absent: any window any item",
    )
    pooled: bool = Field(
        False, description="merge the item-specific windows into one pool (a one-window reform)"
    )
    calendar: Literal["office", "always"] = Field(
        "office", description="office hours, or always open (online)"
    )
    sessions: SessionsSpec | None = Field(
        None, description="a few sessions a week instead of office hours (a leader's sign-off)"
    )
    priority: str = Field(
        "fifo",
        description="queue discipline (sim.rules.priority: fifo, residents_first, counter_first…)",
    )
    staff_cost_yuan_per_year: float = Field(
        0.0, ge=0.0, le=L.MAX_YUAN, description="yearly cost of one server (staff member)"
    )


class Route(Section):
    """One branch out of a stage: go to stage ``to`` with probability ``p`` after a delay.

    A file carried by a courier leaves only at the next pickup after the delay
    (``pickup_weekdays`` at ``pickup_hour``: files go to the street office on Tuesdays and
    Fridays). A ``statutory`` delay is a period the law sets, not work: the publicity of a
    minimum-income approval (公示).
    """

    to: str = Field(description="the next stage")
    p: float = Field(ge=0.0, le=1.0, description="chance of taking this branch")
    delay_hours: float = Field(
        0.0,
        ge=0.0,
        le=L.MAX_HOURS,
        description="hours before the next stage (transfer or statutory period)",
    )
    pickup_weekdays: list[Weekday] | None = Field(
        None,
        min_length=1,
        description="weekdays a courier collects files (0 is Monday); absent: no courier",
    )
    pickup_hour: float = Field(9.0, ge=0.0, lt=24.0, description="hour of the courier's round")
    statutory: bool = Field(
        False, description="the delay is a period the law sets (publicity 公示), not work"
    )


class Stage(Section):
    """One step of a flow at a unit: the resident at a counter, or a file in a back office.

    The service time has mean ``minutes`` (or the item's ``intake_minutes`` /
    ``processing_minutes`` when ``item_time`` says so). With ``missing_docs_return`` the
    resident is sent home with the item's missing-document probability and comes back
    ``return_delay_hours`` later. Routes not taken (probabilities summing below one) end the
    flow: the demand is resolved.
    """

    unit: str = Field(description="the unit doing this step")
    presence: Literal["resident", "file"] = Field(
        "resident",
        description="the resident waits at the counter, or the file waits in a back office",
    )
    minutes: float = Field(10.0, ge=0.0, le=L.MAX_MINUTES, description="mean service minutes")
    item_time: Literal["none", "intake", "processing"] = Field(
        "none", description="use the item group's intake or processing minutes instead of minutes"
    )
    dist: Literal["exponential", "fixed", "lognormal"] = Field(
        "exponential", description="service time distribution"
    )
    cv: float = Field(
        1.0, ge=0.0, le=L.MAX_CV, description="coefficient of variation of a lognormal service time"
    )
    missing_docs_return: bool = Field(
        False, description="send the resident home with the item's missing-document chance"
    )
    return_delay_hours: float = Field(
        48.0, ge=0.0, le=L.MAX_HOURS, description="hours until a resident sent home comes back"
    )
    balk_queue: int | None = Field(
        None,
        ge=1,
        le=L.MAX_RESIDENTS_PER_COMMUNITY,
        description="queue length at which an arriving resident gives up",
    )
    outsource: bool = Field(
        False, description="offer this step to contracted social organisations first ([market])"
    )
    routes: list[Route] = Field(
        default_factory=list,
        description="branches out of the stage; probabilities below one end the flow (resolved)",
    )


class Flow(Section):
    """The path an item takes through units: a Markov chain over stages (an open Jackson
    network when every service is exponential)."""

    entry: str = Field(description="the first stage")
    online_entry: str | None = Field(None, description="the first stage of items handled online")
    stages: dict[str, Stage] = Field(description="the stages by name")


class ItemGroup(Section):
    """Items of one kind in the catalogue, e.g. civil-affairs approvals (民政审批)."""

    department: str = Field(description="the department the items belong to")
    items: int = Field(1, ge=1, le=1_000, description="number of distinct items in the group")
    share: float = Field(
        ge=0.0, le=1.0, description="share of the demand type's demands that are of this group"
    )
    flow: str = Field(description="the flow the items take")
    online_eligible: bool = Field(False, description="whether the items may be handled online")
    missing_docs: float = Field(
        0.0, ge=0.0, le=1.0, description="chance a resident lacks a document and must come back"
    )
    intake_minutes: float = Field(
        10.0, ge=0.0, le=L.MAX_MINUTES, description="minutes to take the item in at a counter"
    )
    processing_minutes: float = Field(
        30.0, ge=0.0, le=L.MAX_MINUTES, description="minutes to process the file"
    )


class DemandSpec(Section):
    """A stream of demands of one type raised by residents of every community."""

    rate_per_resident_year: float = Field(
        ge=0.0,
        le=L.MAX_RATE,
        description="demands a resident raises a year (latent needs when [access] is set)",
    )
    age_weights: dict[str, float] | None = Field(None, description="relative rate by age band")
    groups: dict[str, ItemGroup] = Field(min_length=1, description="the item groups of this type")


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

    unit: str | None = Field(
        None, description="the community unit whose staff do the tasks; absent: no tasks"
    )
    per_year: float = Field(
        0.0, ge=0.0, le=L.MAX_PER_YEAR, description="task items a community receives a year"
    )
    hours_each: float = Field(
        8.0, ge=0.0, le=L.MAX_HOURS, description="mean staff hours of a task item"
    )
    plaques: int = Field(
        0,
        ge=0,
        le=10_000,
        description="plaques (牌子) a community hangs, each with its monthly upkeep",
    )
    plaque_hours_per_month: float = Field(
        0.0, ge=0.0, le=744.0, description="staff hours a plaque costs a month"
    )
    assessments: int = Field(
        0, ge=0, le=10_000, description="assessments (考核) a community undergoes a year"
    )
    assessment_hours: float = Field(
        0.0, ge=0.0, le=L.MAX_HOURS, description="staff hours an assessment costs"
    )
    chunk_hours: float = Field(
        1.0,
        gt=0.0,
        le=L.MAX_HOURS,
        description="longest piece of task work before a staffer may turn to the counter",
    )
    per_residents: int | None = Field(
        None,
        ge=1,
        le=L.MAX_RESIDENTS_PER_COMMUNITY,
        description="figures are for a community of this many residents (scaled to each community)",
    )
    campaigns_per_year: float = Field(
        0.0,
        ge=0.0,
        le=365.0,
        description="campaigns a year in which all communities get their tasks at once",
    )
    deadline_days: float | None = Field(
        None, gt=0.0, le=L.MAX_DAYS, description="days a campaign's tasks are due after it starts"
    )
    overtime_hours: float = Field(
        0.0, ge=0.0, le=8.0, description="hours staff stay after closing for tasks on busy days"
    )


class OnlineSpec(Section):
    """The online government-service platform (互联网+政务服务).

    A resident's item that is ``online_eligible`` goes online with chance ``share`` times the
    resident's ``population.online_factor``, or, with ``adoption``, with the share of the
    resident's age band who handle government items online when they can (the digital
    divide: the elderly often need assisted handling, 帮办代办); a band not listed never goes
    online.
    """

    share: float = Field(
        ge=0.0,
        le=1.0,
        description="chance an eligible item goes online, times the resident's online factor",
    )
    adoption: dict[str, float] | None = Field(
        None, description="share by age band who handle eligible items online (instead of share)"
    )


class Scenario(Section):
    """A whole scenario: what the district looks like and how work flows through it."""

    name: str = Field(
        min_length=1,
        max_length=L.MAX_NAME,
        description="the scenario's name (names result folders)",
    )
    description: str = Field(
        "", max_length=L.MAX_TEXT, description="one line on what the scenario stands for"
    )
    days: int = Field(365, ge=1, le=L.MAX_DAYS, description="days simulated in each replication")
    warmup_days: int = Field(
        0, ge=0, le=L.MAX_DAYS, description="days left out of the summary (the district filling up)"
    )
    seed: int = Field(1, ge=0, le=L.MAX_SEED, description="root seed of the random streams")
    replications: int = Field(
        1, ge=1, le=L.MAX_REPLICATIONS, description="replications run by default"
    )
    calendar: CalendarSpec = Field(CalendarSpec(), description="office hours")
    structure: Structure = Field(description="streets, communities, residents, grids")
    departments: list[str] = Field(description="the district's functional departments (职能部门)")
    population: PopulationSpec = Field(PopulationSpec(), description="who the residents are")
    satisfaction: SatisfactionSpec = Field(
        SatisfactionSpec(), description="how resolved matters move residents' satisfaction"
    )
    units: dict[str, UnitSpec] = Field(description="service units by name")
    flows: dict[str, Flow] = Field(description="the paths items take, by name")
    demands: dict[str, DemandSpec] = Field(description="demand types by name")
    tasks: TasksSpec = Field(TasksSpec(), description="work departments push down to communities")
    online: OnlineSpec = Field(OnlineSpec(share=0.0), description="the online platform")
    # governance mechanisms (issue #3): absent means switched off
    consultation: ConsultationSpec | None = Field(
        None, description="three-level, six-step consultation (三级六步); absent: off"
    )
    market: MarketSpec | None = Field(
        None, description="purchase of services from social organisations; absent: off"
    )
    burden: BurdenSpec | None = Field(
        None,
        description="departments pushing work down, the gate, funds following tasks; absent: off",
    )
    evaluation: EvaluationSpec | None = Field(None, description="two-way evaluation; absent: off")
    # residents' access costs (issue #8): absent means every latent need is raised
    access: AccessSpec | None = Field(
        None, description="residents' access costs and latent demand; absent: every need raised"
    )
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("name", "description")
    @classmethod
    def _printable(cls, v: str) -> str:
        if not all(c.isprintable() or c in "\n\t" for c in v):
            raise ValueError("must not hold control characters")
        return v
