"""Burden after a cut: departments pushing work back (反弹), the access gate (准入), funds
follow tasks (费随事转).

After Tongling's "three cuts, one strengthening" (三减一加强, May 2014) the tasks a community
carries fell by nearly half from 280+ (001). Departments still have the work they used to push
down; without a change in how they work the burden rebounds (反弹, 001), and departments that
manage communities the way they managed street offices "turn the community back into a street
office" (只会把社区变回街道, 001). Here the communities that look most like street offices
(well staffed for their residents, holding administrative items) draw the most work. The
Tongling proposal (004) adds a task access gate (准入: a new task for communities needs the
reform group's approval) and funds that follow the task (费随事转).

In a scenario, ``tasks.per_year`` is the work that stays with communities whatever happens;
the ``[burden]`` section adds the work departments would push on top of it, and the push rule
(`sim.rules.push`) decides how much of it they do push.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.scenario import limits as L
from sim.scenario.section import Probability, Section


class GateSpec(Section):
    """The task access gate (准入): the reform group vets every new task for communities.

    Attributes
    ----------
    reject_unfunded : float
        Chance the gate turns away a new task that comes without funds.
    reject_funded : float
        Chance the gate turns away a new task that comes with its funds.
    listed_items, items_before : int or None
        Item lists (Xiangfang, 002: 25 self-governance and 70 assist-government items): a
        new task falls on the lists with chance ``listed_items / items_before`` (the items
        communities carried before the lists) and then passes; the reject chances apply to
        the others. Both or neither.
    entrustment : float
        Chance that a department whose unfunded task the gate turned away signs an
        entrustment contract (委托协议, 004) for it instead: it pays for the work (the task
        comes with funds) and the task passes.
    """

    reject_unfunded: float = Probability
    reject_funded: float = Field(0.0, ge=0.0, le=1.0)
    listed_items: int | None = Field(None, ge=0, le=100_000)
    items_before: int | None = Field(None, ge=1, le=100_000)
    entrustment: float = Field(0.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _lists(self) -> GateSpec:
        if (self.listed_items is None) != (self.items_before is None):
            raise ValueError("listed_items and items_before go together")
        return self


class FundsSpec(Section):
    """Funds follow tasks (费随事转): a department sends money with the work it assigns.

    Attributes
    ----------
    funded_share : float
        Chance a new task comes with its funds.
    bought_share : float
        Share of a funded task's hours that the funds buy from outside the community staff
        (a social organisation or hired help, 001: withdrawn functions are bought); the staff
        work the rest.
    """

    funded_share: float = Probability
    bought_share: float = Probability


class BurdenSpec(Section):
    """Departments pushing work down by capacity, channel and habit (行政化反弹), the access
    gate (准入), funds follow tasks (费随事转).

    Departments have ``latent_per_year`` would-be tasks a year for every community (scaled to
    its residents like the core tasks when ``tasks.per_residents`` is set), a Poisson stream
    in office hours, each from one of the scenario's departments (equally likely) with the
    workload of a core task (exponential, mean ``tasks.hours_each``). The cut does not change
    this stream. A department tries to push a would-be task to its community with chance
    ``p``, ``p / (1 - p) = A * h / (1 - h)`` (`sim.rules.push`): ``h`` is the department's
    habit of pushing to that community, from ``habit_start``, moved a share ``r`` towards 1
    by each task the community accepts and towards 0 by each one the gate turns away, with
    ``r = min(1, learning_per_year / m)`` and ``m = latent_per_year * scale / departments`` the
    would-be tasks a department has for the community a year; ``A`` is the community's
    attraction, ``channel * (staff / (reference_staff * scale)) ** capacity_elasticity``,
    with ``staff`` the servers of ``tasks.unit`` and ``scale`` the community's residents over
    ``tasks.per_residents`` (1 without it).

    Attributes
    ----------
    latent_per_year : float
        Would-be tasks departments want to push down per community a year (per
        ``tasks.per_residents`` residents when set).
    reference_staff : float
        Staff per community (of ``tasks.per_residents`` residents when set) at which
        departments see ordinary capacity.
    capacity_elasticity : float
        How strongly departments respond to staff per resident (0: not at all; 1: in
        proportion).
    channel : float
        The communities' administrative status as a factor on their attraction: 1 for the
        reference (communities accept items and forward them), more when they hold
        administrative items and process them as a street office did.
    habit_start : float
        Departments' habit of pushing to a community at the start of the run, in [0, 1].
    learning_per_year : float
        How far a department's habit moves in a year of attempts: a year in which every
        would-be task was tried and accepted moves it about this share of the way towards 1
        (for small values; each attempt moves it ``learning_per_year / m`` of the way towards
        1 if accepted, towards 0 if turned away).
    gate : GateSpec or None
        The access gate (准入); absent: every new task reaches the community.
    funds : FundsSpec or None
        Funds follow tasks (费随事转); absent: no new task comes with funds.
    """

    latent_per_year: float = Field(ge=0.0, le=L.MAX_PER_YEAR)
    reference_staff: float = Field(gt=0.0, le=L.MAX_SERVERS)
    capacity_elasticity: float = Field(ge=0.0, le=10.0)
    channel: float = Field(ge=0.0, le=100.0)
    habit_start: float = Probability
    learning_per_year: float = Field(ge=0.0, le=1_000.0)
    gate: GateSpec | None = None
    funds: FundsSpec | None = None
