"""The experiment layer behind ``govsim run``: executors, precision, the resumable store.

A result depends only on the scenario, the root seed and the number of replications — not on
the executor, the number of workers, or whether the run was interrupted and resumed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli_checks import assert_one_line_error

import sim
import sim.experiment.experiment as experiment_module
from sim.cli import main
from sim.experiment.jobs import TABLES, Job
from sim.experiment.output import DEPENDENCIES
from sim.experiment.run import PRECISION_BATCH, precision_report
from sim.metrics.headline import HEADLINE

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
DAYS = 28
REPS = 4
SEED = 4242
RUN = ["run", str(TEACHING), "--days", str(DAYS), "--seed", str(SEED), "--no-figures", "--quiet"]

# -- helpers -----------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder under `folder`: relative path -> (inode, mtime in ns, size)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        s = p.stat()
        out[p.relative_to(folder).as_posix()] = (s.st_ino, s.st_mtime_ns, s.st_size)
    return out


def contents(folder: Path) -> dict[str, tuple[tuple[int, int, int], bytes]]:
    """`snapshot` with the bytes of every file."""
    return {
        k: (v, (folder / k).read_bytes() if (folder / k).is_file() else b"")
        for k, v in snapshot(folder).items()
    }


def parts(folder: Path, key: str = "teaching") -> dict[str, tuple[int, int, int]]:
    """The stored replication folders of `key`: name -> (inode, mtime in ns, size)."""
    snap = snapshot(folder / "parts" / f"scenario={key}")
    return {k: v for k, v in snap.items() if "/" not in k}


def read_summary(folder: Path) -> pd.DataFrame:
    """summary.csv of a run folder (the empty demand type kept as '')."""
    return pd.read_csv(folder / "summary.csv", keep_default_na=False, na_values={"value": [""]})


@pytest.fixture(scope="module")
def teaching() -> sim.Scenario:
    """The teaching scenario cut to four weeks."""
    return sim.load_scenario(TEACHING, {"days": DAYS})


@pytest.fixture(scope="module")
def local_runs(teaching: sim.Scenario) -> dict[int, sim.RunResult]:
    """The same run in this process and on two worker processes."""
    kw: dict[str, Any] = {"replications": REPS, "seed": SEED}
    return {w: sim.run(teaching, **kw, options=sim.RunOptions(w, progress=False)) for w in (1, 2)}


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``govsim run`` with one and with two workers into fresh folders."""
    root = tmp_path_factory.mktemp("cli_runs")
    out = {}
    for w in ("1", "2"):
        out[w] = root / f"w{w}"
        args = [*RUN, "--replications", str(REPS), "--workers", w, "--out", str(out[w])]
        assert main(args) == 0
    return out


# -- executors ---------------------------------------------------------------------------


def test_workers_give_equal_tables(local_runs: dict[int, sim.RunResult]) -> None:
    """One worker or two: the very same summary, daily series and demand records."""
    one, two = local_runs[1], local_runs[2]
    assert one.replications == two.replications == REPS
    assert sorted(one.summary["replication"].unique()) == list(range(REPS))
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries)
    pd.testing.assert_frame_equal(one.demands, two.demands)
    # ...and the replications really differ from one another.
    values = one.metric("demands")
    assert values.nunique() > 1, values


def test_cli_workers_give_identical_files(cli_runs: dict[str, Path]) -> None:
    """summary.csv and timeseries.csv are the same bytes for one and two workers."""
    for name in ("summary.csv", "timeseries.csv"):
        one = (cli_runs["1"] / name).read_bytes()
        assert len(one) > 1000
        assert one == (cli_runs["2"] / name).read_bytes(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(cli_runs["1"] / "demands.parquet"),
        pd.read_parquet(cli_runs["2"] / "demands.parquet"),
    )


def test_cli_summary_matches_api(
    cli_runs: dict[str, Path], local_runs: dict[int, sim.RunResult]
) -> None:
    """The file written by ``govsim run`` holds the API's summary."""
    written = read_summary(cli_runs["1"])
    expected = local_runs[1].summary
    assert list(written.columns) == list(expected.columns)
    assert len(written) == len(expected)
    np.testing.assert_allclose(written["value"], expected["value"], rtol=1e-12, equal_nan=True)
    assert written["metric"].tolist() == expected["metric"].tolist()


# -- the run folder ----------------------------------------------------------------------


def test_parts_are_complete_folders(cli_runs: dict[str, Path]) -> None:
    """Every stored replication is a whole folder; no temporary file or folder is left."""
    for out in cli_runs.values():
        names = sorted(parts(out))
        assert names == sorted(f"replication={r}" for r in range(REPS))
        for name in names:
            folder = out / "parts" / "scenario=teaching" / name
            assert sorted(p.name for p in folder.iterdir()) == sorted(
                f"{t}.parquet" for t in TABLES
            )
            summary = pd.read_parquet(folder / "summary.parquet")
            assert set(summary["replication"]) == {int(name.removeprefix("replication="))}
        leftovers = [p for p in out.rglob("*") if p.name.startswith(".")]
        assert leftovers == [], leftovers


def test_manifest(cli_runs: dict[str, Path]) -> None:
    """Resolved scenario, root seed, versions, commit, times, replications."""
    m = json.loads((cli_runs["2"] / "manifest.json").read_text(encoding="utf-8"))
    assert m["scenarios"] == ["teaching"]
    resolved = m["resolved_scenarios"]["teaching"]
    assert resolved["name"] == "teaching"
    assert resolved["days"] == DAYS
    assert resolved["structure"]["communities"] == 2
    assert resolved["sources"]["days"].startswith("override")
    assert m["root_seed"] == SEED
    assert m["replications"] == REPS
    assert re.fullmatch(r"[0-9a-f]{16}", m["experiment_hash"])
    assert m["package_version"] == sim.__version__ == metadata.version("govsim")
    assert set(m["dependencies"]) == set(DEPENDENCIES)
    assert m["dependencies"]["numpy"] == np.__version__
    assert m["dependencies"]["pandas"] == pd.__version__
    assert "git_commit" in m
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=Path(sim.__file__).parent,
        capture_output=True,
        text=True,
        check=False,
    )
    expected = head.stdout.strip() if head.returncode == 0 else None
    assert m["git_commit"] == expected
    if expected is not None:
        assert re.fullmatch(r"[0-9a-f]{40}", m["git_commit"])
    started = dt.datetime.fromisoformat(m["started"])
    finished = dt.datetime.fromisoformat(m["finished"])
    assert started.tzinfo is not None
    assert started <= finished <= dt.datetime.now(dt.UTC)
    assert m["warmup"]["days_used"] == 7


def test_rerun_resumes(tmp_path: Path, cli_runs: dict[str, Path], count_jobs: list[Job]) -> None:
    """Same command again: no replication rerun, parts untouched, same summary.csv; with
    more replications only the new ones run and the result equals a fresh run."""
    out = tmp_path / "run"
    args = [*RUN, "--workers", "1", "--out", str(out)]
    assert main([*args, "--replications", "2"]) == 0
    assert [j.replication for j in count_jobs] == [0, 1]
    before, summary = parts(out), (out / "summary.csv").read_bytes()
    started = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["started"]

    assert main([*args, "--replications", "2"]) == 0
    assert len(count_jobs) == 2, "a stored replication was run again"
    assert parts(out) == before
    assert (out / "summary.csv").read_bytes() == summary

    assert main([*args, "--replications", str(REPS)]) == 0
    assert [j.replication for j in count_jobs[2:]] == list(range(2, REPS))
    after = parts(out)
    assert {k: after[k] for k in before} == before, "old parts were rewritten"
    assert sorted(after) == sorted(f"replication={r}" for r in range(REPS))
    assert (out / "summary.csv").read_bytes() == (cli_runs["1"] / "summary.csv").read_bytes()
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["replications"] == REPS
    assert m["started"] == started


def test_interrupted_run_keeps_whole_parts_and_resumes(
    tmp_path: Path, teaching: sim.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that dies at replication 2 leaves parts 0 and 1 whole and nothing half-written;
    the rerun runs 2 and 3 only and gives the uninterrupted result."""
    real = experiment_module.replicate
    ran: list[int] = []

    def dies_at_two(job: Job) -> dict[str, pd.DataFrame]:
        if job.replication == 2:
            raise RuntimeError("power cut")
        ran.append(job.replication)
        return real(job)

    monkeypatch.setattr(experiment_module, "replicate", dies_at_two)
    out = tmp_path / "run"
    kw: dict[str, Any] = {"replications": REPS, "seed": SEED}
    stored = sim.RunOptions(workers=1, out=out, progress=False, figures=False)
    with pytest.raises(RuntimeError, match="power cut"):
        sim.run(teaching, **kw, options=stored)
    assert sorted(parts(out)) == ["replication=0", "replication=1"]
    assert not list(out.rglob(".tmp-*"))
    assert not (out / "summary.csv").exists()

    def counting(job: Job) -> dict[str, pd.DataFrame]:
        ran.append(job.replication)
        return real(job)

    ran.clear()
    monkeypatch.setattr(experiment_module, "replicate", counting)
    resumed = sim.run(teaching, **kw, options=stored)
    assert ran == [2, 3]
    fresh = sim.run(teaching, **kw, options=sim.RunOptions(workers=1, progress=False))
    pd.testing.assert_frame_equal(resumed.summary, fresh.summary)


def test_half_written_part_is_swept(tmp_path: Path, teaching: sim.Scenario) -> None:
    """A ``.tmp-*`` folder left by a killed run is removed by the next run into the folder."""
    out = tmp_path / "run"
    stored = sim.RunOptions(workers=1, out=out, progress=False, figures=False)
    sim.run(teaching, 1, SEED, stored)
    stale = out / "parts" / ".tmp-killed"
    stale.mkdir()
    (stale / "summary.parquet").write_bytes(b"half")
    sim.run(teaching, 1, SEED, stored)
    assert not stale.exists()
    assert sorted(parts(out)) == ["replication=0"]


@pytest.mark.parametrize(
    "change",
    [
        ["--seed", str(SEED + 1)],
        ["--days", str(DAYS - 7)],
        ["--set", "units.community_desk.servers=5"],
    ],
    ids=["seed", "days", "set"],
)
def test_other_experiment_is_refused(
    tmp_path: Path,
    cli_runs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    change: list[str],
) -> None:
    """Another seed or scenario into an existing run folder: exit 2, one line, nothing
    written."""
    out = tmp_path / "run"
    assert main([*RUN, "--replications", "1", "--workers", "1", "--out", str(out)]) == 0
    before = contents(out)
    capsys.readouterr()
    code = main([*RUN, *change, "--replications", "1", "--workers", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert_one_line_error(captured.err, str(out), "different experiment")
    assert captured.out == ""
    assert contents(out) == before


def test_folder_holding_other_files_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A non-empty folder that is not a run folder is not written into."""
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.md").write_text("draft", encoding="utf-8")
    code = main([*RUN, "--replications", "1", "--workers", "1", "--out", str(out)])
    assert code == 2
    assert_one_line_error(capsys.readouterr().err, str(out))
    assert [p.name for p in out.iterdir()] == ["chapter1.md"]


# -- precision ---------------------------------------------------------------------------


def test_precision_reached(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A loose target: replications are added in batches until every headline metric's
    relative half-width is within it, then the run stops."""
    out = tmp_path / "run"
    args = ["run", str(TEACHING), "--seed", str(SEED), "--workers", "2", "--no-figures"]
    assert main([*args, "--precision", "0.95", "--replications", "2", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    p = m["precision"]
    n = p["replications"]
    assert p["target"] == 0.95
    assert m["replications"] == n
    assert n > 3, "the first batch was already precise: the test shows nothing"
    assert (n - 3) % PRECISION_BATCH == 0
    assert set(p["metrics"]) <= set(HEADLINE) and len(p["metrics"]) >= 8
    assert all(r["held"] for r in p["metrics"].values())
    assert all(r["relative_half_width"] <= 0.95 for r in p["metrics"].values())
    summary = read_summary(out)
    assert sorted(summary["replication"].unique()) == list(range(n))
    # It held now, and it did not one batch earlier.
    assert all(r["held"] for r in precision_report(summary, 0.95).values())
    earlier = precision_report(summary[summary["replication"] < n - PRECISION_BATCH], 0.95)
    assert not all(r["held"] for r in earlier.values())
    assert f"precision 0.95: held for {len(p['metrics'])} metric(s) after {n}" in stdout
    assert "not reached" not in stdout


def test_precision_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A very tight target stops at ``--max-replications`` and says which metrics missed."""
    out = tmp_path / "run"
    args = [*RUN, "--precision", "0.001", "--max-replications", "5", "--workers", "2"]
    assert main([a for a in args if a != "--quiet"] + ["--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    p = m["precision"]
    assert p["replications"] == m["replications"] == 5
    missed = sorted(k for k, r in p["metrics"].items() if not r["held"])
    assert missed, "a target of 0.1% was reached in 5 replications?"
    for k in missed:
        assert p["metrics"][k]["relative_half_width"] > 0.001
    assert sorted(parts(out)) == [f"replication={r}" for r in range(5)]
    assert (
        "not reached for " + ", ".join(k for k in p["metrics"] if not p["metrics"][k]["held"])
        in stdout
    )


def test_precision_api_meta(teaching: sim.Scenario) -> None:
    """`RunResult.meta['precision']` reports the target, the replications and each metric."""
    r = sim.run(
        teaching,
        replications=1,
        seed=SEED,
        precision=sim.Precision(0.001, max_replications=4),
        options=sim.RunOptions(workers=1, progress=False),
    )
    p = r.meta["precision"]
    assert r.replications == p["replications"] == 4
    assert r.summary["replication"].nunique() == 4
    assert p["target"] == 0.001
    report = precision_report(r.summary, 0.001)
    assert p["metrics"] == report
    assert not all(v["held"] for v in report.values())


# -- Dask (last: the cluster lives until the end of the module) ---------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local Dask cluster of two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def test_dask_gives_equal_tables(
    cluster: Any, teaching: sim.Scenario, local_runs: dict[int, sim.RunResult]
) -> None:
    """A Dask cluster computes the same tables as a local run."""
    result = sim.run(
        teaching,
        replications=REPS,
        seed=SEED,
        options=sim.RunOptions(progress=False, scheduler=cluster.scheduler_address),
    )
    pd.testing.assert_frame_equal(result.summary, local_runs[1].summary)
    pd.testing.assert_frame_equal(result.timeseries, local_runs[1].timeseries)
    pd.testing.assert_frame_equal(result.demands, local_runs[1].demands)


def test_cli_dask_identical_summary(
    cluster: Any, tmp_path: Path, cli_runs: dict[str, Path]
) -> None:
    """``govsim run --scheduler ADDRESS`` writes the same summary.csv bytes."""
    out = tmp_path / "dask"
    args = [*RUN, "--replications", str(REPS), "--scheduler", cluster.scheduler_address]
    assert main([*args, "--out", str(out)]) == 0
    assert (out / "summary.csv").read_bytes() == (cli_runs["1"] / "summary.csv").read_bytes()
    assert (out / "timeseries.csv").read_bytes() == (cli_runs["1"] / "timeseries.csv").read_bytes()
    assert sorted(parts(out)) == sorted(f"replication={r}" for r in range(REPS))


def test_progress_shows_in_a_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a notebook's kernel (standard error is not a terminal there) the progress bar is on
    by default; in a plain pipe it is off."""
    import sys
    import types

    from sim.experiment import experiment

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setitem(sys.modules, "ipykernel", object())  # imported by notebook tools
    assert not experiment._interactive()
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert experiment._interactive()


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_simulated_days_in_workers(
    monkeypatch: pytest.MonkeyPatch, teaching: sim.Scenario, workers: int
) -> None:
    """The bar counts simulated days whether replications run here or in worker processes
    (a shared counter the workers add to), so a long replication shows movement before it
    ends; the tables are those of a run without a bar."""
    from sim.experiment import experiment

    bars: list[Any] = []

    class Recorder:
        def __init__(self, **kw: Any) -> None:
            self.kw, self.updates = kw, []
            bars.append(self)

        def update(self, k: int = 1) -> None:
            self.updates.append(k)

        def close(self) -> None:
            pass

    monkeypatch.setattr(experiment, "_bar_class", lambda: Recorder)
    reps = 3
    shown = sim.run(teaching, reps, seed=5, options=sim.RunOptions(workers, progress=True))
    (bar,) = bars
    assert bar.kw["unit"] == "day" and bar.kw["total"] == reps * teaching.days
    assert sum(bar.updates) == reps * teaching.days
    if workers == 1:
        assert len(bar.updates) == reps * teaching.days  # one tick a day
    quiet = sim.run(teaching, reps, seed=5, options=sim.RunOptions(workers, progress=False))
    pd.testing.assert_frame_equal(shown.summary, quiet.summary)
