"""A replay of a file with long quiet gaps between sessions, then the pipelines: the stations
are online all along (uptime 100 %, no offline outages) and utilisation is the file's
session-hours / port-hours; with an outage file, the windows are the only DOWN time."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.pipelines.e2e.file_utilisation import FileSession, site_daily
from workbench.cli import app

# 2 stations, 3 sessions, 9 quiet days on station A and 4 on B between their sessions.
ROWS = [
    ("CP-A", "2021-03-01T08:00:00+00:00", "2021-03-01T10:00:00+00:00", "10.0", "depot"),
    ("CP-B", "2021-03-05T14:00:00+00:00", "2021-03-05T15:00:00+00:00", "3.0", "depot"),
    ("CP-A", "2021-03-10T09:00:00+00:00", "2021-03-10T12:30:00+00:00", "15.0", "depot"),
]
OUTAGE = ("CP-B", "2021-03-07T00:00:00Z", "2021-03-08T00:00:00Z", "Unavailable")
runner = CliRunner()


def _replay_and_build(tmp_path: Path, *extra: str) -> duckdb.DuckDBPyConnection:
    path = tmp_path / "sessions.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["station", "start", "end", "kwh", "site"])
        w.writerows(ROWS)
    data = tmp_path / "d"
    replayed = runner.invoke(app, ["replay", str(path), "--data-dir", str(data),
                                   "--site-col", "site", *extra])
    assert replayed.exit_code == 0, replayed.output
    assert "result: OK" in replayed.output
    built = runner.invoke(app, ["pipelines", "run", "--data-dir", str(data)])
    assert built.exit_code == 0, built.output
    return duckdb.connect(str(data / "warehouse" / "warehouse.duckdb"), read_only=True)


def _file_sessions() -> list[FileSession]:
    return [FileSession(st, site, datetime.fromisoformat(a), datetime.fromisoformat(b))
            for st, a, b, _, site in ROWS]


def _period_min() -> float:
    sessions = _file_sessions()
    return (max(s.end for s in sessions) - min(s.start for s in sessions)).total_seconds() / 60


@pytest.mark.slow
def test_quiet_stations_stay_online_and_utilisation_is_the_files(tmp_path: Path) -> None:
    conn = _replay_and_build(tmp_path)
    uptime = dict(conn.execute("SELECT port_id, uptime_pct FROM port_uptime_rolling").fetchall())
    assert set(uptime) == {"CP-A/1", "CP-B/1"}
    for port, pct in uptime.items():
        assert pct == pytest.approx(100.0, abs=1e-9), port
    assert conn.execute("SELECT count(*) FROM outages").fetchall() == [(0,)]
    assert conn.execute("SELECT count(*) FROM charger_connectivity_intervals "
                        "WHERE state = 'offline'").fetchall() == [(0,)]

    # Utilisation = session-hours / port-hours, from the file alone: per site and local day ...
    want = site_daily(_file_sessions())
    got = {(d, site): (busy, avail, util) for d, site, busy, avail, util in conn.execute(
        "SELECT local_date, site_id, session_min, available_min, time_util "
        "FROM utilisation_site_daily").fetchall()}
    assert set(got) == set(want)
    for key, (busy, ports_min) in want.items():
        assert got[key][0] == pytest.approx(busy, abs=1e-6), key
        assert got[key][1] == pytest.approx(ports_min, abs=1e-6), key
        assert got[key][2] == pytest.approx(busy / ports_min, abs=1e-9), key
    # ... and over the whole period: (2 h + 1 h + 3.5 h) / (2 ports x the period).
    busy, avail = conn.execute("SELECT sum(session_min), sum(available_min) "
                               "FROM utilisation_port_daily").fetchall()[0]
    conn.close()
    assert busy == pytest.approx(6.5 * 60, abs=1e-6)
    assert avail == pytest.approx(2 * _period_min(), abs=1e-6)


@pytest.mark.slow
def test_outage_file_windows_are_the_only_down_time(tmp_path: Path) -> None:
    outages = tmp_path / "outages.csv"
    outages.write_text("station,start,end,status\n" + ",".join(OUTAGE) + "\n")
    conn = _replay_and_build(tmp_path, "--outages", str(outages))
    rows = conn.execute("SELECT port_id, cause, start_at, duration_min FROM outages").fetchall()
    assert [(p, c, s) for p, c, s, _ in rows] == [
        ("CP-B/1", "unavailable", datetime(2021, 3, 7, tzinfo=UTC))]
    assert rows[0][3] == pytest.approx(24 * 60, abs=1e-9)
    uptime = dict(conn.execute("SELECT port_id, uptime_pct FROM port_uptime_rolling").fetchall())
    assert uptime["CP-A/1"] == pytest.approx(100.0, abs=1e-9)
    assert uptime["CP-B/1"] == pytest.approx(100 * (1 - 24 * 60 / _period_min()), abs=1e-9)
    avail = conn.execute("SELECT sum(available_min) FROM utilisation_port_daily").fetchall()[0][0]
    conn.close()
    assert avail == pytest.approx(2 * _period_min() - 24 * 60, abs=1e-6)
