"""A replay lands in the lake whole, or not at all.

The replay's CSMS writes into a staging data folder (``DataFolder.replay_staging``); only after
the whole replay has run and its lake is flushed are its part files moved into the lake, each by
an atomic rename. A failed replay leaves the lake as it was, and its staging folder is removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ingest.lake import paths

_REJECTED = paths.rejected_dir(Path("."), "x").parent.name  # "_rejected", owned by paths


def part_files(lake: Path) -> list[Path]:
    """Every complete part file of every table (``<table>/date=*/*.parquet``)."""
    if not lake.is_dir():
        return []
    tables = [d for d in lake.iterdir() if d.is_dir() and not d.name.startswith("_")]
    return sorted(f for t in tables for f in t.glob("date=*/*.parquet"))


def land(staged_lake: Path, lake: Path) -> int:
    """Move the staged part files (and rejected rows) into ``lake``; returns files moved."""
    moved = part_files(staged_lake)
    rejected = staged_lake / _REJECTED
    if rejected.is_dir():
        moved += sorted(f for f in rejected.rglob("*") if f.is_file())
    for f in moved:
        dest = lake / f.relative_to(staged_lake)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f, dest)
    return len(moved)


def clear(lake: Path) -> None:
    """Remove every table and the rejected rows; nodes' journals (``_journal``) stay."""
    if not lake.is_dir():
        return
    for d in lake.iterdir():
        if d.is_dir() and (not d.name.startswith("_") or d.name == _REJECTED):
            shutil.rmtree(d)
