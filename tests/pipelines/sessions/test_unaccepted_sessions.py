"""Transactions the CSMS answered but that must not be billed, through the real Dagster run on a
lake written frame by frame: a tag our answer did not accept, and a connector the charger does
not have (77 on a 2-connector charger, -5, 2^63). They are quarantined, never billed, and make
no port (no ``CP-B/77`` in dim_ports, uptime or usage)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from pipelines.launch import run
from tests.pipelines.lake_fixture import FixtureLake, at

pytestmark = pytest.mark.slow  # a module fixture that builds a lake and runs the pipelines

AS_OF = at("2026-03-03 12:00")
CP = "CP-B"

# transaction id -> (connector, answer's idTagInfo status)
CASES: dict[int, tuple[int, str]] = {
    1: (1, "Accepted"),  # the control: billed
    2: (77, "Accepted"),
    3: (-5, "Accepted"),
    4: (2**63, "Accepted"),
    5: (2, "Blocked"),
    6: (1, "Invalid"),
    7: (3, "Accepted"),  # not in the registry, but the charger reported a status for it
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("lake")
    with Registry(DataFolder(data_dir).registry_file) as reg:
        reg.add_charge_point(ChargePoint(CP, site="S1", connectors=2, rated_kw=22.0))
        reg.add_id_tag(IdTag("TAG-OK", partner="EMSP-X"))
    lake = FixtureLake(data_dir)
    lake.boot16(at("2026-03-01 07:55"), CP)
    for port in (1, 2, 3):
        lake.status16(at("2026-03-01 07:56"), CP, port, "Available")
    for tx, (connector, status) in CASES.items():
        start = at(f"2026-03-01 {8 + tx:02d}:00")
        if connector == 2**63:  # no meter_values row: connector_id there is 32-bit
            lake.call(start, CP, "StartTransaction",
                      {"connectorId": connector, "idTag": "TAG-OK", "meterStart": 1000 * tx,
                       "timestamp": start.isoformat()},
                      {"transactionId": tx, "idTagInfo": {"status": status}})
        else:
            lake.start16(start, CP, connector, "TAG-OK", 1000 * tx, tx, status=status)
        lake.stop16(at(f"2026-03-01 {8 + tx:02d}:30"), CP, tx, 1000 * tx + 5000)
    lake.heartbeat(AS_OF, CP)
    lake.write()
    summary = run(data_dir, progress=lambda _: None)
    assert summary.ok, summary
    return data_dir


def query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = duckdb.connect(str(data_dir / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_quarantine_reasons(built: Path) -> None:
    rows = dict(query(built, "SELECT transaction_id, quarantine_reason FROM sessions"))
    assert rows == {
        "1": None,
        "2": "unknown connector (77)",
        "3": "unknown connector (-5)",
        "4": "unknown connector (not a 32-bit integer)",
        "5": "tag not accepted (Blocked)",
        "6": "tag not accepted (Invalid)",
        "7": None,
    }


def test_only_accepted_sessions_on_real_connectors_are_billed(built: Path) -> None:
    billed = {r[0] for r in query(built, "SELECT session_id FROM session_charges")}
    assert billed == {f"{CP}:1", f"{CP}:7"}


def test_no_port_is_invented(built: Path) -> None:
    expected = {f"{CP}/1", f"{CP}/2", f"{CP}/3"}
    assert {r[0] for r in query(built, "SELECT port_id FROM dim_ports")} == expected
    sessions = dict(query(built, "SELECT transaction_id, port_id FROM sessions"))
    assert sessions["2"] is None
    assert sessions["3"] is None
    assert sessions["4"] is None
    assert sessions["5"] == f"{CP}/2"  # a real port: the tag is the problem, not the port
    for table in ("port_state_intervals", "port_uptime_monthly", "usage_ports"):
        ports = {r[0] for r in query(built, f"SELECT DISTINCT port_id FROM {table}")}
        assert ports <= expected, table
