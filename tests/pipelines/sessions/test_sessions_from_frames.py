"""Sessions from a lake written frame by frame, through the real Dagster run; numbers by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from pipelines.launch import run
from tests.pipelines.lake_fixture import FixtureLake, at

pytestmark = pytest.mark.slow  # module fixtures that build a lake

AS_OF = at("2026-03-03 12:00")


def build_lake(data_dir: Path) -> None:
    with Registry(DataFolder(data_dir).registry_file) as reg:
        reg.add_charge_point(ChargePoint("A", site="S1", connectors=2, rated_kw=11.0))
        reg.add_charge_point(ChargePoint("B", site="S1", connectors=2, rated_kw=150.0))
        reg.add_charge_point(ChargePoint("EVIL", site="S1", connectors=1, rated_kw=11.0))
        reg.add_charge_point(ChargePoint("D", site="S1", connectors=1, rated_kw=22.0))
        reg.add_id_tag(IdTag("TAG-ROAM", partner="EMSP-X"))
    lake = FixtureLake(data_dir)
    t0 = at("2026-03-01 10:00")
    # A, tx 1: normal 1.6 session. 1000 Wh at start, 4000 at 10:15, 6500 at 10:30, 6500 at
    # 10:45 (EV full), stop 11:00 at 6500 -> 5.5 kWh, charging ends 10:30, idle 30 min.
    lake.boot16(t0 - timedelta(minutes=5), "A")
    lake.start16(t0, "A", 1, "tag-roam", 1000, 1)
    lake.sample16(t0 + timedelta(minutes=15), "A", 1, 1, 4000, 11000)
    lake.sample16(t0 + timedelta(minutes=45), "A", 1, 1, 6500, 0)  # sent before the 10:30 one
    lake.sample16(t0 + timedelta(minutes=30), "A", 1, 1, 6500, 9000)
    lake.stop16(t0 + timedelta(minutes=60), "A", 1, 6500)
    # A, tx 2: the charger retried StartTransaction (two frames, same answer) and its clock says
    # 1970; times must come from received_at: 12:00 -> 12:40, 2 kWh.
    epoch = datetime(1970, 1, 1, tzinfo=t0.tzinfo)
    for _ in range(2):
        lake.start16(at("2026-03-01 12:00"), "A", 2, "UNKNOWN", 0, 2, charger_time=epoch)
    lake.stop16(at("2026-03-01 12:40"), "A", 2, 2000, charger_time=epoch)
    # A, tx 3: no stop; the charger rebooted at 23:50 -> closed by the boot, flagged.
    lake.start16(at("2026-03-01 23:00"), "A", 1, "tag-roam", 6500, 3)
    lake.sample16(at("2026-03-01 23:15"), "A", 1, 3, 7500, 7000)
    lake.boot16(at("2026-03-01 23:50"), "A")
    # B, 2.0.1 on EVSE 2 across midnight: 0 -> 30,000 Wh by 00:10, stays, Ended 00:30 -> 30 kWh.
    lake.tx201(at("2026-03-01 23:40"), "B", 2, "Started", "B-7", 0, 0, tag="TAG-ROAM")
    lake.tx201(at("2026-03-02 00:10"), "B", 2, "Updated", "B-7", 30000, 1, watts=60000)
    lake.tx201(at("2026-03-02 00:20"), "B", 2, "Updated", "B-7", 30000, 2)
    lake.tx201(at("2026-03-02 00:30"), "B", 2, "Ended", "B-7", 30000, 3, reason="EVDisconnected")
    # B, EVSE 1: started, last sign 2026-03-02 01:00, nothing after; as_of is 03-03 12:00, more
    # than 24 h later -> closed by the timeout at its last sign.
    lake.tx201(at("2026-03-02 00:45"), "B", 1, "Started", "B-8", 100, 0, tag="TAG-ROAM")
    lake.tx201(at("2026-03-02 01:00"), "B", 1, "Updated", "B-8", 1100, 1, watts=4000)
    # EVIL names A's transaction 1 with an impossible register (the security review's attack).
    lake.sample16(at("2026-03-01 10:10"), "EVIL", 1, 1, 0, -99_999_000)
    lake.sample16(at("2026-03-01 10:15"), "EVIL", 1, 1, 49_000_000, 0)
    lake.stop16(at("2026-03-01 10:20"), "EVIL", 1, 49_000_000)
    # D, tx 9, its own: 30 kW on a 22 kW charger (above 22 x 1.1), and its register falls
    # from 5,000 to 4,000 Wh; 6 kWh in 30 min is within 22 kW x 0.5 h x 1.1.
    lake.start16(at("2026-03-01 14:00"), "D", 1, "tag-roam", 0, 9)
    lake.sample16(at("2026-03-01 14:10"), "D", 1, 9, 5000, 30000)
    lake.sample16(at("2026-03-01 14:20"), "D", 1, 9, 4000, 20000)
    lake.stop16(at("2026-03-01 14:30"), "D", 9, 6000)
    # Keep the charger talking until as_of, so the data's end is AS_OF.
    lake.heartbeat(AS_OF, "B", version="2.0.1")
    lake.write()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("lake")
    build_lake(data_dir)
    summary = run(data_dir, progress=lambda _: None)
    assert summary.ok, summary
    return data_dir


def _rows(data_dir: Path, table: str) -> dict[str, dict[str, Any]]:
    conn = duckdb.connect(str(data_dir / "warehouse" / "warehouse.duckdb"), read_only=True)
    rel = conn.execute(f"SELECT * FROM {table}")
    cols = [d[0] for d in rel.description]
    rows = {r[0]: dict(zip(cols, r, strict=True)) for r in rel.fetchall()}
    conn.close()
    return rows


@pytest.fixture(scope="module")
def sessions(built: Path) -> dict[str, dict[str, Any]]:
    return _rows(built, "sessions")


@pytest.fixture(scope="module")
def charges(built: Path) -> set[str]:
    """The billed sessions (session_charges is keyed by session_id)."""
    return set(_rows(built, "session_charges"))


def test_one_row_per_transaction(sessions: dict[str, dict[str, Any]]) -> None:
    assert sorted(sessions) == ["A:1", "A:2", "A:3", "B:B-7", "B:B-8", "D:9", "EVIL:1"]
    assert [k for k, s in sessions.items() if s["foreign_transaction"]] == ["EVIL:1"]


def test_a_stop_for_another_charger_s_transaction_is_flagged_and_never_billed(
    sessions: dict[str, dict[str, Any]], charges: set[str]
) -> None:
    assert sessions["A:1"]["energy_kwh"] == pytest.approx(5.5)  # the owner's session intact
    assert sessions["A:1"]["end_source"] == "stop"
    assert sessions["A:1"]["peak_kw"] == pytest.approx(11.0)  # not EVIL's -99,999 kW
    assert "EVIL:1" not in charges
    assert "A:1" in charges
    # the review's phantom: 49,000 kWh in 10 minutes on an 11 kW charger, at -99,999 kW
    assert sessions["EVIL:1"]["energy_kwh"] == pytest.approx(49_000)
    assert sessions["EVIL:1"]["quarantine_reason"] == (
        "another charge point's transaction, more energy than the rated power allows in its "
        "duration, negative power")
    assert sorted(k for k, s in sessions.items() if s["quarantine_reason"]) == ["D:9", "EVIL:1"]


def test_implausible_own_sessions_are_quarantined_with_their_reasons(
    sessions: dict[str, dict[str, Any]], charges: set[str]
) -> None:
    assert sessions["D:9"]["quarantine_reason"] == (
        "energy register went down, power above the charger's rating")
    assert sessions["D:9"]["energy_kwh"] == pytest.approx(6.0)
    assert "D:9" not in charges


def test_normal_session_energy_idle_and_partner(sessions: dict[str, dict[str, Any]]) -> None:
    s = sessions["A:1"]
    assert s["energy_kwh"] == pytest.approx(5.5)  # (6500 - 1000) / 1000
    assert s["duration_min"] == pytest.approx(60.0)
    assert s["charging_end_at"] == at("2026-03-01 10:30")  # first sample at the final 6500
    assert s["charging_min"] == pytest.approx(30.0)
    assert s["idle_min"] == pytest.approx(30.0)
    assert s["peak_kw"] == pytest.approx(11.0)
    assert s["partner"] == "EMSP-X"  # tags are case-insensitive: tag-roam == TAG-ROAM
    assert (s["site_id"], s["port_id"]) == ("S1", "A/1")
    assert (s["end_source"], s["missing_stop"], s["clock_skewed"]) == ("stop", False, False)


def test_retried_start_and_wrong_clock(sessions: dict[str, dict[str, Any]]) -> None:
    s = sessions["A:2"]
    assert s["start_at"] == at("2026-03-01 12:00")
    assert s["end_at"] == at("2026-03-01 12:40")
    assert s["energy_kwh"] == pytest.approx(2.0)
    assert s["duplicate_events"] == 1
    assert s["clock_skewed"] is True
    assert s["partner"] is None  # the tag is unknown to the registry


def test_missing_stop_closed_by_next_boot(sessions: dict[str, dict[str, Any]]) -> None:
    s = sessions["A:3"]
    assert (s["end_source"], s["missing_stop"], s["stop_reason"]) == ("boot", True, "Reboot")
    assert s["end_at"] == at("2026-03-01 23:50")
    assert s["energy_kwh"] == pytest.approx(1.0)  # 7500 - 6500


def test_v201_session_across_midnight(sessions: dict[str, dict[str, Any]]) -> None:
    s = sessions["B:B-7"]
    assert (s["port_id"], s["ocpp_version"]) == ("B/2", "2.0.1")
    assert s["energy_kwh"] == pytest.approx(30.0)
    assert s["duration_min"] == pytest.approx(50.0)  # 23:40 -> 00:30
    assert s["idle_min"] == pytest.approx(20.0)  # full at 00:10
    assert s["peak_kw"] == pytest.approx(60.0)
    assert s["stop_reason"] == "EVDisconnected"


def test_timeout_closes_a_silent_session(sessions: dict[str, dict[str, Any]]) -> None:
    s = sessions["B:B-8"]
    assert (s["end_source"], s["end_at"]) == ("timeout", at("2026-03-02 01:00"))
    assert s["energy_kwh"] == pytest.approx(1.0)  # 1100 - 100
