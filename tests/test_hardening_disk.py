"""Output folders that cannot take the results (hardening issue, item 1): a full disk or a
read-only file system ends in one line naming --out, exit 2, and nothing left behind; an
unreachable Dask scheduler likewise, before anything is written.

The disk cases mount a tiny tmpfs, which needs root (or CAP_SYS_ADMIN); elsewhere they are
skipped with that reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.cli import main

TEACHING = Path(__file__).resolve().parents[1] / "scenarios" / "teaching.toml"
RUN = ["run", str(TEACHING), "--days", "30", "--quiet"]


@pytest.fixture(params=["size=64k", "ro,size=64k"], ids=["full", "read-only"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB file system (full after a few files), or a read-only one."""
    where = tmp_path / "disk"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", request.param, "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not permitted'})")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)


def test_disk_that_cannot_take_results(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = small_disk / "run"
    assert main([*RUN, "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"govsim: error: --out: '{out}' cannot be written")
    assert not out.exists()


def test_unreachable_scheduler(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    out = tmp_path / "run"
    assert main([*RUN, "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "--scheduler: cannot reach 'tcp://127.0.0.1:1' within 10 s" in err[0]
    assert not out.exists()


def test_scheduler_address_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*RUN, "--scheduler", "garbage"])
    assert exc.value.code == 2
    assert "expected an address such as tcp://host:8786" in capsys.readouterr().err
