"""Lineage from the SQL: each mart's deps are the tables its SQL reads, no more, no fewer."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import exclusions, lineage
from pipelines.staging_sql import staging_sql_files
from pipelines.tariffs import tables as price_tables
from pipelines.warehouse import connect, reference_data, settings, sql_files
from pipelines.warehouse.layout import Layout
from pipelines.warehouse.settings import BuildSettings
from tests.pipelines.warehouse_kit import DEFS, utc

STAGING_TABLES = set(staging_sql_files())


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> dg.AssetGraph:
    from pipelines.definitions import defs

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CPO_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        return defs().resolve_asset_graph()


def deps(graph: dg.AssetGraph, name: str) -> set[str]:
    return {k.to_user_string() for k in graph.get(dg.AssetKey(name)).parent_keys}


def sql_marts() -> dict[str, Path]:
    """Every SQL model of a mart (staging's and the dimensions' DDL contract aside)."""
    files = sorted(DEFS.glob("*/*.sql"))
    return {f.stem: f for f in files if f.parent.name != "staging" and f.stem != "dimensions"}


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ("SELECT * FROM a JOIN b USING (k) WHERE x IN (SELECT x FROM c)", {"a", "b", "c"}),
        ('WITH q AS (SELECT * FROM a) SELECT * FROM q, (SELECT max(y) FROM "B")', {"a", "b"}),
        # a CTE named like a table reads the table; a later CTE sees an earlier one
        ("WITH s AS (SELECT * FROM s), t AS (SELECT * FROM s) SELECT * FROM t", {"s"}),
        ("WITH u AS (SELECT * FROM v), v AS (SELECT 1) SELECT * FROM u, v", {"v"}),
        # a CTE is in scope only in its own query
        ("SELECT * FROM (WITH w AS (SELECT 1) SELECT * FROM w), w", {"w"}),
        (
            "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
            "SELECT * FROM r ASOF JOIN z ON r.n >= z.n",
            {"z"},
        ),
        ("SELECT * FROM read_parquet('x.parquet') WHERE EXISTS (SELECT 1 FROM e)", {"e"}),
    ],
)
def test_tables_read(sql: str, tables: set[str]) -> None:
    assert lineage.tables_read(sql) == tables


@pytest.mark.parametrize("sql", ["SELEC 1", "", "SELECT 1; SELECT 2"])
def test_a_model_that_is_not_one_select_has_no_lineage(sql: str) -> None:
    with pytest.raises(lineage.LineageError):
        lineage.tables_read(sql)


def test_every_mart_depends_on_what_its_sql_reads(graph: dg.AssetGraph) -> None:
    for name, sql_file in sql_marts().items():
        expected = lineage.file_tables(sql_file) - lineage.OUTSIDE
        assert deps(graph, name) == expected, name


# The drifts of the hand-written deps: one test each, so each fails on its own.
def test_connectivity_depends_on_the_connection_events_it_reads(graph: dg.AssetGraph) -> None:
    assert "raw_connection_events" in deps(graph, "charger_connectivity_intervals")


def test_charge_attempts_does_not_depend_on_dim_ports(graph: dg.AssetGraph) -> None:
    assert "dim_ports" not in deps(graph, "charge_attempts")


def test_staging_depends_on_the_lake_tables_it_reads(graph: dg.AssetGraph) -> None:
    # commands and connection events are read by marts directly, not by staging
    assert deps(graph, "staging") == {"raw_ocpp_messages", "raw_meter_values"}


def test_staging_tables_are_in_the_graph_between_staging_and_the_marts(
    graph: dg.AssetGraph,
) -> None:
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert len(STAGING_TABLES) == 9
    assert keys >= STAGING_TABLES
    for name in STAGING_TABLES:
        node = graph.get(dg.AssetKey(name))
        assert deps(graph, name) == {"staging"}
        assert not node.is_executable  # staging materialises them: one record per partition
        assert node.group_name == "staging"
    assert "stg_status" in deps(graph, "dim_ports")  # a transaction makes no port
    assert {"stg_tx_events", "dim_ports"} <= deps(graph, "sessions")
    assert "staging" not in {d for name in sql_marts() for d in deps(graph, name)}


def test_every_dep_is_a_defined_asset(graph: dg.AssetGraph) -> None:
    from pipelines.definitions import defs

    defined = {
        key.to_user_string()
        for item in defs().assets or []
        for key in ([item.key] if isinstance(item, dg.AssetSpec) else getattr(item, "keys", []))
    }
    for key in graph.get_all_asset_keys():
        assert deps(graph, key.to_user_string()) <= defined, key


def test_each_mart_builds_on_its_deps_alone_and_needs_every_one(
    tmp_path: Path, graph: dg.AssetGraph
) -> None:
    """Run each mart's SQL where only its deps exist (empty, typed as built): it builds, and it
    fails without any one of them. So a dep is neither missing nor extra, by DuckDB's binder."""
    full = _empty_warehouse(tmp_path, [k.to_user_string() for k in graph.toposorted_asset_keys])
    for name, sql_file in sql_marts().items():
        needed = deps(graph, name)
        _build_alone(full, tmp_path, sql_file, needed)
        for dep in sorted(needed):
            with pytest.raises(duckdb.CatalogException, match=dep):
                _build_alone(full, tmp_path, sql_file, needed - {dep})


def _empty_warehouse(data: Path, names: list[str]) -> duckdb.DuckDBPyConnection:
    """Every table of the graph, built in its order on an empty data folder."""
    layout = Layout(data)
    marts = sql_marts()
    conn = duckdb.connect()
    connect.prepare(conn, layout, staging_sql_files(), BuildSettings())
    reference_data.register(conn, layout)
    for name in names:
        if name in marts:
            sql_files.build_table(conn, name, marts[name])
        elif name in price_tables.BUILDERS:
            price_tables.BUILDERS[name](conn, layout.config)
        elif name == "exclusion_windows":
            exclusions.create_table(conn, [])
    return conn


def _build_alone(
    full: duckdb.DuckDBPyConnection, data: Path, sql_file: Path, tables: set[str]
) -> None:
    """Build ``sql_file`` on a connection holding only ``tables`` (plus what no asset builds)."""
    conn = duckdb.connect()
    connect.create_macros(conn)
    settings.apply(conn, BuildSettings(), utc("2026-01-02 00:00"))
    reference_data.register(conn, Layout(data))
    for name in tables:
        conn.register(name, full.sql(f"SELECT * FROM {name} LIMIT 0").to_arrow_table())
    sql_files.build_table(conn, sql_file.stem, sql_file)
