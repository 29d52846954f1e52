"""Three-level, six-step consultation (三级六步): matters drawn, the process, its tally."""

from sim.processes.consultation.matters import Matter, draw_matters
from sim.processes.consultation.process import Consultation, Meeting
from sim.processes.consultation.tally import ConsultationTally, Counts, Tracker

__all__ = [
    "Consultation",
    "ConsultationTally",
    "Counts",
    "Matter",
    "Meeting",
    "Tracker",
    "draw_matters",
]
