"""Reform effects over posterior draws: the interval from parameters and randomness
together, and how much of it each gives.

A posterior is made by hand here (two or one particle over the community desk's staff), so
the shares can be checked against what must hold: one set of assumptions leaves nothing to
the parameters; two sets far apart put most of the variance of the waiting-time effect in
them. Results are identical for 1 and 2 workers and on Dask.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiment.calibration.posterior import Posterior
from sim.experiment.calibration.priors import Parameter

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
SIZE = {"days": 21}
SEED, DRAWS, REPS = 3, 4, 3
KEY = "units.community_desk.servers"


def posterior(values: list[int]) -> Posterior:
    """A posterior of equal-weight particles over the desk's staff."""
    p = Parameter.model_validate(
        {"name": "desk", "key": KEY, "prior": "uniform", "low": 1, "high": 6,
         "reason": "assumption: a test's range"}
    )  # fmt: skip
    particles = pd.DataFrame(
        {
            "particle": range(len(values)),
            "generation": 0,
            "desk": [float(v) for v in values],
            "weight": 1 / len(values),
            "distance": 0.0,
        }
    )
    return Posterior(Path("."), [p], particles, pd.DataFrame(), pd.DataFrame(), "test")


def run(post: Posterior, workers: int = 1, scheduler: object = None) -> object:
    base = sim.load_scenario(TEACHING, SIZE)
    cuts = sim.load_scenario(TEACHING, {**SIZE, "tasks.per_year": 70, "name": "cuts"})
    opts = sim.RunOptions(workers=workers, scheduler=scheduler, progress=False)
    return sim.compare(base, [cuts], REPS, SEED, opts, posterior=post, draws=DRAWS)


@pytest.fixture(scope="module")
def spread() -> object:
    return run(posterior([1, 6]))


def test_one_set_of_assumptions_leaves_nothing_to_parameters() -> None:
    """Every draw the same particle: the per-draw effects are equal (common random numbers),
    so the parameters' share is 0 and the effect interval has no width."""
    result = run(posterior([2]))
    e = result.effects
    assert (e["share_parameters"] == 0).all()
    assert np.allclose(e["effect_low"], e["effect_high"])
    assert set(result.draws["desk"]) == {2.0}
    d = result.differences
    assert len(d[d["metric"] == "wait_minutes_mean"]) == DRAWS * REPS * len(
        e[e["metric"] == "wait_minutes_mean"]
    )


def test_parameters_far_apart_carry_the_variance(spread: object) -> None:
    """One desk worker or six: the tasks cut changes waiting far more with one, so most of
    the variance of the waiting effect comes from which set of assumptions holds; the
    pooled interval holds the per-draw interval."""
    row = spread.table(["wait_minutes_mean"]).loc[("cuts", "wait_minutes_mean")]
    assert set(spread.draws["desk"]) == {1.0, 6.0}
    assert row["share_parameters"] > 0.5
    assert row["share_parameters"] + row["share_randomness"] == pytest.approx(1)
    assert row["diff_low"] <= row["effect_low"] <= row["effect_high"] <= row["diff_high"]


def test_effect_mean_is_the_mean_of_paired_comparisons(spread: object) -> None:
    """The mean effect is the mean over draws of the paired comparison under each draw's
    assumptions (run here directly with sim.compare)."""
    per_draw = []
    for desk in spread.draws["desk"]:
        over = {KEY: int(desk)}
        b = sim.load_scenario(TEACHING, {**SIZE, **over})
        c = sim.load_scenario(TEACHING, {**SIZE, **over, "tasks.per_year": 70, "name": "cuts"})
        d = sim.compare(b, [c], REPS, SEED, sim.RunOptions(1, progress=False)).differences
        per_draw.append(d.set_index(["metric", "demand_type"]).loc[("wait_minutes_mean", ""),
                                                                  "diff_mean"])  # fmt: skip
    row = spread.table(["wait_minutes_mean"]).loc[("cuts", "wait_minutes_mean")]
    assert row["diff_mean"] == pytest.approx(np.mean(per_draw), rel=1e-12)


def test_identical_for_workers_and_seed(spread: object) -> None:
    """Two workers give the same effects as one."""
    again = run(posterior([1, 6]), workers=2)
    pd.testing.assert_frame_equal(again.effects, spread.effects)
    pd.testing.assert_frame_equal(again.draws, spread.draws)


def test_identical_on_dask(spread: object) -> None:
    """A Dask cluster gives the same effects as one worker."""
    distributed = pytest.importorskip("distributed", reason="Dask distributed not installed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        again = run(posterior([1, 6]), scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(again.effects, spread.effects)


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny calibration folder of the simulation-based check (teaching scenario)."""
    out = tmp_path_factory.mktemp("cal") / "sbc"
    cal = sim.load_calibration(REPO / "calibration" / "sbc_teaching.toml")
    sim.calibrate(cal.with_abc(population=4, generations=1, replications=1), out, figures=False)
    return out


def test_cli_compare_posterior(
    calibrated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``govsim compare --posterior DIR``: the plan line names the draws, the table gives the
    interval and the parameters' share, the folder holds the effects and the draws; the same
    from Python gives the same effects."""
    from sim.cli import main

    out = tmp_path / "cmp"
    reform = tmp_path / "fewer_tasks.toml"
    reform.write_text(
        f'extends = "{TEACHING.as_posix()}"\nname = "fewer_tasks"\n[tasks]\n'
        'per_year = { value = 70, source = "assumption: a quarter of the tasks" }\n',
        encoding="utf-8",
    )
    args = ["compare", str(TEACHING), str(reform), "--days", "21", "--replications", "2"]
    args += ["--posterior", str(calibrated), "--draws", "3", "--workers", "1", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "under each of 3 posterior draws" in text.splitlines()[0]
    assert "parameters" in text and "posterior draws × 2 paired replications" in text
    effects = pd.read_csv(out / "posterior_comparison.csv", keep_default_na=False,
                          na_values={c: [""] for c in ["diff_mean"]})  # fmt: skip
    assert len(pd.read_csv(out / "draws.csv")) == 3
    base = sim.load_scenario(TEACHING, {"days": 21})
    half = sim.load_scenario(reform, {"days": 21})
    again = sim.compare(base, [half], 2, base.seed, sim.RunOptions(1, progress=False),
                        posterior=calibrated, draws=3)  # fmt: skip
    mine = again.effects.set_index(["metric", "demand_type"])["diff_mean"]
    theirs = effects.set_index(["metric", "demand_type"])["diff_mean"]
    pd.testing.assert_series_equal(mine, theirs.loc[mine.index], check_exact=False, rtol=1e-9)


def test_cli_posterior_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder that is no calibration: one line naming --posterior, exit 2, nothing
    written."""
    from cli_checks import assert_one_line_error

    from sim.cli import main

    out = tmp_path / "cmp"
    args = ["compare", str(TEACHING), str(TEACHING), "--posterior", str(tmp_path), "--out",
            str(out)]  # fmt: skip
    assert main(args) == 2
    assert_one_line_error(capsys.readouterr().err, "--posterior", "not a calibration folder")
    assert not out.exists()
