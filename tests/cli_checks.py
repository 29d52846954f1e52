"""Checks shared by the command-line tests: a bad input ends with one clear line."""

from __future__ import annotations


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
