"""The command line layers scenario files and sets the days of a comparison (analyst
experience issue): `govsim run BASE REFORM` runs the reform laid over the base, as
`sim.load_scenario([...])` does; `govsim compare --days N` runs every scenario N days."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.scenario.mismatch import unexplained

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


def test_compare_warns_when_the_baseline_is_not_the_place_reformed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's old pitfall: the Xiangfang reform (of the full district) compared with
    the teaching district differs in size too; `compare` says so, naming the keys."""
    teaching, reform = str(SCENARIOS / "teaching.toml"), str(SCENARIOS / "xiangfang_center.toml")
    argv = ["compare", teaching, reform, "--days", "20", "--replications", "1", "--quiet"]
    assert main(argv + ["--no-figures", "--out", str(tmp_path / "c")]) == 0
    err = capsys.readouterr().err
    assert "warning: xiangfang_center differs from teaching outside what" in err
    assert "structure.communities" in err


def test_no_warning_for_the_place_reformed() -> None:
    """Against the scenario it extends, a reform differs only where its own file sets."""
    base_file = SCENARIOS / "baseline.toml"
    for name in ("xiangfang_center", "tongguanshan_abolition", "tongling_burden_cuts"):
        reform_file = SCENARIOS / f"{name}.toml"
        base = sim.load_scenario(base_file)
        reform = sim.load_scenario(reform_file)
        assert unexplained(base, reform, base_file, reform_file) == [], name


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`govsim --version` names the installed version and which engine core runs, and
    exits 0."""
    from sim.compiled import compiled_core

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    said = capsys.readouterr().out
    assert said.startswith("govsim ")
    core = "compiled" if all(compiled_core().values()) else "from the Python source"
    assert f"(engine core: {core})" in said


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("sweeps/xiangfang_sobol.toml", "a sweep file, not a scenario: run it with govsim sweep"),
        ("targets/pre_reform.toml", "a targets file, not a scenario: check it with govsim targets"),
    ],
)
def test_other_files_given_to_run_say_what_they_are(
    path: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = SCENARIOS.parent
    assert main(["validate", str(root / path)]) == 2
    assert says in capsys.readouterr().err


@pytest.mark.parametrize(
    "command", ["run", "compare", "sweep", "targets", "validate", "assumptions"]
)
def test_every_help_has_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "examples:\n  govsim " + command in out
    assert "``" not in out  # no reStructuredText markup
