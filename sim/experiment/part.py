"""A part: one finished replication's tables on disk, with the receipt that proves them whole.

Like a parcel with its packing list, a part folder holds one Parquet file per table and a
small manifest listing each table's rows, size and SHA-256 checksum. The manifest travels in
the key-value metadata (``govsim.part``) of ``summary.parquet``, the file written last, so
the folder keeps one file per table and a part with its summary has its list; the summary
itself is guarded by its own row count and Parquet's page checksums. A part that fails any
check (a truncated or garbage file, a table missing, a checksum or row count that differs)
is not reused: the run folder rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CARRIER = "summary"  # the table written last; its metadata holds the manifest
META_KEY = b"govsim.part"
FORMAT = 1


def checksum(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


ROW_GROUP = 1 << 18  # rows a Parquet row group holds, and rows converted at a time


def write_parquet(frame: pd.DataFrame, path: Path, rows: int = ROW_GROUP) -> None:
    """Write `frame` to Parquet at `path` a row group at a time.

    ``DataFrame.to_parquet`` converts the whole frame to Arrow before writing, a second copy
    of a city-year's millions of demand records; here only `rows` of them are converted at
    once. The file is the one ``to_parquet`` would write (the same schema and pandas
    metadata, so it reads back with the same types), split into row groups.
    """
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    with pq.ParquetWriter(path, schema) as writer:
        for lo in range(0, max(len(frame), 1), rows):
            chunk = frame.iloc[lo : lo + rows]
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))


def write_part(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write one replication's tables into `folder`, the summary (with the manifest) last.

    Parameters
    ----------
    folder : Path
        An empty folder (a temporary one, renamed into place by the caller).
    tables : dict
        Table name -> frame; must hold ``summary``.
    """
    if CARRIER not in tables:
        raise ValueError(f"a part needs a '{CARRIER}' table")
    listed = {}
    for name, frame in tables.items():
        if name == CARRIER:
            continue
        path = folder / f"{name}.parquet"
        write_parquet(frame, path)
        listed[name] = {"rows": len(frame), "bytes": path.stat().st_size, "sha256": checksum(path)}
    summary = tables[CARRIER]
    manifest = {"format": FORMAT, "rows": len(summary), "tables": listed}
    table = pa.Table.from_pandas(summary, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps(manifest, sort_keys=True).encode()
    pq.write_table(
        table.replace_schema_metadata(meta),
        folder / f"{CARRIER}.parquet",
        compression="snappy",
        write_page_checksum=True,
    )


def verify_part(folder: Path, replication: int, expected: Iterable[str] = ()) -> str | None:
    """Check a stored part against its manifest; return what is wrong, or None if whole.

    Parameters
    ----------
    folder : Path
        The part folder.
    replication : int
        The replication it should hold (the summary's ``replication`` column is checked).
    expected : iterable of str
        Tables the part must hold besides the summary (those of the experiment).
    """
    carrier = folder / f"{CARRIER}.parquet"
    if not carrier.is_file():
        return f"{carrier.name} is missing"
    try:
        raw = (pq.read_schema(carrier).metadata or {}).get(META_KEY)
        if raw is None:
            return f"{carrier.name} has no manifest (written by an older version)"
        manifest = json.loads(raw)
        summary = pq.read_table(carrier, page_checksum_verification=True)
    except (OSError, ValueError, pa.ArrowException) as exc:
        return f"{carrier.name} cannot be read ({type(exc).__name__})"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return f"{carrier.name} has a manifest of an unknown format"
    if summary.num_rows != manifest.get("rows"):
        return f"{carrier.name} has {summary.num_rows} rows, its manifest {manifest.get('rows')}"
    if "replication" in summary.column_names:
        reps = set(summary.column("replication").to_pylist())
        if reps - {replication}:
            return f"{carrier.name} holds replications {sorted(reps)}, not {replication}"
    listed = manifest.get("tables", {})
    unlisted = sorted(set(expected) - {CARRIER} - set(listed))
    if unlisted:
        return f"{unlisted[0]}.parquet is not in the part's manifest"
    for name, entry in sorted(listed.items()):
        path = folder / f"{name}.parquet"
        if not path.is_file():
            return f"{path.name} is missing"
        if path.stat().st_size != entry.get("bytes"):
            return f"{path.name} has {path.stat().st_size} bytes, its manifest {entry.get('bytes')}"
        if checksum(path) != entry.get("sha256"):
            return f"{path.name} does not match its checksum"
    return None
