"""Views ``raw_<table>`` over the lake's Parquet files, typed even when a table has no files.

Each row also carries ``filename`` and ``file_row_number``: part files are named by a
time-ordered id and written in arrival order, so (received_at, filename, file_row_number) orders
frames that share a timestamp (a Faulted and the Available that clears it, in one tick).

The lake may be a folder or an S3 URL: the file list comes from ``ingest.lake.listing`` and the
connection is given the object store's client (``ingest.lake.object_store``); the SQL is the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from ingest.lake import listing, location, object_store
from ingest.lake.location import LakeRef
from ingest.lake.schemas import TABLES


def register(
    conn: duckdb.DuckDBPyConnection, lake: LakeRef, dates: Sequence[str] | None = None
) -> None:
    """Create ``raw_ocpp_messages``, ``raw_meter_values``, ... over all dates or only ``dates``."""
    where = location.of(lake)
    object_store.register_duckdb(conn, where)
    for table, schema in TABLES.items():
        files = [part.uri for part in listing.list_parts(where, table, dates)]
        name = f"raw_{table}"
        if files:
            quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            conn.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet([{quoted}], "
                "hive_partitioning = true, hive_types = {'date': DATE}, filename = true, "
                "file_row_number = true)"
            )
        else:
            _register_empty(conn, name, schema)


def _register_empty(conn: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema) -> None:
    empty = (
        schema.append(pa.field("filename", pa.string()))
        .append(pa.field("file_row_number", pa.int64()))
        .append(pa.field("date", pa.date32()))
        .empty_table()
    )
    conn.register(f"_{name}_empty", empty)
    conn.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM _{name}_empty")
