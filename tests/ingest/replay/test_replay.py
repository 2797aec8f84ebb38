"""Replays through a real CSMS on loopback: the lake gives back the file's sessions and kWh,
stamped with the historical times, the same way every time."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from csms_lite.registry.models import ChargePoint
from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from ingest.lake.reader import duckdb_scan_sql
from ingest.replay.acn import read_acn
from ingest.replay.driver import ReplayRun, ReplaySettings
from ingest.replay.errors import ReplayError
from ingest.replay.reconcile import reconcile
from ingest.replay.session import ReplaySession
from ingest.replay.tags import id_tag
from tests.ingest.replay.conftest import session
from workbench.runs.replay import replay

TABLES = ("ocpp_messages", "meter_values", "connection_events")


async def _replay(sessions: list[ReplaySession], data_dir: Path,
                  speed: float = 0.0) -> ReplayRun:
    lines: list[str] = []
    settings = ReplaySettings(data_dir, "acn", speed=speed, progress_every=10)
    run = await replay(sessions, settings, lines.append)
    assert f"{run.stations} station" in lines[0]
    assert lines[-1].startswith(f"  {len(sessions)}/{len(sessions)} sessions")
    return run


def _query(data_dir: Path, table: str, sql: str) -> list[tuple[object, ...]]:
    scan = duckdb_scan_sql(DataFolder(data_dir).local_lake, table)
    with duckdb.connect() as con:
        return con.execute(sql.format(t=scan)).fetchall()


def _epochs(data_dir: Path, action: str) -> set[float]:
    rows = _query(data_dir, "ocpp_messages", "select epoch_us(received_at) from {t} "
                  f"where direction = 'in' and action = '{action}'")
    return {int(r[0]) / 1e6 for r in rows}  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def acn_slice(acn_file: Path) -> list[ReplaySession]:
    return read_acn(acn_file).limited(40).sessions


async def test_acn_slice_reconciles_on_historical_times(
        acn_slice: list[ReplaySession], tmp_path: Path) -> None:
    run = await _replay(acn_slice, tmp_path)
    rec = reconcile(acn_slice, DataFolder(tmp_path).local_lake, run.node_id)
    assert rec.ok, rec.lines()
    assert rec.lake.sessions == rec.file.sessions == 40
    assert abs(rec.lake.kwh - sum(round(s.kwh * 1000) for s in acn_slice) / 1000) < 1e-9
    # received_at is when the sessions happened, not now.
    assert _epochs(tmp_path, "StartTransaction") == {s.start.timestamp() for s in acn_slice}
    assert _epochs(tmp_path, "StopTransaction") == {s.end.timestamp() for s in acn_slice}
    assert _query(tmp_path, "ocpp_messages", "select count(*) from {t} "
                  "where error_code is not null") == [(0,)]
    # The charger's own timestamps agree with the server's clock.
    assert _query(tmp_path, "meter_values", "select count(*) from {t} "
                  "where timestamp <> received_at") == [(0,)]
    with Registry(DataFolder(tmp_path).registry_file) as registry:
        cp = registry.get_charge_point(acn_slice[0].station)
        tag = registry.get_id_tag(id_tag(acn_slice[0].user), acn_slice[0].start)
    assert cp is not None
    assert cp.site == "caltech"
    assert tag is not None
    assert tag.partner == "acn"


async def test_overlapping_sessions_on_one_station(tmp_path: Path) -> None:
    sessions = [session("CP1", 0, 120, 10.0, done_min=50), session("CP1", 30, 90, 4.0),
                session("CP1", 120, 150, 6.0), session("CP2", 30, 60, 1.234, user=None)]
    run = await _replay(sessions, tmp_path)
    rec = reconcile(sessions, DataFolder(tmp_path).local_lake, run.node_id)
    assert rec.ok, rec.lines()
    begins = _query(tmp_path, "meter_values", "select connector_id, value from {t} where "
                    "charge_point_id = 'CP1' and context = 'Transaction.Begin' order by all")
    assert begins == [(1, 0.0), (1, 10000.0), (2, 0.0)]
    suspended = _query(tmp_path, "ocpp_messages", "select count(*) from {t} where "
                       "action = 'StatusNotification' and payload like '%SuspendedEV%'")
    assert suspended == [(1,)]


@pytest.mark.slow
async def test_same_input_same_lake(acn_slice: list[ReplaySession], tmp_path: Path) -> None:
    sessions = acn_slice[:15]
    results = []
    for name in ("a", "b"):
        run = await _replay(sessions, tmp_path / name)
        counts = [_query(tmp_path / name, t, "select count(*) from {t}")[0] for t in TABLES]
        results.append((counts, reconcile(sessions, DataFolder(tmp_path / name).local_lake,
                                          run.node_id).lake, run.calls))
    assert results[0] == results[1]


async def test_refuses_a_station_registered_with_a_password(tmp_path: Path) -> None:
    with Registry(DataFolder(tmp_path).registry_file) as registry:
        registry.add_charge_point(ChargePoint("CP1", password_hash="scrypt$16384$8$1$AA$AA"))
    with pytest.raises(ReplayError, match="CP1 is registered with a password"):
        await _replay([session("CP1", 0, 30, 1.0)], tmp_path)


@pytest.mark.slow
async def test_speed_paces_history(tmp_path: Path) -> None:
    # 30 minutes of history at 1,800 x real time: about a second.
    run = await _replay([session("CP1", 0, 30, 1.0)], tmp_path, speed=1800.0)
    assert 1.0 <= run.wall_s < 10.0


def _max_gaps(data_dir: Path) -> dict[str, float]:
    rows = _query(data_dir, "ocpp_messages", "select charge_point_id, max(gap) from ("
                  "select charge_point_id, epoch(received_at) - epoch(lag(received_at) over ("
                  "partition by charge_point_id order by received_at)) as gap from {t} "
                  "where direction = 'in') group by all")
    return {str(cp): float(gap) for cp, gap in rows}  # type: ignore[arg-type]


async def test_quiet_stations_heartbeat_on_the_historical_clock(tmp_path: Path) -> None:
    # Two stations, three sessions, days of quiet between them.
    day = 24 * 60
    sessions = [session("CP1", 0, 120, 10.0), session("CP2", 4 * day, 4 * day + 60, 3.0),
                session("CP1", 9 * day, 9 * day + 210, 15.0)]
    run = await _replay(sessions, tmp_path)
    assert rec_ok(sessions, tmp_path, run)
    beats = _query(tmp_path, "ocpp_messages", "select charge_point_id, count(*) from {t} where "
                   "direction = 'in' and action = 'Heartbeat' group by all order by all")
    # A tick a day from the boot (day 0, 08:00) to the last stop (day 9, 11:30): 9 per station,
    # less the one each skips as its later session starts on it (its Authorize is a sign of life).
    assert beats == [("CP1", 8), ("CP2", 8)]
    assert run.heartbeats == 16
    # The boot answer registers a day; no silence comes near its tolerance.
    answers = _query(tmp_path, "ocpp_messages", "select distinct payload::json->>'interval' "
                     "from {t} where direction = 'out' and action = 'BootNotification'")
    assert answers == [("86400",)]
    assert max(_max_gaps(tmp_path).values()) <= 1.25 * 86400


async def test_no_assume_online_sends_no_heartbeats(tmp_path: Path) -> None:
    sessions = [session("CP1", 0, 30, 1.0), session("CP1", 3 * 24 * 60, 3 * 24 * 60 + 30, 1.0)]
    settings = ReplaySettings(tmp_path, "acn", assume_online=False, progress_every=0)
    run = await replay(sessions, settings, lambda _: None)
    assert run.heartbeats == 0
    assert _epochs(tmp_path, "Heartbeat") == set()
    assert _max_gaps(tmp_path)["CP1"] > 2.9 * 86400


def rec_ok(sessions: list[ReplaySession], data_dir: Path, run: ReplayRun) -> bool:
    return reconcile(sessions, DataFolder(data_dir).local_lake, run.node_id).ok
