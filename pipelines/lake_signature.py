"""What the lake sensor compares between ticks: per day, the names and sizes of its part files.

The same listing serves a local lake and an S3 one (one LIST per 1,000 part files per tick).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.lake.listing import list_parts
from ingest.lake.schemas import TABLE_NAMES
from pipelines.warehouse.layout import Layout


def lake_signature(data_dir: Path) -> dict[str, str]:
    """``{date: digest}`` over every table's complete part files of that date.

    Part files are immutable once renamed into place, so names and sizes are enough.
    """
    lake = Layout(data_dir).lake
    per_day: dict[str, list[str]] = {}
    for table in TABLE_NAMES:
        for part in list_parts(lake, table):
            per_day.setdefault(part.date, []).append(f"{table}/{part.name}:{part.size}")
    return {
        day: hashlib.sha1("\n".join(entries).encode(), usedforsecurity=False).hexdigest()[:16]
        for day, entries in sorted(per_day.items())
    }
