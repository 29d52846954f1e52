"""The reform table of the documentation covers every shipped reform.

`validation/reforms.toml` pairs each reform with the scenario before it and a sentence on the
mechanism; `docs/reforms.md` (written by `validation/report.py`) must have a section for each.
A new reform file without a pair, or a page not regenerated after one was added, fails here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import sim

REPO = Path(__file__).resolve().parents[1]
# places before a reform, and the staff-only and no-list states reforms are compared with
BEFORE = {
    "baseline",
    "teaching",
    "daoli_before",
    "xicheng_before",
    "tongguanshan_purchase_staff_only",
    "xiangfang_push_3y",
    "harbin_city",  # the baseline at city scale (the benchmark of scale), no reform
}


def pairs() -> list[dict]:
    text = (REPO / "validation" / "reforms.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["pairs"]


def test_every_shipped_reform_has_a_pair() -> None:
    """Each scenario that is not a place before its reform is compared with one."""
    shipped = {p.stem for p in (REPO / "scenarios").glob("*.toml")} - BEFORE
    listed = {Path(p["reform"]).stem for p in pairs()}
    assert listed == shipped


def test_pairs_load_and_say_their_mechanism() -> None:
    """Both sides of every pair load (with the before scenario's overrides), have the same
    horizon once aligned, the before side is a place before a reform or a reform itself (a
    variant compared with the reform it varies), and the mechanism sentence is a
    sentence."""
    here = REPO / "validation"
    reforms = {Path(p["reform"]).stem for p in pairs()}
    for p in pairs():
        reform = sim.load_scenario(here / p["reform"])
        before = sim.load_scenario(
            here / p["before"], {"days": reform.days, **p.get("before_set", {})}
        )
        assert before.days == reform.days
        assert Path(p["before"]).stem in BEFORE | reforms  # a place before, or a reform
        assert len(p["mechanism"]) > 40 and p["mechanism"].endswith(".")


def test_reforms_page_has_a_section_per_pair() -> None:
    """docs/reforms.md has one section per reform, with its sentence."""
    page = (REPO / "docs" / "reforms.md").read_text(encoding="utf-8")
    for p in pairs():
        name = sim.load_scenario(REPO / "validation" / p["reform"]).name
        assert f"## {name} (against " in page, name
        assert p["mechanism"] in page, name
