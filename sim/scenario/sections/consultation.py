"""Three-level, six-step consultation (三级六步) with residents: participation,
implementation and disappointment, temporary social organisations, participatory training.

Shazitang street (Changsha, 003) settles residents' matters at the level that fits them: a
deliberation meeting (议事会) within a grid for simple matters, led by the grid leader, any
time, 5–8 people; a linkage consultation (联动协商) for complex matters across grids or in a
community, led by the community secretary on the regular mass-work day (群众工作日) or ad hoc
when urgent, about 15 people; a hearing (听证会) for major matters, about 30 people, reported
for approval first. Each passes six steps: set the topic (定题), review it (审题), publicise it
(公示), consult (协商), file the result (归档) and publish the result with feedback (反馈).

A section absent from a scenario switches the mechanism off; every figure below carries its
source in the scenario file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario import limits as L
from sim.scenario.section import Probability, Section

LEVEL_NAMES = ("deliberation", "linkage", "hearing")
MAX_SEATS = 10_000  # people at one meeting: far above a hearing's thirty
STEP_NAMES = ("topic", "review", "publicise", "consult", "file", "publish")


class Steps(Section):
    """One figure for each of the six steps (三级六步的六步): days of waiting before the
    step's work, or staff hours of that work."""

    topic: float = Field(ge=0.0, le=L.MAX_DAYS)
    review: float = Field(ge=0.0, le=L.MAX_DAYS)
    publicise: float = Field(ge=0.0, le=L.MAX_DAYS)
    consult: float = Field(ge=0.0, le=L.MAX_DAYS)
    file: float = Field(ge=0.0, le=L.MAX_DAYS)
    publish: float = Field(ge=0.0, le=L.MAX_DAYS)

    def as_tuple(self) -> tuple[float, ...]:
        """The six figures in step order (`STEP_NAMES`)."""
        return tuple(getattr(self, k) for k in STEP_NAMES)


class GuideSpec(Section):
    """When a grid deliberation reaches no consensus, the legal-aid staff (法律维权室工作人员)
    guide it (003): the parties meet again ``days`` later, for ``hours`` with the guide and
    one community staffer, and agree with chance ``consensus``; only if they still do not
    is the matter handed up (``escalate_to``)."""

    days: float = Field(ge=0.0, le=L.MAX_DAYS)
    hours: float = Field(ge=0.0, le=L.MAX_HOURS)
    consensus: float = Probability


class MatterSpec(Section):
    """A kind of residents' matter (事项) raised in every community as a Poisson stream in
    office hours: a neighbour dispute (纠纷), a shared-space problem, a renovation or
    relocation.

    ``complexity`` with ``cross_grid`` (share of matters spanning more than one grid) decides
    the level (see `sim.rules.consultation.route_level`); ``urgent`` matters skip the wait
    for the mass-work day; the number of departments involved is Poisson with mean
    ``departments_mean``; ``needs_funds`` is the share that needs money to carry out.
    """

    rate_per_community_year: float = Field(ge=0.0, le=L.MAX_PER_YEAR)
    complexity: Literal["simple", "complex", "major"]
    cross_grid: float = Field(0.0, ge=0.0, le=1.0)
    urgent: float = Field(0.0, ge=0.0, le=1.0)
    departments_mean: float = Field(0.0, ge=0.0, le=100.0)
    needs_funds: float = Field(0.0, ge=0.0, le=1.0)


class LevelSpec(Section):
    """One level of consultation: who leads it, how many come, how long each step takes.

    ``days`` are calendar days waited before each step (notice, drafting, publicity);
    ``staff_hours`` is the community staff work of each step, joined at the community's staff
    as meeting work (the consult step's figure is the length of the meeting, for each of
    ``staff_at_meeting`` staff). ``pool`` is where participants are invited from (the grid's
    or the community's residents); at most ``invite_limit`` are asked per meeting.
    ``consensus`` is the chance the meeting agrees; without consensus a level with
    ``escalate_to`` hands the matter up (a grid deliberation to a linkage consultation), any
    other ends without an outcome. ``mass_work_day``: the meeting waits for the next
    mass-work day unless the matter is urgent. ``approval_days``: reporting for approval
    (报批) after the review, before publicity.

    ``participants_min`` to ``participants_max`` count everyone at the table but the
    community staff running it (003's 5–8, about 15, about 30). ``officials`` take their
    seats first — legal-aid staff, departments, the property company, deputies, unit
    representatives — and spend the meeting's length there (officials' hours); residents
    fill the rest. ``guide``: the no-consensus path of a grid deliberation (003).
    """

    participants_min: int = Field(ge=1, le=MAX_SEATS)
    participants_max: int = Field(ge=1, le=MAX_SEATS)
    pool: Literal["grid", "community"]
    invite_limit: int = Field(ge=1, le=MAX_SEATS * 100)
    days: Steps
    staff_hours: Steps
    staff_at_meeting: int = Field(1, ge=1, le=MAX_SEATS)
    consensus: float = Probability
    escalate_to: Literal["linkage", "hearing"] | None = None
    mass_work_day: bool = False
    approval_days: float = Field(0.0, ge=0.0, le=L.MAX_DAYS)
    officials: dict[str, int] = Field(default_factory=dict)
    guide: GuideSpec | None = None

    @model_validator(mode="after")
    def _sizes(self) -> LevelSpec:
        if self.participants_max < self.participants_min:
            raise ValueError("participants_max is below participants_min")
        if self.invite_limit < self.participants_max:
            raise ValueError("invite_limit is below participants_max")
        if any(v < 0 for v in self.officials.values()):
            raise ValueError("officials: seats must not be negative")
        if self.official_seats >= self.participants_min:
            raise ValueError(
                f"officials take {self.official_seats} seats, leaving residents none of "
                f"participants_min = {self.participants_min}"
            )
        return self

    @property
    def official_seats(self) -> int:
        """Seats at the table taken by officials (not residents)."""
        return sum(self.officials.values())


class WillingnessSpec(Section):
    """Whether a resident asked to a consultation wants to take part, apart from whether
    they are free to (availability).

    ``by_age`` is the chance by age band; a party member's odds are multiplied by
    ``party_odds_ratio``, a resident's by ``education_odds_ratio`` of their education level
    (1 where absent), a resident of the matter's own grid at a community-wide meeting by
    ``interest_odds_ratio`` (the matter touches them), and ``trust_effect`` adds to the
    log-odds per unit of satisfaction above the population's initial satisfaction (trust in
    the community). A resident disappointed by an earlier consultation is not willing.
    """

    by_age: dict[str, float]
    party_odds_ratio: float = Field(1.0, gt=0.0, le=1e6)
    education_odds_ratio: dict[str, float] = Field(default_factory=dict)
    interest_odds_ratio: float = Field(1.0, gt=0.0, le=1e6)
    trust_effect: float = Field(0.0, ge=-100.0, le=100.0)

    @field_validator("by_age")
    @classmethod
    def _probabilities(cls, v: dict[str, float]) -> dict[str, float]:
        for band, p in v.items():
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"by_age.{band} must be a probability in [0, 1], got {p}")
        return v

    @field_validator("education_odds_ratio")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        for level, r in v.items():
            if not 0.0 < r <= 1e6:
                raise ValueError(f"education_odds_ratio.{level} must be in (0, 1e6], got {r}")
        return v


class ImplementationSpec(Section):
    """Whether an agreed outcome is carried out (落实): a base chance, cut when the money is
    not found and for every department beyond the first that must act; a linkage mechanism
    (联动机制) that carries outcomes through the departments saves a share of the rest."""

    base: float = Probability
    funds: float = Probability
    department_penalty: float = Probability
    linkage_carry: float = Field(0.0, ge=0.0, le=1.0)


class DisappointmentSpec(Section):
    """Disappointment (失望) after a consultation whose outcome was not carried out: each
    participant becomes disappointed with ``probability`` and refuses to take part again
    until they get over it (at ``recovery_per_year``, an exponential waiting time).

    With ``initial = "steady"`` residents start as years of consultations before the run
    would have left them: each is disappointed with the steady-state chance of their own
    rate of taking part (`sim.rules.participation.steady_disappointment`); with ``"none"``
    nobody starts disappointed.
    """

    probability: float = Probability
    recovery_per_year: float = Field(0.0, ge=0.0, le=1_000.0)
    initial: Literal["none", "steady"] = "none"


class ChannelsSpec(Section):
    """Ways to reach residents too busy to come (003's remedies): home visits (走访), written
    consultation (书面征询) and online consultation (网上协商). Each reaches that share of
    the residents not coming in person (online scaled by the resident's online propensity);
    a visit costs community staff ``visit_minutes``. All zero: offline only."""

    visits: float = Field(0.0, ge=0.0, le=1.0)
    written: float = Field(0.0, ge=0.0, le=1.0)
    online: float = Field(0.0, ge=0.0, le=1.0)
    visit_minutes: float = Field(0.0, ge=0.0, le=L.MAX_MINUTES)


class TemporaryOrgSpec(Section):
    """Temporary social organisations (临时性社会组织, 001): for a matter of one of
    ``kinds`` a group of ``members`` residents forms with probability ``formation``,
    negotiates with the departments for the residents and dissolves when the result is
    published; while it exists the community staff hours of the matter are cut by
    ``relief``."""

    kinds: list[str]
    formation: float = Probability
    members: int = Field(ge=1, le=MAX_SEATS)
    relief: float = Probability


class TrainingSpec(Section):
    """Participatory training (参与式培训, 001) as a capability: step days and staff hours
    are multiplied by ``duration_factor`` and the chance of no consensus by
    ``no_consensus_factor``."""

    duration_factor: float = Field(gt=0.0, le=100.0)
    no_consensus_factor: float = Field(ge=0.0, le=100.0)


class ConsultationSpec(Section):
    """Three-level, six-step consultation (三级六步) with residents: participation,
    implementation and disappointment, temporary social organisations.

    Meetings are staff work at ``unit`` (a community-level unit, the community's staff);
    linkage consultations meet on the mass-work day, weekday ``mass_work_weekday`` (0 is
    Monday) every ``mass_work_weeks`` weeks. With ``per_residents`` the matters' rates are
    those of a community of that many residents and each community's rate is scaled to its
    residents, so merging communities leaves the district's matters as they were.

    Officials seated at meetings (`LevelSpec.officials`) count among the participants in
    the participants' mix as ``official_occupation`` with ``official_education`` (shares by
    the population's education levels): 003 counts everyone taking part.
    """

    unit: str = "community_desk"
    mass_work_weekday: int = Field(0, ge=0, le=6)
    mass_work_weeks: int = Field(1, ge=1, le=52)
    per_residents: int | None = Field(None, ge=1, le=L.MAX_RESIDENTS_PER_COMMUNITY)
    matters: dict[str, MatterSpec]
    deliberation: LevelSpec
    linkage: LevelSpec
    hearing: LevelSpec
    implementation: ImplementationSpec
    disappointment: DisappointmentSpec
    channels: ChannelsSpec = ChannelsSpec()
    temporary_orgs: TemporaryOrgSpec | None = None
    training: TrainingSpec | None = None
    willingness: WillingnessSpec | None = None
    official_occupation: str = "employed"
    official_education: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> ConsultationSpec:
        if self.temporary_orgs is not None:
            for kind in self.temporary_orgs.kinds:
                if kind not in self.matters:
                    raise ValueError(f"temporary_orgs.kinds: unknown matter kind '{kind}'")
        for name in LEVEL_NAMES:
            up = getattr(self, name).escalate_to
            if up is not None and LEVEL_NAMES.index(up) <= LEVEL_NAMES.index(name):
                raise ValueError(f"{name}.escalate_to must be a higher level, got '{up}'")
        return self

    def level(self, name: str) -> LevelSpec:
        """The spec of level `name` (``deliberation``, ``linkage`` or ``hearing``)."""
        return getattr(self, name)
