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
from dagster import AssetExecutionContext

from ingest.lake.schemas import TABLE_NAMES
from pipelines import day_chunks, staging_progress
from pipelines.partitions import daily
from pipelines.resources import WarehouseResource
from pipelines.warehouse import sql_files, staging_build
from pipelines.warehouse.layout import Layout

STAGING = "staging"


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
        deps=asset_deps(deps),
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


def lake_tables() -> list[dg.AssetSpec]:
    """The raw lake tables, as external assets: the CSMS writes them, the graph starts there."""
    return [
        dg.AssetSpec(
            f"raw_{table}",
            group_name="lake",
            kinds={"parquet"},
            description=f"Lake table {table} (ingest/lake/schemas.py), written by the CSMS nodes.",
        )
        for table in TABLE_NAMES
    ]


def staging_asset(sql_files_by_table: dict[str, Path]) -> dg.AssetsDefinition:
    """One daily-partitioned asset, ``staging``, writing one Parquet table per SQL file.

    One asset rather than one per table: Dagster records every partition of every asset it
    materialises, and at ~25 ms a record, a year of nine tables cost more than the SQL itself.
    A backfill of many days runs as one DuckDB query per table, in one run; with
    ``CPO_STAGING_DAYS_PER_RUN`` set, a backfill is split into runs of that many days, which the
    instance's run queue runs in parallel (docs/scale-out-pipelines.md).
    """
    tables = "\n".join(f"- {name}: {sql_description(f)}" for name, f in sql_files_by_table.items())

    @dg.asset(
        name=STAGING,
        deps=[spec.key for spec in lake_tables()],
        partitions_def=daily,
        backfill_policy=staging_backfill_policy(),
        group_name="staging",
        kinds={"duckdb", "parquet"},
        description="The lake's JSON payloads typed once per day, as Parquet:\n" + tables,
    )
    def _staging(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:  # type: ignore[type-arg]
        dates = list(context.partition_keys)
        rows: dict[str, int] = {}
        count = len(sql_files_by_table)
        for index, (name, sql_file) in enumerate(sql_files_by_table.items(), start=1):
            rows[name] = staging_build.build_partitions(
                warehouse.layout(),
                name,
                sql_file,
                dates,
                warehouse.build_settings(),
                warehouse.threads,
            )
            done = staging_progress.TableBuilt(name, rows[name], len(dates), index, count)
            context.log.info(staging_progress.message(done))  # a progress line of the CLI
        return dg.MaterializeResult(
            metadata={"dagster/row_count": sum(rows.values()), "days": len(dates), **rows}
        )

    return _staging


def staging_backfill_policy() -> dg.BackfillPolicy:
    per_run = day_chunks.days_per_run()
    if per_run is None:
        return dg.BackfillPolicy.single_run()
    return dg.BackfillPolicy.multi_run(max_partitions_per_run=per_run)


def asset_deps(deps: Sequence[str]) -> list[str]:
    """Dependencies by name, with every staging table (``stg_*``) meaning the staging asset."""
    named = [STAGING if d.startswith("stg_") else d for d in deps]
    return list(dict.fromkeys(named))


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
