"""Set up a warehouse connection: raw lake views, staging views, build settings as variables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines import nevi
from pipelines.warehouse import prior_frames, raw_views, settings
from pipelines.warehouse.layout import Layout
from pipelines.warehouse.sql_files import read_sql, scalar

MACROS = Path(__file__).with_name("macros.sql")


def prepare(
    conn: duckdb.DuckDBPyConnection,
    layout: Layout,
    staging_sql: Mapping[str, Path],
    build: settings.BuildSettings,
) -> None:
    """Views ``raw_<table>`` (whole lake) and ``stg_<name>`` (all built partitions), and variables.

    A staging table with no partitions yet is an empty view of the right columns, so every mart
    builds (empty) on an empty lake instead of failing.
    """
    raw_views.register(conn, layout.lake)
    create_macros(conn)
    conn.execute("SET VARIABLE stg_from = DATE '1970-01-01'")
    conn.execute("SET VARIABLE stg_to = DATE '1970-01-01'")
    settings.apply(conn, build, datetime.now(UTC))
    if prior_frames.NAME not in _relations(conn):  # the whole lake is in view: none earlier
        prior_frames.register_empty(conn)
    if "charger_intervals" not in _relations(conn):
        conn.execute(
            "CREATE TEMP TABLE charger_intervals "
            "(charge_point_id VARCHAR, heartbeat_interval_s INT)"
        )
    for name, sql_file in staging_sql.items():
        glob = layout.staging(name) / "*" / "*.parquet"
        if any(layout.staging(name).glob("*/*.parquet")):
            path = str(glob).replace("'", "''")
            conn.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{path}', "
                "hive_partitioning = true, hive_types = {'date': DATE})"
            )
        else:
            conn.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS "
                f"SELECT * FROM ({read_sql(sql_file)}) LIMIT 0"
            )
    settings.apply(conn, build, data_end(conn))


def create_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """The macros every mart's SQL may use: ``macros.sql``, and ``meets_nevi(uptime_pct)`` from
    the one NEVI constant."""
    conn.execute(read_sql(MACROS))
    nevi.create_macro(conn)


def data_end(conn: duckdb.DuckDBPyConnection) -> datetime:
    """``as_of``: the last frame any charger sent (now, if the lake is empty)."""
    end = scalar(conn, "SELECT max(last_in) FROM stg_activity")
    return end if isinstance(end, datetime) else datetime.now(UTC)


def _relations(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
