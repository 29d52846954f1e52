"""Paired comparisons (``govsim compare``): the table, the figure, executors, resuming, and
the point of it all — common random numbers narrow the interval of a difference.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli_checks import assert_one_line_error
from scipy import stats

import sim
from sim.cli import main
from sim.experiment.compare import COMPARISON_COLUMNS, compare
from sim.experiment.jobs import Job
from sim.metrics.headline import HEADLINE

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
TEACHING = SCENARIOS / "teaching.toml"
BASELINE = SCENARIOS / "baseline.toml"
TONGLING = SCENARIOS / "tongling_burden_cuts.toml"
XIANGFANG = SCENARIOS / "xiangfang_center.toml"
REPS = 4
SEED = 777
# The Tongling reform (a full-size file) shrunk with --set to the teaching scenario's size.
SHRINK = [
    "days=28",
    "warmup_days=7",
    "structure.streets=1",
    "structure.communities=2",
    "structure.residents_per_community=1500",
    "structure.grids_per_community=2",
    "units.street_office.servers=1",
    "units.community_desk.servers=6",
]
SETS = [a for s in SHRINK for a in ("--set", s)]
COMPARE = ["compare", str(TEACHING), str(TONGLING), "--seed", str(SEED), *SETS]
# Baseline and reforms at reduced size for the common-random-numbers test.
CRN_SIZE = {"days": 40, "structure.streets": 2, "structure.communities": 12}
CRN_REPS = 8
# Items the center takes over (approvals) are resolved in about a day after the reform, with
# little spread, while in the baseline their days swing with weekly sign-offs and couriers:
# the difference then has about the baseline's variance with or without common numbers.
# The community's own items share their randomness across the two arms, so pairing pays.
CRN_METRICS = [
    ("resolution_days_mean", "administrative/assist_government"),
    ("trips_per_demand_mean", ""),
    ("staff_hours_share_self_governance", ""),
]


# -- helpers -----------------------------------------------------------------------------


NUMERIC = [*COMPARISON_COLUMNS[3:], "value"]


def read_table(path: Path) -> pd.DataFrame:
    """A CSV of the run folder, the empty demand type kept as ''."""
    return pd.read_csv(path, keep_default_na=False, na_values={c: [""] for c in NUMERIC})


def part_folders(out: Path) -> dict[str, tuple[int, int]]:
    """Stored replications: ``scenario=key/replication=N`` -> (inode, mtime in ns)."""
    return {
        p.relative_to(out / "parts").as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted((out / "parts").glob("scenario=*/replication=*"))
    }


def contents(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every path under `folder` with its mtime and (for files) bytes."""
    return {
        p.relative_to(folder).as_posix(): (
            p.stat().st_mtime_ns,
            p.read_bytes() if p.is_file() else b"",
        )
        for p in sorted(folder.rglob("*"))
    }


def run_cli(args: list[str]) -> tuple[int, str]:
    """Run ``govsim`` in this process; return the exit status and standard output."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(args)
    return code, buf.getvalue()


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``govsim compare teaching tongling --set ...`` on one worker: folder and stdout."""
    out = tmp_path_factory.mktemp("compare") / "w1"
    code, stdout = run_cli(
        [*COMPARE, "--replications", str(REPS), "--workers", "1", "--out", str(out)]
    )
    assert code == 0
    return out, stdout


# -- the comparison ----------------------------------------------------------------------


def test_comparison_csv(compared: tuple[Path, str]) -> None:
    """comparison.csv: the columns, one row per metric and type, diff = reform − baseline."""
    out, _ = compared
    table = read_table(out / "comparison.csv")
    assert list(table.columns) == COMPARISON_COLUMNS
    assert set(table["scenario"]) == {"tongling_burden_cuts"}
    assert not table.duplicated(["metric", "demand_type", "scenario"]).any()
    overall = table[table["demand_type"] == ""].set_index("metric")
    assert set(HEADLINE) <= set(overall.index)
    assert (overall["replications"] == REPS).all()
    assert {"administrative", "personal"} <= set(table["demand_type"])
    np.testing.assert_allclose(
        table["diff_mean"], table["scenario_mean"] - table["baseline_mean"], rtol=1e-9, atol=1e-12
    )
    ok = table["diff_ci_low"].notna()
    assert ok.sum() > 20
    assert (table.loc[ok, "diff_ci_low"] <= table.loc[ok, "diff_mean"]).all()
    assert (table.loc[ok, "diff_mean"] <= table.loc[ok, "diff_ci_high"]).all()
    # Halving the tasks frees community staff for self-governance work.
    row = overall.loc["staff_hours_share_self_governance"]
    assert row["diff_ci_low"] > 0


def test_comparison_agrees_with_summary(compared: tuple[Path, str]) -> None:
    """Each difference and interval recomputed from summary.csv by hand (paired t)."""
    out, _ = compared
    table = read_table(out / "comparison.csv")
    summary = read_table(out / "summary.csv")
    assert set(summary["scenario"]) == {"teaching", "tongling_burden_cuts"}
    for metric, demand_type in CRN_METRICS + [("wait_minutes_mean", "")]:
        sel = summary[(summary["metric"] == metric) & (summary["demand_type"] == demand_type)]
        wide = sel.pivot(index="replication", columns="scenario", values="value")
        d = (wide["tongling_burden_cuts"] - wide["teaching"]).to_numpy()
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        row = table[(table["metric"] == metric) & (table["demand_type"] == demand_type)].iloc[0]
        assert row["baseline_mean"] == pytest.approx(wide["teaching"].mean(), rel=1e-12)
        assert row["diff_mean"] == pytest.approx(d.mean(), rel=1e-9, abs=1e-12)
        assert row["diff_ci_low"] == pytest.approx(d.mean() - half, rel=1e-9, abs=1e-12)
        assert row["diff_ci_high"] == pytest.approx(d.mean() + half, rel=1e-9, abs=1e-12)
        assert row["replications"] == len(d) == REPS


def test_comparison_figure(compared: tuple[Path, str]) -> None:
    """A PNG figure of the differences."""
    out, _ = compared
    png = (out / "comparison.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 5000


def test_printed_table(compared: tuple[Path, str]) -> None:
    """The plan at once, then the terminal table: a heading, one line per headline metric
    with its difference."""
    out, stdout = compared
    lines = stdout.splitlines()
    assert lines[0].startswith(f"comparing tongling_burden_cuts with teaching: {REPS} paired")
    assert lines[1] == f"results go to {out}"
    assert lines[2] == f"tongling_burden_cuts − teaching ({REPS} paired replications)"
    table = read_table(out / "comparison.csv")
    overall = table[table["demand_type"] == ""].set_index("metric")
    for metric in HEADLINE:
        line = next(ln for ln in lines if ln.strip().startswith(metric + " "))
        assert f"diff {overall.loc[metric, 'diff_mean']:+.4g}" in line
        assert "→" in line
    assert lines[-1] == f"results written to {out}"


def test_two_workers_identical(compared: tuple[Path, str], tmp_path: Path) -> None:
    """``--workers 2``: comparison.csv and summary.csv are the same bytes."""
    out = tmp_path / "w2"
    code, _ = run_cli(
        [*COMPARE, "--replications", str(REPS), "--workers", "2", "--out", str(out), "--quiet"]
    )
    assert code == 0
    for name in ("comparison.csv", "summary.csv"):
        assert (out / name).read_bytes() == (compared[0] / name).read_bytes(), name


# -- a scenario compared with itself -----------------------------------------------------


def test_renamed_copy_differs_by_exactly_zero() -> None:
    """Two scenarios identical but for the name: every difference 0, every interval [0, 0]."""
    base = sim.load_scenario(TEACHING, {"days": 21})
    copy = base.model_copy(update={"name": "teaching_copy"})
    table = compare(
        base, [copy], replications=3, seed=SEED, options=sim.RunOptions(workers=1, progress=False)
    ).differences
    assert len(table) > 50
    assert (table["diff_mean"] == 0).all()
    assert (table["baseline_mean"] == table["scenario_mean"]).all()
    defined = table["replications"] >= 2
    assert defined.sum() > 40
    assert (table.loc[defined, "diff_ci_low"] == 0).all()
    assert (table.loc[defined, "diff_ci_high"] == 0).all()


def test_same_file_compared_with_itself(tmp_path: Path) -> None:
    """``govsim compare A A``: diff exactly 0, zero-width intervals."""
    out = tmp_path / "self"
    args = ["compare", str(TEACHING), str(TEACHING), "--set", "days=21", "--replications", "3"]
    code, _ = run_cli([*args, "--workers", "1", "--out", str(out), "--quiet"])
    assert code == 0
    table = read_table(out / "comparison.csv")
    assert len(table) > 50
    assert (table["diff_mean"] == 0).all()
    defined = table["replications"] >= 2
    assert (table.loc[defined, "diff_ci_high"] - table.loc[defined, "diff_ci_low"] == 0).all()


def test_same_name_variant_is_compared() -> None:
    """A reform made from the baseline's file by an override is still compared with it."""
    base = sim.load_scenario(TEACHING, {"days": 21})
    fewer = sim.load_scenario(TEACHING, {"days": 21, "units.community_desk.servers": 3})
    table = compare(
        base, [fewer], replications=3, seed=SEED, options=sim.RunOptions(workers=1, progress=False)
    ).differences
    overall = table[table["demand_type"] == ""].set_index("metric")
    assert overall.loc["wait_minutes_mean", "diff_mean"] > 0


# -- resuming and refusing ---------------------------------------------------------------


def test_rerun_resumes(tmp_path: Path, count_jobs: list[Job]) -> None:
    """Rerunning into the same folder recomputes nothing; more replications run only the
    new ones."""
    out = tmp_path / "cmp"
    args = [*COMPARE, "--workers", "1", "--out", str(out), "--quiet", "--no-figures"]
    assert run_cli([*args, "--replications", "2"])[0] == 0
    assert len(count_jobs) == 2 * 2
    before = part_folders(out)
    assert len(before) == 4
    table = (out / "comparison.csv").read_bytes()

    assert run_cli([*args, "--replications", "2"])[0] == 0
    assert len(count_jobs) == 4, "a stored replication was recomputed"
    assert part_folders(out) == before
    assert (out / "comparison.csv").read_bytes() == table

    assert run_cli([*args, "--replications", "3"])[0] == 0
    assert sorted((j.key, j.replication) for j in count_jobs[4:]) == [
        ("teaching", 2),
        ("tongling_burden_cuts", 2),
    ]
    after = part_folders(out)
    assert {k: after[k] for k in before} == before
    assert read_table(out / "comparison.csv")["replications"].max() == 3


@pytest.mark.parametrize(
    "other",
    [
        ["--seed", str(SEED + 1)],
        ["--set", "units.community_desk.servers=5"],
        ["--reform", str(XIANGFANG)],
    ],
    ids=["seed", "set", "reform"],
)
def test_other_experiment_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], other: list[str]
) -> None:
    """A folder of a different comparison: exit 2, one line, nothing written."""
    out = tmp_path / "cmp"
    args = [*COMPARE, "--workers", "1", "--quiet", "--replications", "2", "--out", str(out)]
    assert run_cli(args)[0] == 0
    before = contents(out)
    capsys.readouterr()
    if other[0] == "--reform":
        args = [a if a != str(TONGLING) else other[1] for a in args]
    else:
        args = [*args, *other]
    code, stdout = run_cli(args)
    assert code == 2
    assert stdout == ""
    assert_one_line_error(capsys.readouterr().err, str(out), "different experiment")
    assert contents(out) == before


def test_run_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A ``govsim run`` folder is not a comparison folder."""
    out = tmp_path / "run"
    run = ["run", str(TEACHING), "--days", "14", "--workers", "1", "--quiet", "--no-figures"]
    assert main([*run, "--out", str(out)]) == 0
    before = contents(out)
    capsys.readouterr()
    code, _ = run_cli(
        [*COMPARE, "--replications", "2", "--workers", "1", "--quiet", "--out", str(out)]
    )
    assert code == 2
    assert_one_line_error(capsys.readouterr().err, str(out), "different experiment")
    assert contents(out) == before


# -- common random numbers ---------------------------------------------------------------


def values(frame: pd.DataFrame, scenario: str, metric: str, demand_type: str) -> np.ndarray:
    """One metric of one scenario of a tidy summary, by replication."""
    sel = frame[
        (frame["scenario"] == scenario)
        & (frame["metric"] == metric)
        & (frame["demand_type"] == demand_type)
    ]
    return sel.sort_values("replication")["value"].to_numpy(dtype=float)


def crn_against_independent(reform_file: Path, tmp_path: Path) -> pd.DataFrame:
    """Half-width of the 95% interval of reform − baseline with common seeds (paired) and
    with independent seeds (Welch), for `CRN_METRICS` and two more.

    Returns
    -------
    DataFrame
        One row per (metric, demand type): ``crn``, ``independent`` half-widths, their
        squared ratio ``half_width_ratio2`` and the plain variance ratio
        ``var(indep. diff) / var(paired diff)``.
    """
    base = sim.load_scenario(BASELINE, CRN_SIZE)
    reform = sim.load_scenario([BASELINE, reform_file], CRN_SIZE)
    opts = sim.RunOptions(workers=2, out=tmp_path / "crn", progress=False, figures=False)
    table = compare(base, [reform], CRN_REPS, seed=1, options=opts).differences
    summary = read_table(tmp_path / "crn" / "summary.csv")
    alone = sim.run(reform, CRN_REPS, seed=2, options=sim.RunOptions(2, progress=False)).summary
    rows = []
    for metric, demand_type in CRN_METRICS + [("wait_minutes_mean", ""), ("satisfaction_mean", "")]:
        row = table[(table["metric"] == metric) & (table["demand_type"] == demand_type)].iloc[0]
        assert row["replications"] == CRN_REPS

        b = values(summary, base.name, metric, demand_type)
        s_common = values(summary, reform.name, metric, demand_type)
        s_indep = values(alone, reform.name, metric, demand_type)
        vb, vs = b.var(ddof=1) / CRN_REPS, s_indep.var(ddof=1) / CRN_REPS
        df = (vb + vs) ** 2 / (vb**2 / (CRN_REPS - 1) + vs**2 / (CRN_REPS - 1))
        independent = stats.t.ppf(0.975, df) * np.sqrt(vb + vs)
        crn = (row["diff_ci_high"] - row["diff_ci_low"]) / 2
        rows.append(
            {
                "metric": metric,
                "demand_type": demand_type or "all",
                "diff_mean": row["diff_mean"],
                "crn": crn,
                "independent": independent,
                "half_width_ratio2": (independent / crn) ** 2,
                "variance_ratio": (b.var(ddof=1) + s_indep.var(ddof=1))
                / (s_common - b).var(ddof=1),
            }
        )
    frame = pd.DataFrame(rows)
    print(f"\ncommon random numbers, baseline vs {reform.name}, {CRN_REPS} replications:")
    print(frame.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    return frame


def test_common_random_numbers_narrow_the_interval(tmp_path: Path) -> None:
    """Baseline vs Xiangfang: paired with common seeds, the interval of the difference is
    narrower than from independent seeds for each watched metric."""
    frame = crn_against_independent(XIANGFANG, tmp_path).set_index(["metric", "demand_type"])
    for metric, demand_type in CRN_METRICS:
        row = frame.loc[(metric, demand_type or "all")]
        assert row["crn"] < row["independent"], (metric, demand_type)
        assert row["variance_ratio"] > 1.5, (metric, demand_type)


def test_common_random_numbers_tongling(tmp_path: Path) -> None:
    """Baseline vs Tongling: common demands make the demand-side differences far sharper
    (task-driven metrics gain little: the task stream desynchronises when its rate
    changes, see the printed ratios)."""
    frame = crn_against_independent(TONGLING, tmp_path).set_index(["metric", "demand_type"])
    for key in [
        ("resolution_days_mean", "administrative/assist_government"),
        ("trips_per_demand_mean", "all"),
    ]:
        assert frame.loc[key, "crn"] < frame.loc[key, "independent"], key
        assert frame.loc[key, "variance_ratio"] > 4, key


# -- Dask (last: the cluster lives until the end of the module) ---------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local Dask cluster of two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def test_dask_identical(cluster: Any, compared: tuple[Path, str], tmp_path: Path) -> None:
    """``--scheduler`` on a Dask LocalCluster: comparison.csv is the same bytes."""
    out = tmp_path / "dask"
    args = [*COMPARE, "--replications", str(REPS), "--quiet", "--out", str(out)]
    code, _ = run_cli([*args, "--scheduler", cluster.scheduler_address])
    assert code == 0
    for name in ("comparison.csv", "summary.csv"):
        assert (out / name).read_bytes() == (compared[0] / name).read_bytes(), name
    assert len(part_folders(out)) == 2 * REPS


# -- the Comparison object ---------------------------------------------------------------


def test_comparison_reads_out_verdicts_and_arms() -> None:
    """One desk worker: waits worse by the registry's direction; each arm's own means are
    its replications' means, and the paired difference is their difference."""
    base = sim.load_scenario(TEACHING, {"days": 21})
    fewer = sim.load_scenario(TEACHING, {"days": 21, "units.community_desk.servers": 1})
    fewer = fewer.model_copy(update={"name": "fewer"})
    cmp = compare(base, [fewer], 3, seed=SEED, options=sim.RunOptions(1, progress=False))
    assert isinstance(cmp, sim.Comparison) and cmp.reforms == ["fewer"]
    table = cmp.table(["wait_minutes_mean"])
    row = table.loc[("fewer", "Mean queueing time", "all")]
    assert row["verdict"] == "worse" and row["difference"] > 0
    arms = cmp.arms(["wait_minutes_mean"]).set_index("scenario")["mean"]
    assert arms["fewer"] - arms[base.name] == pytest.approx(row["difference"])
    pairs = cmp.table([("wait_minutes_mean", ""), ("wait_minutes_mean", "administrative")])
    assert len(pairs) == 2
    assert len(cmp.plot(["wait_minutes_mean"]).axes) == 1


@pytest.mark.parametrize(
    ("low", "high", "better", "expected"),
    [
        (-2.0, -1.0, "lower", "better"),
        (1.0, 2.0, "lower", "worse"),
        (1.0, 2.0, "higher", "better"),
        (-1.0, 2.0, "higher", "no clear change"),
        (1.0, 2.0, "neither", "neither is better"),
    ],
)
def test_verdict(low: float, high: float, better: str, expected: str) -> None:
    from sim.experiment.comparison import verdict

    assert verdict(low, high, better) == expected
