"""Lineage from the SQL: which tables a model's SELECT reads, as DuckDB's own parser sees them.

A SQL file is the one owner of what its table reads; the assets' deps are derived from it here,
so they cannot drift from the SQL. A table a model reads is the asset of the same name: the lake
views ``raw_<table>`` are the lake's external assets, ``stg_<name>`` the staging tables' specs,
anything else a mart or a table built in Python. The exception is the reference data a
connection is given before a model runs, which no asset builds (``OUTSIDE``).

Parsing only (``json_serialize_sql``), never binding: it needs no table, column or macro to exist,
so it runs at code-location load on an empty in-memory database.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path

import duckdb

from pipelines.errors import PipelineError
from pipelines.warehouse import prior_frames, reference_data
from pipelines.warehouse.sql_files import read_sql

# Registered on the connection by the warehouse code, not built by an asset: the registry and
# network tables (reference_data) and the chargers' heartbeat intervals stg_gaps reads
# (warehouse/staging_build.py, warehouse/connect.py).
OUTSIDE = reference_data.TABLE_NAMES | {"charger_intervals", prior_frames.NAME}
RECURSIVE = "RECURSIVE_CTE_NODE"
# The parse tree as JSON, without its empty and null fields (a smaller tree to walk).
SERIALIZE = "SELECT json_serialize_sql(?::VARCHAR, skip_empty := true, skip_null := true)"


class LineageError(PipelineError):
    """A model's SQL file does not parse, so what it reads is unknown."""


def tables_read(sql: str) -> frozenset[str]:
    """Every table or view ``sql`` reads, lower-case, without its own CTEs (however nested)."""
    with _parser().cursor() as cursor:
        row = cursor.execute(SERIALIZE, [sql]).fetchone()
    tree = json.loads(str(row[0])) if row else {}
    if tree.get("error", True):
        raise LineageError(str(tree.get("error_message", "no statement")))
    statements = tree.get("statements")
    if not isinstance(statements, list) or len(statements) != 1:
        raise LineageError("a model is one SELECT statement")
    found: set[str] = set()
    _walk(statements, frozenset(), found)
    return frozenset(found)


@functools.cache
def file_tables(sql_file: Path) -> frozenset[str]:
    """``tables_read`` of a model's SQL file (cached: the code location loads each file once)."""
    try:
        return tables_read(read_sql(sql_file))
    except LineageError as exc:
        raise LineageError(f"{sql_file}: cannot read its lineage: {exc}") from exc


def asset_deps(tables: Iterable[str]) -> list[str]:
    """The asset keys of the tables a model reads: each its own name, minus ``OUTSIDE``."""
    return sorted(set(tables) - OUTSIDE)


def _walk(node: object, ctes: frozenset[str], found: set[str]) -> None:
    """Collect ``BASE_TABLE`` names into ``found``, skipping those that name a CTE in scope.

    A query's CTEs are in scope in its body and in the CTEs after them (and a recursive CTE in
    itself); so ``WITH sessions AS (SELECT * FROM sessions)`` still reads the table.
    """
    # json.loads gives dicts and lists: concrete type checks, scalars never recursed into (the
    # walk runs at every code-location load).
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict | list):
                _walk(item, ctes, found)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "BASE_TABLE":
        name = str(node["table_name"]).lower()
        if name not in ctes:
            found.add(name)
    scope = ctes
    for name, query in _ctes(node):
        own = {name} if isinstance(query, dict) and query.get("type") == RECURSIVE else set()
        _walk(query, scope | own, found)
        scope = scope | {name}
    for key, value in node.items():
        if key != "cte_map" and isinstance(value, dict | list):
            _walk(value, scope, found)


def _ctes(node: dict[str, object]) -> list[tuple[str, object]]:
    """A query node's CTEs in order: (name, its query node)."""
    cte_map = node.get("cte_map")
    entries = cte_map.get("map") if isinstance(cte_map, dict) else None
    found: list[tuple[str, object]] = []
    for entry in entries if isinstance(entries, list) else []:
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, dict):
            found.append((str(entry["key"]).lower(), value.get("query_node")))
    return found


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    # One empty in-memory database per process; each parse on its own cursor (thread-safe).
    return duckdb.connect(":memory:")
