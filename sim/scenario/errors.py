"""The one error a user sees for a bad scenario: file, key, what is wrong."""

from __future__ import annotations


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
        super().__init__(f"{where}: {message}".replace("\n", " "))
