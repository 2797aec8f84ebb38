"""Factories for the two kinds of asset: a daily staging table and a SQL mart.

A mart is one SQL file, ``<name>.sql``, beside the module that declares it. Its leading ``--``
comment is the asset's description (so a KPI's definition shows in the Dagster UI). After the
build, the table is published as ``warehouse/marts/<name>.parquet`` for read-only readers.
"""

# No "from __future__ import annotations": Dagster reads these functions' annotations at runtime.
from collections.abc import Callable, Sequence
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.partitions import daily
from pipelines.resources import WarehouseResource
from pipelines.warehouse import sql_files, staging_build
from pipelines.warehouse.layout import Layout


def sql_description(sql_file: Path) -> str:
    lines = []
    for line in sql_file.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def mart_asset(
    name: str,
    sql_dir: Path,
    deps: Sequence[str],
    group: str,
    sources: Callable[[duckdb.DuckDBPyConnection, Layout], None] | None = None,
) -> dg.AssetsDefinition:
    """An unpartitioned table built by ``sql_dir/<name>.sql`` from its ``deps``.

    ``sources`` registers extra relations (e.g. registry tables) on the connection first.
    """
    sql_file = sql_dir / f"{name}.sql"

    @dg.asset(
        name=name,
        deps=list(deps),
        group_name=group,
        kinds={"duckdb", "sql"},
        description=sql_description(sql_file),
    )
    def _mart(warehouse: WarehouseResource) -> dg.MaterializeResult:  # type: ignore[type-arg]
        with warehouse.connect() as conn:
            if sources is not None:
                sources(conn, warehouse.layout())
            rows = sql_files.build_table(conn, name, sql_file)
            sql_files.publish(conn, name, warehouse.layout().mart_file(name))
        return dg.MaterializeResult(metadata={"dagster/row_count": rows})

    return _mart


def staging_asset(name: str, sql_file: Path) -> dg.AssetsDefinition:
    """A daily-partitioned Parquet table; a backfill of many days runs as one DuckDB query."""

    @dg.asset(
        name=name,
        partitions_def=daily,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="staging",
        kinds={"duckdb", "parquet"},
        description=sql_description(sql_file),
    )
    def _staging(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:  # type: ignore[type-arg]
        dates = list(context.partition_keys)
        rows = staging_build.build_partitions(
            warehouse.layout(), name, sql_file, dates, warehouse.build_settings(), warehouse.threads
        )
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "days": len(dates)})

    return _staging


def sql_check(
    asset: str, name: str, sql: str, description: str, blocking: bool = False
) -> dg.AssetChecksDefinition:
    """A check that passes when ``sql`` (a SELECT of offending rows) returns no row."""

    @dg.asset_check(asset=asset, name=name, description=description, blocking=blocking)
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            rel = conn.sql(sql)
            columns = rel.columns
            bad = rel.limit(5).fetchall()
            count = int(str(sql_files.scalar(conn, f"SELECT count(*) FROM ({sql})")))
        examples = [dict(zip(columns, (str(v) for v in row), strict=True)) for row in bad]
        return dg.AssetCheckResult(
            passed=count == 0,
            metadata={"offending_rows": count, "examples": dg.MetadataValue.json(examples)},
        )

    return _check
