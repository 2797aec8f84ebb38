"""A batch: the rows of one closed journal segment, and how it becomes Parquet files
(in the converter process)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ingest.lake import paths
from ingest.lake.arrow_rows import Rejected, Row, rows_to_table, split_by_date
from ingest.lake.location import LakeRef
from ingest.lake.part_files import write_part
from ingest.lake.schemas import TABLE_NAMES, TABLES, partition_column
from ingest.lake.segments import segment_time

logger = logging.getLogger(__name__)

SCHEMAS = tuple(TABLES.values())


@dataclass(slots=True)
class Batch:
    """Rows per table index; ``segment_id`` is also the id of every part file written."""

    segment_id: str
    rows: list[list[Row]] = field(default_factory=lambda: [[] for _ in TABLE_NAMES])
    count: int = 0


@dataclass(frozen=True, slots=True)
class BatchResult:
    rows_written: int
    files_written: int
    rows_rejected: int


def write_batch(lake: Path, node_id: str, batch: Batch, store: LakeRef | None = None
                ) -> BatchResult:
    """One Parquet file per (table, date), in ``store`` (default: the ``lake`` folder; rejected
    rows always stay in ``lake``). Raises on I/O errors; safe to call again after that."""
    parts = lake if store is None else store
    part_id = batch.segment_id
    # Nulls in the partition column go to the date the batch was opened: the same on every
    # retry and replay, so a batch never spreads over two days' files (no duplicates).
    null_date = dt.datetime.fromtimestamp(segment_time(part_id), dt.UTC).date()
    rows_written = files_written = rows_rejected = 0
    for name, schema, rows in zip(TABLE_NAMES, SCHEMAS, batch.rows, strict=True):
        if not rows:
            continue
        table, rejected = rows_to_table(schema, rows)
        if rejected:
            _write_rejected(lake, node_id, name, part_id, rejected)
            rows_rejected += len(rejected)
        if table.num_rows == 0:
            continue
        for date, part in split_by_date(table, partition_column(schema), null_date).items():
            write_part(parts, name, date, node_id, part_id, part)
            files_written += 1
        rows_written += table.num_rows
    return BatchResult(rows_written, files_written, rows_rejected)


def _write_rejected(lake: Path, node_id: str, table: str, part_id: str,
                    rejected: list[Rejected]) -> None:
    """Keep rows that can never fit the schema out of the lake, but on disk, for a human."""
    directory = paths.rejected_dir(lake, node_id)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{table}-{part_id}.jsonl"
    lines = (orjson.dumps({"table": table, "row": row, "error": error}, default=repr,
                          option=orjson.OPT_APPEND_NEWLINE) for row, error in rejected)
    path.write_bytes(b"".join(lines))
    logger.error("%d %s rows do not fit the schema; set apart in %s (first: %s)",
                 len(rejected), table, path, rejected[0][1])
