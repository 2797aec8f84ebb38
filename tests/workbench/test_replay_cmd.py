"""``cpo replay``: real files through a real CSMS on loopback, reconciled; bad input gives one
clear line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from tests.ingest.replay.conftest import ACN_FILE
from workbench.cli import app

runner = CliRunner()

CSV = """station id,plugged,unplugged,kwh delivered,site
CP 1,2021-03-01 08:00,2021-03-01 10:00,10.5,depot
CP 1,2021-03-01 09:00,2021-03-01 09:30,2.25,depot
CP 2,2021-03-01 09:00,2021-03-01 08:00,3.0,depot
"""
MAPPING = ["--station-col", "station id", "--start-col", "plugged", "--end-col", "unplugged",
           "--energy-col", "kwh delivered", "--site-col", "site",
           "--timezone", "America/Los_Angeles"]


def test_help() -> None:
    # wide enough that rich prints every option name whole
    result = runner.invoke(app, ["replay", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in ("--format", "--data-dir", "--limit", "--speed", "--meter-interval",
                   "--heartbeat-interval", "--assume-online", "--no-assume-online", "--outages",
                   "--station-col", "--energy-col", "--time-format", "--timezone",
                   "--on-bad-row", "--max-kw", "--connectors", "--append", "--replace",
                   "--repair-years"):
        assert option in result.output


def test_the_real_file_stops_on_its_one_impossible_session(tmp_path: Path) -> None:
    result = runner.invoke(app, ["replay", str(ACN_FILE), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "1 of 3,235 rows cannot be replayed (impossible energy x1); nothing was replayed" \
        in result.output
    assert "impossible energy x1: _items[1488]; e.g. _items[1488]: 34.402 kWh in 2.6 min is " \
        "809 kW" in result.output
    assert "--on-bad-row skip to replay the other 3,234 sessions" in result.output
    assert not (tmp_path / "lake").exists()


@pytest.mark.slow
def test_acn_slice(tmp_path: Path) -> None:
    result = runner.invoke(app, ["replay", str(ACN_FILE), "--format", "acn", "--data-dir",
                                 str(tmp_path), "--limit", "40", "--on-bad-row", "skip"])
    assert result.exit_code == 0, result.output
    assert "read 3,234 sessions on 45 stations" in result.output
    assert "replayed 40 sessions" in result.output
    assert "result: OK" in result.output
    sessions = next(line for line in result.output.splitlines() if line.startswith("sessions"))
    assert sessions.split() == ["sessions", "40", "40", "+0"]


def test_csv_with_mapping_and_a_skipped_row(tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(CSV)
    result = runner.invoke(app, ["replay", str(path), "--data-dir", str(tmp_path / "d"),
                                 *MAPPING, "--connectors", "2", "--on-bad-row", "skip"])
    assert result.exit_code == 0, result.output
    assert "read 2 sessions on 1 station" in result.output
    assert "1 of 3 rows cannot be replayed (end not after start x1)" in result.output
    assert "(2021-03-01 to 2021-03-01)" in result.output
    assert "result: OK" in result.output
    with Registry(DataFolder(tmp_path / "d").registry_file) as reg:  # --timezone: the site's
        assert reg.site_timezones() == {"depot": "America/Los_Angeles"}


def test_csv_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(CSV)
    result = runner.invoke(app, ["replay", str(path), "--data-dir", str(tmp_path / "d"),
                                 *MAPPING[:6]])  # no --energy-col: looks for "kwh"
    assert result.exit_code == 2
    assert "no column 'kwh'" in result.output
    assert "Pass --energy-col with one of:" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "d").exists()  # nothing started


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "acn", "--station-col", "x"], "--station-col only apply to --format csv"),
    (["--format", "csv"], "no column 'station'"),
    ([], "cannot tell the format"),
])
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "sessions.txt"
    path.write_text(CSV)
    result = runner.invoke(app, ["replay", str(path), "--data-dir", str(tmp_path / "d"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["replay", str(tmp_path / "nope.json"), "--data-dir",
                                 str(tmp_path)])
    assert result.exit_code == 2
    assert "nope.json" in result.output
    assert "Traceback" not in result.output


def test_bad_outage_file_is_one_line_before_anything_starts(tmp_path: Path) -> None:
    sessions, outages = tmp_path / "sessions.csv", tmp_path / "outages.csv"
    sessions.write_text(CSV)
    outages.write_text("station,start,end,status\nCP 1,2021-03-01T08:00Z,2021-03-01T09:00Z,Gone\n")
    result = runner.invoke(app, ["replay", str(sessions), "--data-dir", str(tmp_path / "d"),
                                 *MAPPING, "--outages", str(outages)])
    assert result.exit_code == 2, result.output
    assert "line 2, column 'status': 'Gone' is not Unavailable or Faulted" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "d").exists()
