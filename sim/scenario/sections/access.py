"""Access to the offices: which of residents' latent needs become recorded demands.

Recorded demand is not the same as need (Beijing's 12345 hotline: recorded requests change a
lot when access changes, DOMAIN.md). A resident with a need weighs what raising it costs:
the round trips to the counters of the flow the item takes and the time spent there. A
reform that brings the counter closer (a street center instead of the district) or takes the
item online raises more of the same needs; one that adds trips raises fewer.

With the ``[access]`` section the rates of the demand streams are rates of latent needs, and
each need is raised with probability ``exp(-elasticity_per_hour * hours)``, where ``hours``
is the resident's expected access time for the item (`sim.rules.access`). Absent, every need
is raised.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from sim.scenario import limits as L
from sim.scenario.section import Section

# the levels a unit stands at (as in the schema's `UnitSpec.level`)
LEVELS = ("community", "street", "district", "department", "online")

Minutes = Annotated[float, Field(ge=0.0, le=L.MAX_MINUTES, allow_inf_nan=False)]


class AccessSpec(Section):
    """Residents' latent needs become recorded demands only if going to the office seems
    worth it.

    A need of an item group is raised with probability ``exp(-elasticity_per_hour * h)``,
    where ``h`` is the resident's expected access hours for it: over the stages of its flow
    where the resident is present, the expected number of visits (routes' probabilities, and
    returns for missing documents) times the round trip to the stage's unit and the expected
    time at its counter. A resident who will apply online starts at the flow's online entry
    and spends ``online_minutes`` more.

    Attributes
    ----------
    travel_minutes : dict of str to float
        A resident's round trip, in minutes, to a unit of each level (``community``,
        ``street``, ``district``, ``department``, ``online``); a level not listed costs 0.
    elasticity_per_hour : float
        How fast the chance of raising a need falls with its expected access hours (0: every
        need is raised, as without the section).
    online_minutes : float
        Expected minutes of handling an eligible item online (finding the service, filling in
        the form, uploading documents).
    """

    travel_minutes: dict[str, Minutes] = Field(default_factory=dict)
    elasticity_per_hour: float = Field(ge=0.0, le=100.0)
    online_minutes: float = Field(10.0, ge=0.0, le=L.MAX_MINUTES)

    @field_validator("travel_minutes")
    @classmethod
    def _known_levels(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in value if k not in LEVELS]
        if unknown:
            raise ValueError(f"unknown level '{unknown[0]}' (levels: {', '.join(LEVELS)})")
        return value
