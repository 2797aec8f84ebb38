"""Atomic Parquet part files: in a folder, a hidden temp file, fsync, rename into place; in an
object store, one PUT (atomic by nature)."""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.lake import location, object_store, paths
from ingest.lake.location import LakeRef
from ingest.lake.schemas import TABLES

logger = logging.getLogger(__name__)


def write_part(lake: LakeRef, table_name: str, date: str, node_id: str, part_id: str,
               table: pa.Table) -> str:
    """Write ``table`` as ``<table>/date=<date>/part-<node>-<part_id>.parquet``; its URI.

    Readers see either no file or the complete one. Rewriting the same ``part_id`` replaces the
    file (the same object key), which is what makes a journal replay idempotent.
    """
    where = location.of(lake)
    name = paths.part_file_name(node_id, part_id)
    if not where.is_local:
        key = where.fs_path(table_name, f"date={date}", name)
        object_store.put_parquet(where, key, table)
        return where.uri(key)
    return str(_write_local(where.local_path, table_name, date, name, part_id, node_id, table))


def _write_local(lake: Path, table_name: str, date: str, name: str, part_id: str, node_id: str,
                 table: pa.Table) -> Path:
    directory = paths.partition_dir(lake, table_name, date)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / name
    temp = directory / paths.temp_file_name(node_id, part_id)
    try:
        pq.write_table(table, str(temp), compression="zstd")  # native I/O, releases the GIL
        _fsync(temp, os.O_RDONLY)
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    _fsync(directory, os.O_RDONLY)  # make the rename itself durable
    return final


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temp_files(lake: Path, node_id: str) -> int:
    """Delete temp files this node left when it died mid-write; other nodes' are left alone."""
    removed = 0
    prefix, suffix = paths.temp_file_name(node_id, "\0").split("\0")
    for table in TABLES:
        for temp in paths.table_dir(lake, table).glob(f"*/{prefix}*{suffix}"):
            if _is_uuid(temp.name[len(prefix) : -len(suffix)]):  # not node "<node_id>-x"'s
                temp.unlink(missing_ok=True)
                removed += 1
    if removed:
        logger.info("removed %d stale temp part files of node %s", removed, node_id)
    return removed


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36
