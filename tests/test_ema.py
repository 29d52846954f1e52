"""Scenario discovery with the EMA Workbench (`sim.experiment.calibration.ema`): the model's
uncertainties are the calibration file's, one experiment is `sim.compare`, our PRIM wrapper
finds a known box, and a seed gives the same experiments and outcomes with one worker or
two."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment.calibration.ema import (
    discover,
    ema_model,
    failures,
    outcome_name,
    run_discovery,
)
from sim.experiment.calibration.priors import Calibration, Parameter, load_calibration

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
TEACHING = SCENARIOS / "teaching.toml"
XIANGFANG = [TEACHING, SCENARIOS / "xiangfang_center.toml"]
DISCOVERY = REPO / "calibration" / "discovery_xiangfang.toml"
# two of the six workers of each classroom community move to a center of four windows
PEOPLE_FOLLOW_THE_WORK = {"units.street_center.servers": 4, "units.community_desk.servers": 4}
METRICS = ["wait_minutes_mean", ("staff_hours_share_self_governance", "")]
DAYS, SEED = 14, 11


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    return load_calibration(DISCOVERY)


def small_model(calibration: Calibration) -> object:
    return ema_model(
        TEACHING, XIANGFANG, calibration, METRICS, replications=2, seed=SEED, days=DAYS,
        reform_set=PEOPLE_FOLLOW_THE_WORK,
    )  # fmt: skip


def test_uncertainties_are_the_calibration_parameters(calibration: Calibration) -> None:
    model = small_model(calibration)
    got = {u.name: (u.lower_bound, u.upper_bound, type(u).__name__) for u in model.uncertainties}
    want = {
        p.name: (p.low, p.high, "IntegerParameter" if p.integer else "RealParameter")
        for p in calibration.parameters
    }
    assert got == want
    assert any(p.integer for p in calibration.parameters)  # both kinds are checked
    kinds = {o.name: o.kind for o in model.outcomes}
    assert kinds == {
        "diff__wait_minutes_mean__all": -1,  # MINIMIZE: less waiting is better
        "base__wait_minutes_mean__all": 0,
        "diff__staff_hours_share_self_governance__all": 1,  # MAXIMIZE
        "base__staff_hours_share_self_governance__all": 0,
    }
    assert model.name == "xiangfangcenter"
    assert outcome_name("x", "administrative/disability_approvals") == (
        "diff__x__administrative_disability_approvals"
    )


def test_one_experiment_is_compare(calibration: Calibration) -> None:
    mid = {p.name: p.midpoint for p in calibration.parameters}
    out = small_model(calibration).function(**mid)
    over = {**calibration.overrides(mid), "days": DAYS}
    base = sim.load_scenario(TEACHING, over)
    reform = sim.load_scenario(XIANGFANG, {**PEOPLE_FOLLOW_THE_WORK, **over})
    options = sim.RunOptions(workers=1, progress=False)
    diff = sim.compare(base, [reform], 2, SEED, options).differences
    diff = diff.set_index(["metric", "demand_type"])
    for metric in ("wait_minutes_mean", "staff_hours_share_self_governance"):
        assert out[f"diff__{metric}__all"] == diff.at[(metric, ""), "diff_mean"]
        assert out[f"base__{metric}__all"] == diff.at[(metric, ""), "baseline_mean"]


def test_refuses_what_the_reform_sets_and_unknown_metrics(calibration: Calibration) -> None:
    per_year = Parameter(
        name="per_year", key="tasks.per_year", prior="uniform", low=200, high=400,
        reason="assumption: a test",
    )  # fmt: skip
    cuts = [TEACHING, SCENARIOS / "tongling_burden_cuts.toml"]
    wider = replace(calibration, parameters=(*calibration.parameters, per_year))
    with pytest.raises(ValueError, match="reform sets 'tasks.per_year'"):
        ema_model(TEACHING, cuts, wider, METRICS)
    with pytest.raises(ValueError, match="not reported"):
        ema_model(TEACHING, cuts, calibration, ["wait_minutes_mean", ("no_such_metric", "")])


def synthetic(n: int = 400, seed: int = 3) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Experiments on three assumptions where the reform fails exactly when x1 > 0.7."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(0, 1, (n, 3)), columns=["x1", "x2", "x3"])
    x["scenario"] = np.arange(n)  # EMA's bookkeeping columns are not inputs
    x["policy"] = "None"
    return x, {"diff__wait__all": x["x1"].to_numpy() - 0.7}


def test_prim_finds_a_known_box() -> None:
    experiments, outcomes = synthetic()
    found = discover(experiments, outcomes, "diff__wait__all > 0")
    table = found.table()
    assert list(table["uncertainty"]) == ["x1"]  # only x1 is restricted
    row = table.iloc[0]
    assert row["low"] == pytest.approx(0.7, abs=0.03)
    assert row["high"] == experiments["x1"].max()
    assert row["coverage"] > 0.95 and row["density"] > 0.95
    assert "x1 <= 0.70" in found.tree() or "x1 >  0.70" in found.tree()
    by_function = discover(experiments, outcomes, lambda o: o["diff__wait__all"] > 0)
    pd.testing.assert_frame_equal(by_function.table(), table)


def test_max_restricted_selects_a_simpler_box() -> None:
    experiments, _ = synthetic()
    corner = {"d": np.minimum(experiments["x1"], experiments["x2"]).to_numpy() - 0.5}
    assert set(discover(experiments, corner, "d > 0").table()["uncertainty"]) == {"x1", "x2"}
    simple = discover(experiments, corner, "d > 0", max_restricted=1).table()
    assert len(simple) == 1 and simple["restricted"].iloc[0] == 1


def test_one_class_only_and_nan() -> None:
    experiments, outcomes = synthetic(40)
    everywhere = discover(experiments, outcomes, "diff__wait__all > -1")
    assert everywhere.prim is None and everywhere.tree() == "every experiment fails"
    assert everywhere.table()[["coverage", "density", "mass"]].iloc[0].tolist() == [1, 1, 1]
    assert discover(experiments, outcomes, "diff__wait__all > 1").table().empty
    assert not failures({"d": np.array([np.nan, 1.0])}, "d >= 0")[0]


def test_same_seed_same_outcomes_with_one_or_two_workers(calibration: Calibration) -> None:
    model = small_model(calibration)
    runs = [run_discovery(model, 4, "diff__wait_minutes_mean__all >= 0", seed=5, workers=w)
            for w in (1, 1, 2)]  # fmt: skip
    tables = [
        pd.concat([r.experiments[r.uncertainties], pd.DataFrame(r.outcomes)], axis=1)
        for r in runs
    ]
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])
    other = run_discovery(model, 4, "diff__wait_minutes_mean__all >= 0", seed=6)
    assert not other.experiments[other.uncertainties].equals(tables[0][runs[0].uncertainties])
