"""Real sessions (Caltech ACN-Data) replayed as OCPP through the real CSMS, then the pipelines:
the warehouse's sessions give back the source's sessions and kWh, station by station."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.replay.acn import read_acn
from ingest.replay.session import station_id
from tests.ingest.replay.conftest import ACN_FILE
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
    conn.close()

    assert sum(n for n, _ in got.values()) == len(source) == LIMIT
    assert open_or_flagged == 0
    assert set(got) == set(want_n)
    for cp, (n, kwh) in got.items():
        assert n == want_n[cp], cp
        # The replay sends Wh registers: at most 1 Wh of rounding per session.
        assert kwh == pytest.approx(want_kwh[cp], abs=0.001 * n), cp
