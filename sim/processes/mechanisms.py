"""The governance mechanisms a scenario can switch on, in the one order they start.

Consultation first (it only uses staff time), then the market (it takes outsourced stages),
then burden (it keeps the ledger) and two-way evaluation (it reads and writes the ledger, so
it needs burden started before it). A test checks that every mechanism's ``needs`` come
earlier in `MECHANISMS` and its ``hooks`` are the router's hook points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.processes.burden import Burden
from sim.processes.consultation import Consultation
from sim.processes.evaluation import Evaluation
from sim.processes.market import Market
from sim.processes.mechanism import Context, Mechanism

MECHANISMS: tuple[type, ...] = (Consultation, Market, Burden, Evaluation)


def start_mechanisms(ctx: Context, given: Mapping[str, Mapping[str, Any]]) -> list[Mechanism]:
    """Create and start, in the order of `MECHANISMS`, every mechanism whose section the
    scenario sets (`given` holds extra constructor arguments by section)."""
    active: list[Mechanism] = []
    for cls in MECHANISMS:
        spec = getattr(ctx.scenario, cls.section, None)
        if spec is None:
            continue
        mech = cls(ctx, spec, **given.get(cls.section, {}))
        mech.start()
        active.append(mech)
    return active
