"""The lake's complete part files, listed the same way for a local folder and for S3.

Only ``<table>/date=YYYY-MM-DD/<name>.parquet`` counts: writers' hidden temp files (``.*.tmp``)
and anything deeper or elsewhere are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.lake import object_store
from ingest.lake.location import LakeLocation

_DATE_DIR = "date="


@dataclass(frozen=True, slots=True)
class PartFile:
    date: str  # YYYY-MM-DD, from the folder name
    name: str  # part-<node>-<id>.parquet
    size: int  # bytes: part files are immutable once in place, so name + size identify one
    uri: str  # what DuckDB and Polars open


def list_parts(location: LakeLocation, table: str,
               dates: Sequence[str] | None = None) -> list[PartFile]:
    """Part files of ``table``, of every date or only of ``dates``, sorted by ``uri``."""
    table_path = location.fs_path(table)
    if dates is None:
        bases = [table_path]
    else:
        bases = [location.fs_path(table, _DATE_DIR + day) for day in sorted(set(dates))]
    found: list[PartFile] = []
    for base in bases:
        for info in object_store.list_files(location, base):
            relative = info.path[len(table_path) + 1 :].split("/")
            if len(relative) != 2 or not relative[0].startswith(_DATE_DIR):
                continue
            folder, name = relative
            if name.endswith(".parquet") and not name.startswith("."):
                found.append(PartFile(folder.removeprefix(_DATE_DIR), name, int(info.size or 0),
                                      location.uri(info.path)))
    return sorted(found, key=lambda part: part.uri)


def part_dates(location: LakeLocation, table: str) -> list[str]:
    """The dates of ``table`` that hold at least one complete part file."""
    return sorted({part.date for part in list_parts(location, table)})
