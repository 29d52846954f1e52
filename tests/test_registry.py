"""The metric registry: it names exactly what a run reports, and a sweep file loads on it alone.

Every shipped scenario runs shrunk (two communities of 300 residents for 30 days; mechanisms
still report every metric, as NaN where nothing happened) and the summary's metrics, with
their demand types, must be those the registry lists for the scenario. Loading a sweep file
checks its outputs against the registry and must run no simulation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import simpy

import sim
from sim.experiment.sweep import load_sweep
from sim.metrics.registry import (
    BETTER,
    MECHANISMS,
    METRICS,
    SECTIONS,
    Metric,
    describe,
    metric_names,
    metric_rows,
    staffed_levels,
)

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"))
SWEEPS = sorted((REPO / "sweeps").glob("*.toml"))
TEACHING = REPO / "scenarios" / "teaching.toml"
SHRINK = {
    "days": 30,
    "warmup_days": 0,
    "structure.communities": 2,
    "structure.residents_per_community": 300,
}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_registry_names_what_a_run_reports(path: Path) -> None:
    """A shrunk run of each shipped scenario reports exactly the registry's rows: the same
    metrics, each for all types together and per demand type or consultation level where
    the registry says so."""
    s = sim.load_scenario(path, SHRINK)
    result = sim.run(s, replications=1, seed=1, options=sim.RunOptions(workers=1, progress=False))
    table = result.summary
    assert set(table["metric"]) == metric_names(s)
    assert set(zip(table["metric"], table["demand_type"], strict=True)) == metric_rows(s)
    for name in set(table["metric"]):
        assert describe(name).name == name


def test_scenarios_cover_every_mechanism() -> None:
    """The shipped scenarios switch on every mechanism, so the test above checks them all."""
    on = {m for p in SCENARIOS for m in MECHANISMS if getattr(sim.load_scenario(p), m)}
    assert on == set(MECHANISMS)


@pytest.mark.parametrize("metric", list(METRICS.values()), ids=lambda m: m.name)
def test_every_metric_is_described(metric: Metric) -> None:
    """Every registered metric has a label, a unit, a one-line description and a direction,
    and is switched on by the core model or a section (a mechanism's, or access)."""
    assert metric.label.strip() and metric.unit.strip() and metric.description.strip()
    assert "\n" not in metric.description
    assert metric.better in BETTER
    assert metric.section in ("", *SECTIONS)
    assert metric.per_level <= (metric.section == "consultation")


def test_patterns_are_filled_in_from_the_scenario() -> None:
    """Pattern names take the scenario's occupations and staffed levels; `describe` fills
    the pattern into the label and description, and refuses unknown names."""
    s = sim.load_scenario(TEACHING)
    names = metric_names(s)
    assert {f"utilisation_{level}" for level in staffed_levels(s)} <= names
    assert not any(n.startswith("participant_share_") for n in names)  # no consultation
    m = describe("utilisation_street")
    assert m.name == "utilisation_street" and "street" in m.label and "<" not in m.label
    assert describe("participant_share_retired").unit == "share"
    assert describe("participant_share_remote") is METRICS["participant_share_remote"]
    with pytest.raises(KeyError):
        describe("no_such_metric")


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any replication or any step of simulated time raises."""

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("a simulation ran")

    monkeypatch.setattr("sim.experiment.jobs.replicate", boom)
    monkeypatch.setattr("sim.experiment.experiment.replicate", boom)
    monkeypatch.setattr(simpy.Environment, "run", boom)
    monkeypatch.setattr(simpy.Environment, "step", boom)


def test_guard_catches_a_run(no_simulation: None) -> None:
    """The guard below is not vacuous: a one-day run trips it."""
    s = sim.load_scenario(TEACHING, {"days": 1, "warmup_days": 0})
    with pytest.raises(AssertionError, match="a simulation ran"):
        sim.run(s, replications=1, options=sim.RunOptions(workers=1, progress=False))


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_load_sweep_runs_no_simulation(path: Path, no_simulation: None) -> None:
    """Loading a shipped sweep file checks its outputs without running a replication."""
    sw = load_sweep(path)
    assert set(sw.spec.outputs.metrics) <= metric_names(sw.base)


def _sweep_file(tmp_path: Path, metrics: str, demand_type: str) -> Path:
    f = tmp_path / "s.toml"
    f.write_text(
        f"""
base = "{TEACHING.as_posix()}"
[design]
kind = "lhs"
samples = 2
[parameters."online.share"]
low = 0.0
high = 0.5
source = "assumption: test"
[outputs]
metrics = [{metrics}]
demand_type = "{demand_type}"
""",
        encoding="utf-8",
    )
    return f


@pytest.mark.parametrize(
    ("metrics", "demand_type", "key", "text"),
    [
        ('"demands", "participation_rate"', "", "outputs.metrics.1", "unknown metric"),
        ('"resolution_day_mean"', "", "outputs.metrics.0", "did you mean 'resolution_days_mean'"),
        ('"cost_yuan_per_demand"', "personal", "outputs.metrics.0", 'use demand_type = ""'),
    ],
)
def test_outputs_not_reported_are_refused_without_running(
    tmp_path: Path, no_simulation: None, metrics: str, demand_type: str, key: str, text: str
) -> None:
    """A mechanism metric the base scenario does not switch on, a misspelt metric and an
    all-types metric asked per type are each one error naming the key, found by the
    registry alone."""
    with pytest.raises(sim.ScenarioError) as err:
        load_sweep(_sweep_file(tmp_path, metrics, demand_type))
    assert err.value.key == key and text in str(err.value)
