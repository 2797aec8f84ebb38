"""Build daily staging partitions: one in-memory DuckDB per call, Parquet out, no shared lock.

Each staging table is a SELECT over ``raw_*`` views limited by ``stg_from`` / ``stg_to``. The views
cover one day more on each side, so answers (which may arrive after midnight) and gaps across
midnight are found. The result is written per ``date``, sorted, so a day's file is the same byte
for byte whichever range (or parallel worker) built it, and swapped in per day, so a reader never
sees half a partition and a day that lost all its rows loses its old file too.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import day_chunks
from pipelines.warehouse import (
    connect,
    prior_frames,
    raw_views,
    registry_tables,
    settings,
    sql_files,
)
from pipelines.warehouse.layout import Layout


def build_partitions(
    layout: Layout,
    table: str,
    sql_file: Path,
    dates: Sequence[str],
    build: settings.BuildSettings,
    threads: int | None = None,
) -> int:
    """Rebuild ``table``'s partitions for ``dates`` (contiguous YYYY-MM-DD); returns rows."""
    return build_tables(layout, {table: sql_file}, dates, build, threads)[table]


def build_tables(
    layout: Layout,
    sql_files_by_table: Mapping[str, Path],
    dates: Sequence[str],
    build: settings.BuildSettings,
    threads: int | None = None,
    on_built: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild each table's partitions for ``dates`` (contiguous YYYY-MM-DD) on one connection;
    returns rows per table. The lake views, macros and registry are set up once for all the
    tables: for a refresh of a day or two, that setup cost as much as the nine queries."""
    if not dates:
        return {table: 0 for table in sql_files_by_table}
    first, last = min(dates), max(dates)
    rows: dict[str, int] = {}
    conn = duckdb.connect(config={"threads": threads} if threads else {})
    try:
        window = day_chunks.with_neighbours(first, last)
        raw_views.register(conn, layout.lake, window)
        prior_frames.register(conn, layout, window[0])  # silences begun before the window
        connect.create_macros(conn)  # meter_value(), meter_unit(), ...
        conn.register("charger_intervals", registry_tables.read(layout.registry_file, "chargers"))
        settings.apply(conn, build, datetime.now(UTC))
        conn.execute("SET VARIABLE stg_from = ?::DATE", [first])
        conn.execute("SET VARIABLE stg_to = ?::DATE", [last])
        for table, sql_file in sql_files_by_table.items():
            rows[table] = _build_table(conn, layout, table, sql_file, first, last)
            if on_built is not None:
                on_built(table, rows[table])
    finally:
        conn.close()
    return rows


def _build_table(
    conn: duckdb.DuckDBPyConnection, layout: Layout, table: str, sql_file: Path, first: str,
    last: str,
) -> int:
    temp = layout.staging(table).parent / f".{table}-{uuid.uuid4().hex}"
    temp.parent.mkdir(parents=True, exist_ok=True)
    try:
        _build_sorted(conn, sql_files.read_sql(sql_file))
        rows = int(str(sql_files.scalar(conn, "SELECT count(*) FROM out")))
        built = {str(d) for (d,) in conn.execute("SELECT DISTINCT date FROM out").fetchall()}
        for day in day_chunks.days(first, last):
            if day in built:
                _write_day(conn, temp, day)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        conn.execute("DROP TABLE IF EXISTS out")
    _swap_in(layout, table, temp, day_chunks.days(first, last))
    return rows


def _build_sorted(conn: duckdb.DuckDBPyConnection, query: str) -> None:
    """Table ``out``: the query's rows sorted by date, then by every column (a fixed order).

    Sorted by date first, each day's rows are contiguous, so the per-day reads that follow skip
    the other days' row groups instead of scanning the whole range again.
    """
    described = conn.execute(f"DESCRIBE SELECT * FROM ({query})").fetchall()
    columns = ["date", *(str(r[0]) for r in described if r[0] != "date")]
    order = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    conn.execute(f"CREATE TEMP TABLE out AS SELECT * FROM ({query}) ORDER BY {order}")


def _write_day(conn: duckdb.DuckDBPyConnection, temp: Path, day: str) -> None:
    """``temp/date=<day>/part-0.parquet``, in ``out``'s order.

    One COPY per day rather than one partitioned COPY: a partitioned write spreads rows over
    threads in no fixed order, and a day must come out byte for byte the same whichever run
    (or parallel worker) builds it, over whatever range of days.
    """
    folder = temp / f"date={day}"
    folder.mkdir(parents=True)
    target = str(folder / "part-0.parquet").replace("'", "''")
    conn.execute(
        f"COPY (SELECT * EXCLUDE (date) FROM out WHERE date = ?::DATE) "
        f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)",
        [day],
    )


def _swap_in(layout: Layout, table: str, temp: Path, days: list[str]) -> None:
    layout.staging(table).mkdir(parents=True, exist_ok=True)
    for day in days:
        final = layout.staging_partition(table, day)
        fresh = temp / f"date={day}"
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex}")
        if final.exists():
            final.rename(old)
        if fresh.exists():
            fresh.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(temp, ignore_errors=True)
