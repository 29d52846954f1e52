"""Two-way evaluation (004): residents rate communities, communities rate departments."""

from __future__ import annotations

from pydantic import Field

from sim.scenario.section import Probability, Section


class EvaluationSpec(Section):
    """Two-way evaluation (004): residents rate communities, communities rate departments.

    Once a year the government rates each community by its residents' mean satisfaction, and
    communities rate each department by the share of the new tasks it assigned that year that
    came with funds (费随事转). A department rated ``r`` pushes, the next year, a fraction
    ``feedback * (1 - r)`` fewer of its unfunded tasks than it did this year (a department
    that funded everything is left alone).

    The proposal has a third party led by local deputies (人大代表) judge both sides. Without
    it (``third_party = false``) communities rate the departments that assign their work —
    their superiors — themselves and hide a share ``deference`` of a department's shortfall
    (a rating ``r`` is reported as ``r + deference * (1 - r)``), so poor ratings restrain
    less. The community's rating feeds back too: with ``community_fund_weight`` a
    community's own fund for small projects the next year (`[market]` lines with
    ``per_community``) follows its rating (以奖代补, rewards instead of subsidies;
    `sim.rules.evaluation.fund_factors`), the district's total unchanged.

    Attributes
    ----------
    feedback : float
        How strongly a poor rating restrains a department's unfunded tasks the next year
        (0: the rating has no consequence).
    third_party : bool
        Whether a third party rates the departments from the books (true) or the
        communities rate them themselves (false).
    deference : float
        Without a third party, the share of a department's shortfall communities do not
        report.
    community_fund_weight : float
        How strongly a community's rating moves its share of next year's community funds
        (0: funds as budgeted).
    """

    feedback: float = Probability
    third_party: bool = True
    deference: float = Field(0.0, ge=0.0, le=1.0)
    community_fund_weight: float = Field(0.0, ge=0.0, le=10.0)
