"""Sweeps: designs, sensitivity indices, one-line errors, resuming after a kill, flat memory.

Every sweep here runs the teaching scenario shrunk to a few days, so a design point takes a
few hundredths of a second. In the teaching scenario (the two-tier baseline) no flow has an
online entry, so ``online.share`` cannot change anything: its indices must be zero and points
that differ only in it must give identical results (common random numbers).
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiment.experiment import Experiment
from sim.experiment.jobs import Job, replicate
from sim.experiment.sweep import (
    design_size,
    load_sweep,
    make_design,
    point_scenarios,
    read_sweep_table,
)

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
SHIPPED = REPO / "sweeps" / "xiangfang_sobol.toml"
OUTPUTS = ["resolution_days_mean", "trips_per_demand_mean"]

PARAMETERS = """
[parameters."online.share"]
low = 0.0
high = 0.5
source = "assumption: no online entry in the teaching scenario, so no effect"

[parameters."units.community_desk.servers"]
low = 1
high = 4
integer = true
source = "assumption: from one worker, who must choose between tasks and files, to four"
"""

DESIGNS = {
    "factorial": 'kind = "factorial"\nlevels = 2',
    "lhs": 'kind = "lhs"\nsamples = 6',
    "qmc_sobol": 'kind = "qmc_sobol"\nsamples = 4',
    "sobol": 'kind = "sobol"\nsamples = 8',
    "morris": 'kind = "morris"\ntrajectories = 3\nlevels = 4',
}


def sweep_file(
    tmp_path: Path,
    design: str = DESIGNS["sobol"],
    parameters: str = PARAMETERS,
    replications: int = 2,
    days: int = 10,
    residents: int | None = None,
    name: str = "tiny",
    demand_type: str = "administrative",
    metrics: list[str] = OUTPUTS,
) -> Path:
    """Write a small sweep over the teaching scenario and return its path."""
    f = tmp_path / f"{name}.toml"
    shown = ", ".join(f'"{m}"' for m in metrics)
    size = "" if residents is None else f'"structure.residents_per_community" = {residents}'
    f.write_text(
        f"""
base = "{TEACHING.as_posix()}"
seed = {{ value = 11, source = "assumption: any fixed number" }}
replications = {replications}

[overrides]
days = {{ value = {days}, source = "assumption: a few days" }}
warmup_days = 1
{size}

[design]
{design}
{parameters}
[outputs]
metrics = [{shown}]
demand_type = "{demand_type}"
""",
        encoding="utf-8",
    )
    return f


def parts_done(root: Path) -> list[tuple[str, int]]:
    """(point, replication) of every stored replication folder."""
    return sorted(
        (p.parent.name.removeprefix("scenario="), int(p.name.removeprefix("replication=")))
        for p in (root / "parts").glob("scenario=p*/replication=*")
        if p.is_dir() and not p.name.startswith(".")
    )


# -- designs -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DESIGNS))
def test_each_design_runs_and_writes_its_tables(tmp_path: Path, kind: str) -> None:
    """Every design kind runs and leaves design.csv, a tidy sweep.csv, the manifest and (for
    Sobol' and Morris) indices and a figure; the indices put the inert parameter at zero."""
    f = sweep_file(tmp_path, DESIGNS[kind])
    out = tmp_path / "out"
    res = sim.sweep(
        f, options=sim.RunOptions(out=out, workers=2 if kind == "sobol" else 1, progress=False)
    )
    n = design_size(load_sweep(f))
    assert n == {"factorial": 2 * 2, "lhs": 6, "qmc_sobol": 4, "sobol": 8 * 6, "morris": 9}[kind]

    design = pd.read_csv(out / "design.csv")
    assert list(design.columns) == ["point", "online.share", "units.community_desk.servers"]
    assert len(design) == n and design["point"].is_unique
    servers = design["units.community_desk.servers"]
    assert servers.between(1, 4).all() and (servers == servers.round()).all()
    assert design["online.share"].between(0.0, 0.5).all()

    table = read_sweep_table(out / "sweep.csv")
    pd.testing.assert_frame_equal(table, res.table)
    assert list(table.columns) == [
        "point",
        "replication",
        "online.share",
        "units.community_desk.servers",
        "metric",
        "demand_type",
        "value",
    ]
    assert len(table) == n * 2 * len(OUTPUTS)
    assert not table.duplicated(["point", "replication", "metric"]).any()
    assert set(table["demand_type"]) == {"administrative"}
    assert table["value"].notna().all()
    assert (out / "manifest.json").exists() and (out / "response.png").stat().st_size > 0

    if kind in ("sobol", "morris"):
        name = f"{kind}_indices.csv"
        indices = pd.read_csv(out / name)
        measure = "ST" if kind == "sobol" else "mu_star"
        cols = {"sobol": ["S1", "S1_conf", "ST", "ST_conf"], "morris": ["mu_star", "sigma"]}[kind]
        assert {"parameter", "output", *cols} <= set(indices.columns)
        assert len(indices) == 2 * len(OUTPUTS)
        inert = indices[indices["parameter"] == "online.share"]
        staff = indices[indices["parameter"] == "units.community_desk.servers"]
        np.testing.assert_allclose(inert[measure], 0.0, atol=1e-12)
        assert (staff[measure] > 0.05).all()
        assert (res.drivers()["parameter"] == "units.community_desk.servers").all()
        assert (out / "sensitivity.png").stat().st_size > 0
    else:
        assert res.indices.empty
        assert not list(out.glob("*_indices.csv")) and not (out / "sensitivity.png").exists()


def test_cli_prints_indices_and_top_driver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``govsim sweep`` prints the indices of each output and the parameter driving it most,
    and where the results went."""
    out = tmp_path / "out"
    f = sweep_file(tmp_path, DESIGNS["morris"])
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "Morris screening for demand type 'administrative'" in text
    for output in OUTPUTS:
        assert f"most influential on {output}: units.community_desk.servers (mu_star " in text
    assert text.rstrip().endswith(f"results written to {out}")
    assert (out / "morris_indices.csv").exists()


def test_points_share_random_streams(tmp_path: Path) -> None:
    """Points that differ only in a figure with no effect give identical results, replication
    by replication: every point runs the same random streams."""
    f = sweep_file(tmp_path, 'kind = "factorial"\nlevels = 3', replications=2)
    res = sim.sweep(
        f, options=sim.RunOptions(out=tmp_path / "out", workers=1, progress=False, figures=False)
    )
    wide = res.table.pivot_table(
        index=["units.community_desk.servers", "replication", "metric"],
        columns="online.share",
        values="value",
    )
    assert wide.shape[1] == 3
    np.testing.assert_array_equal(wide.to_numpy(), wide.iloc[:, [0, 0, 0]].to_numpy())
    # ... while the replications themselves differ (the streams are not all the same)
    reps = res.table.pivot_table(index=["point", "metric"], columns="replication", values="value")
    assert (reps[0] != reps[1]).any()


def test_design_is_reproducible_and_sized(tmp_path: Path) -> None:
    """The same file gives the same design (what resuming relies on); Saltelli's design has
    N(2D+2) points, N(D+2) without second order, and whole numbers come out evenly."""
    f = sweep_file(tmp_path, 'kind = "sobol"\nsamples = 16')
    a, b = make_design(load_sweep(f)), make_design(load_sweep(f))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert len(a.table) == 16 * (2 * 2 + 2)
    g = sweep_file(tmp_path, 'kind = "sobol"\nsamples = 16\nsecond_order = false', name="so")
    assert len(make_design(load_sweep(g)).table) == 16 * (2 + 2)
    h = sweep_file(tmp_path, 'kind = "lhs"\nsamples = 400', name="lhs")
    counts = make_design(load_sweep(h)).table["units.community_desk.servers"].value_counts()
    assert sorted(counts.index) == [1, 2, 3, 4]
    assert counts.min() >= 90  # 100 each: ends of the range are not halved by rounding


def test_sweep_from_a_mapping_is_the_file(tmp_path: Path) -> None:
    """A sweep built as a mapping in a notebook is the sweep its file would be: the same
    design; a wrong key in it is one line naming ``<sweep>`` and the key."""
    import tomllib

    f = sweep_file(tmp_path, 'kind = "sobol"\nsamples = 16')
    data = tomllib.loads(f.read_text(encoding="utf-8"))
    from_file, from_dict = load_sweep(f), load_sweep(data, root=tmp_path)
    pd.testing.assert_frame_equal(make_design(from_file).table, make_design(from_dict).table)
    assert from_dict.name == "sweep" and from_dict.seed == from_file.seed
    data["overrides"]["no_such_key"] = 1
    with pytest.raises(sim.ScenarioError, match="<sweep>.*no_such_key"):
        load_sweep(data)


def test_several_keys_take_one_value(tmp_path: Path) -> None:
    """A parameter with ``keys`` sets every listed key of a point's scenario to its value."""
    params = (
        PARAMETERS
        + """
[parameters.approval_minutes]
keys = [
    "demands.administrative.groups.civil_affairs_approvals.processing_minutes",
    "demands.administrative.groups.disability_approvals.processing_minutes",
]
low = 20
high = 90
source = "assumption: test"
"""
    )
    sw = load_sweep(sweep_file(tmp_path, 'kind = "lhs"\nsamples = 3', params))
    design = make_design(sw)
    scenarios = point_scenarios(sw, design)
    for row, s in zip(design.table.itertuples(index=False), scenarios.values(), strict=True):
        groups = s.demands["administrative"].groups
        assert groups["civil_affairs_approvals"].processing_minutes == row[3]
        assert groups["disability_approvals"].processing_minutes == row[3]
        assert groups["family_planning_approvals"].processing_minutes == 60.0
        assert s.days == 10 and s.structure.residents_per_community == 1500


# -- bad sweep files -----------------------------------------------------------------------

BAD = [
    (
        "unknown_parameter",
        ('"online.share"', '"online.shares"'),
        "parameters.online.shares",
        "did you mean 'share'",
    ),
    ("low_above_high", ("low = 0.0", "low = 0.7"), "parameters.online.share", "must be below"),
    ("unknown_kind", ('kind = "sobol"', 'kind = "sobolx"'), "design.kind", "'sobolx'"),
    (
        "inside_a_list",
        ('"online.share"', '"flows.two_level.stages.intake.routes.0.delay_hours"'),
        "routes",
        "inside the list",
    ),
    ("out_of_bounds", ("high = 0.5", "high = 1.5"), "parameters.online.share", "1.5"),
    (
        "whole_number_field",
        ("integer = true", "integer = false"),
        "parameters.units.community_desk.servers",
        "integer = true",
    ),
    (
        "unknown_parameter_field",
        ('source = "assumption: no online', 'sourcex = "assumption: no online'),
        "parameters.online.share.sourcex",
        "unknown key",
    ),
    (
        "unknown_metric",
        ('"trips_per_demand_mean"', '"trip_per_demand"'),
        "outputs.metrics.1",
        "unknown metric",
    ),
    ("not_power_of_two", ("samples = 8", "samples = 5"), "design.samples", "power of two"),
]


@pytest.mark.parametrize(("case", "edit", "key", "text"), BAD, ids=[b[0] for b in BAD])
def test_bad_sweep_file_is_one_line_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    edit: tuple[str, str],
    key: str,
    text: str,
) -> None:
    """A bad sweep file ends with one error line naming the file and the key, exit status 2,
    and no output folder."""
    f = sweep_file(tmp_path)
    body = f.read_text(encoding="utf-8")
    assert edit[0] in body
    f.write_text(body.replace(edit[0], edit[1], 1), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(f), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("govsim: error: ") and "Traceback" not in err
    assert str(f) in lines[0] and key in lines[0] and text in lines[0]
    assert not out.exists()


def test_range_without_source_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A range with no source at all (neither on the parameter nor on both ends) is refused;
    sourced ends are enough."""
    bare = PARAMETERS.replace(
        'source = "assumption: no online entry in the teaching scenario, so no effect"\n', ""
    )
    out = tmp_path / "out"
    assert main(["sweep", str(sweep_file(tmp_path, parameters=bare)), "--out", str(out)]) == 2
    assert "the range has no source" in capsys.readouterr().err and not out.exists()
    ends = bare.replace("low = 0.0", 'low = { value = 0.0, source = "assumption: none" }')
    ends = ends.replace("high = 0.5", 'high = { value = 0.5, source = "assumption: half" }')
    sw = load_sweep(sweep_file(tmp_path, parameters=ends, name="ends"))
    assert sw.parameters[0].source == "low: assumption: none; high: assumption: half"


# -- resuming ------------------------------------------------------------------------------


def test_killed_sweep_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    """SIGKILL a sweep midway, rerun it into the same folder: the finished replications are
    kept untouched, the missing ones run once, every part reads back, no temporary file is
    left, and sweep.csv equals that of an uninterrupted run."""
    f = sweep_file(tmp_path, 'kind = "lhs"\nsamples = 60', replications=2, days=3, residents=300)
    total = [(f"p{i:05d}", r) for i in range(60) for r in range(2)]
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "sim", "sweep", str(f), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(
        [*cmd, "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    try:
        while len(parts_done(out)) < 5:
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() < deadline, "the sweep stored nothing within a minute"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate()
    kept = parts_done(out)
    assert 5 <= len(kept) < len(total), "the sweep was not interrupted midway"
    stamps = {
        k: (out / "parts" / f"scenario={k[0]}" / f"replication={k[1]}").stat().st_mtime_ns
        for k in kept
    }

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    # nothing finished is recomputed
    assert f"({len(total) - len(kept)} run now, {len(kept)} found in the folder)" in rerun.stdout
    assert parts_done(out) == sorted(total)  # every replication present exactly once
    for (point, rep), stamp in stamps.items():
        assert (
            out / "parts" / f"scenario={point}" / f"replication={rep}"
        ).stat().st_mtime_ns == stamp
    for point, rep in total:
        part = pd.read_parquet(
            out / "parts" / f"scenario={point}" / f"replication={rep}" / "summary.parquet"
        )
        assert set(part["replication"]) == {rep} and len(part) > 0
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") or ".tmp" in p.name]
    assert leftovers == []

    fresh = tmp_path / "fresh"
    sim.sweep(f, options=sim.RunOptions(out=fresh, workers=2, progress=False, figures=False))
    pd.testing.assert_frame_equal(
        read_sweep_table(out / "sweep.csv"), read_sweep_table(fresh / "sweep.csv")
    )
    assert (out / "sweep.csv").read_bytes() == (fresh / "sweep.csv").read_bytes()


def test_folder_of_another_sweep_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Rerunning a changed sweep into an old folder is refused rather than mixed; changing
    only the outputs reuses every stored replication."""
    out = tmp_path / "out"
    f = sweep_file(tmp_path, 'kind = "lhs"\nsamples = 3', replications=1)
    first = sim.sweep(f, options=sim.RunOptions(out=out, workers=1, progress=False, figures=False))
    assert first.ran == 3
    g = sweep_file(tmp_path, 'kind = "lhs"\nsamples = 3', replications=1, metrics=["demands"])
    again = sim.sweep(g, options=sim.RunOptions(out=out, workers=1, progress=False, figures=False))
    assert again.ran == 0 and set(again.table["metric"]) == {"demands"}
    h = sweep_file(tmp_path, 'kind = "lhs"\nsamples = 4', replications=1, name="other")
    assert main(["sweep", str(h), "--out", str(out), "--quiet"]) == 2
    assert "different experiment" in capsys.readouterr().err


# -- memory --------------------------------------------------------------------------------


def _peak_bytes(run: Callable[[], object]) -> int:
    """Peak memory traced in this process while `run` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Results go to disk as they finish and the tables are assembled point by point: a sweep
    of 300 runs peaks no higher than one of 50, while keeping the results in memory (an
    experiment without a folder) grows with the runs.

    Each run returns a canned replication (a real summary table) instead of simulating, so
    the test measures the sweep's own handling of results, quickly and in this process.
    """
    one = PARAMETERS.split('[parameters."units')[0]

    def tiny(reps: int) -> Path:
        design = 'kind = "factorial"\nlevels = 5'
        return sweep_file(tmp_path, design, one, replications=reps, days=2, name=f"m{reps}")

    sw = load_sweep(tiny(1))
    canned = replicate(Job("p", sw.base, 0, sw.seed, ("summary",)))["summary"]

    def fake(job: Job) -> dict[str, pd.DataFrame]:
        return {"summary": canned.assign(replication=job.replication)}

    monkeypatch.setattr("sim.experiment.experiment.replicate", fake)

    def run_sweep(reps: int) -> Callable[[], object]:
        return lambda: sim.sweep(
            tiny(reps),
            options=sim.RunOptions(
                out=tmp_path / f"m{reps}", workers=1, progress=False, figures=False
            ),
        )

    def in_memory(reps: int) -> Callable[[], object]:
        sw = load_sweep(tiny(reps))
        scenarios = point_scenarios(sw, make_design(sw))
        exp = Experiment(scenarios, sw.seed, sim.RunOptions(workers=1), ("summary",))
        return lambda: exp.ensure(reps)

    run_sweep(2)()  # warm up: imports, caches, the figure machinery
    growth = _peak_bytes(run_sweep(60)) - _peak_bytes(run_sweep(10))
    assert len(parts_done(tmp_path / "m60")) == 300
    control = _peak_bytes(in_memory(60)) - _peak_bytes(in_memory(10))
    assert control > 500_000, f"the measure misses results kept in memory ({control} B)"
    assert growth < control / 4, f"peak grew by {growth / 1e6:.2f} MB for 250 more runs"


# -- the shipped sweeps --------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((REPO / "sweeps").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_sweep_files_load(path: Path) -> None:
    """Every sweep file in sweeps/ loads, with a source for every range, and its design is
    small enough to run on a laptop."""
    sw = load_sweep(path)
    assert all(p.source for p in sw.parameters)
    assert 1 <= design_size(sw) * sw.spec.replications <= 5000


def test_shipped_sweep_loads_and_rests_on_assumptions() -> None:
    """The shipped Sobol' sweep loads, varies at least four assumptions of the Xiangfang
    scenario with sourced ranges, and explains administrative resolution time and trips."""
    sw = load_sweep(SHIPPED)
    assert sw.kind == "sobol" and sw.spec.outputs.demand_type == "administrative"
    assert set(OUTPUTS) <= set(sw.spec.outputs.metrics)
    listed = set(sim.assumptions(sw.base)["key"])
    varied = [p for p in sw.parameters if set(p.keys) <= listed]
    assert len(varied) >= 4
    assert all(p.source.startswith("assumption") for p in sw.parameters)
    assert sw.base.structure.streets == 1 and sw.base.units["street_center"].servers == 16
