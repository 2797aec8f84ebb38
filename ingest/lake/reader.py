"""Read the lake's tables back: whole tables into Polars, or a scan expression for DuckDB SQL.

``lake`` is a folder, a lake URL (``s3://bucket/prefix``) or a ``LakeLocation``: the same code
reads both; ``object_store`` supplies the client settings for S3.
"""

from __future__ import annotations

import duckdb
import polars as pl

from ingest.lake import listing, location, object_store
from ingest.lake.location import LakeRef
from ingest.lake.schemas import TABLES

PARTITION_COLUMN = "date"  # the Hive partition key, added by the readers as a Date column


def read_table(lake: LakeRef, table: str) -> pl.DataFrame:
    """All partitions of ``table`` with the ``date`` column; an empty, typed frame if no files.

    Only complete ``*.parquet`` files are read (the writer's temp files are hidden ``*.tmp``).
    Row order across files is unspecified.
    """
    where = location.of(lake)
    schema = TABLES[table]
    parts = listing.list_parts(where, table)
    if not parts:
        empty = pl.from_arrow(schema.empty_table())
        assert isinstance(empty, pl.DataFrame)
        return empty.with_columns(pl.lit(None, dtype=pl.Date).alias(PARTITION_COLUMN))
    return pl.read_parquet(
        [part.uri for part in parts],
        hive_partitioning=True,
        hive_schema={PARTITION_COLUMN: pl.Date},
        storage_options=object_store.polars_options(where),
    )


def attach(conn: duckdb.DuckDBPyConnection, lake: LakeRef) -> None:
    """Let ``conn`` read the lake's files (needed for S3; nothing to do for a folder)."""
    object_store.register_duckdb(conn, location.of(lake))


def duckdb_scan_sql(lake: LakeRef, table: str) -> str:
    """``read_parquet(...)`` over every partition of ``table``, with the ``date`` column.

    For use in a FROM clause of a connection that ``attach`` was called on (for S3). DuckDB
    raises "No files found" while the table has no files.
    """
    if table not in TABLES:
        raise KeyError(table)
    glob = location.of(lake).table_glob(table).replace("'", "''")
    return f"read_parquet('{glob}', hive_partitioning = true)"
