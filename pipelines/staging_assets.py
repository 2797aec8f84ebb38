"""The lake's tables and the daily staging asset, with the staging tables it writes as specs.

Staging is one asset, ``staging``, that writes one Parquet table per SQL file in
``defs/staging/``. Each of those tables is also an asset spec, ``stg_<name>``, downstream of
``staging``, so the graph shows which mart reads which staging table. The specs are external
(nothing materialises them on its own): a materialisation of ``staging`` is theirs.
"""

# No "from __future__ import annotations": Dagster reads these functions' annotations at runtime.
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
from dagster import AssetExecutionContext

from ingest.lake.schemas import TABLE_NAMES
from pipelines import day_chunks, lineage, staging_progress
from pipelines.marts import sql_description
from pipelines.partitions import daily
from pipelines.resources import WarehouseResource
from pipelines.warehouse import staging_build

STAGING = "staging"


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


def staging_tables(sql_files_by_table: Mapping[str, Path]) -> list[dg.AssetSpec]:
    """One spec per staging table, named as marts read it; what it reads is in its metadata."""
    return [
        dg.AssetSpec(
            name,
            deps=[STAGING],
            group_name=STAGING,
            kinds={"parquet"},
            description=f"{sql_description(sql_file)} Written by the staging asset, one Parquet "
            f"partition per day (warehouse/staging/{name}/date=YYYY-MM-DD/).",
            metadata={"reads": dg.MetadataValue.json(_reads(sql_file))},
        )
        for name, sql_file in sql_files_by_table.items()
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
    reads = {dep for f in sql_files_by_table.values() for dep in _reads(f)}

    @dg.asset(
        name=STAGING,
        deps=sorted(reads),
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
        count = len(sql_files_by_table)
        names = list(sql_files_by_table)

        def built(name: str, rows: int) -> None:
            done = staging_progress.TableBuilt(name, rows, len(dates), names.index(name) + 1,
                                               count)
            context.log_event(staging_progress.observation(context.asset_key, done))  # CLI line

        rows = staging_build.build_tables(
            warehouse.layout(), sql_files_by_table, dates, warehouse.build_settings(),
            warehouse.threads, on_built=built,
        )
        return dg.MaterializeResult(
            metadata={"dagster/row_count": sum(rows.values()), "days": len(dates), **rows}
        )

    return _staging


def staging_backfill_policy() -> dg.BackfillPolicy:
    per_run = day_chunks.days_per_run()
    if per_run is None:
        return dg.BackfillPolicy.single_run()
    return dg.BackfillPolicy.multi_run(max_partitions_per_run=per_run)


def _reads(sql_file: Path) -> list[str]:
    """The lake tables a staging SQL reads (it reads no other asset: it runs on one day's files)."""
    return lineage.asset_deps(lineage.file_tables(sql_file))
