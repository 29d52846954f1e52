"""A structural reform moves people and work; a pure re-partition creates or destroys none.

Merging four communities of 1,000 residents and 4 staff into two of 2,000 residents and 8
staff (same street, same departments) must leave the district's residents and staff exactly
as they were, and its demands and top-down work hours equal in expectation: the work
departments push is scaled to residents (``tasks.per_residents``). The same merge with work
counted per community halves the work — the artefact the residents basis removes.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics.conservation import conservation_metrics
from sim.processes.world import run_replication
from sim.scenario import load_scenario

TEACHING = "scenarios/teaching.toml"
REPS = 6


def _cut(communities: int, residents: int, staff: int, extra: dict | None = None):
    over = {
        "days": 182,
        "structure.communities": communities,
        "structure.residents_per_community": residents,
        "units.community_desk.servers": staff,
        **(extra or {}),
    }
    s = load_scenario(TEACHING, over)
    return [conservation_metrics(run_replication(s, r, 11)) for r in range(REPS)]


@pytest.fixture(scope="module")
def small():
    return _cut(4, 1000, 4)


@pytest.fixture(scope="module")
def merged():
    return _cut(2, 2000, 8)


def _mean_se(rows: list[dict], key: str) -> tuple[float, float]:
    x = np.array([r[key] for r in rows])
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x)))


def test_residents_and_staff_are_the_same(small, merged) -> None:
    """Residents and staff by level are counted exactly, and a re-partition keeps them."""
    for key in ("residents_total", "staff_count_community", "staff_count_total"):
        assert small[0][key] == merged[0][key]


@pytest.mark.parametrize("key", ["demands_per_year", "topdown_work_hours_per_year"])
def test_demand_and_work_are_conserved(small, merged, key: str) -> None:
    """Demands and top-down work hours of the two cuts agree within four standard errors of
    their difference over replications."""
    m1, se1 = _mean_se(small, key)
    m2, se2 = _mean_se(merged, key)
    assert m1 > 0
    assert abs(m1 - m2) < 4 * np.hypot(se1, se2) + 1e-9


def test_work_counted_per_community_is_lost_in_a_merge() -> None:
    """Without the residents basis, merging halves the work pushed down: the artefact."""
    none = {"tasks.per_residents": None}
    a = _cut(4, 1000, 4, none)
    b = _cut(2, 2000, 8, none)
    m1, _ = _mean_se(a, "topdown_work_hours_per_year")
    m2, _ = _mean_se(b, "topdown_work_hours_per_year")
    assert m2 < 0.7 * m1


def test_demands_by_entry_level_add_up() -> None:
    """The demands entering at each level add up to all demands; the Xiangfang center moves
    the approvals' entry from the community to the street and the online platform."""
    over = {"days": 60}
    base = conservation_metrics(run_replication(load_scenario(TEACHING, over), 0, 3))
    center = load_scenario([TEACHING, "scenarios/xiangfang_center.toml"], over)
    moved = conservation_metrics(run_replication(center, 0, 3))
    for m in (base, moved):
        parts = sum(v for k, v in m.items() if k.startswith("demands_per_year_"))
        assert parts == pytest.approx(m["demands_per_year"])
    assert set(k for k in base if k.startswith("demands_per_year_")) == {
        "demands_per_year_community"
    }
    assert moved["demands_per_year_street"] > 0 and moved["demands_per_year_online"] > 0
    assert moved["demands_per_year_community"] < base["demands_per_year_community"]


def test_consultation_matters_are_conserved() -> None:
    """Residents' matters for consultation are scaled to residents too: the two cuts of one
    street raise as many matters in expectation (within four standard errors)."""
    from sim.metrics.mechanisms import mechanism_metrics

    def matters(communities: int, residents: int) -> list[float]:
        s = load_scenario(
            "scenarios/shazitang_consultation.toml",
            {
                "days": 182,
                "structure.communities": communities,
                "structure.residents_per_community": residents,
            },
        )
        out = []
        for r in range(REPS):
            m = mechanism_metrics(run_replication(s, r, 11), "consultation")
            out.append(m[("matters_raised", "")])
        return out

    a, b = np.array(matters(4, 1000)), np.array(matters(2, 2000))
    se = np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(REPS)
    assert a.mean() > 0
    assert abs(a.mean() - b.mean()) < 4 * se + 1e-9
