"""What the lake sensor compares between ticks: per day, the names and sizes of its part files.

The same listing serves a local lake and an S3 one (one LIST per 1,000 part files per tick).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.lake.listing import PartFile, list_parts
from ingest.lake.schemas import TABLE_NAMES
from pipelines.warehouse.layout import Layout


def lake_signature(data_dir: Path) -> dict[str, str]:
    """``{date: digest}`` over every table's complete part files of that date.

    Part files are immutable once renamed into place, so names and sizes are enough.
    """
    return {
        day: hashlib.sha1("\n".join(sorted(f"{t}/{p.name}:{p.size}" for t, p in parts)).encode(),
                          usedforsecurity=False).hexdigest()[:16]
        for day, parts in sorted(lake_parts(data_dir).items())
    }


def lake_parts(data_dir: Path) -> dict[str, frozenset[tuple[str, PartFile]]]:
    """``{date: {(table, part file), ...}}``: every table's complete part files, by date."""
    lake = Layout(data_dir).lake
    per_day: dict[str, set[tuple[str, PartFile]]] = {}
    for table in TABLE_NAMES:
        for part in list_parts(lake, table):
            per_day.setdefault(part.date, set()).add((table, part))
    return {day: frozenset(parts) for day, parts in per_day.items()}
