"""Field patterns as data: a targets file is checked before anything runs, and the model's
mean and interval are set beside each observation."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.experiment.options import RunOptions
from sim.experiment.targets import TARGET_COLUMNS, check_targets, load_targets, markdown
from sim.scenario import ScenarioError

REPO = Path(__file__).resolve().parents[1]
TEACHING = (REPO / "scenarios" / "teaching.toml").as_posix()

GOOD = f"""
description = "two patterns on the teaching scenario"

[[targets]]
name = "approvals_days"
scenario = "{TEACHING}"
metric = "resolution_days_mean"
demand_type = "administrative/civil_affairs_approvals"
value = 5
low = 0
high = 1000
source = "assumption: a test band anything sensible falls in"

[[targets]]
name = "impossible_wait"
scenario = "{TEACHING}"
metric = "wait_minutes_mean"
value = -1
high = -0.5
source = "assumption: a band nothing can fall in"
"""


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "targets.toml"
    f.write_text(text, encoding="utf-8")
    return f


def test_shipped_targets_load() -> None:
    """The shipped pre-reform patterns load: their scenarios exist and report the metric."""
    targets = load_targets(REPO / "targets" / "pre_reform.toml")
    assert len(targets) >= 4
    assert all(t.source.startswith("public report") for t in targets)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda t: t.replace('metric = "wait_minutes_mean"', 'metric = "nosuch"'), "metric"),
        (lambda t: t.replace(f'scenario = "{TEACHING}"', 'scenario = "none.toml"', 1), "scenario"),
        (lambda t: t.replace("value = 5", "value = 5\nvalu = 6"), "valu"),
        (lambda t: t.replace("low = 0", "low = 2000"), "low"),
        (lambda t: t.replace('"impossible_wait"', '"approvals_days"'), "name"),
    ],
)
def test_bad_targets_give_one_line_naming_the_key(tmp_path: Path, edit, key: str) -> None:
    """A broken targets file is refused with one line naming the file and the key."""
    f = write(tmp_path, edit(GOOD))
    with pytest.raises(ScenarioError) as err:
        load_targets(f)
    text = str(err.value)
    assert "\n" not in text and str(f) in text and key in text


def test_model_beside_the_targets(tmp_path: Path) -> None:
    """Each target gets the model's mean inside its own interval, and the band verdict
    follows the band: the generous one holds, the impossible one does not."""
    f = write(tmp_path, GOOD)
    table = check_targets(f, replications=3, seed=5, options=RunOptions(1, progress=False))
    assert list(table.columns) == TARGET_COLUMNS
    assert list(table["target"]) == ["approvals_days", "impossible_wait"]
    assert (table["ci_low"] <= table["model_mean"]).all()
    assert (table["model_mean"] <= table["ci_high"]).all()
    assert list(table["in_band"]) == [True, False]
    assert (table["replications"] == 3).all()
    text = markdown(table)
    assert "approvals_days" in text and "(0–1000)" in text and "(≤ -0.5)" in text


def test_cli_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``govsim targets`` prints the table and writes targets.csv; a bad file exits 2."""
    f = write(tmp_path, GOOD)
    out = tmp_path / "out"
    code = main(["targets", str(f), "--replications", "2", "--workers", "1", "--out", str(out)])
    assert code == 0
    assert (out / "targets.csv").exists()
    assert "impossible_wait" in capsys.readouterr().out
    bad = write(tmp_path, GOOD.replace('metric = "wait_minutes_mean"', 'metric = "nosuch"'))
    assert main(["targets", str(bad), "--out", str(tmp_path / "bad")]) == 2
    assert not (tmp_path / "bad").exists()
