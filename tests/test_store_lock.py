"""One writer per run folder: a second run is told who holds the folder, a dead holder's lock
is taken over, and clean-up spares what a live process is writing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_checks import assert_one_line_error

from sim.cli import main
from sim.experiment.lock import LOCK_FILE, FolderLock, RunFolderError

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
RUN = ["run", str(TEACHING), "--days", "14", "--seed", "7", "--no-figures", "--quiet"]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean run of two replications."""
    out = tmp_path_factory.mktemp("clean") / "run"
    assert main([*RUN, "--replications", "2", "--workers", "1", "--out", str(out)]) == 0
    return out


def test_second_run_is_told_who_holds_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run into a folder another run is writing: exit 2, one line naming the folder and
    the holder's pid, host and start time; the first run finishes and equals a clean run."""
    out = tmp_path / "run"
    clean = tmp_path / "clean"
    args = [*RUN, "--replications", "6", "--workers", "1"]
    assert main([*args, "--out", str(clean)]) == 0  # (and everything imported here)
    first = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, "--out", str(out)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (out / LOCK_FILE).exists() or not (out / "manifest.json").exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first run never took the folder"
            time.sleep(0.01)
        capsys.readouterr()
        code = main([*args, "--out", str(out)])
        err = capsys.readouterr().err
        assert first.poll() is None, "the first run ended before the second began"
    finally:
        stdout, stderr = first.communicate(timeout=60)
    assert code == 2
    line = assert_one_line_error(err, str(out), f"pid {first.pid}", socket.gethostname())
    assert "in use by another run" in line and "started 20" in line
    assert first.returncode == 0, stderr
    assert stderr == ""
    assert not (out / LOCK_FILE).exists()
    for name in ("summary.csv", "timeseries.csv"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def test_lock_held_in_this_process_refuses_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A held lock refuses the run before anything is written; released, the file is gone
    and the run goes ahead."""
    out = tmp_path / "run"
    lock = FolderLock(out)
    lock.acquire()
    holder = json.loads((out / LOCK_FILE).read_text(encoding="utf-8"))
    assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
    try:
        assert main([*RUN, "--replications", "1", "--workers", "1", "--out", str(out)]) == 2
        assert_one_line_error(capsys.readouterr().err, str(out), f"pid {os.getpid()}")
        assert sorted(p.name for p in out.iterdir()) == [LOCK_FILE]
        with pytest.raises(RunFolderError, match="in use"):
            FolderLock(out).acquire()
    finally:
        lock.release()
    assert not (out / LOCK_FILE).exists()
    assert main([*RUN, "--replications", "1", "--workers", "1", "--out", str(out)]) == 0
    assert not (out / LOCK_FILE).exists()


def test_stale_lock_is_taken_over(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lock file left by a killed run (its process gone) is taken over with a note; the
    run completes and equals a clean run."""
    out = tmp_path / "run"
    out.mkdir()
    pid = dead_pid()
    stale = {"pid": pid, "host": socket.gethostname(), "started": "2026-01-01T00:00:00+00:00"}
    (out / LOCK_FILE).write_text(json.dumps(stale), encoding="utf-8")
    capsys.readouterr()
    assert main([*RUN, "--replications", "2", "--workers", "1", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "taking over the stale lock" in err and f"pid {pid}" in err, err
    assert str(out) in err
    assert not (out / LOCK_FILE).exists()
    assert (out / "summary.csv").read_bytes() == (clean / "summary.csv").read_bytes()


def test_clean_up_spares_a_live_process(tmp_path: Path, clean: Path) -> None:
    """Temporaries named for a running process are left alone; those of an ended process
    or of an older version (no process id) are removed."""
    out = tmp_path / "run"
    out.mkdir()
    for p in clean.iterdir():
        if p.is_file():
            (out / p.name).write_bytes(p.read_bytes())
    (out / "parts").mkdir()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = dead_pid()
    try:
        keep = [
            out / "parts" / f".tmp-{live.pid}-abc",
            out / f".summary.csv.{live.pid}.x1.tmp",
            out / f".backlog.{live.pid}.tmp.png",
        ]
        drop = [
            out / "parts" / f".tmp-{dead}-abc",
            out / "parts" / ".tmp-killed",
            out / f".summary.csv.{dead}.x1.tmp",
            out / ".backlog.tmp.png",
            out / f".staff_time.{dead}.tmp.png",
        ]
        for p in keep + drop:
            if p.parent.name == "parts":
                p.mkdir()
                (p / "summary.parquet").write_bytes(b"half")
            else:
                p.write_bytes(b"half")
        assert main([*RUN, "--replications", "2", "--workers", "1", "--out", str(out)]) == 0
        assert all(p.exists() for p in keep)
        assert not any(p.exists() for p in drop)
    finally:
        live.kill()
        live.wait()
