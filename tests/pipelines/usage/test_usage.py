"""Utilisation and charge success on hand-computed cases (sites in America/Los_Angeles, UTC-8
in January: no DST)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.pipelines.warehouse_kit import DEFS, build, put, utc, warehouse_conn

SQL_DIR = DEFS / "usage"


def _session(
    sid: str, cp: str, port: int, start: str, end: str | None, kwh: float, **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "session_id": sid,
        "charge_point_id": cp,
        "port_no": port,
        "port_id": f"{cp}/{port}",
        "transaction_id": sid,
        "start_at": utc(start),
        "end_at": utc(end) if end else None,
        "charging_end_at": utc(end) if end else None,
        "energy_kwh": kwh,
        "stop_reason": "Local",
        "end_source": "stop" if end else "open",
        "missing_stop": False,
        "auth_status": "Accepted",
        "site_id": "S1",
    }
    row.update(extra)
    return row


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(
        c,
        "dim_chargers",
        [
            {
                "charge_point_id": "CP1",
                "site_id": "S1",
                "rated_kw": 50,
                "connectors": 2,
                "kind": "DC",
            },
        ],
    )
    put(
        c,
        "dim_ports",
        [
            {
                "port_id": "CP1/1",
                "charge_point_id": "CP1",
                "port_no": 1,
                "site_id": "S1",
                "rated_kw": 50,
            },
            {
                "port_id": "CP1/2",
                "charge_point_id": "CP1",
                "port_no": 2,
                "site_id": "S1",
                "rated_kw": 50,
            },
        ],
    )
    # first frame at local midnight of Jan 10 (08:00 UTC): the observed period starts there
    put(
        c,
        "stg_activity",
        [
            {
                "charge_point_id": "CP1",
                "hour": utc("2026-01-10 08:00"),
                "frames_in": 1,
                "first_in": utc("2026-01-10 08:00"),
                "last_in": utc("2026-01-10 08:00"),
            },
        ],
    )
    return c


def _build_usage(conn: duckdb.DuckDBPyConnection) -> None:
    for name in ("usage_ports", "usage_port_hourly"):
        build(conn, name, SQL_DIR)


def test_session_across_local_midnight_counts_in_both_days(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    # local 23:30 Jan 10 -> 01:10 Jan 11 = UTC 07:30 -> 09:10 Jan 11; 10 kWh charging throughout
    put(conn, "sessions", [_session("T1", "CP1", 1, "2026-01-11 07:30", "2026-01-11 09:10", 10.0)])
    # port 1 Faulted for one hour on local Jan 11 (12:00-13:00 local = 20:00-21:00 UTC)
    put(
        conn,
        "stg_status",
        [
            {
                "charge_point_id": "CP1",
                "port_no": 1,
                "received_at": utc("2026-01-11 20:00"),
                "status": "Faulted",
                "status_class": "faulted",
            },
            {
                "charge_point_id": "CP1",
                "port_no": 1,
                "received_at": utc("2026-01-11 21:00"),
                "status": "Available",
                "status_class": "available",
            },
        ],
    )
    _build_usage(conn)
    rows = {
        (r["port_id"], str(r["local_date"])): r
        for r in build(conn, "utilisation_port_daily", SQL_DIR)
    }
    jan10, jan11 = rows[("CP1/1", "2026-01-10")], rows[("CP1/1", "2026-01-11")]
    # 30 min before midnight, 70 after; kWh split by charging minutes: 10 x 30/100, 10 x 70/100
    assert jan10["session_min"] == pytest.approx(30)
    assert jan11["session_min"] == pytest.approx(70)
    assert jan10["kwh"] == pytest.approx(3.0)
    assert jan11["kwh"] == pytest.approx(7.0)
    assert (jan10["sessions"], jan11["sessions"]) == (1, 0)  # counted on the day it started
    # Jan 10: whole day up, 1440 min; Jan 11: 1440 - 60 min faulted = 1380
    assert jan10["available_min"] == pytest.approx(1440)
    assert jan11["down_min"] == pytest.approx(60)
    assert jan11["available_min"] == pytest.approx(1380)
    assert jan10["time_util"] == pytest.approx(30 / 1440)
    assert jan11["time_util"] == pytest.approx(70 / 1380)
    # energy: 3 kWh / (50 kW x 24 h) ; 7 kWh / (50 kW x 23 h)
    assert jan10["energy_util"] == pytest.approx(3 / (50 * 24))
    assert jan11["energy_util"] == pytest.approx(7 / (50 * 23))
    # port 2 idle all day: 0 utilisation, full availability
    assert rows[("CP1/2", "2026-01-11")]["time_util"] == 0
    # the last day is cut at as_of (2026-01-31 00:00 UTC = Jan 30 16:00 local): 16 h
    assert rows[("CP1/1", "2026-01-30")]["period_min"] == pytest.approx(16 * 60)
    site = {str(r["local_date"]): r for r in build(conn, "utilisation_site_daily", SQL_DIR)}
    # two ports: (70 + 0) / (1380 + 1440)
    assert site["2026-01-11"]["time_util"] == pytest.approx(70 / (1380 + 1440))


def test_hour_split_and_hour_of_week_saturation(conn: duckdb.DuckDBPyConnection) -> None:
    # Mon Jan 12 (local): port 1 10:20-11:05 UTC (02:20-03:05 local); port 2 10:50-11:30 UTC
    put(
        conn,
        "sessions",
        [
            _session("A", "CP1", 1, "2026-01-12 10:20", "2026-01-12 11:05", 1.0),
            _session("B", "CP1", 2, "2026-01-12 10:50", "2026-01-12 11:30", 1.0),
        ],
    )
    _build_usage(conn)
    hourly = {(r["port_id"], r["local_hour"]): r for r in build(conn, "usage_port_hourly", SQL_DIR)}
    # port 1: 40 min in 10:00 UTC (local 2 h), 5 min in 11:00 UTC (local 3 h)
    assert hourly[("CP1/1", 2)]["session_min"] == pytest.approx(40)
    assert hourly[("CP1/1", 3)]["session_min"] == pytest.approx(5)
    assert hourly[("CP1/1", 2)]["local_dow"] == 1  # Monday
    how = {
        (r["local_dow"], r["local_hour"]): r
        for r in build(conn, "utilisation_hour_of_week", SQL_DIR)
    }
    mon2, mon3 = how[(1, 2)], how[(1, 3)]
    # occupied: local 2 h = 40 (port 1) + 10 (port 2) = 50; 3 h = 5 + 30 = 35
    assert mon2["occupied_min"] == pytest.approx(50)
    assert mon3["occupied_min"] == pytest.approx(35)
    # both ports busy 10:50-11:05 UTC: 10 min in local 2 h, 5 min in local 3 h
    assert mon2["saturation_min"] == pytest.approx(10)
    assert mon3["saturation_min"] == pytest.approx(5)
    # Mondays 02:00 observed from Jan 10 to Jan 30: Jan 12, 19, 26 -> 3 x 60 min
    assert mon2["weeks_observed"] == 3
    assert mon2["observed_min"] == pytest.approx(180)
    assert mon2["share"] == pytest.approx(50 / (2 * 180))


def test_rejected_tag_and_failed_start_are_failed_attempts(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    put(
        conn,
        "sessions",
        [
            _session("OK", "CP1", 1, "2026-01-12 10:00", "2026-01-12 11:00", 5.0),
            _session("ZERO", "CP1", 1, "2026-01-13 10:00", "2026-01-13 10:05", 0.05),
            _session(
                "ESTOP",
                "CP1",
                1,
                "2026-01-14 10:00",
                "2026-01-14 10:30",
                4.0,
                stop_reason="EmergencyStop",
            ),
            _session(
                "LOST",
                "CP1",
                1,
                "2026-01-15 10:00",
                "2026-01-15 12:00",
                4.0,
                stop_reason="Reboot",
                end_source="boot",
                missing_stop=True,
            ),
        ],
    )
    put(
        conn,
        "stg_authorizations",
        [
            {
                "charge_point_id": "CP1",
                "received_at": utc("2026-01-16 10:00"),
                "id_tag": "BAD",
                "status": "Invalid",
                "unique_id": "a1",
            },
        ],
    )
    status = [
        # the plug-in of session OK: Preparing -> Charging, not a failed start
        ("2026-01-12 09:59", 1, "Preparing", None),
        ("2026-01-12 10:01", 1, "Charging", None),
        ("2026-01-12 11:01", 1, "Available", None),
        # a failed start on port 2: Preparing, then Faulted with a lock failure, no session
        ("2026-01-17 10:00", 2, "Preparing", None),
        ("2026-01-17 10:03", 2, "Faulted", "ConnectorLockFailure"),
        # the plug-in that the rejected tag explains: one attempt, not two
        ("2026-01-16 09:59", 2, "Preparing", None),
        ("2026-01-16 10:02", 2, "Available", None),
    ]
    put(
        conn,
        "stg_status",
        [
            {
                "charge_point_id": "CP1",
                "received_at": utc(t),
                "port_no": p,
                "status": s,
                "error_code": e,
            }
            for t, p, s, e in status
        ],
    )
    rows = build(conn, "charge_attempts", SQL_DIR)
    reasons = sorted((r["kind"], r["outcome"], r["failure_reason"] or "") for r in rows)
    assert reasons == [
        ("authorization", "failed", "auth_rejected:Invalid"),
        ("failed_start", "failed", "start_failed:ConnectorLockFailure"),
        ("session", "failed", "abnormal_stop:EmergencyStop"),
        ("session", "failed", "abnormal_stop:Reboot"),
        ("session", "failed", "no_energy"),  # 0.05 kWh <= 0.1
        ("session", "success", ""),
    ]
    auth = next(r for r in rows if r["kind"] == "authorization")
    assert auth["port_id"] == "CP1/2"  # taken from the failed plug-in it explains
    daily = build(conn, "charge_success_daily", SQL_DIR)
    # 6 attempts, 1 success
    assert sum(r["attempts"] for r in daily) == 6
    assert sum(r["successes"] for r in daily) == 1
    assert all(r["attempts"] >= r["successes"] for r in daily)
