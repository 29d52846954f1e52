"""Three-level, six-step consultation (三级六步) with residents: participation,
implementation and disappointment, temporary social organisations."""

from __future__ import annotations

from sim.scenario.section import Section


class ConsultationSpec(Section):
    """Three-level, six-step consultation (三级六步) with residents: participation,"""
