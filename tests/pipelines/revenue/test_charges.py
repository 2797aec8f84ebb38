"""session_energy_slices, session_charges, revenue_daily, cdrs, site_demand_charges on
hand-computed cases. Sites' time zone America/Los_Angeles: January is UTC-8 (PST).

Default tariffs (shipped): US-AC $0.35/kWh, $0.45/kWh 16:00-21:00, $0.50/session, idle fee
$24/hour ($0.40/min) after 10 min; US-DC $0.55 / $0.65. Utility SCE TOU-EV-8 (june_2019), winter
(ALL days): 00-08 $0.13568, 08-16 $0.07724, 16-21 $0.297, 21-24 $0.13568.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.tariffs import tables
from tests.pipelines.warehouse_kit import build, put, utc, warehouse_conn

DEFAULT_TARIFFS = Path(tables.__file__).parent / "defaults" / "tariffs.json"
SQL_DIR = Path(__file__).parents[3] / "pipelines" / "defs" / "revenue"
MARTS = ("session_energy_slices", "session_charges", "revenue_daily", "site_power_15min",
         "site_demand_charges", "cdrs")
ENERGY_DIR = SQL_DIR.parent / "energy"  # site_power_15min: the demand charges' 15-minute power


def _dir(name: str) -> Path:
    return ENERGY_DIR if name == "site_power_15min" else SQL_DIR


def _session(
    sid: str, start: str, end: str | None, charging_end: str | None, kwh: float, **extra: Any
) -> dict[str, Any]:
    cp, tx = sid.split(":")
    row = {
        "session_id": sid,
        "charge_point_id": cp,
        "transaction_id": tx,
        "port_no": 1,
        "port_id": f"{cp}/1",
        "connector_id": 1,
        "start_at": utc(start),
        "end_at": utc(end) if end else None,
        "charging_end_at": utc(charging_end) if charging_end else None,
        "energy_kwh": kwh,
        "end_source": "stop" if end else "open",
    }
    if end and charging_end:
        row["duration_min"] = (utc(end) - utc(start)).total_seconds() / 60
        row["charging_min"] = (utc(charging_end) - utc(start)).total_seconds() / 60
        row["idle_min"] = (utc(end) - utc(charging_end)).total_seconds() / 60
    return row | extra


SESSIONS = [
    # A: Wed 2026-01-14 15:30-16:30 local, crosses the 16:00 time-of-use boundary.
    _session(
        "CP1:A",
        "2026-01-14 23:30",
        "2026-01-15 00:30",
        "2026-01-15 00:30",
        4.0,
        partner="EMSP-ROAMY",
        id_tag="ROAM1",
        meter_start_wh=1000,
        meter_stop_wh=5000,
    ),
    # B: Sat 2026-01-17 10:00-12:00 local charging, then 35 min idle; no meter samples.
    _session(
        "CP1:B",
        "2026-01-17 18:00",
        "2026-01-17 20:35",
        "2026-01-17 20:00",
        10.0,
        partner="CPO-APP",
        id_tag="APP1",
    ),
    # C: zero energy (failed charge), 20 min plugged in.
    _session(
        "CP1:C",
        "2026-01-20 12:00",
        "2026-01-20 12:20",
        "2026-01-20 12:00",
        0.0,
        partner="EMSP-PLUGPAY",
        id_tag="PLUG1",
    ),
    # D: still open: no charges, no CDR.
    _session("CP1:D", "2026-01-30 20:00", None, None, 1.0),
    # E: DC (peak 50 kW, charger unknown to dims), Wed 2026-01-21 10:00-10:30 local, no samples.
    _session(
        "CP2:E", "2026-01-21 18:00", "2026-01-21 18:30", "2026-01-21 18:30", 20.0, peak_kw=50.0
    ),
]

METER = [
    # A's register: 1000 Wh at start (23:30), samples 2000 Wh at 23:45 and 4000 Wh at 00:15,
    # 5000 Wh at the stop (00:30).
    {
        "charge_point_id": "CP1",
        "transaction_id": "A",
        "received_at": utc("2026-01-14 23:45"),
        "energy_wh": 2000,
        "port_no": 1,
    },
    {
        "charge_point_id": "CP1",
        "transaction_id": "A",
        "received_at": utc("2026-01-15 00:15"),
        "energy_wh": 4000,
        "port_no": 1,
    },
]


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    conn = warehouse_conn(tmp_path_factory.mktemp("data"), as_of=utc("2026-01-31 00:00"))
    put(conn, "sessions", SESSIONS)
    put(conn, "stg_meter", METER)
    # The operator's own tariffs (config/tariffs.json), fixed here so the hand-worked numbers
    # below do not move when the shipped defaults change: the defaults with an AC idle fee of
    # $0.40/min after a 10-minute grace.
    config = tmp_path_factory.mktemp("config")
    doc = json.loads(DEFAULT_TARIFFS.read_text())
    for tariff in doc["tariffs"]:
        tariff["idle_grace_min"] = 10
        for element in tariff["elements"]:
            for component in element["price_components"]:
                if component["type"] == "PARKING_TIME":
                    component["price"] = 24.0
    (config / "tariffs.json").write_text(json.dumps(doc))
    tables.build_all(conn, config)
    return {name: build(conn, name, _dir(name)) for name in MARTS}


def _by(rows: list[dict[str, Any]], key: str = "session_id") -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in rows}


def test_energy_slices(marts: dict[str, list[dict[str, Any]]]) -> None:
    got = [
        (r["session_id"], str(r["local_hour"]), round(r["kwh"], 9), r["source"])
        for r in marts["session_energy_slices"]
    ]
    assert got == [
        # A: 23:30-23:45 +1 kWh (hour 23Z); 23:45-00:15 +2 kWh, half each side of 00:00Z;
        # 00:15-00:30 +1 kWh (hour 00Z) -> 15:00 local 1 + 1 = 2 kWh, 16:00 local 1 + 1 = 2 kWh
        ("CP1:A", "2026-01-14 15:00:00", 2.0, "meter"),
        ("CP1:A", "2026-01-14 16:00:00", 2.0, "meter"),
        # B: no samples, 10 kWh evenly over 18:00-20:00Z -> 5 + 5
        ("CP1:B", "2026-01-17 10:00:00", 5.0, "spread"),
        ("CP1:B", "2026-01-17 11:00:00", 5.0, "spread"),
        ("CP2:E", "2026-01-21 10:00:00", 20.0, "spread"),
    ]  # C has no energy, D is open


def test_tou_boundary_session(marts: dict[str, list[dict[str, Any]]]) -> None:
    a = _by(marts["session_charges"])["CP1:A"]
    assert (a["kind"], a["tariff_id"], a["utility_tariff"]) == (
        "AC",
        "US-AC",
        "sce_tou_ev_8_june_2019",
    )
    # 2 kWh x $0.35 (15:00) + 2 kWh x $0.45 (16:00 peak) = 0.70 + 0.90 = 1.60
    assert a["energy_revenue"] == pytest.approx(1.60)
    assert (a["time_revenue"], a["parking_revenue"], a["flat_revenue"]) == pytest.approx(
        (0, 0, 0.5))
    assert a["total_revenue"] == pytest.approx(2.10)
    # utility: 2 x 0.07724 (08-16 band) + 2 x 0.297 (16-21) = 0.15448 + 0.594 = 0.74848
    assert a["energy_cost"] == pytest.approx(0.74848)
    # EMSP-ROAMY: 10 % x 2.10 + $0.30 = 0.51
    assert a["roaming_fee"] == pytest.approx(0.51)
    assert a["margin"] == pytest.approx(2.10 - 0.74848 - 0.51)


def test_idle_fee_past_grace(marts: dict[str, list[dict[str, Any]]]) -> None:
    b = _by(marts["session_charges"])["CP1:B"]
    # idle 35 min - 10 min grace = 25 min x $0.40 = $10.00
    assert b["billable_idle_min"] == pytest.approx(25)
    assert b["parking_revenue"] == pytest.approx(10.0)
    # 10 kWh x $0.35 (10:00 and 11:00 are off-peak) = 3.50; + $0.50 session fee
    assert b["energy_revenue"] == pytest.approx(3.5)
    assert b["total_revenue"] == pytest.approx(14.0)
    # Saturday, winter entry is ALL days: 10 kWh x 0.07724 = 0.7724; own app: no fee
    assert b["energy_cost"] == pytest.approx(0.7724)
    assert b["roaming_fee"] == 0
    assert b["margin"] == pytest.approx(14.0 - 0.7724)


def test_zero_energy_session_is_not_billed(marts: dict[str, list[dict[str, Any]]]) -> None:
    c = _by(marts["session_charges"])["CP1:C"]
    assert c["billed"] is False
    money = (
        "energy_revenue",
        "time_revenue",
        "parking_revenue",
        "flat_revenue",
        "total_revenue",
        "energy_cost",
        "roaming_fee",
        "margin",
    )
    assert [c[k] for k in money] == [0] * len(money)


def test_dc_session_and_open_session(marts: dict[str, list[dict[str, Any]]]) -> None:
    charges = _by(marts["session_charges"])
    assert "CP1:D" not in charges  # open
    e = charges["CP2:E"]
    # peak 50 kW > 22 kW -> DC: 20 kWh x $0.55 = 11.00 + 0.50
    assert (e["kind"], e["tariff_id"]) == ("DC", "US-DC")
    assert e["total_revenue"] == pytest.approx(11.5)
    # unknown partner: no fee
    assert e["roaming_fee"] == 0


def test_revenue_daily(marts: dict[str, list[dict[str, Any]]]) -> None:
    days = {(r["partner"], str(r["date"])): r for r in marts["revenue_daily"]}
    assert set(days) == {
        ("EMSP-ROAMY", "2026-01-14"),
        ("CPO-APP", "2026-01-17"),
        ("EMSP-PLUGPAY", "2026-01-20"),
        ("unknown", "2026-01-21"),
    }
    roamy = days[("EMSP-ROAMY", "2026-01-14")]
    assert (roamy["sessions"], roamy["kwh"]) == pytest.approx((1, 4.0))
    assert roamy["margin"] == pytest.approx(2.10 - 0.74848 - 0.51)
    assert days[("EMSP-PLUGPAY", "2026-01-20")]["billed_sessions"] == 0


def test_cdrs(marts: dict[str, list[dict[str, Any]]]) -> None:
    cdrs = _by(marts["cdrs"])
    assert set(cdrs) == {"CP1:A", "CP1:B", "CP1:C", "CP2:E"}
    b = cdrs["CP1:B"]
    assert (b["cdr_token_uid"], b["cdr_token_type"], b["tariff_id"]) == (
        "APP1",
        "APP_USER",
        "US-AC",
    )
    assert cdrs["CP1:A"]["cdr_token_type"] == "RFID"
    assert b["total_energy"] == pytest.approx(10.0)
    assert b["total_time"] == pytest.approx(155 / 60)  # 18:00-20:35
    assert b["total_parking_time"] == pytest.approx(35 / 60)
    assert (b["total_energy_cost"], b["total_parking_cost"], b["total_fixed_cost"]) == (
        pytest.approx(3.5),
        pytest.approx(10.0),
        0.5,
    )
    assert b["total_cost_excl_vat"] == pytest.approx(14.0)
    assert json.loads(b["charging_periods"]) == [
        {
            "start_date_time": "2026-01-17T18:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 5.0}],
        },
        {
            "start_date_time": "2026-01-17T19:00:00Z",
            "dimensions": [{"type": "ENERGY", "volume": 5.0}],
        },
        {
            "start_date_time": "2026-01-17T20:00:00Z",
            "dimensions": [{"type": "PARKING_TIME", "volume": round(35 / 60, 4)}],
        },
    ]
    # A's first period starts with the session (23:30), not at the hour
    assert (
        json.loads(cdrs["CP1:A"]["charging_periods"])[0]["start_date_time"]
        == "2026-01-14T23:30:00Z"
    )


def test_checks_pass(tmp_path: Path) -> None:
    from pipelines.defs.revenue import checks

    conn = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(conn, "sessions", SESSIONS)
    put(conn, "stg_meter", METER)
    tables.build_all(conn, None)
    for name in MARTS:
        build(conn, name, _dir(name))
    for sql in (
        checks.REVENUE_NOT_NEGATIVE,
        checks.COMPONENTS_ADD_UP,
        checks.ONE_ROW_PER_FINISHED_SESSION,
        checks.CDR_ENERGY_MATCHES,
        checks.SLICES_ADD_UP,
    ):
        assert conn.execute(sql).fetchall() == []
    conn.execute("DELETE FROM session_charges WHERE session_id = 'CP1:B'")
    assert len(conn.execute(checks.ONE_ROW_PER_FINISHED_SESSION).fetchall()) == 1


def test_site_demand_charges(tmp_path: Path) -> None:
    conn: duckdb.DuckDBPyConnection = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(conn, "dim_sites", [{"site_id": "S04", "address": "3078 Broadway, Lompoc, CA"}])
    put(
        conn,
        "dim_chargers",
        [{"charge_point_id": "X", "site_id": "S04"}, {"charge_point_id": "Y", "site_id": "S04"}],
    )
    put(
        conn,
        "stg_meter",
        [
            {
                "charge_point_id": "X",
                "port_no": 1,
                "received_at": utc("2026-01-14 23:31"),
                "power_w": 10000,
            },
            {
                "charge_point_id": "X",
                "port_no": 1,
                "received_at": utc("2026-01-14 23:40"),
                "power_w": 20000,
            },
            {
                "charge_point_id": "Y",
                "port_no": 1,
                "received_at": utc("2026-01-14 23:35"),
                "power_w": 7000,
            },
            {
                "charge_point_id": "X",
                "port_no": 1,
                "received_at": utc("2026-01-15 00:05"),
                "power_w": 12000,
            },
            *(  # the same 22 kW peak again, later in the month: the first one is the peak
                {
                    "charge_point_id": "Y",
                    "port_no": 1,
                    "received_at": utc(f"2026-01-{day} 18:00"),
                    "power_w": 22000,
                }
                for day in range(20, 28)
            ),
        ],
    )
    tables.build_all(conn, None)
    build(conn, "session_energy_slices", SQL_DIR)
    build(conn, "session_charges", SQL_DIR)
    build(conn, "site_power_15min", ENERGY_DIR)
    [row] = build(conn, "site_demand_charges", SQL_DIR)
    # 23:30-23:45Z: X mean (10 + 20) / 2 = 15 kW + Y 7 kW = 22 kW; 00:00-00:15Z: 12 kW -> peak 22
    # Lompoc -> PG&E A-10, winter demand charge $11.66/kW: 22 x 11.66 = 256.52
    assert (row["site_id"], str(row["month"]), row["utility_tariff"]) == (
        "S04",
        "2026-01-01",
        "pge_a10_tou_aug_2019",
    )
    assert row["peak_kw"] == pytest.approx(22.0)
    assert str(row["peak_at"]).startswith("2026-01-14 23:30")
    assert row["demand_charge_usd"] == pytest.approx(256.52)
    assert row["margin_after_demand"] == pytest.approx(-256.52)  # no sessions
