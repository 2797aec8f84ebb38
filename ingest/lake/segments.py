"""Journal segment files: ids, names, listing, closing (``.open`` -> ``.jsonl``) and reading.

Each line is ``orjson.dumps([table_index, row]) + b"\\n"`` where ``table_index`` is the position of
the table in ``schemas.TABLES`` (so new tables must be added at the end of that dict). The writer
appends to ``seg-<id>.open``; closing renames it to ``seg-<id>.jsonl`` (atomic), and only closed
segments are converted to Parquet.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import orjson

from ingest.lake import paths

logger = logging.getLogger(__name__)

Row = tuple[object, ...]

_CLOSED_PREFIX, _CLOSED_SUFFIX = paths.segment_file_name("*").split("*")
_OPEN_SUFFIX = paths.open_segment_file_name("*").split("*")[1]
_MASK_48 = (1 << 48) - 1
_MASK_62 = (1 << 62) - 1


def new_segment_id() -> str:
    """A UUIDv7 (time-ordered, random): names the segment and the part files written from it."""
    ms = (time.time_ns() // 1_000_000) & _MASK_48
    rand_a = int.from_bytes(os.urandom(2), "big") & 0xFFF
    rand_b = int.from_bytes(os.urandom(8), "big") & _MASK_62
    return str(uuid.UUID(int=(ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b))


def segment_time(segment_id: str) -> float:
    """Epoch seconds at which the segment id was made (the UUIDv7 timestamp, ms precision)."""
    return (uuid.UUID(segment_id).int >> 80) / 1000


def segment_id_of(path: Path) -> str:
    return path.name[len(_CLOSED_PREFIX) : -len(path.suffix)]


def _is_segment_id(text: str) -> bool:
    try:
        return uuid.UUID(text).version == 7 and len(text) == 36
    except ValueError:
        return False


_warned: set[Path] = set()  # the converter lists the folder every interval: warn once per file


def _ours(directory: Path, suffix: str) -> list[Path]:
    """Segments with ``suffix`` in ``directory``, oldest first (the ids are time-ordered)."""
    found = sorted(directory.glob(f"{_CLOSED_PREFIX}*{suffix}")) if directory.is_dir() else []
    good = [path for path in found if _is_segment_id(segment_id_of(path))]
    for path in set(found) - set(good) - _warned:
        _warned.add(path)
        logger.warning("ignoring %s: not a segment name this writer makes", path)
    return good


def closed_segments(directory: Path) -> list[Path]:
    """Segments ready for conversion, oldest first."""
    return _ours(directory, _CLOSED_SUFFIX)


def close_segment(path: Path) -> Path:
    """Rename an ``.open`` segment to its closed name (atomic: converters see all or nothing)."""
    closed = path.with_name(paths.segment_file_name(segment_id_of(path)))
    os.replace(path, closed)
    return closed


def close_orphans(directory: Path) -> int:
    """Close ``.open`` segments that no live writer owns (the caller holds the node lock)."""
    orphans = _ours(directory, _OPEN_SUFFIX)
    for path in orphans:
        close_segment(path)
        logger.info("closed %s, left open by a writer that is gone", path.name)
    return len(orphans)


def read_segment(path: Path, widths: Sequence[int]) -> tuple[list[list[Row]], int]:
    """Rows of a segment grouped by table index, and their count; torn or malformed lines are
    skipped and logged."""
    rows: list[list[Row]] = [[] for _ in widths]
    lines = path.read_bytes().split(b"\n")
    if lines[-1]:  # no final newline: the process died in the middle of this write
        logger.warning("skipping torn last line of %s: %r", path, lines[-1][:80])
    count = 0
    for number, line in enumerate(lines[:-1], start=1):
        parsed = _parse_line(line, widths)
        if parsed is None:
            logger.warning("skipping malformed line %d of %s: %r", number, path, line[:80])
        else:
            rows[parsed[0]].append(parsed[1])
            count += 1
    return rows, count


def _parse_line(line: bytes, widths: Sequence[int]) -> tuple[int, Row] | None:
    try:
        index, row = orjson.loads(line)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None
    if not isinstance(index, int) or not 0 <= index < len(widths):
        return None
    if not isinstance(row, list) or len(row) != widths[index]:
        return None
    return index, tuple(row)
