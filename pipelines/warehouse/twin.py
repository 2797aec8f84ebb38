"""A second connection to an open warehouse that sees what the first sees: the same temporary
views (the lake's file lists as the first listed them), macros and variables (``as_of`` as the
first computed it), so two marts can build at once and agree on their inputs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

from pipelines.warehouse import connect, reference_data, settings
from pipelines.warehouse.layout import Layout
from pipelines.warehouse.sql_files import scalar


def twin(
    conn: duckdb.DuckDBPyConnection,
    layout: Layout,
    staging_sql: Mapping[str, Path],
    build: settings.BuildSettings,
) -> duckdb.DuckDBPyConnection:
    """A new connection to ``conn``'s database, prepared as ``conn`` was, then given its views
    and variables (the lake may have grown since ``conn`` was prepared)."""
    other = conn.cursor()
    connect.prepare(other, layout, staging_sql, build)
    # Registered Arrow tables show as views too; the twin's prepare registered its own.
    views = conn.execute(
        "SELECT sql FROM duckdb_views() WHERE temporary AND NOT internal "
        "AND sql NOT LIKE '%python_arrow_scan()%'").fetchall()
    for (sql,) in views:
        other.execute(sql.replace("CREATE TEMP VIEW", "CREATE OR REPLACE TEMP VIEW", 1))
    # The reference tables are registered per connection: the twin registers its own.
    copy_variables(conn, other, skip={reference_data.REGISTERED})
    return other


def copy_variables(source: duckdb.DuckDBPyConnection, target: duckdb.DuckDBPyConnection,
                   skip: set[str]) -> None:
    """Every variable set on ``source`` but those in ``skip``, with its type, onto ``target``."""
    found = source.execute("SELECT name, type FROM duckdb_variables()").fetchall()
    for name, kind in (f for f in found if f[0] not in skip):
        value = scalar(source, f"SELECT getvariable('{name}')")  # typed: the text says "NULL"
        if value is None:
            target.execute(f"SET VARIABLE {name} = NULL")
        else:
            target.execute(f"SET VARIABLE {name} = CAST(? AS {kind})", [value])
