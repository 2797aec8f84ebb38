"""``cpo replay`` as a careful importer, on a workplace export with odd values written here:
every bad row is found before anything is sent, a rejected call is one line and writes nothing,
and a lake that holds a replay is never mixed into by accident. Real CSMS on loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from csms_lite.registry.store import Registry
from ingest.data_folder import DataFolder
from ingest.replay.csv_reader import CsvMapping
from ingest.replay.driver import ReplaySettings
from ingest.replay.errors import ReplayError
from ingest.replay.landing import part_files
from ingest.replay.row_checks import CheckRules
from workbench.cli import app
from workbench.runs.replay import ReplayJob, run_job

runner = CliRunner()

# Years written 00YY, as a 2014-15 programme's export does; then one bad row of each kind.
EXPORT = """station,start,end,kwh
W1,0014-11-18 08:00,0014-11-18 10:00,5.2
W1,0014-11-19 08:00,0014-11-19 12:00,6.0
W2,0015-01-05 09:00,0015-01-05 11:00,NA
W2,0015-01-06 09:00,0015-01-06 11:00,0
W1,0014-11-19 08:00,0014-11-19 12:00,6.0
W1,0014-11-19 09:00,0014-11-19 10:00,2.0
W3,0014-12-01 10:00,0014-12-01 09:00,1.0
W3,0014-12-02 10:00,0014-12-02 10:05,400
W3,0014-12-03 10:00,0014-12-03 12:00,7.5
"""
GOOD = """station,start,end,kwh
G1,2021-03-01T08:00:00Z,2021-03-01T10:00:00Z,5.5
G1,2021-03-02T08:00:00Z,2021-03-02T09:00:00Z,2.25
"""


def _file(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _replay(path: Path, data: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["replay", str(path), "--data-dir", str(data), *extra])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _error_line(output: str) -> str:
    [line] = [ln for ln in output.splitlines() if ln.startswith("error:")]
    return line


def test_two_digit_years_stop_everything_with_the_repair_named(tmp_path: Path) -> None:
    code, out = _replay(_file(tmp_path, EXPORT), tmp_path / "d")
    assert code == 2, out
    assert _error_line(out) == (
        f"error: {tmp_path / 'export.csv'}: 9 of 9 rows cannot be replayed (blank or NA value "
        "x1, implausible date x8); nothing was replayed. Fix: years below 100 look like two-digit "
        "years: pass --repair-years; fill the values in or remove the rows; or pass "
        "--on-bad-row skip to replay the other 0 sessions")
    assert "implausible date x8: line 2, line 3, line 5, line 6, line 7, line 8, line 9, line " \
           "10; e.g. line 2: start 0014-11-18 08:00 UTC (year 14)" in out
    assert not (tmp_path / "d" / "lake").exists()


def test_each_bad_row_is_counted_by_kind_with_its_line(tmp_path: Path) -> None:
    code, out = _replay(_file(tmp_path, EXPORT), tmp_path / "d", "--repair-years")
    assert code == 2, out
    assert "6 of 9 rows cannot be replayed" in _error_line(out)
    for line in ("blank or NA value x1: line 4; e.g. line 4: column 'kwh': 'NA'",
                 "end not after start x1: line 8",
                 "zero energy x1: line 5",
                 "impossible energy x1: line 9; e.g. line 9: 400 kWh in 5.0 min is 4,800 kW, "
                 "above 350 kW",
                 "duplicate row x1: line 6; e.g. line 6: same session as line 3",
                 "overlapping session x1: line 7; e.g. line 7: station W1 (1 connector) is busy "
                 "with line 3. Fix: give the stations' connector counts with --connectors N"):
        assert line in out
    assert not (tmp_path / "d" / "lake").exists()


def test_skip_replays_the_rest_on_real_dates_and_connectors_decide_overlaps(
        tmp_path: Path) -> None:
    data = tmp_path / "d"
    code, out = _replay(_file(tmp_path, EXPORT), data, "--repair-years", "--on-bad-row", "skip",
                        "--connectors", "2")
    assert code == 0, out
    assert "read 4 sessions on 2 stations" in out  # the overlap has its second connector
    assert "5 of 9 rows cannot be replayed" in out
    assert "result: OK" in out
    lake = DataFolder(data).local_lake
    dates = sorted({f.parent.name for f in part_files(lake)})
    assert dates[0] == "date=2014-11-18"
    assert dates[-1] == "date=2014-12-03"
    with Registry(DataFolder(data).registry_file) as registry:
        w1 = registry.get_charge_point("W1")
        assert w1 is not None
        assert w1.connectors == 2


def test_a_rejected_call_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    """Past the checks (here: turned off for dates), the CSMS refuses year 14: the replay says
    which call, which station and field, and the data folder is as it was."""
    data = tmp_path / "d"
    job = ReplayJob(_file(tmp_path, "st,a,b,e\nW1,0014-11-18 08:00,0014-11-18 10:00,5\n"), "csv",
                    CsvMapping(station="st", start="a", end="b", energy="e"),
                    ReplaySettings(data, "p", progress_every=0), rules=CheckRules(
                        earliest=datetime(1, 1, 1, tzinfo=UTC)))
    with pytest.raises(ReplayError) as info:
        run_job(job, lambda _: None, lambda _: None)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("the CSMS rejected its boot (BootNotification, "
                              "StatusNotification) of station W1: FormationViolationError: "
                              "data.timestamp must be date-time")
    assert "the first session (line 2)" in message
    assert message.endswith(f"nothing was written to {data / 'lake'}")
    assert part_files(data / "lake") == []
    assert not DataFolder(data).replay_staging.exists()
    assert not DataFolder(data).replay_log.exists()
    with Registry(DataFolder(data).registry_file) as registry:
        assert registry.get_charge_point("W1") is None


def _lake_sessions(data: Path) -> int:
    with duckdb.connect() as con:
        rows = con.execute(
            f"select count(distinct (charge_point_id, transaction_id)) from read_parquet("
            f"'{data}/lake/meter_values/*/*.parquet') where context = 'Transaction.Begin'"
        ).fetchone()
    return int(rows[0]) if rows else 0


def test_a_lake_holding_a_replay_refuses_then_appends_or_replaces(tmp_path: Path) -> None:
    data, good = tmp_path / "d", _file(tmp_path, GOOD, "good.csv")
    other = _file(tmp_path, GOOD.replace("G1", "G2").replace("2021-03", "2021-04"), "other.csv")
    assert _replay(good, data)[0] == 0
    code, out = _replay(other, data)
    assert code == 2, out
    assert _error_line(out) == (
        f"error: {data / 'lake'} already holds 1 replay (last: {good}, 2 sessions); pass "
        "--append to add this file's sessions to it, --replace to replace it (and its "
        "warehouse), or give another --data-dir")
    assert _lake_sessions(data) == 2  # untouched

    code, out = _replay(other, data, "--append")
    assert code == 0, out
    assert "reconciling the whole lake: 2 replays" in out
    sessions = next(ln for ln in out.splitlines() if ln.startswith("sessions"))
    assert sessions.split() == ["sessions", "4", "4", "+0"]
    assert _lake_sessions(data) == 4

    code, out = _replay(good, data, "--replace")
    assert code == 0, out
    sessions = next(ln for ln in out.splitlines() if ln.startswith("sessions"))
    assert sessions.split() == ["sessions", "2", "2", "+0"]
    assert _lake_sessions(data) == 2
    assert len(DataFolder(data).replay_log.read_text().splitlines()) == 1
