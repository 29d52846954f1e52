"""Warm-up: MSER-5 on synthetic series, and ``--warmup auto`` on the teaching scenario."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main
from sim.clock import DAY
from sim.experiment.run import PILOT_REPLICATIONS
from sim.metrics.warmup import BATCH, daily_backlog, mser5

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
LENGTH = 300
TRANSIENT = 40
SEEDS = range(100)
# A root seed under which the teaching scenario's pilot runs show a warm-up (found once; the
# test checks it is still > 0, so a change of the model that removes it is reported).
AUTO_SEED = 3


def stationary(seed: int, n: int = LENGTH) -> np.ndarray:
    """White noise around 10 with unit variance."""
    return np.random.default_rng(seed).normal(10.0, 1.0, n)


def with_transient(seed: int, n: int = LENGTH, length: int = TRANSIENT) -> np.ndarray:
    """Stationary noise plus a bias of 10 at the start falling linearly to 0 at `length`."""
    y = stationary(seed, n)
    y[:length] += 10.0 * (1.0 - np.arange(length) / length)
    return y


# -- synthetic series --------------------------------------------------------------------


def test_constant_series_is_not_truncated() -> None:
    """No variation at all: nothing to cut."""
    assert mser5(np.full(100, 3.5)) == 0


def test_stationary_series_gives_about_zero() -> None:
    """Stationary noise: usually no truncation, and never much of one on typical draws."""
    cuts = np.array([mser5(stationary(seed)) for seed in SEEDS])
    assert mser5(stationary(0)) <= BATCH
    assert np.median(cuts) == 0
    assert (cuts == 0).mean() >= 0.5, np.bincount(cuts // BATCH)
    assert (cuts <= 2 * BATCH).mean() >= 0.8, np.bincount(cuts // BATCH)


def test_initial_transient_of_40_is_found() -> None:
    """A 40-day transient then noise: a truncation within two batches of 40."""
    assert abs(mser5(with_transient(1000)) - TRANSIENT) <= 2 * BATCH
    cuts = np.array([mser5(with_transient(1000 + seed)) for seed in SEEDS])
    assert abs(np.median(cuts) - TRANSIENT) <= BATCH
    assert (np.abs(cuts - TRANSIENT) <= 2 * BATCH).mean() >= 0.75, np.bincount(cuts // BATCH)
    assert (cuts >= TRANSIENT - 2 * BATCH).all(), "a transient was left in"


def test_a_transient_is_cut_where_a_stationary_series_is_not() -> None:
    """Same noise, with and without the transient: only the first is truncated."""
    assert mser5(stationary(7)) == 0
    assert mser5(with_transient(7)) >= TRANSIENT - BATCH


@pytest.mark.parametrize("n", [0, 1, 4, 5, 12, 19])
def test_too_short_series_give_zero(n: int) -> None:
    """Fewer than four batches of five: no truncation, even with a huge transient."""
    y = np.zeros(n)
    y[: n // 2] = 1e6
    assert mser5(y) == 0
    assert mser5(list(y)) == 0


def test_twenty_observations_are_enough() -> None:
    """Four batches: the shortest series on which a truncation can be chosen."""
    y = np.r_[np.full(5, 100.0), np.random.default_rng(0).normal(0.0, 1.0, 15)]
    assert mser5(y) == BATCH


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        max_size=120,
    )
)
def test_truncation_is_whole_batches_in_the_first_half(values: list[float]) -> None:
    """Any series: a multiple of 5, at most half the batches."""
    d = mser5(values)
    batches = len(values) // BATCH
    assert d % BATCH == 0
    assert 0 <= d <= (batches // 2) * BATCH


# -- --warmup auto -----------------------------------------------------------------------


# A steady stream of tasks at a pre-reform community's full load: the backlog fills from empty
# and settles, a transient that MSER-5 should find. (With the shipped campaigns, tasks come in
# bursts twice a month and the backlog at the start looks like any other day.)
STEADY = {"tasks.per_residents": 1500, "tasks.campaigns_per_year": 0}


@pytest.fixture(scope="module")
def teaching() -> sim.Scenario:
    """The teaching scenario (eight weeks) with a steady full task load."""
    return sim.load_scenario(TEACHING, STEADY)


def counted_demands(result: sim.RunResult) -> np.ndarray:
    """The ``demands`` metric (all types) per replication."""
    return result.metric("demands").sort_index().to_numpy()


def test_warmup_auto_detects_reports_and_uses(teaching: sim.Scenario) -> None:
    """``warmup="auto"``: MSER-5 on pilot runs from empty, reported in meta and applied."""
    kw = {"replications": 3, "seed": AUTO_SEED, "options": sim.RunOptions(1, progress=False)}
    auto = sim.run(teaching, warmup="auto", **kw)
    none = sim.run(teaching, warmup=0, **kw)
    warm = auto.meta["warmup"]
    assert warm["method"].startswith("MSER-5")
    assert warm["pilot_replications"] == PILOT_REPLICATIONS
    # The pilots are replications 0 and 1 from empty: recompute MSER-5 from those.
    pilots = none.timeseries[none.timeseries["replication"] < PILOT_REPLICATIONS]
    expected = min(mser5(daily_backlog(pilots)), teaching.days - 1)
    assert warm["days"] == expected
    assert warm["days"] > 0, "the pilot runs of this seed no longer show a warm-up"
    assert warm["days"] % BATCH == 0
    assert warm["days_used"] == warm["days"] == auto.scenario.warmup_days
    assert none.meta["warmup"]["days_used"] == 0
    # Used: demands arriving in the detected warm-up are left out of the summary.
    demands = none.demands
    for r in range(3):
        arrivals = demands.loc[demands["replication"] == r, "arrival_min"]
        assert counted_demands(auto)[r] == (arrivals >= warm["days"] * DAY).sum()
        assert counted_demands(none)[r] == len(arrivals)
    assert (counted_demands(auto) < counted_demands(none)).all()


def test_warmup_fixed_days_override(teaching: sim.Scenario) -> None:
    """``warmup=N`` replaces the scenario's warm-up; the default keeps it."""
    kw = {"replications": 1, "seed": 11, "options": sim.RunOptions(1, progress=False)}
    default = sim.run(teaching, **kw)
    fixed = sim.run(teaching, warmup=21, **kw)
    assert default.meta["warmup"]["days_used"] == teaching.warmup_days == 7
    assert "fixed" in default.meta["warmup"]["method"]
    assert fixed.meta["warmup"]["days_used"] == fixed.scenario.warmup_days == 21
    arrivals = default.demands["arrival_min"]
    assert counted_demands(fixed)[0] == (arrivals >= 21 * DAY).sum()
    assert counted_demands(fixed)[0] < counted_demands(default)[0]


def test_cli_warmup_auto(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``govsim run --warmup auto`` prints and records the detected days."""
    out = tmp_path / "run"
    steady = [f"--set={k}={v}" for k, v in STEADY.items()]
    args = ["run", str(TEACHING), *steady, "--warmup", "auto", "--seed", str(AUTO_SEED)]
    code = main([*args, "--replications", "2", "--workers", "1", "--out", str(out)])
    assert code == 0
    assert main([*args, "--no-figures", "--out", str(tmp_path / "again"), "--quiet"]) == 0
    stdout = capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    days = manifest["warmup"]["days"]
    assert days > 0
    assert manifest["warmup"]["days_used"] == days
    assert manifest["resolved_scenarios"]["teaching"]["warmup_days"] == days
    assert f"warm-up: {days} days left out" in stdout
    again = json.loads((tmp_path / "again" / "manifest.json").read_text(encoding="utf-8"))
    assert again["warmup"]["days"] == days, "detection is not reproducible"
