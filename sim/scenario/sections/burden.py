"""Burden after a cut: tasks added back (反弹), the access gate (准入), funds follow
tasks (费随事转).

After Tongling's "three cuts, one strengthening" (三减一加强, May 2014) the tasks a community
carries fell by nearly half from 280+ (001). Without a change in how departments work the
burden rebounds (反弹, 001): departments push tasks back down, a few more every year. The
Tongling proposal (004) adds a task access gate (准入: a new task for communities needs the
reform group's approval) and funds that follow the task (费随事转).

In a scenario, ``tasks.per_year`` is the level right after the cut; the ``[burden]`` section
adds the tasks departments push back on top of it.
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.section import Probability, Section


class GateSpec(Section):
    """The task access gate (准入): the reform group vets every new task for communities.

    Attributes
    ----------
    reject_unfunded : float
        Chance the gate turns away a new task that comes without funds.
    reject_funded : float
        Chance the gate turns away a new task that comes with its funds.
    """

    reject_unfunded: float = Probability
    reject_funded: float = Field(0.0, ge=0.0, le=1.0)


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
    """Burden after a cut: tasks added back (反弹), the access gate (准入), funds follow
    tasks (费随事转).

    Departments push new tasks back to every community as a Poisson stream in office hours.
    In year ``y`` of the run (from 0) the rate is ``rebound_per_year * (y + 1)`` task items
    per community, capped so that with ``tasks.per_year`` it does not exceed
    ``ceiling_per_year`` (the pre-cut level). Each new task comes from one of the scenario's
    departments (each equally likely) and has the workload of a core task (exponential, mean
    ``tasks.hours_each``).

    Attributes
    ----------
    rebound_per_year : float
        Task items per community a year that departments add back, more every year.
    ceiling_per_year : float
        The pre-cut level that core and pushed-back tasks together do not exceed.
    gate : GateSpec or None
        The access gate (准入); absent: every new task reaches the community.
    funds : FundsSpec or None
        Funds follow tasks (费随事转); absent: no new task comes with funds.
    """

    rebound_per_year: float = Field(ge=0.0)
    ceiling_per_year: float = Field(ge=0.0)
    gate: GateSpec | None = None
    funds: FundsSpec | None = None
