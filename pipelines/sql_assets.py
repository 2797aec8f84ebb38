"""Factories of the SQL-built assets: a mart (one SQL file) and a SQL check.

A mart is one SQL file, ``<name>.sql``, beside the module that declares it. Its leading ``--``
comment is the asset's description (so a KPI's definition shows in the Dagster UI) and its
deps are the tables it reads (``pipelines.lineage``): the SQL is the one place either is written.
After the build, the table is published as ``warehouse/marts/<name>.parquet`` for read-only readers.
"""

# No "from __future__ import annotations": Dagster reads these functions' annotations at runtime.
from pathlib import Path

import dagster as dg

from pipelines import lineage
from pipelines.resources import WarehouseResource
from pipelines.warehouse import reference_data, sql_files


def sql_description(sql_file: Path) -> str:
    lines = []
    for line in sql_file.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def mart_asset(name: str, sql_dir: Path, group: str) -> dg.AssetsDefinition:
    """An unpartitioned table built by ``sql_dir/<name>.sql``, depending on what the SQL reads.

    A mart that reads reference data (registry, network file) gets it registered first.
    """
    sql_file = sql_dir / f"{name}.sql"
    reads = lineage.file_tables(sql_file)
    needs_reference = not reads.isdisjoint(reference_data.TABLE_NAMES)

    @dg.asset(
        name=name,
        deps=lineage.asset_deps(reads),
        group_name=group,
        kinds={"duckdb", "sql"},
        description=sql_description(sql_file),
    )
    def _mart(warehouse: WarehouseResource) -> dg.MaterializeResult:  # type: ignore[type-arg]
        with warehouse.connect() as conn:
            if needs_reference:
                reference_data.register(conn, warehouse.layout())
            rows = sql_files.build_table(conn, name, sql_file)
            sql_files.publish(conn, name, warehouse.layout().mart_file(name))
        return dg.MaterializeResult(metadata={"dagster/row_count": rows})

    return _mart


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
