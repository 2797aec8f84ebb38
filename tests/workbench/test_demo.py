"""``cpo demo`` runs end to end and what it reports is what the lake holds."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from ingest.lake.reader import duckdb_scan_sql
from workbench.cli import app


def test_demo_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(data), "--chargers", "4",
                                      "--sessions", "2"])
    assert result.exit_code == 0, result.output
    assert "4 chargers connected (2 on 1.6J, 2 on 2.0.1)" in result.output
    lake = data / "lake"
    con = duckdb.connect()
    n_tx = con.execute(
        f"select count(distinct transaction_id) from {duckdb_scan_sql(lake, 'meter_values')}"
    ).fetchone()
    assert n_tx == (8,)
    assert "sessions seen in meter values: 8" in result.output
    errors = con.execute(
        f"select count(*) from {duckdb_scan_sql(lake, 'ocpp_messages')} "
        "where error_code is not null"
    ).fetchone()
    assert errors == (0,)
    outcomes = con.execute(
        f"select outcome, count(*) from {duckdb_scan_sql(lake, 'commands')} group by all"
    ).fetchall()
    assert outcomes == [("answered", 6)]
