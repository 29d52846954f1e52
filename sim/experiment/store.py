"""The result store: a run folder that keeps every finished replication, so runs resume.

Layout of a run folder::

    manifest.json                 what was asked (scenarios, root seed, versions, commit)
    parts/<key>/r00007/           one finished replication: summary.parquet, and
                                  timeseries.parquet / demands.parquet when kept
    summary.csv, timeseries.csv, demands.parquet, yearly.csv, metrics.csv, figures
                                  assembled at the end

A replication's folder is written under a temporary name and renamed into place, so a part
either exists whole or not at all; a rerun into the same folder keeps the parts it finds and
runs only the missing ones. A folder holding another experiment (other scenarios, seed or
tables) is refused rather than mixed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.scenario.errors import ScenarioError

PARTS = "parts"
READABLE = 0o644  # results are for reading by others too (mkstemp makes files private)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file under a temporary name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.chmod(tmp, READABLE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fingerprint(identity: Any) -> str:
    """A short hash of what identifies an experiment (scenarios, seed, tables)."""
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class RunStore:
    """A run folder on disk.

    Parameters
    ----------
    root : Path
        The folder.
    identity : dict
        What identifies the experiment; a folder made for another identity is refused.
    manifest : dict
        Written to ``manifest.json`` when the folder is new (with the identity's hash).
    """

    def __init__(self, root: Path, identity: dict, manifest: dict) -> None:
        self.root = Path(root)
        self.hash = fingerprint(identity)
        path = self.root / "manifest.json"
        if self.root.exists() and not self.root.is_dir():
            raise ScenarioError("--out", "", f"'{self.root}' exists and is not a folder")
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            if old.get("experiment_hash") != self.hash:
                raise ScenarioError(
                    "--out",
                    "",
                    f"'{self.root}' holds results of a different experiment; choose another folder",
                )
            self.manifest = old
        else:
            if self.root.exists() and any(
                p.name != PARTS and not p.name.startswith(".") for p in self.root.iterdir()
            ):
                raise ScenarioError("--out", "", f"'{self.root}' is not empty and holds no run")
            self.manifest = {"experiment_hash": self.hash, **manifest}
            atomic_write_text(path, json.dumps(self.manifest, indent=2, ensure_ascii=False))
        self._sweep_temporaries()

    def _part(self, key: str, replication: int) -> Path:
        return self.root / PARTS / key / f"r{replication:05d}"

    def _sweep_temporaries(self) -> None:
        """Remove half-written parts left by an interrupted run."""
        for tmp in (self.root / PARTS).glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
        for tmp in self.root.glob(".*.tmp*"):  # a table or figure cut off mid-write
            tmp.unlink(missing_ok=True)

    def has(self, key: str, replication: int) -> bool:
        """Whether a replication is already stored."""
        return self._part(key, replication).is_dir()

    def write(self, key: str, replication: int, tables: dict[str, pd.DataFrame]) -> None:
        """Store one finished replication (atomically; a duplicate is dropped)."""
        final = self._part(key, replication)
        if final.exists():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root / PARTS))
        try:
            for name, frame in tables.items():
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
            os.replace(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def read(self, table: str, keys: Iterable[tuple[str, int]]) -> pd.DataFrame:
        """Concatenate one table over the given (key, replication) parts, in that order."""
        frames = []
        for key, rep in keys:
            path = self._part(key, rep) / f"{table}.parquet"
            if path.exists():
                frames.append(pd.read_parquet(path))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def update_manifest(self, **fields: Any) -> None:
        """Add fields to the manifest (e.g. the end time)."""
        self.manifest.update(fields)
        atomic_write_text(
            self.root / "manifest.json", json.dumps(self.manifest, indent=2, ensure_ascii=False)
        )
