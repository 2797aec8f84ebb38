"""``cpo demo`` runs end to end, reports what the lake holds, and re-runs safely."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from ingest.lake.reader import duckdb_scan_sql
from workbench.cli import app

# A short history, then a bounded live phase (5 simulated hours at 1,200x: 15 s).
SMALL = ["--no-serve", "--sites", "2", "--chargers", "4", "--days", "1.5", "--live-minutes",
         "0.25", "--speed", "1200", "--refresh-min", "60"]


@pytest.mark.slow
@pytest.mark.timeout(300)  # a simulation and three warehouse builds
def test_demo_end_to_end_then_reuse(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(data), *SMALL])
    assert result.exit_code == 0, result.output
    assert "network: 2 sites, 4 chargers" in result.output
    assert "operator: trigger_message" in result.output
    lake = data / "lake"
    con = duckdb.connect()
    errors = con.execute(f"select count(*) from {duckdb_scan_sql(lake, 'ocpp_messages')} "
                         "where error_code is not null").fetchone()
    assert errors == (0,)
    who = con.execute(f"select requested_by, outcome, count(*) from "
                      f"{duckdb_scan_sql(lake, 'commands')} group by all").fetchall()
    assert ("operator", "answered") in [(w, o) for w, o, _ in who]
    assert "self-healing: " in result.output
    assert "[4/4] live for 0.25 min" in result.output
    assert "live: warehouse refreshed with the lake up to" in result.output
    sessions = con.execute(f"select count(distinct transaction_id) from "
                           f"{duckdb_scan_sql(lake, 'meter_values')}").fetchone()
    assert sessions is not None
    assert "NEVI port uptime (to date): network" in result.output
    warehouse = duckdb.connect(str(data / "warehouse" / "warehouse.duckdb"), read_only=True)
    built = warehouse.execute("SELECT count(*) FROM sessions").fetchall()[0][0]
    # the shipped default model scored every charger (no training data of its own yet)
    scored = warehouse.execute("SELECT count(DISTINCT charge_point_id), min(model_source), "
                               "max(model_source) FROM predictions").fetchall()[0]
    warehouse.close()
    assert scored == (4, "default", "default")
    assert built == sessions[0]  # every transaction in the lake is one session in the warehouse
    # read back at the end of the history; the live phase adds sessions after that
    assert "sessions seen in meter values: " in result.output

    again = CliRunner().invoke(app, ["demo", "--data-dir", str(data), *SMALL, "--reuse"])
    assert again.exit_code == 0, again.output
    assert "reusing the finished demo" in again.output
    assert f"sessions seen in meter values: {sessions[0]}" in again.output


def test_demo_never_wipes_a_folder_it_did_not_write(tmp_path: Path) -> None:
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(precious), *SMALL])
    assert result.exit_code == 2
    assert "not written by cpo demo" in result.output
    assert (precious / "notes.txt").read_text() == "keep me"
