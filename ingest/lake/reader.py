"""Read the lake's tables back: whole tables into Polars, or a scan expression for DuckDB SQL."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ingest.lake import paths
from ingest.lake.schemas import TABLES

PARTITION_COLUMN = "date"  # the Hive partition key, added by the readers as a Date column


def read_table(lake: Path, table: str) -> pl.DataFrame:
    """All partitions of ``table`` with the ``date`` column; an empty, typed frame if no files.

    Only complete ``*.parquet`` files are read (the writer's temp files are hidden ``*.tmp``).
    Row order across files is unspecified.
    """
    schema = TABLES[table]
    if not any(paths.table_dir(lake, table).glob("*/*.parquet")):
        empty = pl.from_arrow(schema.empty_table())
        assert isinstance(empty, pl.DataFrame)
        return empty.with_columns(pl.lit(None, dtype=pl.Date).alias(PARTITION_COLUMN))
    return pl.read_parquet(
        paths.table_glob(lake, table),
        hive_partitioning=True,
        hive_schema={PARTITION_COLUMN: pl.Date},
    )


def duckdb_scan_sql(lake: Path, table: str) -> str:
    """``read_parquet(...)`` over every partition of ``table``, with the ``date`` column.

    For use in a FROM clause. DuckDB raises "No files found" while the table has no files.
    """
    if table not in TABLES:
        raise KeyError(table)
    glob = paths.table_glob(lake, table).replace("'", "''")
    return f"read_parquet('{glob}', hive_partitioning = true)"
