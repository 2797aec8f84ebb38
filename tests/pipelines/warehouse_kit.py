"""Test kit: a warehouse connection on an empty data folder, and typed hand-made input rows.

``put(conn, "stg_status", [{...}, ...])`` replaces a view or table with exactly these rows, typed
like the real one (columns left out are NULL), so a mart's SQL can be run on a hand-computed case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import connect, reference_data, settings, sql_files
from pipelines.warehouse.layout import Layout

DEFS = Path(__file__).parents[2] / "pipelines" / "defs"


def warehouse_conn(
    data_dir: Path, as_of: datetime, build: settings.BuildSettings | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse over ``data_dir`` (usually empty): raw/stg views, dims, sessions."""
    build = build or settings.BuildSettings()
    conn = duckdb.connect()
    connect.prepare(conn, Layout(data_dir), staging_sql_files(), build)
    settings.apply(conn, build, as_of)
    reference_data.register(conn, Layout(data_dir))  # registry, network file, replay prices
    conn.execute(sql_files.read_sql(DEFS / "dimensions" / "dimensions.sql"))
    sql_files.build_table(conn, "sessions", DEFS / "sessions" / "sessions.sql")
    return conn


def put(conn: duckdb.DuckDBPyConnection, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace ``name`` (a view or table) with ``rows``, keeping its column names and types."""
    described = conn.execute(f"SELECT * FROM {name} LIMIT 0")
    columns = [d[0] for d in described.description]
    unknown = {k for row in rows for k in row} - set(columns)
    if unknown:
        raise KeyError(f"{name} has no column(s) {sorted(unknown)}; it has {columns}")
    types = dict(
        conn.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {name})"
        ).fetchall()
    )
    data = {c: [_plain(row.get(c)) for row in rows] for c in columns}
    conn.register(
        f"_{name}_rows",
        pa.table({c: pa.array(v if v else [], pa.string()) for c, v in data.items()}),
    )
    select = ", ".join(f"CAST({_q(c)} AS {types[c]}) AS {_q(c)}" for c in columns)
    kind = _kind(conn, name)
    conn.execute(f"DROP {kind} IF EXISTS {name}")
    conn.execute(f"CREATE TEMP TABLE {name} AS SELECT {select} FROM _{name}_rows")


def build(conn: duckdb.DuckDBPyConnection, name: str, sql_dir: Path) -> list[dict[str, Any]]:
    """Build mart ``name`` from ``sql_dir/<name>.sql``; its rows as dicts, in table order."""
    sql_files.build_table(conn, name, sql_dir / f"{name}.sql")
    rel = conn.execute(f"SELECT * FROM {name}")
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def utc(text: str) -> datetime:
    """``utc("2026-01-01 10:00")``: an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _kind(conn: duckdb.DuckDBPyConnection, name: str) -> str:
    row = conn.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchall()
    return "VIEW" if row and row[0][0] == "VIEW" else "TABLE"
