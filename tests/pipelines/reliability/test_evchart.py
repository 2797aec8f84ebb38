"""EV-ChART modules on a small hand-made warehouse (published marts as Parquet)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import WarehouseMissingError
from pipelines.exports import evchart
from pipelines.warehouse.layout import Layout
from tests.pipelines.warehouse_kit import utc

SESSIONS = [
    # session_id, port, start, end, end_source, stop_reason, partner, id_tag, auth, kWh, peak kW
    ("s1", "CP1/1", "2026-01-02 10:00", "2026-01-02 11:00", "stop", "EVDisconnected",
     "EMSP-GREEN", "T1", "Accepted", 20.12345, 50.0),
    ("s2", "CP1/1", "2026-01-03 10:00", "2026-01-03 10:30", "stop", "PowerLoss",
     "CPO-APP", "T2", "Accepted", 5.0, 48.456),
    ("s3", "CP1/2", "2026-01-04 10:00", "2026-01-04 12:00", "timeout", "Timeout",
     None, "T3", "Accepted", 7.5, 11.0),
    ("s4", "CP1/2", "2026-01-05 10:00", None, "open", None, None, None, None, 1.0, 7.0),
    ("s5", "CP1/2", "2026-02-01 00:00", "2026-02-01 01:00", "stop", "Local",
     None, "T9", "Invalid", 0.0, 0.0),  # after the period
]  # fmt: skip


def publish(data_dir: Path) -> None:
    marts = Layout(data_dir).marts
    marts.mkdir(parents=True)
    conn = duckdb.connect()
    conn.execute(
        "CREATE TABLE sessions (session_id VARCHAR, port_id VARCHAR, charge_point_id VARCHAR, "
        "connector_id INTEGER, start_at TIMESTAMPTZ, end_at TIMESTAMPTZ, end_source VARCHAR, "
        "stop_reason VARCHAR, partner VARCHAR, id_tag VARCHAR, auth_status VARCHAR, "
        "energy_kwh DOUBLE, peak_kw DOUBLE)"
    )
    for s in SESSIONS:
        conn.execute(
            "INSERT INTO sessions VALUES (?, ?, 'CP1', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [s[0], s[1], utc(s[2]), utc(s[3]) if s[3] else None, *s[4:]],
        )
    conn.execute(
        "CREATE TABLE port_uptime_monthly AS SELECT * FROM (VALUES "
        "('CP1/1', DATE '2025-12-01', TIMESTAMPTZ '2025-12-01 00:00+00', "
        " TIMESTAMPTZ '2026-01-01 00:00+00', 0.0, 0.0, 100.0), "
        "('CP1/1', DATE '2026-01-01', TIMESTAMPTZ '2026-01-01 00:00+00', "
        " TIMESTAMPTZ '2026-02-01 00:00+00', 120.0, 60.0, 99.86559139784946)) "
        "t(port_id, month, uptime_reporting_start, uptime_reporting_end, outage_min, "
        "excluded_min, uptime_pct)"
    )
    conn.execute(
        "CREATE TABLE outages AS SELECT * FROM (VALUES "
        "('CP1/1', 'CP1/1@2026-01-10T10:00:00Z', TIMESTAMPTZ '2026-01-10 10:00+00', 120.0, "
        " 60.0, false, 'scheduled_maintenance'), "
        "('CP1/2', 'CP1/2@2026-01-11T10:00:00Z', TIMESTAMPTZ '2026-01-11 10:00+00', 30.0, "
        " 30.0, true, 'utility_outage'), "
        "('CP1/2', 'CP1/2@2026-01-12T10:00:00Z', TIMESTAMPTZ '2026-01-12 10:00+00', 15.5, "
        " 0.0, false, NULL)) "
        "t(port_id, outage_id, start_at, duration_min, excluded_min, excluded, exclusion_causes)"
    )
    for name in evchart.MARTS:
        conn.execute(f"COPY {name} TO '{marts / (name + '.parquet')}' (FORMAT parquet)")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_modules(tmp_path: Path) -> None:
    publish(tmp_path)
    out = tmp_path / "out"
    written = evchart.write(
        tmp_path, utc("2026-01-01 00:00").date(), utc("2026-01-31 00:00").date(), out
    )
    assert [(w.path.name, w.rows) for w in written] == [
        ("module2_sessions.csv", 4), ("module3_uptime.csv", 1), ("module4_outages.csv", 3),
    ]  # fmt: skip
    sessions = read(out / "module2_sessions.csv")
    assert list(sessions[0]) == [
        "port_id", "charger_id", "session_id", "connector_id", "session_start", "session_end",
        "session_error", "error_other", "energy_kwh", "power_kw", "payment_method",
        "payment_other",
    ]  # fmt: skip
    by_id = {s["session_id"]: s for s in sessions}
    s1 = by_id["s1"]
    assert (s1["session_start"], s1["session_end"]) == (
        "2026-01-02T10:00:00Z",
        "2026-01-02T11:00:00Z",
    )
    assert (s1["session_error"], s1["energy_kwh"], s1["power_kw"]) == ("", "20.123", "50.0")
    assert (s1["payment_method"], s1["payment_other"]) == ("roaming", "")
    s2 = by_id["s2"]
    assert (s2["session_error"], s2["error_other"]) == (
        "power_loss",
        "stop_reason=PowerLoss; end_source=stop",
    )
    assert (s2["payment_method"], s2["power_kw"]) == ("app", "48.46")
    s3 = by_id["s3"]
    assert (s3["session_error"], s3["payment_method"]) == ("missing_stop", "rfid")
    s4 = by_id["s4"]
    assert (s4["session_end"], s4["session_error"], s4["payment_method"], s4["payment_other"]) == (
        "",
        "",
        "other",
        "no tag",
    )
    (uptime,) = read(out / "module3_uptime.csv")
    assert uptime == {
        "port_id": "CP1/1", "uptime_reporting_start": "2026-01-01T00:00:00Z",
        "uptime_reporting_end": "2026-02-01T00:00:00Z", "uptime": "99.87",
        "total_outage": "120.0", "total_outage_excl": "60.0",  # 120 - 60 excluded
    }  # fmt: skip
    outages = read(out / "module4_outages.csv")
    assert [(o["outage_duration"], o["excluded_outage"], o["excluded_outage_reason"])
            for o in outages] == [
        ("120.0", "FALSE", "partial (60.0 of 120.0 min): scheduled_maintenance"),
        ("30.0", "TRUE", "utility_outage"),
        ("15.5", "FALSE", ""),
    ]  # fmt: skip


def test_missing_warehouse_says_run_pipelines(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissingError, match="cpo pipelines run --data-dir"):
        evchart.write(tmp_path, utc("2026-01-01 00:00").date(), utc("2026-01-31 00:00").date(),
                      tmp_path / "out")  # fmt: skip
