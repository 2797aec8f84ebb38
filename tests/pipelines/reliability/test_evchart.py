"""EV-ChART modules on a small hand-made warehouse (published marts as Parquet)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from pipelines.errors import WarehouseMissingError
from pipelines.exports import evchart, evchart_costs, evchart_validate
from pipelines.exports.evchart_rules import MODULE_9
from pipelines.warehouse.layout import Layout
from tests.pipelines.reliability.helpers import build_all, connect, status, window
from tests.pipelines.warehouse_kit import DEFS, build, put, utc, warehouse_conn

JAN = (utc("2026-01-01 00:00").date(), utc("2026-01-31 00:00").date())
SESSIONS = [
    # session_id, port, start, end, end_source, stop_reason, partner, id_tag, auth, kWh, peak kW
    ("CP1:1", "CP1/1", "2026-01-02 10:00", "2026-01-02 11:00", "stop", "EVDisconnected",
     "EMSP-GREEN", "T1", "Accepted", 20.12645, 50.0),
    ("CP1:2", "CP1/1", "2026-01-03 10:00", "2026-01-03 10:30", "stop", "PowerLoss",
     "CPO-APP", "T2", "Accepted", 5.0, 48.456),
    ("CP1:3", "CP1/2", "2026-01-04 10:00", "2026-01-04 12:00", "timeout", "Timeout",
     None, "T3", "Accepted", 7.5, 11.0),
    ("CP1:4", "CP1/2", "2026-01-05 10:00", None, "open", None, None, None, None, 1.0, 7.0),
    ("CP1:5", "CP1/2", "2026-02-01 00:00", "2026-02-01 01:00", "stop", "Local",
     None, "T9", "Invalid", 0.0, 0.0),  # after the period
    ("CP2:" + "f" * 36, "CP2/1", "2026-01-06 09:00", "2026-01-06 09:20", "stop", "Local",
     None, "T9", "Invalid", 3.0, 7.2),  # a 2.0.1 UUID-long id: 40 characters
]  # fmt: skip
PORTS = [
    # port_id, charge_point_id, site_id, commissioned_at
    ("CP1/1", "CP1", "S1", "2024-06-01 00:00"),  # S1: operational over a year
    ("CP1/2", "CP1", "S1", "2024-06-01 00:00"),
    ("CP2/1", "CP2", None, "2025-11-15 08:00"),  # no site: station CP2, under a year
]

# Every module 9 total and federal share is required; these are made up.
S1_COSTS = {
    name: "0" for name in MODULE_9.columns if name.endswith(("_total", "_federal"))
} | {"equipment_cost_total": "120000", "equipment_cost_federal": "96000.5",
     "equipment_install_date": "2024-05-20", "station_upgrade": "no"}  # fmt: skip


def publish(data_dir: Path, sessions: Sequence[tuple[object, ...]] = SESSIONS) -> None:
    marts = Layout(data_dir).marts
    marts.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    conn.execute(
        "CREATE TABLE sessions (session_id VARCHAR, port_id VARCHAR, charge_point_id VARCHAR, "
        "connector_id INTEGER, start_at TIMESTAMPTZ, end_at TIMESTAMPTZ, end_source VARCHAR, "
        "stop_reason VARCHAR, partner VARCHAR, id_tag VARCHAR, auth_status VARCHAR, "
        "energy_kwh DOUBLE, peak_kw DOUBLE)"
    )
    for s in sessions:
        conn.execute(
            "INSERT INTO sessions VALUES (?, ?, split_part(?, '/', 1), 1, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            [s[0], s[1], s[1], utc(str(s[2])), utc(str(s[3])) if s[3] else None, *s[4:]],
        )
    conn.execute(
        "CREATE TABLE dim_ports (port_id VARCHAR, charge_point_id VARCHAR, site_id VARCHAR, "
        "commissioned_at TIMESTAMPTZ)"
    )
    for p in PORTS:
        conn.execute("INSERT INTO dim_ports VALUES (?, ?, ?, ?)", [*p[:3], utc(p[3])])
    conn.execute(
        "CREATE TABLE port_uptime_monthly AS SELECT * FROM (VALUES "
        "('CP1/1', DATE '2025-12-01', TIMESTAMPTZ '2025-12-01 00:00+00', "
        " TIMESTAMPTZ '2026-01-01 00:00+00', 0.0, 0.0, 100.0), "
        "('CP1/1', DATE '2026-01-01', TIMESTAMPTZ '2026-01-01 00:00+00', "
        " TIMESTAMPTZ '2026-02-01 00:00+00', 120.0, 60.0, 99.86559139784946), "
        "('CP2/1', DATE '2026-01-01', TIMESTAMPTZ '2026-01-01 00:00+00', "
        " TIMESTAMPTZ '2026-02-01 00:00+00', 44.6444, 0.0, 99.9)) "
        "t(port_id, month, uptime_reporting_start, uptime_reporting_end, outage_min, "
        "excluded_min, uptime_pct)"
    )
    conn.execute(
        "CREATE TABLE outages AS SELECT * FROM (VALUES "
        "('CP1/1', 'CP1/1@2026-01-10T10:00:00Z', TIMESTAMPTZ '2026-01-10 10:00+00', 120.0, "
        " 60.0, false, 'scheduled_maintenance'), "
        "('CP1/2', 'CP1/2@2026-01-11T10:00:00Z', TIMESTAMPTZ '2026-01-11 10:00+00', 30.0, "
        " 30.0, true, 'utility_outage,vandalism'), "
        "('CP1/2', 'CP1/2@2026-01-12T10:00:00Z', TIMESTAMPTZ '2026-01-12 10:00+00', 15.5, "
        " 0.0, false, NULL), "
        "('CP2/1', 'CP2/1@2026-01-13T10:00:00Z', TIMESTAMPTZ '2026-01-13 10:00+00', 0.001, "
        " 0.0, false, NULL)) "  # under 0.01 min: below module 4's minimum
        "t(port_id, outage_id, start_at, duration_min, excluded_min, excluded, exclusion_causes)"
    )
    for name in evchart.MARTS:
        conn.execute(f"COPY {name} TO '{marts / (name + '.parquet')}' (FORMAT parquet)")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_modules(tmp_path: Path) -> None:
    publish(tmp_path)
    evchart_costs.set_values(evchart_costs.csv_path(tmp_path), "S1", S1_COSTS)
    out = tmp_path / "out"
    written = evchart.write(tmp_path, *JAN, out)
    assert [(w.path.name, w.rows, w.note) for w in written] == [
        ("module2_sessions.csv", 4, "1 open session(s) left out until they end"),
        ("module3_uptime.csv", 2, ""),
        ("module4_outages.csv", 3, "1 outage(s) under 0.01 min left out"),
        ("module9_costs.csv", 1, "1 station(s) without costs (cpo export evchart-costs set)"),
    ]  # fmt: skip
    assert evchart_validate.validate_folder(out, {"S1": JAN[0], "CP2": JAN[0]}) == []
    sessions = read(out / "module2_sessions.csv")
    assert list(sessions[0])[:3] == ["station_id", "network_provider", "port_id"]
    by_id = {s["session_id"]: s for s in sessions}
    s1 = by_id["CP1:1"]
    assert (s1["station_id"], s1["network_provider"]) == ("S1", evchart.DEFAULT_NETWORK_PROVIDER)
    assert (s1["session_start"], s1["session_end"]) == (
        "2026-01-02T10:00:00Z",
        "2026-01-02T11:00:00Z",
    )
    # module 2 requires session_error; energy has two decimals (decimal(7,2))
    assert (s1["session_error"], s1["error_other"]) == ("none", "")
    assert (s1["energy_kwh"], s1["power_kw"]) == ("20.13", "50.00")
    assert (s1["payment_method"], s1["payment_other"]) == ("roaming", "")
    s2 = by_id["CP1:2"]
    assert (s2["session_error"], s2["error_other"]) == (
        "power_loss",
        "stop_reason=PowerLoss; end_source=stop",
    )
    assert (s2["payment_method"], s2["power_kw"]) == ("app", "48.46")
    assert (by_id["CP1:3"]["session_error"], by_id["CP1:3"]["payment_method"]) == (
        "missing_stop",
        "rfid",
    )
    assert "CP1:4" not in by_id  # open: no session_end yet
    long_id = next(s for s in sessions if s["port_id"] == "CP2/1")
    assert len(long_id["session_id"]) == 32
    assert long_id["station_id"] == "CP2"

    uptime = {u["port_id"]: u for u in read(out / "module3_uptime.csv")}
    assert uptime["CP1/1"] == {
        "station_id": "S1", "network_provider": evchart.DEFAULT_NETWORK_PROVIDER,
        "port_id": "CP1/1", "uptime_reporting_start": "2026-01-01T00:00:00Z",
        "uptime_reporting_end": "2026-02-01T00:00:00Z", "uptime": "99.87",
        "total_outage": "120.00", "total_outage_excl": "60.00",  # 120 - 60 excluded
    }  # fmt: skip
    # CP2 has been operational since 2025-11-15, under a year: uptime is left blank
    assert (uptime["CP2/1"]["uptime"], uptime["CP2/1"]["total_outage"]) == ("", "44.64")

    outages = read(out / "module4_outages.csv")
    assert [(o["outage_id"], o["outage_duration"], o["excluded_outage"],
             o["excluded_outage_reason"], o["excluded_outage_notes"]) for o in outages] == [
        ("2026-01-10T10:00:00Z", "120.00", "FALSE", "",
         "partial (60.00 of 120.00 min): scheduled_maintenance"),
        ("2026-01-11T10:00:00Z", "30.00", "TRUE", "1", "utility_outage,vandalism"),
        ("2026-01-12T10:00:00Z", "15.50", "FALSE", "", ""),
    ]  # fmt: skip

    (costs,) = read(out / "module9_costs.csv")
    assert costs["station_id"] == "S1"
    assert list(costs)[2:] == list(MODULE_9.columns[2:])
    assert (costs["equipment_cost_total"], costs["equipment_cost_federal"]) == (
        "120000",
        "96000.5",
    )
    assert (costs["equipment_install_date"], costs["station_upgrade"]) == (
        "2024-05-20T00:00:00Z",
        "FALSE",
    )


def test_operational_date_from_the_station_table(tmp_path: Path) -> None:
    # Registered in EV-ChART long before this network saw its first frame: uptime is required.
    publish(tmp_path)
    evchart_costs.set_values(
        evchart_costs.csv_path(tmp_path), "CP2", {"operational_date": "2023-03-01"}
    )
    evchart.write(tmp_path, *JAN, tmp_path / "out")
    uptime = {u["port_id"]: u for u in read(tmp_path / "out" / "module3_uptime.csv")}
    assert float(uptime["CP2/1"]["uptime"]) == pytest.approx(99.9, rel=1e-9)


def test_network_provider_is_configurable(tmp_path: Path) -> None:
    publish(tmp_path)
    evchart.write(tmp_path, *JAN, tmp_path / "out", network_provider="acme_charge")
    for name in ("module2_sessions.csv", "module3_uptime.csv", "module4_outages.csv"):
        assert {r["network_provider"] for r in read(tmp_path / "out" / name)} == {"acme_charge"}
    with pytest.raises(evchart.ExportRulesError, match=r"network provider 'x{31}': 31 char"):
        evchart.write(tmp_path, *JAN, tmp_path / "o2", network_provider="x" * 31)
    with pytest.raises(evchart.ExportRulesError, match="network provider ' ': empty"):
        evchart.write(tmp_path, *JAN, tmp_path / "o2", network_provider=" ")


def test_refuses_an_export_that_breaks_the_rules(tmp_path: Path) -> None:
    long_port = "CP-" + "9" * 34 + "/1"  # 39 characters; module 2's port_id takes 36
    bad = [
        ("CPX:1", long_port, "2026-01-02 10:00", "2026-01-02 11:00", "stop", "Local",
         None, "T1", "Accepted", 123456.0, 10.0),  # energy_kwh over decimal(7,2)
    ]  # fmt: skip
    publish(tmp_path, [*SESSIONS, *bad])
    out = tmp_path / "out"
    with pytest.raises(evchart.ExportRulesError) as caught:
        evchart.write(tmp_path, *JAN, out)
    message = str(caught.value)
    assert "\n" not in message
    assert message.endswith("nothing was written")
    # its charger id (37 characters) is also its station id: too long for both
    assert message.startswith("4 EV-ChART rule violation(s): module2_sessions.csv row 2 ")
    assert "station_id: 37 characters, at most 36" in message
    assert "port_id: 39 characters, at most 36" in message
    assert "energy_kwh: 123456.00 has 6 integer digits, at most 5" in message
    assert list(out.iterdir()) == []


def test_missing_warehouse_says_run_pipelines(tmp_path: Path) -> None:
    with pytest.raises(WarehouseMissingError, match="cpo pipelines run --data-dir"):
        evchart.write(tmp_path, *JAN, tmp_path / "out")


def _tx(at: str, event: str, tx: str, wh: float, reason: str | None = None) -> dict[str, object]:
    return {
        "charge_point_id": "CP1", "received_at": utc(at), "charger_time": utc(at),
        "ocpp_version": "1.6", "port_no": 2 if event == "started" else None,
        "transaction_id": tx, "event": event, "meter_wh": wh, "id_tag": "T1",
        "auth_status": "Accepted" if event == "started" else None, "stop_reason": reason,
        "unique_id": f"{event}-{at}",
    }  # fmt: skip


def test_the_pipelines_own_marts_pass_the_rules(tmp_path: Path) -> None:
    # Marts built by the project's SQL from hand-made staging rows, then exported and checked.
    conn = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(conn, "raw_connection_events", [connect("CP1", "2026-01-01 00:00")])
    put(conn, "dim_chargers", [{"charge_point_id": "CP1", "site_id": "S1", "connectors": 2,
                                "commissioned_at": utc("2026-01-01 00:00")}])  # fmt: skip
    put(conn, "stg_status", [
        status("CP1", 1, "2026-01-01 00:00", "Available"),
        status("CP1", 2, "2026-01-01 00:00", "Available"),
        status("CP1", 1, "2026-01-10 10:00", "Faulted", "GroundFailure"),
        status("CP1", 1, "2026-01-10 12:00", "Available"),
    ])  # fmt: skip
    put(conn, "stg_tx_events", [
        _tx("2026-01-05 10:00", "started", "1", 1000.0),
        _tx("2026-01-05 11:00", "ended", "1", 23456.0, "EVDisconnected"),
        _tx("2026-01-06 10:00", "started", "2", 0.0),
        _tx("2026-01-06 10:20", "ended", "2", 1500.0, "PowerLoss"),
        _tx("2026-01-30 23:00", "started", "3", 0.0),  # still open at as_of
    ])  # fmt: skip
    build(conn, "dim_ports", DEFS / "dimensions")
    build(conn, "sessions", DEFS / "sessions")
    build_all(conn, [window("port", "CP1/1", "2026-01-10 10:00", "2026-01-10 11:00")])
    marts = Layout(tmp_path).marts
    marts.mkdir(parents=True)
    for name in evchart.MARTS:
        conn.execute(f"COPY {name} TO '{marts / (name + '.parquet')}' (FORMAT parquet)")
    evchart_costs.set_values(evchart_costs.csv_path(tmp_path), "S1", S1_COSTS)
    out = tmp_path / "out"
    written = {w.path.name: w.rows for w in evchart.write(tmp_path, *JAN, out)}
    assert written == {"module2_sessions.csv": 2, "module3_uptime.csv": 2,
                       "module4_outages.csv": 1, "module9_costs.csv": 1}  # fmt: skip
    assert evchart_validate.validate_folder(out, {"S1": JAN[0]}) == []
    (outage,) = read(out / "module4_outages.csv")
    assert (outage["station_id"], outage["outage_id"], outage["outage_duration"]) == (
        "S1",
        "2026-01-10T10:00:00Z",
        "120.00",
    )
    assert outage["excluded_outage_notes"] == "partial (60.00 of 120.00 min): scheduled_maintenance"
    assert {u["uptime"] for u in read(out / "module3_uptime.csv")} == {""}  # S1 is a month old
    energy = [float(s["energy_kwh"]) for s in read(out / "module2_sessions.csv")]
    assert energy == pytest.approx([22.46, 1.5], rel=1e-9)
