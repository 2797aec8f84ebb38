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
        (["--from", "2019-01-01"], "before the first partition 2020-01-01"),
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_ui_serves_the_asset_graph(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "workbench.cli", "pipelines", "ui", "--data-dir",
               str(tmp_path), "--port", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env=dict(os.environ))
    try:
        query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
        deadline = time.monotonic() + 90
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql", data=query,
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
