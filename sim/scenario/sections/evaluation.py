"""Two-way evaluation (004): residents rate communities, communities rate departments."""

from __future__ import annotations

from sim.scenario.section import Section


class EvaluationSpec(Section):
    """Two-way evaluation (004): residents rate communities, communities rate departments."""
