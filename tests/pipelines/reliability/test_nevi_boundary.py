"""A port at exactly 97.0 % does not meet NEVI (> 97 %, 23 CFR 680.116(b)), and reads the same in
the marts, on the dashboard and in Python (as_of 2026-01-31 00:00 UTC: 43,200 minutes from 01-01).

CP1/1 (site S1) is down 1,296 min = 3 % of January: (43,200 - 1,296) / 43,200 x 100 = 97.0.
CP2/1 (site S2) is down 1,295 min: 97.0023 %, just meeting it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from dashboard.filters import Filters
from dashboard.queries import overview, reliability
from dashboard.warehouse import plain_runner
from ingest.data_folder import DataFolder
from pipelines import nevi
from pipelines.warehouse.sql_files import publish
from tests.pipelines.reliability.helpers import build_all, connect, one, status
from tests.pipelines.warehouse_kit import put, utc, warehouse_conn

JAN = 30 * 1440
MARTS = ("port_uptime_monthly", "port_uptime_rolling", "network_uptime_monthly", "dim_sites")


@pytest.fixture
def built(tmp_path: Path) -> tuple[dict[str, list[dict[str, Any]]], Path]:
    conn = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(conn, "raw_connection_events",
        [connect("CP1", "2026-01-01 00:00"), connect("CP2", "2026-01-01 00:00")])
    put(conn, "stg_status", [
        status("CP1", 1, "2026-01-01 00:00", "Available"),
        status("CP1", 1, "2026-01-10 00:00", "Faulted", "GroundFailure"),
        status("CP1", 1, "2026-01-10 21:36", "Available"),  # 1,296 min down
        status("CP2", 1, "2026-01-01 00:00", "Available"),
        status("CP2", 1, "2026-01-10 00:00", "Faulted", "GroundFailure"),
        status("CP2", 1, "2026-01-10 21:35", "Available"),  # 1,295 min down
    ])  # fmt: skip
    put(conn, "dim_chargers", [{"charge_point_id": "CP1", "site_id": "S1"},
                               {"charge_point_id": "CP2", "site_id": "S2"}])  # fmt: skip
    put(conn, "dim_sites", [
        {"site_id": s, "name": s, "latitude": 34.4, "longitude": -119.7, "ports": 1}
        for s in ("S1", "S2")
    ])  # fmt: skip
    marts = build_all(conn)
    folder = DataFolder(tmp_path)
    for name in MARTS:  # as the pipelines publish them for the dashboard
        publish(conn, name, folder.mart_file(name))
    return marts, folder.marts


def test_the_rule_in_python_and_in_sql() -> None:
    assert not nevi.meets_nevi(97.0)
    assert nevi.meets_nevi(97.0001)
    conn = duckdb.connect()
    nevi.create_macro(conn)
    assert conn.sql("SELECT meets_nevi(97.0), meets_nevi(97.0001), meets_nevi(NULL)"
                    ).fetchall() == [(False, True, None)]  # fmt: skip


def test_exactly_97_does_not_meet_nevi_in_the_marts(built: tuple[dict, Path]) -> None:
    marts, _ = built
    at_97 = one(marts["port_uptime_monthly"], port_id="CP1/1")
    assert (at_97["period_min"], at_97["outage_min"]) == (JAN, 1296)
    assert at_97["uptime_pct"] == pytest.approx(97.0, abs=1e-9)
    assert one(marts["port_uptime_rolling"], port_id="CP1/1")["meets_nevi"] is False
    assert one(marts["port_uptime_rolling"], port_id="CP2/1")["meets_nevi"] is True
    assert one(marts["network_uptime_monthly"], month=date(2026, 1, 1))["ports_below_97"] == 1


def test_exactly_97_is_below_97_on_the_dashboard(built: tuple[dict, Path]) -> None:
    _, marts_dir = built
    run = plain_runner(marts_dir)
    f = Filters(start=date(2026, 1, 1), end=date(2026, 1, 31))
    u = overview.uptime(run, f).iloc[0]
    assert (u["ports"], u["ports_below"]) == (2, 1)
    ports = reliability.port_uptime(run, f)
    assert ports["uptime_pct"].iloc[0] == pytest.approx(97.0, abs=1e-9)
    assert reliability.below_target(ports) == 1
    no_states = pd.DataFrame({"site_id": pd.Series(dtype=str), "state": pd.Series(dtype=str)})
    health = overview.site_health(run, f, no_states).set_index("site_id")["health"]
    assert health.to_dict() == {"S1": "below 97 %", "S2": "healthy"}
