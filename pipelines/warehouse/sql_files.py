"""Run a model's SQL file: one SELECT whose result becomes the table named after the file."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa


def read_sql(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip().rstrip(";")


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    """The first value of a query's first row (None if no row); reads the result to the end."""
    rows = conn.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def build_table(conn: duckdb.DuckDBPyConnection, name: str, sql_file: Path) -> int:
    """``CREATE OR REPLACE TABLE name AS <the file's SELECT>``; returns the row count."""
    conn.execute(f"CREATE OR REPLACE TABLE {name} AS {read_sql(sql_file)}")
    return int(str(scalar(conn, f"SELECT count(*) FROM {name}")))


def build_table_since(
    conn: duckdb.DuckDBPyConnection, name: str, sql_file: Path, key: str, since: datetime | None
) -> int:
    """Rebuild ``name``'s rows whose ``key`` >= ``since`` (the file's SELECT honours the variable
    ``<name>_from``), keeping the earlier ones; a full build when ``since`` is None or the table
    is new. One transaction: the table is never seen half rebuilt. Returns the row count."""
    exists = scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name])
    if since is not None and exists:
        last = scalar(conn, f"SELECT max({key}) FROM {name}")
        since = min(since, last) if isinstance(last, datetime) else None
    conn.execute(f"SET VARIABLE {name}_from = ?", [since])
    if since is None or not exists:
        return build_table(conn, name, sql_file)
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"DELETE FROM {name} WHERE {key} >= ?", [since])
        conn.execute(f"INSERT INTO {name} BY NAME {read_sql(sql_file)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute(f"SET VARIABLE {name}_from = NULL")
    return int(str(scalar(conn, f"SELECT count(*) FROM {name}")))


def publish(conn: duckdb.DuckDBPyConnection, name: str, target: Path) -> None:
    """Export a table as one Parquet file, atomically (readers see the old or the new file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    path = str(temp).replace("'", "''")
    conn.execute(f"COPY {name} TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
    os.replace(temp, target)


def publish_frame(table: pa.Table, target: Path) -> None:
    """Write an Arrow table as a published mart, atomically (for marts built outside DuckDB)."""
    import pyarrow.parquet as pq

    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, temp, compression="zstd")
    os.replace(temp, target)
