"""Read the CSMS registry (SQLite) into Arrow tables, read-only, without importing csms_lite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa

CHARGERS = pa.schema(
    [
        ("charge_point_id", pa.string()),
        ("site_id", pa.string()),
        ("connectors", pa.int32()),
        ("rated_kw", pa.float64()),
        ("model", pa.string()),
        ("vendor", pa.string()),
        ("heartbeat_interval_s", pa.int32()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("address", pa.string()),
    ]
)
ID_TAGS = pa.schema(
    [
        ("id_tag", pa.string()),
        ("status", pa.string()),
        ("partner", pa.string()),
        ("expiry", pa.string()),
    ]
)
SITES = pa.schema([("site_id", pa.string()), ("timezone", pa.string())])
SITE_LIMITS = pa.schema([("site_id", pa.string()), ("grid_limit_kw", pa.float64())])
_QUERIES = {
    "chargers": "SELECT id, site, connectors, rated_kw, model, vendor, heartbeat_interval, "
    "latitude, longitude, address FROM charge_points",
    "id_tags": "SELECT upper(id_tag), status, partner, expiry FROM id_tags",
    "sites": "SELECT id, timezone FROM sites",
    "site_limits": "SELECT site, grid_limit_kw FROM site_limits",  # cpo sites set-limit
}
_SCHEMAS = {"chargers": CHARGERS, "id_tags": ID_TAGS, "sites": SITES, "site_limits": SITE_LIMITS}
# Tables a registry written by an older schema may not have yet (read-only here: no migration).
_LATER_TABLES = {"sites", "site_limits"}


def read(registry: Path, table: str) -> pa.Table:
    """One registry table as Arrow; empty (typed) when the registry file does not exist."""
    schema = _SCHEMAS[table]
    if not registry.exists():
        return schema.empty_table()
    conn = sqlite3.connect(f"file:{registry}?mode=ro", uri=True)
    try:
        if table in _LATER_TABLES and not _has_table(conn, table):
            return schema.empty_table()
        rows = conn.execute(_QUERIES[table]).fetchall()
    finally:
        conn.close()
    columns: list[tuple[object, ...]] = (
        list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    )
    return pa.table([pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema)


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(query, (table,)).fetchone() is not None
