"""Golden tables: the results of fixed runs, kept to catch an unintended change of the model.

Each case runs a shipped scenario (shrunk where it would be slow) for two replications under a
fixed seed, in this process, and compares its summary and yearly tables byte for byte with
the files in ``tests/golden/``, and its demand records and daily series by their SHA-256.
A restructuring must leave them unchanged. A deliberate change of the model regenerates them,
in a commit of its own that says what changed and why, with::

    GOVSIM_REGENERATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = 20261201
REGENERATE = os.environ.get("GOVSIM_REGENERATE_GOLDEN") == "1"

SMALL = {
    "days": 400,
    "warmup_days": 14,
    "structure.communities": 3,
    "structure.residents_per_community": 800,
}

BIG = "structure.residents_per_community"  # enough residents for organisations to enter

# case -> (scenario file, overrides): the teaching scenario as shipped, and one scenario per
# governance mechanism (and all of them together), cut to three small communities and a year
# and a month so that yearly events happen
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "teaching": ("teaching.toml", {}),
    "consultation": ("tianjinghu_temporary_orgs.toml", SMALL),
    "consultation_linkage": ("shazitang_linkage.toml", SMALL),
    "market": ("tongguanshan_purchase.toml", {**SMALL, BIG: 3000}),
    "burden_gate": ("tongling_gate_5y.toml", SMALL),
    "evaluation": ("tongling_evaluation_5y.toml", SMALL),
    "full_reform": ("tongguanshan_full_reform.toml", {**SMALL, BIG: 3000}),
}


def _digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def _tables(case: str) -> dict[str, str]:
    file, overrides = CASES[case]
    s = sim.load_scenario(ROOT / "scenarios" / file, overrides)
    result = sim.run(
        s, replications=2, seed=SEED, options=sim.RunOptions(progress=False, workers=1)
    )
    return {
        "summary.csv": result.summary.to_csv(index=False),
        "yearly.csv": result.yearly.to_csv(index=False),
        "digests.json": json.dumps(
            {
                "demands": _digest(result.demands),
                "timeseries": _digest(result.timeseries),
                "demand_rows": len(result.demands),
            },
            indent=2,
        )
        + "\n",
    }


@pytest.mark.parametrize("case", list(CASES))
def test_results_match_the_golden_tables(case: str) -> None:
    """The run reproduces its stored tables exactly (or rewrites them when regenerating)."""
    folder = GOLDEN / case
    tables = _tables(case)
    if REGENERATE:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in tables.items():
            (folder / name).write_text(text, encoding="utf-8")
        return
    for name, text in tables.items():
        path = folder / name
        assert path.exists(), f"{path} missing: regenerate with GOVSIM_REGENERATE_GOLDEN=1"
        assert text == path.read_text(encoding="utf-8"), f"{case}/{name} differs from golden"
