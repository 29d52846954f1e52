"""Bytecodes the engine executes per demand, by function: a measure noise does not move.

Wall times on a shared machine move by 20–40 % from one run to the next; the number of Python
bytecodes the engine executes for a given scenario and seed does not move at all. This
script traces one short replication (every bytecode of every function, by ``sys.settrace``
with ``f_trace_opcodes``) and prints the bytecodes per demand, in all and by function, so
that a change to the engine's hot paths can be judged in one run::

    python benchmarks/bytecodes.py                           # M/M/c, 3 days (c = 5, ρ = 0.8)
    python benchmarks/bytecodes.py scenarios/baseline.toml --days 20

Tracing is slow (about a hundred times); keep the runs short. Only the clock's run is traced,
not the building of the world (population, demand draws). Compiled code runs no bytecodes,
so the script counts the engine core's Python source, the reference (``GOVSIM_PURE=1``,
`sim.compiled`), whether or not the installed core is compiled.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("GOVSIM_PURE", "1")  # set before `sim` is imported: the source is counted


def count(scenario: Any) -> tuple[int, collections.Counter[str]]:
    """Demands of one replication of `scenario` and the bytecodes each function executed
    while its clock ran."""
    from sim.processes.world import build_world

    world = build_world(scenario, 0, scenario.seed)
    counts: collections.Counter[str] = collections.Counter()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "call":
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
        elif event == "opcode":
            counts[frame.f_code.co_qualname] += 1
        return tracer

    sys.settrace(tracer)
    try:
        world.run()
    finally:
        sys.settrace(None)
    return world.demands.size, counts


def main(argv: Sequence[str] | None = None) -> int:
    """Print the bytecodes per demand of one short replication, by function."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default=None, help="scenario file (default: M/M/c)")
    p.add_argument("--days", type=int, default=3, help="days to run")
    p.add_argument("--top", type=int, default=15, help="functions to list")
    a = p.parse_args(argv)
    from mmc import mmc_scenario

    import sim

    if a.scenario is None:
        scenario = sim.load_scenario(mmc_scenario(5, 0.8, 8.0, a.days))
    else:
        warm = min(14, a.days - 1)
        scenario = sim.load_scenario(a.scenario, {"days": a.days, "warmup_days": warm})
    demands, counts = count(scenario)
    total = sum(counts.values())
    print(f"{scenario.name}: {demands} demands, {total / max(demands, 1):.1f} bytecodes a demand")
    for name, n in counts.most_common(a.top):
        print(f"{n / max(demands, 1):9.1f}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
