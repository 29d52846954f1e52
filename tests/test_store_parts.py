"""A run's stored replications are checked before reuse: a damaged part is rebuilt, never
dropped, and tables are never assembled from fewer replications than asked.

Each test damages a copy of one clean run folder the way a crash, a full disk or a careless
hand would, reruns into it, and checks that exactly the damaged replication runs again and
that the tables equal those of the clean run byte for byte.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_checks import assert_one_line_error

import sim
import sim.experiment.store as store_module
from sim.cli import main
from sim.experiment.experiment import Experiment
from sim.experiment.jobs import TABLES, Job
from sim.experiment.lock import RunFolderError
from sim.experiment.part import META_KEY, verify_part

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
DAYS, REPS, SEED = 14, 3, 99
RUN = [
    "run", str(TEACHING), "--days", str(DAYS), "--seed", str(SEED), "--replications", str(REPS),
    "--workers", "1", "--no-figures", "--quiet",
]  # fmt: skip
DAMAGED = 1  # the replication each test damages


def part(out: Path, rep: int = DAMAGED) -> Path:
    """The folder of one stored replication of the teaching scenario."""
    return out / "parts" / "scenario=teaching" / f"replication={rep}"


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean run folder of three replications."""
    out = tmp_path_factory.mktemp("clean") / "run"
    assert main([*RUN, "--out", str(out)]) == 0
    return out


def _truncate(folder: Path) -> None:
    path = folder / "summary.parquet"
    path.write_bytes(path.read_bytes()[:100])


def _garbage(folder: Path) -> None:
    (folder / "summary.parquet").write_bytes(b"not a parquet file\n" * 20)


def _flip(name: str, at: int) -> Callable[[Path], None]:
    def flip(folder: Path) -> None:
        data = bytearray((folder / name).read_bytes())
        data[at] ^= 0x01
        (folder / name).write_bytes(bytes(data))

    return flip


def _missing(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _empty(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(b"")


def _without_manifest(folder: Path) -> None:
    """As a version before the manifest wrote it."""
    path = folder / "summary.parquet"
    table = pq.read_table(path)
    meta = {k: v for k, v in (table.schema.metadata or {}).items() if k != META_KEY}
    pq.write_table(table.replace_schema_metadata(meta), path)


def _other_replication(folder: Path) -> None:
    """A whole, readable part of another replication put in the wrong place."""
    for f in folder.iterdir():
        shutil.copy(folder.parent / "replication=0" / f.name, f)


DAMAGES = {
    "truncated summary": _truncate,
    "garbage summary": _garbage,
    "summary missing": _missing("summary.parquet"),
    "timeseries missing": _missing("timeseries.parquet"),
    "demands missing": _missing("demands.parquet"),
    "empty timeseries": _empty("timeseries.parquet"),
    "flipped byte in demands": _flip("demands.parquet", 2000),
    "flipped byte in summary data": _flip("summary.parquet", 300),
    "no manifest": _without_manifest,
    "another replication's part": _other_replication,
}


@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
def test_damaged_part_is_rebuilt(
    tmp_path: Path,
    clean: Path,
    damage: str,
    count_jobs: list[Job],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Whatever the damage, the rerun says so, runs that replication only, and writes the
    clean run's tables; the part then passes its check again."""
    out = tmp_path / "run"
    shutil.copytree(clean, out)
    DAMAGES[damage](part(out))
    assert verify_part(part(out), DAMAGED, TABLES) is not None
    capsys.readouterr()
    assert main([*RUN, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert [j.replication for j in count_jobs] == [DAMAGED]
    assert f"rebuilding replication {DAMAGED} of 'teaching'" in err, err
    for name in ("summary.csv", "timeseries.csv"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "demands.parquet"), pd.read_parquet(clean / "demands.parquet")
    )
    assert verify_part(part(out), DAMAGED, TABLES) is None
    assert sorted(p.name for p in part(out).iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_whole_parts_are_reused_untouched(
    tmp_path: Path, clean: Path, count_jobs: list[Job]
) -> None:
    """A clean folder passes every check: nothing runs again and no part is rewritten."""
    out = tmp_path / "run"
    shutil.copytree(clean, out)
    stamps = {p: p.stat().st_mtime_ns for p in (out / "parts").rglob("*")}
    assert main([*RUN, "--out", str(out)]) == 0
    assert count_jobs == []
    assert {p: p.stat().st_mtime_ns for p in (out / "parts").rglob("*")} == stamps


def test_store_reads_as_a_dataset(clean: Path) -> None:
    """Hive-style part folders: one table's files over the whole store read back as the
    run's table, with pandas and with pyarrow's dataset."""
    import pyarrow.dataset as ds

    files = store_module.part_files(clean, "summary")
    assert [f.parent.name for f in files] == [f"replication={r}" for r in range(REPS)]
    assert {f.parent.parent.name for f in files} == {"scenario=teaching"}
    whole = sim.load_results(clean).summary
    pandas_read = pd.concat(map(pd.read_parquet, files), ignore_index=True)
    pd.testing.assert_frame_equal(pandas_read, whole, check_dtype=False)
    arrow_read = ds.dataset(files).to_table().to_pandas()
    pd.testing.assert_frame_equal(arrow_read, whole, check_dtype=False)


def test_older_layout_is_renamed_on_opening(
    tmp_path: Path, clean: Path, count_jobs: list[Job]
) -> None:
    """A run folder of the older layout (``parts/<key>/r00001``) is renamed in place and its
    parts are reused, not run again."""
    out = tmp_path / "run"
    shutil.copytree(clean, out)
    old = out / "parts" / "teaching"
    old.mkdir()
    for rep in range(REPS):
        part(out, rep).rename(old / f"r{rep:05d}")
    (out / "parts" / "scenario=teaching").rmdir()
    assert main([*RUN, "--out", str(out)]) == 0
    assert count_jobs == []
    assert not old.exists()
    assert all(verify_part(part(out, rep), rep, TABLES) is None for rep in range(REPS))


def test_part_manifest_lists_rows_and_checksums(clean: Path) -> None:
    """The summary of every part carries the rows, size and checksum of the other tables."""
    for rep in range(REPS):
        raw = pq.read_schema(part(clean, rep) / "summary.parquet").metadata[META_KEY]
        manifest = json.loads(raw)
        assert manifest["rows"] == len(pd.read_parquet(part(clean, rep) / "summary.parquet"))
        assert set(manifest["tables"]) == set(TABLES) - {"summary"}
        for name, entry in manifest["tables"].items():
            path = part(clean, rep) / f"{name}.parquet"
            assert entry["rows"] == pq.read_metadata(path).num_rows
            assert entry["bytes"] == path.stat().st_size
            assert len(entry["sha256"]) == 64


def test_table_is_never_assembled_from_fewer_replications(tmp_path: Path, clean: Path) -> None:
    """A table missing from a part after the parts were checked: reading the table is an
    error naming the folder and the replication, not a table one replication short."""
    out = tmp_path / "run"
    shutil.copytree(clean, out)
    scenario = sim.load_scenario(TEACHING, {"days": DAYS})
    exp = Experiment(
        {"teaching": scenario}, SEED, sim.RunOptions(workers=1, out=out, progress=False)
    )
    try:
        assert exp.ensure(REPS) == 0
        assert len(exp.table("summary")["replication"].unique()) == REPS
        (part(out) / "timeseries.parquet").unlink()
        with pytest.raises(RunFolderError, match=rf"replication {DAMAGED} of 'teaching'"):
            exp.table("timeseries")
        (part(out) / "summary.parquet").write_bytes(b"garbage")
        with pytest.raises(RunFolderError, match=str(out)):
            exp.table("summary")
    finally:
        exp.close()


def test_part_lost_after_its_check_is_one_line_exit_2(
    tmp_path: Path,
    clean: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A part that passes its check and then cannot be read (here: the check is switched
    off): exit 2 with one line naming the folder, and no table written one replication
    short."""
    out = tmp_path / "run"
    shutil.copytree(clean, out)
    for name in ("summary.csv", "timeseries.csv", "demands.parquet"):
        (out / name).unlink()
    monkeypatch.setattr(store_module, "verify_part", lambda *a, **k: None)
    (part(out) / "timeseries.parquet").unlink()
    capsys.readouterr()
    assert main([*RUN, "--out", str(out)]) == 2
    line = assert_one_line_error(capsys.readouterr().err, str(out), "replication 1")
    assert "timeseries" in line
    assert not (out / "timeseries.csv").exists() and not (out / "demands.parquet").exists()
    assert not (out / ".govsim-lock").exists()


SWEEP = """
base = "{base}"
seed = {{ value = 5, source = "assumption: any fixed number" }}
replications = 2

[overrides]
days = {{ value = 4, source = "assumption: a few days" }}
warmup_days = 1

[design]
kind = "factorial"
levels = 2

[parameters."units.community_desk.servers"]
low = 1
high = 3
integer = true
source = "assumption: one to three desk workers"

[outputs]
metrics = ["resolution_days_mean"]
demand_type = "administrative"
"""


def test_sweep_part_without_summary_is_rebuilt(tmp_path: Path, count_jobs: list[Job]) -> None:
    """A sweep's part missing its summary (a ``KeyError: 'metric'`` before) is run again,
    and sweep.csv equals that of the clean sweep."""
    f = tmp_path / "tiny.toml"
    f.write_text(SWEEP.format(base=TEACHING.as_posix()), encoding="utf-8")
    out = tmp_path / "sweep"
    args = ["sweep", str(f), "--out", str(out), "--workers", "1", "--quiet"]
    assert main(args) == 0
    clean = (out / "sweep.csv").read_bytes()
    first = len(count_jobs)
    assert first == 4
    (out / "parts" / "scenario=p00001" / "replication=1" / "summary.parquet").unlink()
    (out / "sweep.csv").unlink()
    assert main(args) == 0
    assert [(j.key, j.replication) for j in count_jobs[first:]] == [("p00001", 1)]
    assert (out / "sweep.csv").read_bytes() == clean
