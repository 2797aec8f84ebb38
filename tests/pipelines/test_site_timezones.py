"""Local time is each site's own: two sites, one in New York (registry) and one in Los Angeles
(the simulator's network file), sessions at the same UTC instants, hand-computed local days,
hours of week and time-of-use bands.

January: New York is UTC-5, Los Angeles UTC-8 (no DST). Default AC tariff: $0.35/kWh, $0.45/kWh
16:00-21:00 local, $0.50 per session. Utility SCE TOU-EV-8 winter: 16-21 $0.297, 21-24 and
00-08 $0.13568 per kWh.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from csms_lite.registry import ChargePoint, Registry
from ingest.data_folder import DataFolder
from pipelines.tariffs import tables
from tests.pipelines.warehouse_kit import DEFS, build, put, utc, warehouse_conn

NY, LA = "America/New_York", "America/Los_Angeles"


def _session(cp: str, tx: str, start: str, end: str, kwh: float) -> dict[str, Any]:
    minutes = (utc(end) - utc(start)).total_seconds() / 60
    return {
        "session_id": f"{cp}:{tx}", "charge_point_id": cp, "transaction_id": tx,
        "port_no": 1, "port_id": f"{cp}/1", "connector_id": 1, "site_id": f"S-{cp[-2:]}",
        "start_at": utc(start), "end_at": utc(end), "charging_end_at": utc(end),
        "energy_kwh": kwh, "end_source": "stop", "stop_reason": "Local", "missing_stop": False,
        "auth_status": "Accepted", "duration_min": minutes, "charging_min": minutes,
        "idle_min": 0.0,
    }  # fmt: skip


SESSIONS = [
    # 03:00-04:00Z: New York 22:00 (off-peak), Los Angeles 19:00 (peak), both Wed 14 Jan.
    *(_session(cp, "T1", "2026-01-15 03:00", "2026-01-15 04:00", 2.0) for cp in ("CP-NY", "CP-LA")),
    # 06:00-06:30Z: New York Thu 15 Jan 01:00, Los Angeles still Wed 14 Jan 22:00.
    *(_session(cp, "T2", "2026-01-15 06:00", "2026-01-15 06:30", 1.0) for cp in ("CP-NY", "CP-LA")),
]


def _data_folder(root: Path) -> Path:
    """New York's zone from the registry; Los Angeles's from the network file only."""
    folder = DataFolder(root)
    with Registry(folder.registry_file) as reg:
        for cp, site in (("CP-NY", "S-NY"), ("CP-LA", "S-LA")):
            reg.add_charge_point(ChargePoint(id=cp, site=site, rated_kw=11.0))
        reg.set_site_timezone("S-NY", NY)
    folder.sim_network_file.parent.mkdir(parents=True, exist_ok=True)
    folder.sim_network_file.write_text(json.dumps({"sites": [
        {"id": "S-NY", "name": "Manhattan"},  # no zone here: the registry's counts
        {"id": "S-LA", "name": "Goleta", "timezone": LA},
    ], "chargers": []}))  # fmt: skip
    return root


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    root = _data_folder(tmp_path_factory.mktemp("data"))
    c = warehouse_conn(root, as_of=utc("2026-01-15 12:00"))
    put(c, "stg_activity", [
        {"charge_point_id": cp, "hour": utc("2026-01-14 00:00"), "frames_in": 1,
         "first_in": utc("2026-01-14 00:00"), "last_in": utc("2026-01-15 11:00")}
        for cp in ("CP-NY", "CP-LA")
    ])  # fmt: skip
    for name in ("dim_chargers", "dim_sites", "dim_ports"):
        build(c, name, DEFS / "dimensions")
    put(c, "sessions", SESSIONS)
    tables.build_all(c, None)
    for name in ("usage_ports", "usage_port_hourly", "utilisation_hour_of_week",
                 "utilisation_port_daily", "charge_attempts"):
        build(c, name, DEFS / "usage")
    build(c, "site_power_15min", DEFS / "energy")
    for name in ("session_energy_slices", "session_charges", "site_demand_charges"):
        build(c, name, DEFS / "revenue")
    return c


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return conn.execute(sql).fetchall()


def test_dim_sites_carry_each_sites_zone(conn: duckdb.DuckDBPyConnection) -> None:
    assert _rows(conn, "SELECT site_id, timezone FROM dim_sites ORDER BY site_id") == [
        ("S-LA", LA), ("S-NY", NY)]  # fmt: skip
    assert _rows(conn, "SELECT port_id, timezone FROM dim_ports ORDER BY port_id") == [
        ("CP-LA/1", LA), ("CP-NY/1", NY)]  # fmt: skip


def test_local_date_and_hour_of_week_are_the_sites(conn: duckdb.DuckDBPyConnection) -> None:
    hourly = _rows(conn, "SELECT port_id, strftime(hour, '%H'), CAST(local_date AS VARCHAR), "
                   "local_dow, local_hour FROM usage_port_hourly WHERE session_min > 0 "
                   "ORDER BY port_id, hour")
    assert hourly == [
        ("CP-LA/1", "03", "2026-01-14", 3, 19), ("CP-LA/1", "06", "2026-01-14", 3, 22),
        ("CP-NY/1", "03", "2026-01-14", 3, 22), ("CP-NY/1", "06", "2026-01-15", 4, 1),
    ]  # fmt: skip
    week = _rows(conn, "SELECT site_id, local_dow, local_hour FROM utilisation_hour_of_week "
                 "WHERE occupied_min > 0 ORDER BY ALL")
    assert week == [("S-LA", 3, 19), ("S-LA", 3, 22), ("S-NY", 3, 22), ("S-NY", 4, 1)]
    daily = _rows(conn, "SELECT port_id, CAST(local_date AS VARCHAR), sessions "
                  "FROM utilisation_port_daily WHERE sessions > 0 ORDER BY ALL")
    assert daily == [("CP-LA/1", "2026-01-14", 2), ("CP-NY/1", "2026-01-14", 1),
                     ("CP-NY/1", "2026-01-15", 1)]  # fmt: skip
    attempts = _rows(conn, "SELECT attempt_id, CAST(local_date AS VARCHAR) FROM charge_attempts "
                     "ORDER BY attempt_id")
    assert attempts == [("CP-LA:T1", "2026-01-14"), ("CP-LA:T2", "2026-01-14"),
                        ("CP-NY:T1", "2026-01-14"), ("CP-NY:T2", "2026-01-15")]  # fmt: skip


def test_time_of_use_band_and_energy_cost_are_the_sites(conn: duckdb.DuckDBPyConnection) -> None:
    got = {r[0]: r[1:] for r in _rows(
        conn, "SELECT session_id, CAST(local_date AS VARCHAR), energy_revenue, total_revenue, "
        "energy_cost FROM session_charges")}  # fmt: skip
    # New York 22:00: off-peak 2 x 0.35 = 0.70 (+ 0.50 fee); utility 2 x 0.13568 = 0.27136
    assert got["CP-NY:T1"][0] == "2026-01-14"
    assert got["CP-NY:T1"][1:] == pytest.approx((0.70, 1.20, 0.27136), rel=1e-9)
    # Los Angeles 19:00: peak 2 x 0.45 = 0.90 (+ 0.50 fee); utility 2 x 0.297 = 0.594
    assert got["CP-LA:T1"][1:] == pytest.approx((0.90, 1.40, 0.594), rel=1e-9)
    # T2 is off-peak on both sides, but on different local days
    assert (got["CP-NY:T2"][0], got["CP-LA:T2"][0]) == ("2026-01-15", "2026-01-14")
    assert got["CP-NY:T2"][1:] == pytest.approx((0.35, 0.85, 0.13568), rel=1e-9)
    months = _rows(conn, "SELECT site_id, CAST(month AS VARCHAR), sessions FROM "
                   "site_demand_charges ORDER BY site_id")
    assert months == [("S-LA", "2026-01-01", 2), ("S-NY", "2026-01-01", 2)]
