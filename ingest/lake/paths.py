"""Where the lake's tables live inside the lake folder, and the node's journal.

``<lake>/<table>/date=YYYY-MM-DD/part-<node>-<id>.parquet``; the same names under
``s3://bucket/prefix/`` for a lake in a bucket (see ``location``), while the journal stays in
the local ``<lake>/_journal/<node>/``. Where the lake folder is in the data folder:
``ingest.data_folder``.
"""

from __future__ import annotations

from pathlib import Path


def table_dir(lake: Path, table: str) -> Path:
    return lake / table


def partition_dir(lake: Path, table: str, date: str) -> Path:
    return lake / table / f"date={date}"


def part_file_name(node_id: str, part_id: str) -> str:
    return f"part-{node_id}-{part_id}.parquet"


def journal_dir(lake: Path, node_id: str) -> Path:
    """Per-node journal folder; a node only ever replays its own journal."""
    return lake / "_journal" / node_id


def rejected_dir(lake: Path, node_id: str) -> Path:
    """Rows the writer could not convert to the schema (wrong types), kept as JSON lines."""
    return lake / "_rejected" / node_id


def segment_file_name(segment_id: str) -> str:
    """A closed journal segment: complete, ready for the converter."""
    return f"seg-{segment_id}.jsonl"


def open_segment_file_name(segment_id: str) -> str:
    """The segment the writer is appending to; renamed to ``segment_file_name`` when closed."""
    return f"seg-{segment_id}.open"


def node_lock_file(journal: Path) -> Path:
    """Held by the live writer of the node (one per node)."""
    return journal / ".lock"


def converter_lock_file(journal: Path) -> Path:
    """Held by the running converter of the node (one at a time)."""
    return journal / ".converter.lock"


def temp_file_name(node_id: str, part_id: str) -> str:
    """A part file being written: hidden and not ``*.parquet``, so lake globs never match it."""
    return f".{part_file_name(node_id, part_id)}.tmp"
