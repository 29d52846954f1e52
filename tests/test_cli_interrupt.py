"""Ctrl-C tells the truth (analyst experience issue): an interrupted run says which finished
replications it kept and how to resume; a rerun into the folder resumes from them."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_checks import interruptible

TEACHING = Path(__file__).resolve().parents[1] / "scenarios" / "teaching.toml"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX")
def test_interrupt_says_what_was_kept(tmp_path: Path) -> None:
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "sim", "run", str(TEACHING), "--replications", "100000"]
    cmd += ["--days", "8", "--warmup", "1", "--workers", "1", "--quiet", "--no-figures"]
    proc = interruptible(
        [*cmd, "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    parts = out / "parts"
    while time.monotonic() < deadline:
        if parts.is_dir() and sum(1 for p in parts.rglob("summary.parquet")) >= 2:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"finished replications are kept in {out}; rerun with --out {out} to resume" in err
    assert "nothing was written" not in err
