"""Real sessions (Caltech ACN-Data) replayed as OCPP through the real CSMS, then the pipelines:
the warehouse's sessions give back the source's sessions and kWh, station by station; the
stations were online between sessions (uptime >= 99 %, no offline outages), and utilisation per
site and local day is the file's session minutes / port minutes, computed from the file alone."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from email.utils import parsedate_to_datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.replay.acn import read_acn
from ingest.replay.session import station_id
from tests.ingest.replay.conftest import ACN_FILE
from tests.pipelines.e2e.file_utilisation import FileSession, ports_per_station, site_daily
from workbench.cli import app

LIMIT = 300


@pytest.mark.slow
def test_replayed_acn_sessions_reconcile(tmp_path: Path) -> None:
    if not ACN_FILE.exists():
        pytest.skip(f"{ACN_FILE} not present (../shared/data)")
    runner = CliRunner()
    replay = runner.invoke(
        app,
        [
            "replay",
            str(ACN_FILE),
            "--format",
            "acn",
            "--data-dir",
            str(tmp_path),
            "--limit",
            str(LIMIT),
            "--on-bad-row",  # the file's one impossible session (test_acn_reader) stays out
            "skip",
        ],
    )
    assert replay.exit_code == 0, replay.output
    built = runner.invoke(app, ["pipelines", "run", "--data-dir", str(tmp_path)])
    assert built.exit_code == 0, built.output
    # The one staging step's progress: a line per table as it is built, then the step's line.
    table_then_step = r" s    stg_status +[\d,]+ rows  \d/\d\n(.*\n)* +[\d.]+ s  staging "
    assert re.search(table_then_step, built.output), built.output

    source = read_acn(ACN_FILE).limited(LIMIT).sessions
    want_n: Counter[str] = Counter()
    want_kwh: defaultdict[str, float] = defaultdict(float)
    for s in source:
        want_n[station_id(s.station)] += 1
        want_kwh[station_id(s.station)] += s.kwh

    conn = duckdb.connect(str(tmp_path / "warehouse" / "warehouse.duckdb"), read_only=True)
    got = {
        cp: (n, kwh)
        for cp, n, kwh in conn.execute(
            "SELECT charge_point_id, count(*), sum(energy_kwh) FROM sessions GROUP BY 1"
        ).fetchall()
    }
    open_or_flagged = conn.execute(
        "SELECT count(*) FROM sessions WHERE end_source <> 'stop'"
    ).fetchall()[0][0]
    uptime = [p for (p,) in conn.execute("SELECT uptime_pct FROM port_uptime_rolling").fetchall()]
    offline = conn.execute("SELECT count(*) FROM outages WHERE cause = 'offline'").fetchall()
    util = {(d, site): (busy, avail) for d, site, busy, avail in conn.execute(
        "SELECT local_date, site_id, session_min, available_min FROM utilisation_site_daily"
    ).fetchall()}
    conn.close()

    file_sessions = _file_sessions(LIMIT)
    assert len(uptime) == sum(ports_per_station(file_sessions).values())
    assert min(uptime) >= 99.0
    assert offline == [(0,)]
    want = site_daily(file_sessions)
    assert set(util) == set(want)
    for key, (busy, ports_min) in want.items():
        assert util[key][0] == pytest.approx(busy, abs=1e-6), key
        assert util[key][1] == pytest.approx(ports_min, abs=1e-6), key

    assert sum(n for n, _ in got.values()) == len(source) == LIMIT
    assert open_or_flagged == 0
    assert set(got) == set(want_n)
    for cp, (n, kwh) in got.items():
        assert n == want_n[cp], cp
        # The replay sends Wh registers: at most 1 Wh of rounding per session.
        assert kwh == pytest.approx(want_kwh[cp], abs=0.001 * n), cp


def _file_sessions(limit: int) -> list[FileSession]:
    """The first ``limit`` sessions by plug-in time, read with the standard library only."""
    data = json.loads(ACN_FILE.read_text())
    site = data["_meta"]["site"]  # the file's site (each item's siteID is a code)
    rows = sorted(
        (parsedate_to_datetime(i["connectionTime"]), i["stationID"],
         parsedate_to_datetime(i["disconnectTime"]))
        for i in data["_items"]
    )[:limit]
    return [FileSession(station, site, start, end) for start, station, end in rows]
