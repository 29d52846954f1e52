"""The command line layers scenario files and sets the days of a comparison (analyst
experience issue): `govsim run BASE REFORM` runs the reform laid over the base, as
`sim.load_scenario([...])` does; `govsim compare --days N` runs every scenario N days."""

from __future__ import annotations

import json
from pathlib import Path

import sim
from sim.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_run_layers_files(tmp_path: Path) -> None:
    """The Xiangfang reform laid over the teaching scenario: the teaching district's size
    with the reform's center, exactly what the Python API resolves."""
    files = [str(SCENARIOS / "teaching.toml"), str(SCENARIOS / "xiangfang_center.toml")]
    out = tmp_path / "run"
    argv = ["run", *files, "--days", "9", "--quiet", "--no-figures", "--out", str(out)]
    assert main(argv) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    resolved = manifest["resolved_scenario"]
    expected = sim.load_scenario(files, ["days=9"])
    assert resolved["structure"] == expected.model_dump(mode="json")["structure"]
    assert resolved["name"] == "xiangfang_center"
    teaching = sim.load_scenario(files[0])
    assert resolved["structure"]["communities"] == teaching.structure.communities
    assert "street_center" in resolved["units"]


def test_compare_days(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    teaching = str(SCENARIOS / "teaching.toml")
    argv = ["compare", teaching, teaching, "--days", "12", "--replications", "2"]
    assert main(argv + ["--quiet", "--no-figures", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(s["days"] == 12 for s in manifest["resolved_scenarios"].values())
