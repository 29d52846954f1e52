"""The shipped scenarios: each loads, has a source for every figure and runs; the reforms
move the metrics they are about, against the baseline under the same seed."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.toml"))
SEED = 20100101
REFORMS = ("xiangfang_center", "tongguanshan_abolition", "tongling_burden_cuts")
# days for the short runs of the full-size scenarios; the teaching scenario runs as shipped
SHORT_DAYS = 28


def test_every_scenario_is_shipped() -> None:
    """The five documented scenarios are in scenarios/."""
    names = {f.stem for f in SHIPPED}
    assert {"baseline", "teaching", *REFORMS} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=[f.stem for f in SHIPPED])
def test_scenario_loads(path: Path) -> None:
    """Each file loads into a frozen scenario named after itself."""
    s = sim.load_scenario(path)
    assert s.name == path.stem
    assert s.days > s.warmup_days
    assert s.sources, "no figure has a source"


@pytest.mark.parametrize("path", SHIPPED, ids=[f.stem for f in SHIPPED])
def test_scenario_every_figure_sourced(path: Path) -> None:
    """Strict check: every numeric figure of the resolved scenario has a source."""
    table = sim.assumptions(sim.load_scenario(path), every=True)
    unsourced = table[table["kind"] == "unsourced"]
    assert unsourced.empty, f"{path.name}: figures without a source: {list(unsourced['key'])}"
    assert (table["kind"] == "assumption").any()
    # every figure a file names a source for has a value in the resolved scenario
    sourced = table[table["source"] != ""]
    assert sourced["value"].notna().all(), list(sourced[sourced["value"].isna()]["key"])


@pytest.mark.parametrize("path", SHIPPED, ids=[f.stem for f in SHIPPED])
def test_scenario_runs(path: Path) -> None:
    """Each scenario runs (the big ones for four weeks) and resolves demands of each type."""
    overrides = {} if path.stem == "teaching" else {"days": SHORT_DAYS}
    s = sim.load_scenario(path, overrides)
    result = sim.run(s, replications=1, options=sim.RunOptions(progress=False))
    summary = result.summary
    assert set(summary["scenario"]) == {s.name}
    assert result.metric("demands").iloc[0] > 0
    resolved = result.metric("resolved_share").iloc[0]
    assert 0.5 < resolved <= 1.0, f"{s.name}: resolved share {resolved:.3f}"
    main_type = "administrative" if "administrative" in s.demands else next(iter(s.demands))
    assert result.metric("demands", main_type).iloc[0] > 0
    if any(u.level == "community" for u in s.units.values()):  # community staff's time
        activities = ["tasks", "service", "self_governance"]
        if s.consultation is not None:
            activities.append("consultation")  # staff time at consultation meetings
        shares = [result.metric(f"staff_hours_share_{k}").iloc[0] for k in activities]
        assert sum(shares) == pytest.approx(1.0)
    assert len(result.demands) >= result.metric("demands").iloc[0]


# -- reforms against the baseline --------------------------------------------------------


@pytest.fixture(scope="module")
def full_runs() -> dict[str, sim.RunResult]:
    """One replication of the baseline and of each reform, as shipped, under one seed."""
    out = {}
    for name in ("baseline", *REFORMS):
        s = sim.load_scenario(SCENARIOS / f"{name}.toml")
        out[name] = sim.run(s, replications=1, seed=SEED, options=sim.RunOptions(progress=False))
    return out


def _value(result: sim.RunResult, metric: str, demand_type: str = "") -> float:
    """The value of one metric in the single replication of `result`."""
    values = result.metric(metric, demand_type)
    assert len(values) == 1, f"{metric}/{demand_type}: {len(values)} values"
    return float(values.iloc[0])


def test_same_seed_and_same_demands(full_runs: dict[str, sim.RunResult]) -> None:
    """All runs share the seed; reforms on the baseline's structure see the same latent
    needs, and raise the same demands unless the reform changes the cost of access: the
    burden cuts do not, the street center does (its counters are farther away)."""
    assert {r.seed for r in full_runs.values()} == {SEED}

    def latent(name: str) -> float:  # needs over the whole run, raised or not
        r = full_runs[name]
        return len(r.demands) / _value(r, "raised_share")

    base = _value(full_runs["baseline"], "demands")
    assert _value(full_runs["tongling_burden_cuts"], "demands") == base
    assert _value(full_runs["xiangfang_center"], "demands") != base
    for name in ("xiangfang_center", "tongling_burden_cuts"):
        assert latent(name) == pytest.approx(latent("baseline"), rel=1e-12), name
    hours = {n: _value(full_runs[n], "access_hours_mean") for n in ("baseline", "xiangfang_center")}
    assert hours["xiangfang_center"] != pytest.approx(hours["baseline"])


@pytest.mark.parametrize("reform", ["xiangfang_center", "tongguanshan_abolition"])
@pytest.mark.parametrize("metric", ["handoffs_per_demand_mean", "trips_per_demand_mean"])
def test_reform_fewer_handoffs_and_trips(
    full_runs: dict[str, sim.RunResult], reform: str, metric: str
) -> None:
    """Centralising (Xiangfang) or abolishing the street tier (Tongguanshan) cuts the
    hand-offs and trips of an administrative item."""
    base = _value(full_runs["baseline"], metric, "administrative")
    new = _value(full_runs[reform], metric, "administrative")
    message = f"{metric} (administrative): baseline {base:.4f}, {reform} {new:.4f}"
    print(message)
    assert new < base, message


def test_burden_cuts_free_staff_time(full_runs: dict[str, sim.RunResult]) -> None:
    """Tongling's cuts leave community staff a larger share of hours for self-governance."""
    metric = "staff_hours_share_self_governance"
    base = _value(full_runs["baseline"], metric)
    new = _value(full_runs["tongling_burden_cuts"], metric)
    tasks_base = _value(full_runs["baseline"], "staff_hours_share_tasks")
    tasks_new = _value(full_runs["tongling_burden_cuts"], "staff_hours_share_tasks")
    message = (
        f"{metric}: baseline {base:.4f}, tongling_burden_cuts {new:.4f} "
        f"(tasks share {tasks_base:.4f} -> {tasks_new:.4f})"
    )
    print(message)
    assert new > base, message
    assert tasks_new < tasks_base, message
