"""``cpo pipelines``: bad input gives one clear line; the UI serves the code location's graph."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.pipelines.lake_fixture import FixtureLake, at
from workbench.cli import app

runner = CliRunner()


def test_help_lists_the_options() -> None:
    result = runner.invoke(app, ["pipelines", "run", "--help"])
    assert result.exit_code == 0
    for option in ("--data-dir", "--from", "--to", "--workers", "--lake-url"):
        assert option in result.output


def test_empty_lake_says_how_to_fill_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pipelines", "run", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds no lake files yet: fill it with `cpo simulate`" in result.output


def test_bad_lake_url_says_what_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPO_LAKE_URL", "")  # restored after the test: the command sets it
    result = runner.invoke(
        app, ["pipelines", "run", "--data-dir", str(tmp_path), "--lake-url", "ftp://lake/x"]
    )
    assert result.exit_code == 2
    assert "unsupported scheme 'ftp'; use a folder or s3://bucket/prefix" in result.output
    assert os.environ["CPO_LAKE_URL"] == "ftp://lake/x"  # what the worker processes inherit


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01"], "--from '2026-13-01' is not a date; use YYYY-MM-DD"),
        (["--from", "2026-01-03", "--to", "2026-01-02"], "--from 2026-01-03 is after --to"),
        (["--from", "1999-12-31"], "--from 1999-12-31 is before 2000-01-01, the first day"),
        (["--to", "1999-12-31"], "--to 1999-12-31 is before 2000-01-01, the first day staged"),
        # The other end defaults to the lake's day: the message names that, not an option.
        (["--from", "2026-02-01"], "--from 2026-02-01 is after the lake's last day 2026-01-01"),
        (["--to", "2025-12-31"], "--to 2025-12-31 is before the lake's first day 2026-01-01"),
    ],
)
def test_bad_days(tmp_path: Path, args: list[str], message: str) -> None:
    lake = FixtureLake(tmp_path)
    lake.heartbeat(at("2026-01-01 10:00"), "A")
    lake.write()
    result = runner.invoke(app, ["pipelines", "run", "--data-dir", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert "CPO_PARTITIONS_START" not in result.output
    given = {a for a in args if a.startswith("--")}
    assert {o for o in ("--from", "--to") if o in result.output} == given


def test_lake_days_before_the_partitions_are_named_without_an_option(tmp_path: Path) -> None:
    lake = FixtureLake(tmp_path)
    lake.heartbeat(at("1970-01-01 00:05"), "A")  # a server whose clock was not set yet
    lake.heartbeat(at("2026-01-01 10:00"), "A")
    lake.write()
    result = runner.invoke(app, ["pipelines", "run", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "holds 1 day(s) before 2000-01-01, the first day staged (1970-01-01..1970-01-01" in (
        result.output
    )
    assert "--from" not in result.output
    assert "--to" not in result.output
    assert "CPO_PARTITIONS_START" not in result.output


@pytest.mark.slow
def test_a_2014_lake_runs_with_no_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replay of November 2014 sessions: staged and in the marts, no variable, no option."""
    monkeypatch.delenv("CPO_PARTITIONS_START", raising=False)
    lake = FixtureLake(tmp_path)
    lake.boot16(at("2014-11-03 08:00"), "A")
    lake.start16(at("2014-11-03 09:00"), "A", 1, "TAG1", 1000, 7)
    lake.sample16(at("2014-11-03 09:30"), "A", 1, 7, 5000, 7000)
    lake.stop16(at("2014-11-03 10:00"), "A", 7, 9000)
    lake.heartbeat(at("2014-11-04 10:00"), "A")
    lake.write()
    result = runner.invoke(app, ["pipelines", "run", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "built days 2014-11-03..2014-11-04" in result.output
    staged = sorted(
        p.name for p in (tmp_path / "warehouse" / "staging" / "stg_tx_events").iterdir()
    )
    assert staged == ["date=2014-11-03"]
    conn = duckdb.connect(str(tmp_path / "warehouse" / "warehouse.duckdb"), read_only=True)
    try:
        ((session_id, start_at, kwh),) = conn.execute(
            "SELECT session_id, start_at, energy_kwh FROM sessions"
        ).fetchall()
    finally:
        conn.close()
    assert (session_id, start_at) == ("A:7", at("2014-11-03 09:00"))
    assert kwh == pytest.approx(8.0, rel=1e-9)  # (9000 - 1000) Wh


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_ui_serves_the_asset_graph(tmp_path: Path) -> None:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "workbench.cli",
        "pipelines",
        "ui",
        "--data-dir",
        str(tmp_path),
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=dict(os.environ),
    )
    try:
        query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
        deadline = time.monotonic() + 90
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=query,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    body = json.load(response)
                if body.get("data", {}).get("assetNodes"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the Dagster UI did not come up in 90 s"
            time.sleep(1)
        keys = {"/".join(n["assetKey"]["path"]) for n in body["data"]["assetNodes"]}
        assert {"staging", "sessions", "port_uptime_rolling", "cdrs"} <= keys
        assert (tmp_path / "dagster_home" / "dagster.yaml").exists()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
