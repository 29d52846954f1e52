"""Two-way evaluation (004): residents rate communities, communities rate departments."""

from __future__ import annotations

from sim.scenario.section import Probability, Section


class EvaluationSpec(Section):
    """Two-way evaluation (004): residents rate communities, communities rate departments.

    Once a year the government rates each community by its residents' mean satisfaction, and
    communities rate each department by the share of the new tasks it assigned that year that
    came with funds (费随事转). A department rated ``r`` pushes, the next year, a fraction
    ``feedback * (1 - r)`` fewer of its unfunded tasks than it did this year (a department
    that funded everything is left alone).

    Attributes
    ----------
    feedback : float
        How strongly a poor rating restrains a department's unfunded tasks the next year
        (0: the rating has no consequence).
    """

    feedback: float = Probability
