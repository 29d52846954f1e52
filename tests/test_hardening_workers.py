"""Worker processes end with the run that started them, and jobs are made as they are needed:
a killed run leaves no orphan, and a huge replication count starts at once.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_checks import interruptible

import sim
from sim.experiment.executors import execute
from sim.experiment.experiment import Experiment
from sim.experiment.lock import LOCK_FILE

REPO = Path(__file__).resolve().parents[1]
TEACHING = REPO / "scenarios" / "teaching.toml"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
GOVSIM = [sys.executable, "-m", "sim"]
HUGE = 100_000_000


def children(pid: int) -> list[int]:
    """Ids of the live (not zombie) child processes of `pid`, from psutil or /proc."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            kids = psutil.Process(pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [k.pid for k in kids if running(k.pid)]
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(d.name))
    return out


def running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    try:
        import psutil
    except ImportError:
        stat = Path(f"/proc/{pid}/stat")
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def can_watch_processes() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return Path("/proc/self/stat").exists()
    return True


@pytest.mark.skipif(not can_watch_processes(), reason="neither psutil nor /proc to list processes")
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on this platform")
def test_no_orphan_worker_after_the_run_is_killed(tmp_path: Path) -> None:
    """``kill -9`` of ``govsim run --workers 2``: within a few seconds none of its worker
    processes is left."""
    cmd = [*GOVSIM, "run", str(TEACHING), "--days", "28", "--replications", "1000",
           "--workers", "2", "--no-figures", "--quiet", "--out", str(tmp_path / "run")]  # fmt: skip
    parent = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while len(kids := children(parent.pid)) < 2:
            assert parent.poll() is None, parent.communicate()[1]
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.05)
        while not list((tmp_path / "run" / "parts").glob("scenario=teaching/replication=*")):
            assert time.monotonic() < deadline, "the workers finished nothing"
            time.sleep(0.05)
        assert all(running(k) for k in kids)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while any(running(k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [k for k in kids if running(k)]
    finally:
        parent.kill()
        parent.communicate()
    for k in left:  # do not leave them behind the test either
        os.kill(k, signal.SIGKILL)
    assert left == [], f"worker(s) {left} outlived the killed run"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_huge_replication_count_starts_at_once(tmp_path: Path, workers: str) -> None:
    """``--replications 100000000``: the first replication is stored within seconds of the
    start (no job list built first), and Ctrl-C stops the run, keeping what finished and
    releasing the folder."""
    out = tmp_path / "run"
    cmd = [*GOVSIM, "run", str(TEACHING), "--days", "8", "--warmup", "1",
           "--replications", str(HUGE), "--workers", workers,
           "--no-figures", "--quiet", "--out", str(out)]  # fmt: skip
    started = time.monotonic()
    proc = interruptible(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while not (out / "parts" / "scenario=teaching" / "replication=0").is_dir():
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() - started < 20, "no replication stored within 20 s"
            time.sleep(0.02)
        first = time.monotonic() - started
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=15)
    finally:
        proc.kill()
        proc.communicate()
    assert first < 15, first
    assert code == 130
    stored = [p.name for p in (out / "parts" / "scenario=teaching").iterdir()]
    assert "replication=0" in stored and len(stored) < 1000
    assert not (out / LOCK_FILE).exists()
    assert not (out / "summary.csv").exists()


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("workers", [1, 2])
def test_jobs_are_drawn_lazily(workers: int) -> None:
    """An endless stream of jobs: results come back at once, and only a few jobs per
    worker are drawn ahead of them."""
    drawn: list[int] = []

    def endless() -> Iterator[int]:
        for i in itertools.count():
            drawn.append(i)
            yield i

    results = execute(_square, endless(), workers=workers)
    got = [next(results) for _ in range(6)]
    results.close()
    assert len({x for x, _ in got}) == 6
    assert all(y == x * x for x, y in got)
    assert len(drawn) <= 6 + 2 * workers + 1, drawn


def test_experiment_makes_jobs_as_needed() -> None:
    """`Experiment.ensure` with a hundred million replications runs the first ones at once
    (stopped here after two), in replication order."""
    scenario = sim.load_scenario(TEACHING, {"days": 8, "warmup_days": 1})
    exp = Experiment({"teaching": scenario}, 3, sim.RunOptions(workers=1, progress=False))
    done: list[int] = []

    class Enough(Exception):
        pass

    def stop_after_two() -> None:
        done.append(1)
        if len(done) == 2:
            raise Enough

    started = time.monotonic()
    with pytest.raises(Enough):
        exp.ensure(HUGE, on_done=stop_after_two)
    assert time.monotonic() - started < 10
    assert sorted(r for _, r in exp._memory) == [0, 1]
