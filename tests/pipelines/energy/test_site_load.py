"""site_load_15min on a hand-computed case: a site's 15-minute load against its registry limit."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from tests.pipelines.warehouse_kit import build, put, utc, warehouse_conn

SQL_DIR = Path(__file__).parents[3] / "pipelines" / "defs" / "energy"


def test_site_load_against_its_limit(tmp_path: Path) -> None:
    conn: duckdb.DuckDBPyConnection = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(conn, "dim_sites", [{"site_id": "S", "timezone": "America/Los_Angeles"}])
    put(conn, "dim_chargers", [{"charge_point_id": "X", "site_id": "S"},
                               {"charge_point_id": "Y", "site_id": "S"}])
    put(conn, "stg_meter", [
        {"charge_point_id": "X", "port_no": 1, "received_at": utc("2026-01-14 23:31"),
         "power_w": 10000},
        {"charge_point_id": "X", "port_no": 1, "received_at": utc("2026-01-14 23:40"),
         "power_w": 20000},
        {"charge_point_id": "Y", "port_no": 1, "received_at": utc("2026-01-14 23:35"),
         "power_w": 7000},
        {"charge_point_id": "X", "port_no": 1, "received_at": utc("2026-01-15 00:05"),
         "power_w": 12000},
    ])
    conn.register("reg_site_limits", pa.table({"site_id": ["S"], "grid_limit_kw": [20.0]}))
    build(conn, "site_power_15min", SQL_DIR)
    rows = build(conn, "site_load_15min", SQL_DIR)
    # 23:30Z: X (10 + 20) / 2 = 15 kW + Y 7 kW = 22 kW > 20; 00:00Z: 12 kW.
    assert [(str(r["local_month"]), r["kw"], r["headroom_kw"], r["over_limit"])
            for r in rows] == [("2026-01-01", pytest.approx(22.0), pytest.approx(-2.0), True),
                               ("2026-01-01", pytest.approx(12.0), pytest.approx(8.0), False)]
    assert [r["interval_start"].isoformat() for r in rows] == [
        "2026-01-14T23:30:00+00:00", "2026-01-15T00:00:00+00:00"]
