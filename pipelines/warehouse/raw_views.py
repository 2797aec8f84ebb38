"""Views ``raw_<table>`` over the lake's Parquet files, typed even when a table has no files.

Each row also carries ``filename`` and ``file_row_number``: part files are named by a
time-ordered id and written in arrival order, so (received_at, filename, file_row_number) orders
frames that share a timestamp (a Faulted and the Available that clears it, in one tick).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.lake import paths
from ingest.lake.schemas import TABLES


def register(
    conn: duckdb.DuckDBPyConnection, lake: Path, dates: Sequence[str] | None = None
) -> None:
    """Create ``raw_ocpp_messages``, ``raw_meter_values``, ... over all dates or only ``dates``."""
    for table, schema in TABLES.items():
        files = _files(lake, table, dates)
        name = f"raw_{table}"
        if files:
            listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            conn.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet([{listing}], "
                "hive_partitioning = true, hive_types = {'date': DATE}, filename = true, "
                "file_row_number = true)"
            )
        else:
            _register_empty(conn, name, schema)


def _files(lake: Path, table: str, dates: Sequence[str] | None) -> list[str]:
    folder = paths.table_dir(lake, table)
    if dates is None:
        return sorted(str(f) for f in folder.glob("date=*/*.parquet"))
    found: list[str] = []
    for date in dates:
        found += sorted(str(f) for f in paths.partition_dir(lake, table, date).glob("*.parquet"))
    return found


def _register_empty(conn: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema) -> None:
    empty = (
        schema.append(pa.field("filename", pa.string()))
        .append(pa.field("file_row_number", pa.int64()))
        .append(pa.field("date", pa.date32()))
        .empty_table()
    )
    conn.register(f"_{name}_empty", empty)
    conn.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM _{name}_empty")
