"""Checks shared by the command-line tests: a bad input ends with one clear line, and a run
started to be interrupted can be interrupted."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def assert_one_line_error(err: str, *names: str) -> str:
    """Check `err` is a single ``govsim: error:`` line naming each of `names`; return it."""
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    line = lines[0]
    assert "Traceback" not in err
    assert line.startswith("govsim: error: "), line
    for name in names:
        assert name in line, f"{name!r} not in {line!r}"
    return line


def interruptible(cmd: list[str], **kwargs: Any) -> subprocess.Popen:
    """Start `cmd` as a child that Ctrl-C (SIGINT) reaches as ``KeyboardInterrupt``.

    A child inherits an ignored SIGINT, and Python then installs no handler of its own: the
    tests run as a background job of a non-interactive shell (``(pytest &)``) would send
    their child a signal it never sees. A handler here for the moment of the start gives the
    child SIGINT at its default instead (handlers are reset on ``exec``; "ignored" is not).
    """
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(cmd, **kwargs)
    finally:
        signal.signal(signal.SIGINT, before)
