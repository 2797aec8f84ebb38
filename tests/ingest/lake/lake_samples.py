"""Helpers for the lake tests: typed sample rows, and the script of a child killed by -9."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pyarrow as pa

from ingest.lake import locks, paths
from ingest.lake.schemas import TABLES

REPO = Path(__file__).resolve().parents[3]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# 2024-11-21 23:59:59.999999 UTC as exact microseconds: rows carry it as float seconds
LAST_US_OF_DAY = 1_732_233_599_999_999
NODE = "node-a"

Row = tuple[object, ...]


def us_to_datetime(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)


def sample_value(field: pa.Field, n: int, ts_us: int) -> tuple[object, object]:
    """(value in the row, value expected back from Polars) for one column."""
    if pa.types.is_timestamp(field.type):
        us = ts_us - n  # never past ts_us: the date stays the same
        return us / 1e6, us_to_datetime(us)
    if pa.types.is_int8(field.type) or pa.types.is_int32(field.type):
        return n % 100, n % 100
    if pa.types.is_float64(field.type):
        return n + 0.25, n + 0.25
    return f"{field.name}-{n}", f"{field.name}-{n}"


def full_row(table: str, n: int, ts_us: int = LAST_US_OF_DAY) -> tuple[Row, Row]:
    """A row of ``table`` with every column set, and the row Polars should give back."""
    pairs = [sample_value(field, n, ts_us) for field in TABLES[table]]
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


def null_row(table: str, n: int, ts_us: int = LAST_US_OF_DAY) -> tuple[Row, Row]:
    """Only the partition column set, every other column null."""
    row, expected = full_row(table, n, ts_us)
    width = len(row)
    return (row[0], *[None] * (width - 1)), (expected[0], *[None] * (width - 1))


def message_row(i: int) -> Row:
    """An ``ocpp_messages`` row whose unique_id identifies it."""
    return (LAST_US_OF_DAY / 1e6, NODE, "CP-1", "conn-1", "in", "1.6", 2, f"u{i}",
            "Heartbeat", f'{{"i": {i}}}', None, None, None, float(i))


CHILD_PRELUDE = """
import os, signal, sys
from pathlib import Path
from ingest.lake.writer import LakeWriter
from ingest.lake.paths import journal_dir

def message_row(i):
    return ({ts!r}, {node!r}, "CP-1", "conn-1", "in", "1.6", 2, f"u{{i}}",
            "Heartbeat", '{{"i": %d}}' % i, None, None, None, float(i))

lake, node = Path(sys.argv[1]), {node!r}
w = LakeWriter(lake, node, flush_interval=3600)
w.start()
w.flush()  # the converter is up and holds its lock before anything is appended
"""


def wait_for_converters(lake: Path, timeout: float = 30.0) -> None:
    """Return once no converter of ``NODE`` runs (e.g. the orphan of a killed writer)."""
    fd = locks.lock(paths.converter_lock_file(paths.journal_dir(lake, NODE)), timeout)
    assert fd is not None, "a converter is still running"
    locks.unlock(fd)


def journal_files(lake: Path) -> list[Path]:
    """Segments left in the node's journal, open or closed."""
    return sorted(paths.journal_dir(lake, NODE).glob("seg-*"))


def wait_for(condition: object, timeout: float = 10.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
