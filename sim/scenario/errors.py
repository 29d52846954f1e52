"""The one error a user sees for a bad scenario: file, key, what is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ScenarioError(ValueError):
    """A scenario file or override that cannot be used.

    Parameters
    ----------
    file : str
        The file where the offending key was set (or ``--set`` for command-line overrides).
    key : str
        Dotted key path, empty when the whole file is at fault (a syntax error).
    message : str
        What is wrong, in one line.
    """

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key, self.message = file, key, message
        where = f"{file}: key '{key}'" if key else f"{file}"
        super().__init__(printable(f"{where}: {message}"))


def printable(text: str, limit: int = 400) -> str:
    """`text` as one printable line: control characters (escape sequences, carriage
    returns, new lines) shown escaped, and cut to `limit` characters."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def unknown_key(name: str, known: Iterable[str]) -> str:
    """The message for an unknown key: a "did you mean" when one is close, else the choices."""
    known = [str(k) for k in known]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean '{close[0]}'?"
    if known:
        return f"unknown key; expected one of: {', '.join(sorted(known))}"
    return "unknown key"
