"""Calibration (issue 10): priors as data, the band-scaled distance, a simulation-based check
of the inference at a small size, and the posterior store (resume, checksums, draws)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiment.calibration.abc import calibrate
from sim.experiment.calibration.distance import band_distance, target_distance
from sim.experiment.calibration.posterior import draws, load_posterior
from sim.experiment.calibration.priors import load_calibration
from sim.experiment.targets import Target
from sim.scenario import ScenarioError

REPO = Path(__file__).resolve().parents[1]
SBC = REPO / "calibration" / "sbc_teaching.toml"
SBC_TARGETS = (REPO / "calibration" / "sbc_teaching_targets.toml").as_posix()
KNOWN = {"elasticity": 0.25, "admin_rate": 0.55}  # what sbc_teaching_targets.toml was made at

GOOD = f"""
targets = "{SBC_TARGETS}"

[[parameters]]
name = "elasticity"
key = "access.elasticity_per_hour"
prior = "uniform"
low = 0.05
high = 0.5
reason = "assumption: a test range"
"""


def write(tmp_path: Path, text: str, name: str = "cal.toml") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_shipped_calibration_files_load() -> None:
    """Both shipped files load; every parameter has a name and a finite low < high."""
    for name in ("sbc_teaching.toml", "baseline.toml"):
        cal = load_calibration(REPO / "calibration" / name)
        assert cal.targets and cal.parameters
        for p in cal.parameters:
            assert p.name and math.isfinite(p.low) and p.low < p.high
    base = load_calibration(REPO / "calibration" / "baseline.toml")
    assert {t.name for t in base.targets} == {
        "tongguanshan_street_district_days",
        "tongguanshan_minimum_income_days",
    }


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda t: t.replace('prior = "uniform"', 'prior = "gamma"'), "parameters.0.prior"),
        (lambda t: t.replace("high = 0.5\n", ""), "parameters.0.high"),
        (lambda t: t.replace("high = 0.5", "high = 0.01"), "parameters.0.high"),
        (lambda t: t.replace("elasticity_per_hour", "elastcity_per_hour"), "parameters.0.key"),
        (lambda t: t.replace("access.elasticity_per_hour", "units.no.servers"), "parameters.0.key"),
        (lambda t: t.replace("low = 0.05", "low = -0.5"), "parameters.0.key"),  # not a valid value
        (lambda t: t.replace(SBC_TARGETS, "nosuch.toml"), "targets"),
        (lambda t: t.replace("assumption: a test range", "fitted: by hand"), "parameters.0.reason"),
        (lambda t: t + "\n[abc]\npopulaton = 5\n", "abc.populaton"),
        (lambda t: t.replace("targets =", 'only = ["nosuch"]\ntargets ='), "only.0"),
    ],
)
def test_bad_calibration_file_is_one_line_naming_file_and_key(tmp_path: Path, edit, key) -> None:
    """A bad prior, an unknown key, a missing targets file…: one line, the file and the key."""
    f = write(tmp_path, edit(GOOD))
    with pytest.raises(ScenarioError) as info:
        load_calibration(f)
    text = str(info.value)
    assert "\n" not in text
    assert str(f) in text and f"key '{key}'" in text, text


def test_a_reform_is_never_a_target(tmp_path: Path) -> None:
    """Calibrate on the before: a target on a reform scenario is refused."""
    reform = (REPO / "scenarios" / "xiangfang_center.toml").as_posix()
    targets = write(
        tmp_path,
        f'[[targets]]\nname = "x"\nscenario = "{reform}"\nmetric = "raised_share"\n'
        'value = 0.9\nsource = "assumption: test"\n',
        "targets.toml",
    )
    f = write(tmp_path, GOOD.replace(SBC_TARGETS, targets.as_posix()))
    with pytest.raises(ScenarioError, match=r"targets.toml: key 'targets.0.scenario'.*reform"):
        load_calibration(f)


def test_band_distance_by_hand() -> None:
    """Two-sided: over the half-width; one-sided: 0 inside, outside over a quarter of the
    observation; the root mean square over targets; an unmeasured metric is infinitely far."""
    src = "assumption: test"
    both = Target(name="a", scenario="s", metric="m", value=20, low=15, high=25, source=src)
    low = Target(name="b", scenario="s", metric="m", value=2, low=2, source=src)
    high = Target(name="c", scenario="s", metric="m", value=10, high=12, source=src)
    assert target_distance(both, 25) == pytest.approx(1.0)
    assert target_distance(low, 1.0) == pytest.approx(2.0)  # (2 - 1) / (0.25 * 2)
    assert target_distance(low, 3.0) == 0.0 and target_distance(high, 11.0) == 0.0
    d = band_distance([both, low, high], {"a": 25.0, "b": 1.0, "c": 11.0})
    assert d == pytest.approx(math.sqrt(5 / 3))  # 1.2910
    assert band_distance([both, low], {"a": 20.0, "b": math.nan}) == math.inf


def test_prior_sample_is_reproducible_and_bounded() -> None:
    cal = load_calibration(SBC)
    a = cal.sample(np.random.default_rng(3), 200)
    pd.testing.assert_frame_equal(a, cal.sample(np.random.default_rng(3), 200))
    for name, (lo, hi) in cal.bounds().items():
        assert a[name].between(lo, hi).all()


@pytest.fixture(scope="module")
def sbc(tmp_path_factory: pytest.TempPathFactory):
    """The simulation-based check at a small size: 2 generations, then resumed to 3."""
    out = tmp_path_factory.mktemp("sbc") / "run"
    cal = load_calibration(SBC).with_abc(population=20, generations=2, replications=1)
    first = calibrate(cal, out, figures=False)
    post = calibrate(cal.with_abc(generations=3), out)
    return cal, first, post, out


def test_sbc_posterior_covers_the_known_values(sbc) -> None:
    """Targets made by the model at known values are calibrated back: each 95% credible
    interval covers the known value and is narrower than the prior."""
    cal, _, post, _ = sbc
    assert list(post.diagnostics["generation"]) == [-1, 0, 1, 2]
    assert post.diagnostics["epsilon"].iloc[1:].is_monotonic_decreasing
    for p in cal.parameters:
        lo, hi = post.interval(p.name)
        assert lo <= KNOWN[p.name] <= hi, (p.name, lo, hi)
        assert hi - lo < 0.9 * (p.high - p.low), (p.name, lo, hi)


def test_store_round_trip_resume_and_tampering(sbc, tmp_path: Path) -> None:
    """The folder reads back as written, a rerun resumed it (3 generations, not 2 + 3), and
    a changed posterior or another calibration is refused."""
    cal, first, post, out = sbc
    assert first.diagnostics["generation"].max() == 1
    again = load_posterior(out)
    pd.testing.assert_frame_equal(again.particles, post.particles)
    pd.testing.assert_frame_equal(again.predictive, post.predictive)
    assert again.particles["weight"].sum() == pytest.approx(1.0)
    assert len(again.predictive) == len(again.particles) * len(cal.targets)
    figures = {"prior_posterior.png", "predictive.png", "epsilon.png"}
    assert figures <= {p.name for p in out.iterdir()}
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    frame = pd.read_parquet(copy / "posterior.parquet")
    frame.loc[0, "elasticity"] = 0.99
    frame.to_parquet(copy / "posterior.parquet", index=False)
    with pytest.raises(ScenarioError, match="posterior.parquet.*checksum"):
        load_posterior(copy)
    with pytest.raises(ScenarioError, match="another calibration"):
        calibrate(cal.with_abc(population=21), out)


def test_draws_are_reproducible_and_follow_the_weights(sbc) -> None:
    _, _, post, _ = sbc
    a = draws(post, 500, np.random.default_rng(11))
    pd.testing.assert_frame_equal(a, draws(post, 500, np.random.default_rng(11)))
    assert not a.equals(draws(post, 500, np.random.default_rng(12)))
    assert list(a.columns) == ["draw", "particle", "elasticity", "admin_rate"]
    heavy = int(post.particles["weight"].idxmax())
    share = (a["particle"] == post.particles.loc[heavy, "particle"]).mean()
    assert share == pytest.approx(post.particles["weight"].max(), abs=0.08)
    sets = post.overrides(a.head(2))
    assert set(sets[0]) == {p.key for p in post.parameters}


def test_one_worker_is_reproducible_and_a_resumed_run_equals_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    cal = load_calibration(SBC).with_abc(population=6, generations=2, replications=1)
    whole = calibrate(cal, tmp_path / "whole", figures=False)
    calibrate(cal.with_abc(generations=1), tmp_path / "parts", figures=False)
    resumed = calibrate(cal, tmp_path / "parts", figures=False)
    pd.testing.assert_frame_equal(whole.particles, resumed.particles)


def test_same_posterior_on_one_two_workers_and_dask(tmp_path: Path) -> None:
    """Each sampling task has its own seed drawn in the parent
    (sim.experiment.calibration.sampler), so the particles do not depend on where they were
    evaluated."""
    cal = load_calibration(SBC).with_abc(population=6, generations=2, replications=1)
    one = calibrate(cal, tmp_path / "one", figures=False)
    two = calibrate(cal, tmp_path / "two", workers=2, figures=False)
    pd.testing.assert_frame_equal(one.particles, two.particles)
    pd.testing.assert_frame_equal(one.diagnostics.drop(columns="wall_seconds"),
                                  two.diagnostics.drop(columns="wall_seconds"))  # fmt: skip
    distributed = pytest.importorskip("distributed", reason="Dask distributed not installed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        dask = calibrate(cal, tmp_path / "dask", scheduler=cluster.scheduler_address,
                         figures=False)  # fmt: skip
    pd.testing.assert_frame_equal(one.particles, dask.particles)


def test_cli_prints_plan_generations_and_where(tmp_path: Path, capsys) -> None:
    """``govsim calibrate``: a plan line first, a line per generation, where results went;
    --workers and --scheduler together are a one-line usage error."""
    out = tmp_path / "cli"
    args = ["calibrate", str(SBC), "--out", str(out), "--population", "4", "--generations", "1"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("calibrating 2 assumption(s) to 3 pattern(s)")
    assert any(line.startswith("generation 0: epsilon") for line in lines)
    assert lines[-1] == f"results written to {out}"
    with pytest.raises(SystemExit) as stop:
        main(["calibrate", str(SBC), "--workers", "2", "--scheduler", "tcp://h:1"])
    assert stop.value.code == 2
