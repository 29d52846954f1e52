"""The result store: a run folder that keeps every finished replication, so runs resume.

Layout of a run folder::

    manifest.json                 what was asked (scenarios, root seed, versions, commit)
    .govsim-lock                  while a run writes: who it is (pid, host, start time)
    parts/scenario=<key>/replication=7/
                                  one finished replication: summary.parquet (carrying the
                                  part's manifest), and timeseries.parquet /
                                  demands.parquet / yearly.parquet when kept
    summary.csv, timeseries.csv, demands.parquet, yearly.csv, metrics.csv, figures
                                  assembled at the end

A replication's folder is written under a temporary name and renamed into place, so a part
either exists whole or not at all; its summary carries a manifest of the part's tables
(rows, sizes, checksums; see `sim.experiment.part`). A rerun into the same folder keeps the
parts that pass that check and runs the others again (a damaged part is rebuilt, never
dropped), and tables are read only from whole parts: a table is never assembled from fewer
replications than asked. A folder holding another experiment (other scenarios, seed or
tables) is refused rather than mixed, and a folder another run is writing into is refused
with the name of that run (`sim.experiment.lock`). Temporary names carry the id of the
process that made them; clean-up removes only those of this process or of processes no
longer running.

The part folders are named Hive-style (``scenario=…/replication=…``), so a store reads as a
dataset while a run is still going: one table's files are ``parts/*/*/<table>.parquet``
(`part_files`), each carrying its own ``scenario`` and ``replication`` columns, e.g. with
DuckDB ``SELECT * FROM 'RUN/parts/*/*/summary.parquet'``, with pyarrow
``pyarrow.dataset.dataset(part_files(RUN, "summary"))``, with pandas
``pd.concat(map(pd.read_parquet, part_files(RUN, "summary")))``. Such a read is of the parts
as they stand (a run still writing has fewer); `sim.load_results` reads a finished run
whole. Folders of the older layout (``parts/<key>/r00007``) are renamed on opening.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim.experiment.lock import FolderLock, RunFolderError, alive
from sim.experiment.part import verify_part, write_parquet, write_part

PARTS = "parts"
SCENARIO, REPLICATION = "scenario=", "replication="  # Hive-style names of a part's folders
TMP_PART = ".tmp-"  # a part being written: .tmp-<pid>-<random>
_PART_OWNER = re.compile(r"^\.tmp-(\d+)-")
# .<name>.<pid>.<random>.tmp (tables) or .<stem>.<pid>.tmp.png (figures)
_FILE_OWNER = re.compile(r"\.(\d+)\.(?:[^.]+\.)?tmp(?:\.png)?$")
READABLE = 0o644  # results are for reading by others too (mkstemp makes files private)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=tmp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, READABLE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_frame(path: Path, frame: pd.DataFrame) -> None:
    """Write a table (CSV or Parquet by the file's suffix) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=tmp_prefix(path), suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            write_parquet(frame, Path(tmp))
        else:
            frame.to_csv(tmp, index=False)
        os.chmod(tmp, READABLE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def tmp_prefix(path: Path) -> str:
    """Prefix of a temporary file beside `path`: hidden, with this process's id."""
    return f".{path.name}.{os.getpid()}."


def fingerprint(identity: Any) -> str:
    """A short hash of what identifies an experiment (scenarios, seed, tables)."""
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class RunStore:
    """A run folder on disk, locked by this process while it is open.

    Parameters
    ----------
    root : Path
        The folder.
    identity : dict
        What identifies the experiment; a folder made for another identity is refused.
    manifest : dict
        Written to ``manifest.json`` when the folder is new (with the identity's hash).
    tables : iterable of str, optional
        Tables every part holds (default: ``identity["tables"]``).

    Raises
    ------
    RunFolderError
        The folder is not a folder, holds another experiment or other files, or another
        run holds its lock.
    """

    def __init__(
        self,
        root: Path,
        identity: dict,
        manifest: dict,
        tables: Iterable[str] | None = None,
    ) -> None:
        self.root = Path(root)
        self.hash = fingerprint(identity)
        self.tables = tuple(identity.get("tables", ()) if tables is None else tables)
        self._verified: set[tuple[str, int]] = set()
        self._existing()  # refuse a wrong folder before touching it
        self.lock = FolderLock(self.root)
        self.lock.acquire()
        try:
            old = self._existing()  # again, now that no other run can write
            if old is None:
                self.manifest = {"experiment_hash": self.hash, **manifest}
                atomic_write_text(
                    self.root / "manifest.json",
                    json.dumps(self.manifest, indent=2, ensure_ascii=False),
                )
            else:
                self.manifest = old
            self._migrate()
            self._sweep_temporaries()
        except BaseException:
            self.lock.release()
            raise

    def _existing(self) -> dict | None:
        """The folder's manifest when it is a run folder of this experiment, None when it is
        new or empty; refuse any other folder."""
        path = self.root / "manifest.json"
        if self.root.exists() and not self.root.is_dir():
            raise RunFolderError(self.root, "exists and is not a folder")
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            if not isinstance(old, dict) or old.get("experiment_hash") != self.hash:
                raise RunFolderError(
                    self.root, "holds results of a different experiment; choose another folder"
                )
            return old
        if self.root.exists() and any(
            p.name != PARTS and not p.name.startswith(".") for p in self.root.iterdir()
        ):
            raise RunFolderError(self.root, "is not empty and holds no run")
        return None

    def close(self) -> None:
        """Release the folder's lock (the folder stays; nothing more is written)."""
        self.lock.release()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _part(self, key: str, replication: int) -> Path:
        return self.root / PARTS / f"{SCENARIO}{key}" / f"{REPLICATION}{replication}"

    def _migrate(self) -> None:
        """Rename part folders of the older layout (``parts/<key>/r00007``) to the Hive-style
        names; their contents are verified as any part's when they are used."""
        parts = self.root / PARTS
        if not parts.is_dir():
            return
        for old in sorted(parts.iterdir()):
            if not old.is_dir() or old.name.startswith((".", SCENARIO)):
                continue
            for rep in sorted(old.glob("r[0-9]*")):
                if rep.name[1:].isdigit():
                    new = self._part(old.name, int(rep.name[1:]))
                    new.parent.mkdir(parents=True, exist_ok=True)
                    if not new.exists():
                        os.replace(rep, new)
            with contextlib.suppress(OSError):
                old.rmdir()  # only when emptied

    def _sweep_temporaries(self) -> None:
        """Remove half-written parts and files left by runs that ended (or by this process);
        those of a live process are left alone."""
        for tmp in (self.root / PARTS).glob(f"{TMP_PART}*"):
            if _abandoned(_PART_OWNER.match(tmp.name)):
                shutil.rmtree(tmp, ignore_errors=True)
        for tmp in self.root.glob(".*.tmp*"):  # a table or figure cut off mid-write
            if tmp.is_file() and _abandoned(_FILE_OWNER.search(tmp.name)):
                tmp.unlink(missing_ok=True)

    def has(self, key: str, replication: int) -> bool:
        """Whether a replication is stored whole; a damaged part is removed (and said so), so
        that it is run again."""
        if (key, replication) in self._verified:
            return True
        folder = self._part(key, replication)
        if not folder.exists():
            return False
        reason = verify_part(folder, replication, self.tables) if folder.is_dir() else "a file"
        if reason is None:
            self._verified.add((key, replication))
            return True
        print(
            f"govsim: note: rebuilding replication {replication} of '{key}' in "
            f"'{self.root}': {reason}",
            file=sys.stderr,
        )
        self._discard(folder)
        return False

    def _discard(self, folder: Path) -> None:
        """Remove a damaged part: renamed out of place first, so it vanishes at once."""
        if not folder.is_dir():
            folder.unlink(missing_ok=True)
            return
        gone = Path(tempfile.mkdtemp(prefix=f"{TMP_PART}{os.getpid()}-", dir=self.root / PARTS))
        os.replace(folder, gone / "damaged")
        shutil.rmtree(gone, ignore_errors=True)

    def write(self, key: str, replication: int, tables: dict[str, pd.DataFrame]) -> None:
        """Store one finished replication (atomically; a duplicate of a whole part is
        dropped)."""
        final = self._part(key, replication)
        if final.exists() and self.has(key, replication):
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PART}{os.getpid()}-", dir=self.root / PARTS))
        try:
            write_part(tmp, tables)
            try:
                os.replace(tmp, final)
            except OSError:
                if not final.is_dir():  # not another writer's part arriving first
                    raise
            else:
                self._verified.add((key, replication))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def read(self, table: str, keys: Iterable[tuple[str, int]]) -> pd.DataFrame:
        """Concatenate one table over the given (key, replication) parts, in that order.

        Raises
        ------
        RunFolderError
            A part lacks the table or cannot be read: the table is not assembled from fewer
            replications than asked.
        """
        if self.tables and table not in self.tables:
            return pd.DataFrame()
        frames = []
        for key, rep in keys:
            path = self._part(key, rep) / f"{table}.parquet"
            try:
                frames.append(pd.read_parquet(path))
            except FileNotFoundError:
                raise RunFolderError(
                    self.root,
                    f"lacks the {table} table of replication {rep} of '{key}'; "
                    "rerun into the folder to rebuild it",
                ) from None
            except (OSError, ValueError, pa.ArrowException) as exc:
                raise RunFolderError(
                    self.root,
                    f"holds a damaged {path.relative_to(self.root)} ({type(exc).__name__}); "
                    "rerun into the folder to rebuild it",
                ) from None
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def stored(self, key: str, below: int) -> int:
        """How many part folders of `key` with a replication below `below` exist (not
        checked: for a progress bar)."""
        try:
            names = os.listdir(self.root / PARTS / f"{SCENARIO}{key}")
        except OSError:
            return 0
        cut = len(REPLICATION)
        return sum(
            1
            for n in names
            if n.startswith(REPLICATION) and n[cut:].isdigit() and int(n[cut:]) < below
        )

    def update_manifest(self, **fields: Any) -> None:
        """Add fields to the manifest (e.g. the end time)."""
        self.manifest.update(fields)
        atomic_write_text(
            self.root / "manifest.json", json.dumps(self.manifest, indent=2, ensure_ascii=False)
        )


def part_files(root: str | Path, table: str = "summary") -> list[Path]:
    """The stored files of one table in a run folder, one per finished replication, in
    scenario and replication order (as they stand: not verified, for reading a store while
    it runs)."""

    def order(path: Path) -> tuple[str, int]:
        rep = path.parent.name[len(REPLICATION) :]
        return path.parent.parent.name, int(rep) if rep.isdigit() else -1

    found = Path(root).glob(f"{PARTS}/{SCENARIO}*/{REPLICATION}*/{table}.parquet")
    return sorted(found, key=order)


def _abandoned(owner: re.Match[str] | None) -> bool:
    """Whether a temporary name belongs to this process or to no running one (a name
    without a process id is from an older version: abandoned)."""
    if owner is None:
        return True
    pid = int(owner.group(1))
    return pid == os.getpid() or not alive(pid)
