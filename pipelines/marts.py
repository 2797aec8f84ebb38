"""The marts as data: one ``Mart`` per warehouse table and one ``Check`` per asset check.

A SQL mart is one file, ``<name>.sql``, beside the module that declares it. Its leading ``--``
comment is the asset's description (so a KPI's definition shows in the Dagster UI) and its deps
are the tables it reads (``pipelines.lineage``): the SQL is the one place either is written. A
table built in Python (price tables, exclusion windows) names its builder and deps instead.
After its build, a table is published as ``warehouse/marts/<name>.parquet`` for readers.

The domain modules under ``defs/`` declare these; ``pipelines.marts_asset`` turns all of them
into one Dagster multi-asset (one asset key per table, one step per run), because Dagster's
bookkeeping per step cost more than most marts' SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines import lineage
from pipelines.warehouse import reference_data, sql_files
from pipelines.warehouse.layout import Layout

# The connection variable a refresh sets to the first instant whose data changed; an incremental
# mart then rebuilds its rows from there on (``mart_asset(incremental_on=...)``). Unset: full.
INCREMENTAL_FROM = "incremental_from"

# Builds table ``name`` on the connection and returns its row count.
Builder = Callable[[duckdb.DuckDBPyConnection, Layout], int]


@dataclass(frozen=True)
class Mart:
    name: str
    group: str
    description: str
    deps: frozenset[str]  # asset keys of what it reads
    kinds: frozenset[str]
    build: Builder
    # Reads nothing but the data folder's config files (price tables, exclusion windows): a
    # refresh may keep the table while those files are unchanged.
    config_only: bool = False

    def materialize(self, conn: duckdb.DuckDBPyConnection, layout: Layout) -> int:
        """Build the table, then publish it as the mart's Parquet file; returns its rows."""
        rows = self.build(conn, layout)
        sql_files.publish(conn, self.name, layout.mart_file(self.name))
        return rows


@dataclass(frozen=True)
class Check:
    """Passes when ``sql`` (a SELECT of offending rows) returns no row."""

    asset: str
    name: str
    sql: str
    description: str


def sql_description(sql_file: Path) -> str:
    lines = []
    for line in sql_file.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def mart_asset(name: str, sql_dir: Path, group: str, incremental_on: str | None = None) -> Mart:
    """The table built by ``sql_dir/<name>.sql``, depending on what the SQL reads.

    A mart that reads reference data (registry, network file) gets it registered first. With
    ``incremental_on`` (a timestamp column), a refresh that set ``INCREMENTAL_FROM`` rebuilds
    only the rows from there (or from the table's last ``incremental_on``, if earlier) on.
    """
    sql_file = sql_dir / f"{name}.sql"
    reads = lineage.file_tables(sql_file)
    needs_reference = not reads.isdisjoint(reference_data.TABLE_NAMES)

    def build(conn: duckdb.DuckDBPyConnection, layout: Layout) -> int:
        if needs_reference:
            reference_data.register(conn, layout)
        if incremental_on is None:
            return sql_files.build_table(conn, name, sql_file)
        since = sql_files.scalar(conn, f"SELECT getvariable('{INCREMENTAL_FROM}')")
        return sql_files.build_table_since(
            conn, name, sql_file, incremental_on, since if isinstance(since, datetime) else None
        )

    return Mart(
        name=name,
        group=group,
        description=sql_description(sql_file),
        deps=frozenset(lineage.asset_deps(reads)),
        kinds=frozenset({"duckdb", "sql"}),
        build=build,
    )


def table_mart(
    name: str, group: str, description: str, deps: tuple[str, ...], build: Builder, kind: str
) -> Mart:
    """A table built in Python; its deps are written here, as there is no SQL to read them from.

    One with no deps reads only config files (``Mart.config_only``)."""
    return Mart(name, group, description, frozenset(deps), frozenset({"duckdb", kind}), build,
                config_only=not deps)


def sql_check(asset: str, name: str, sql: str, description: str) -> Check:
    return Check(asset, name, sql, description)
