"""A hand-computed data folder for January-February 2026, built through the real revenue SQL.

Site S01 (America/Los_Angeles, January = UTC-8), charger CP1 (AC). Tariff US-AC: $0.35/kWh,
$0.45/kWh 16:00-21:00 local, $0.50 per session. EMSP-ROAMY: 10 % + $0.30 per billed session.

- A  ROAMY  2026-01-14 23:30Z-01-15 00:30Z, 4 kWh: 2 kWh at 15:00 local ($0.35) + 2 kWh at 16:00
        local ($0.45) = 0.70 + 0.90 + 0.50 = $2.10; fee 0.21 + 0.30 = $0.51.   -> January
- Z  ROAMY  2026-01-20 12:00Z-12:20Z, 0 kWh: not billed, $0, fee $0.           -> January
- U  unknown tag (partner NULL) 2026-01-20 18:00Z-19:00Z, 3 kWh at 10:00 local: 1.05 + 0.50 =
        $1.55; in no eMSP report, but in the site host's.                      -> January
- X  ROAMY  2026-01-31 23:00Z-02-01 01:00Z, 10 kWh spread 5 + 5 over 15:00 and 16:00 local:
        1.75 + 2.25 + 0.50 = $4.50; fee 0.45 + 0.30 = $0.75. Ends in February  -> February

So ROAMY January: 2 CDRs, 4 kWh, $2.10, fee $0.51; February: 1 CDR, 10 kWh, $4.50, fee $0.75.
Host HOST-HARBOR (S01, 20 %) January: 3 sessions (A, Z, U), 7 kWh, $3.65, share $0.73.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.tariffs import tables
from pipelines.warehouse.layout import Layout
from tests.pipelines.warehouse_kit import build, put, utc, warehouse_conn

SQL_DIR = Path(__file__).parents[3] / "pipelines" / "defs" / "revenue"
US_AC = {
    "id": "US-AC",
    "country_code": "US",
    "party_id": "CPO",
    "currency": "USD",
    "elements": [
        {
            "price_components": [{"type": "ENERGY", "price": 0.45, "step_size": 1}],
            "restrictions": {"start_time": "16:00", "end_time": "21:00"},
        },
        {"price_components": [{"type": "ENERGY", "price": 0.35, "step_size": 1}]},
        {"price_components": [{"type": "FLAT", "price": 0.5, "step_size": 1}]},
    ],
}


def _session(sid: str, start: str, end: str, kwh: float, **extra: Any) -> dict[str, Any]:
    cp, tx = sid.split(":")
    minutes = (utc(end) - utc(start)).total_seconds() / 60
    return {
        "session_id": sid,
        "charge_point_id": cp,
        "site_id": "S01",
        "transaction_id": tx,
        "port_no": 1,
        "port_id": f"{cp}/1",
        "connector_id": 1,
        "start_at": utc(start),
        "end_at": utc(end),
        "charging_end_at": utc(end) if kwh > 0 else utc(start),
        "energy_kwh": kwh,
        "end_source": "stop",
        "duration_min": minutes,
        "charging_min": minutes if kwh > 0 else 0.0,
        "idle_min": 0.0 if kwh > 0 else minutes,
    } | extra


SESSIONS = [
    _session("CP1:A", "2026-01-14 23:30", "2026-01-15 00:30", 4.0, partner="EMSP-ROAMY",
             id_tag="ROAM1", meter_start_wh=1000, meter_stop_wh=5000),
    _session("CP1:Z", "2026-01-20 12:00", "2026-01-20 12:20", 0.0, partner="EMSP-ROAMY",
             id_tag="ROAM2"),
    _session("CP1:U", "2026-01-20 18:00", "2026-01-20 19:00", 3.0, id_tag="STRANGER"),
    _session("CP1:X", "2026-01-31 23:00", "2026-02-01 01:00", 10.0, partner="EMSP-ROAMY",
             id_tag="ROAM1"),
]  # fmt: skip
METER = [
    {"charge_point_id": "CP1", "transaction_id": "A", "received_at": utc("2026-01-14 23:45"),
     "energy_wh": 2000, "port_no": 1},
    {"charge_point_id": "CP1", "transaction_id": "A", "received_at": utc("2026-01-15 00:15"),
     "energy_wh": 4000, "port_no": 1},
]  # fmt: skip
SITE_HOSTS = {
    "default_share_pct": 10,
    "hosts": {
        "HOST-HARBOR": {"name": "Harbor District", "sites": ["S01"], "revenue_share_pct": 20}
    },
}

# Marts the reports read that are not built here: written by hand, typed by DuckDB.
HAND_MARTS = {
    "site_uptime_monthly": """
        SELECT 'S01' AS site_id, DATE '2026-01-01' AS month, 2::BIGINT AS ports,
               89280.0 AS port_min, 446.4 AS outage_min, 0.0 AS excluded_min,
               99.0 AS worst_port_uptime_pct, 99.5 AS uptime_pct""",
    "utilisation_site_daily": """
        SELECT * FROM (VALUES
            (DATE '2026-01-14', 'S01', 60.0, 1440.0),
            (DATE '2026-01-20', 'S01', 120.0, 1440.0),
            (DATE '2026-02-01', 'S01', 999.0, 1440.0)
        ) t(local_date, site_id, session_min, available_min)""",
    "faults": """
        SELECT * FROM (VALUES
            ('CP1', 1, 'CP1/1', 'S01', TIMESTAMPTZ '2026-01-10 10:00:00+00',
             TIMESTAMPTZ '2026-01-10 10:30:00+00', 30.0, false, 'OverCurrentFailure'),
            ('CP1', 1, 'CP1/1', 'S01', TIMESTAMPTZ '2026-01-25 08:00:00+00',
             NULL, 9000.0, true, 'GroundFailure')
        ) t(charge_point_id, port_no, port_id, site_id, start_at, end_at, duration_min, open,
            error_code)""",
}


def make_data_dir(root: Path) -> Path:
    """Build the marts of the fixture month into ``root/warehouse/marts/*.parquet``."""
    data = root / "data"
    config = data / "config"
    config.mkdir(parents=True)
    conn = warehouse_conn(root / "empty", as_of=utc("2026-02-28 00:00"))
    put(conn, "sessions", SESSIONS)
    put(conn, "stg_meter", METER)
    put(
        conn,
        "dim_sites",
        [{"site_id": "S01", "name": "Harbor", "address": "1 Ocean Ave, Santa Barbara, CA",
          "latitude": 34.42459, "longitude": -119.70428, "timezone": "America/Los_Angeles"}],
    )  # fmt: skip
    put(conn, "dim_chargers", [{"charge_point_id": "CP1", "site_id": "S01", "kind": "AC"}])
    tariffs_dir = root / "tariffs"
    tariffs_dir.mkdir()
    default = json.loads((Path(tables.__file__).parent / "defaults" / "tariffs.json").read_text())
    default["tariffs"] = [US_AC, *[t for t in default["tariffs"] if t["id"] != "US-AC"]]
    (tariffs_dir / "tariffs.json").write_text(json.dumps(default))
    tables.build_all(conn, tariffs_dir)
    for name in ("session_energy_slices", "session_charges", "cdrs"):
        build(conn, name, SQL_DIR)
    for name, sql in HAND_MARTS.items():
        conn.execute(f"CREATE TABLE {name} AS {sql}")
    layout = Layout(data)
    layout.marts.mkdir(parents=True)
    for name in ("cdrs", "session_charges", "partners", "dim_sites", *HAND_MARTS):
        conn.execute(f"COPY (SELECT * FROM {name}) TO '{layout.mart_file(name)}' (FORMAT parquet)")
    (config / "site_hosts.json").write_text(json.dumps(SITE_HOSTS))
    conn.close()
    return data
