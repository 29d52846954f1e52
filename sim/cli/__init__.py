"""The ``govsim`` command: run, validate and inspect scenario files.

Bad input ends with one line on standard error naming the file and the key, and exit status 2,
before anything is written. `sim.cli.parser` holds the arguments, `sim.cli.commands` what
each command does; only light modules are imported here, so that `govsim --help` answers at
once and each command imports the machinery it runs when it runs.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sys
from pathlib import Path

from sim.cli.parser import build_parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``govsim`` and ``python -m sim``."""
    args = build_parser().parse_args(argv)
    from sim.scenario import ScenarioError  # after parsing: `--help` needs no schema

    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"govsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"govsim: interrupted; {_kept(getattr(args, 'run_folder', None))}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if exc.errno not in WRITE_ERRORS:
            raise
        folder = getattr(args, "run_folder", None)
        _forget(folder, getattr(args, "folder_existed", True))
        where = f"'{folder}'" if folder is not None else f"'{exc.filename}'"
        print(f"govsim: error: --out: {where} cannot be written ({exc.strerror})", file=sys.stderr)
        return 2


WRITE_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG}


def _forget(folder: Path | None, existed: bool) -> None:
    """Remove an output folder this command created when it holds no finished replication:
    a failed command leaves nothing half-written."""
    if folder is None or existed:
        return
    parts = Path(folder) / "parts"
    if not (parts.is_dir() and any(parts.iterdir())):
        shutil.rmtree(folder, ignore_errors=True)


def _kept(folder: Path | None) -> str:
    """What an interrupted command leaves: finished replications in the folder (a rerun
    into it resumes), or nothing."""
    parts = Path(folder) / "parts" if folder is not None else None
    if parts is not None and parts.is_dir() and any(parts.iterdir()):
        return f"finished replications are kept in {folder}; rerun with --out {folder} to resume"
    return "nothing was written"


def _parser() -> argparse.ArgumentParser:
    """The command line's parser (for tests and documentation)."""
    return build_parser()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
