"""The generic CSV reader on hand-written files: mapping, time zones, bad rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.replay.csv_reader import CsvMapping, read_csv
from ingest.replay.errors import ReplayInputError
from ingest.replay.row_checks import Problem, RowIssue

CSV = """\ufeffCharger,Plug in,Plug out,Energy (kWh),Location,Driver
Depot A/1,2021-03-01 08:00,2021-03-01 10:30,12.5,depot-a,alice
Depot A/1,2021-03-01 11:00,2021-03-01 11:00,3.0,depot-a,bob
Depot A/2,2021-07-01 09:15,2021-07-01 12:00,-1,depot-a,
CP 7,2021-03-01T08:00:00Z,2021-03-01T09:30:00+01:00,0.75,,carol
CP 7,2021-03-14 01:30,2021-03-14 03:30,7,,
"""
MAPPING = CsvMapping(station="Charger", start="Plug in", end="Plug out",
                     energy="Energy (kWh)", site="Location", user="Driver",
                     timezone="America/Los_Angeles")


def _write(tmp_path: Path, text: str = CSV) -> Path:
    path = tmp_path / "sessions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_timezone_and_skipped_rows(tmp_path: Path) -> None:
    result = read_csv(_write(tmp_path), MAPPING)
    assert result.skipped == {"end not after start": 1, "negative energy": 1}
    carol, alice, dst = result.sessions  # in time order
    assert alice.station == "Depot-A-1"  # made a valid charge point id
    assert alice.start == datetime(2021, 3, 1, 16, 0, tzinfo=UTC)  # 08:00 PST
    assert (alice.site, alice.user, alice.kwh) == ("depot-a", "alice", 12.5)
    # An offset in the value wins over the mapping's time zone.
    assert carol.station == "CP-7"
    assert (carol.start, carol.end) == (datetime(2021, 3, 1, 8, 0, tzinfo=UTC),
                                        datetime(2021, 3, 1, 8, 30, tzinfo=UTC))
    assert (carol.site, carol.user, carol.done_charging) == (None, "carol", None)
    # 01:30 PST, then 03:30 PDT (clocks went forward at 02:00): one hour of charging.
    assert (dst.end - dst.start).total_seconds() == 3600
    assert dst.user is None


def test_time_format_option(tmp_path: Path) -> None:
    path = _write(tmp_path, "st,a,b,e,done\nX,01/03/2021 08:00,01/03/2021 09:00,2,"
                            "01/03/2021 08:30\n")
    mapping = CsvMapping(station="st", start="a", end="b", energy="e", done="done",
                         time_format="%d/%m/%Y %H:%M")
    (s,) = read_csv(path, mapping).sessions
    assert s.start == datetime(2021, 3, 1, 8, 0, tzinfo=UTC)
    assert s.done_charging == datetime(2021, 3, 1, 8, 30, tzinfo=UTC)


def test_missing_column_says_which_option_to_pass(tmp_path: Path) -> None:
    mapping = CsvMapping(station="Charger", start="Plug in", end="Plug out")  # energy: "kwh"
    with pytest.raises(ReplayInputError) as info:
        read_csv(_write(tmp_path), mapping)
    message = str(info.value)
    assert "sessions.csv" in message
    assert "no column 'kwh'" in message
    assert "--energy-col" in message
    assert "Energy (kWh)" in message


@pytest.mark.parametrize(("row", "kind", "detail"), [
    ("X,yesterday,2021-03-01 09:00,1", Problem.UNREADABLE,
     "column 'a': cannot read 'yesterday' as a time in ISO 8601 (e.g. 2021-03-01T08:15:00)"),
    ("X,2021-03-01 08:00,2021-03-01 09:00,lots", Problem.UNREADABLE,
     "column 'e': 'lots' is not a number of kWh (use a plain number with a '.' decimal point)"),
    (",2021-03-01 08:00,2021-03-01 09:00,1", Problem.BLANK, "column 'st': empty"),
    ("X,2021-03-01 08:00,2021-03-01 09:00,NA", Problem.BLANK, "column 'e': 'NA'"),
    ("X,2021-03-01 08:00,n/a,1", Problem.BLANK, "column 'b': 'n/a'"),
])
def test_unparsable_row_is_an_issue_naming_line_and_column(
        tmp_path: Path, row: str, kind: Problem, detail: str) -> None:
    path = _write(tmp_path, f"st,a,b,e\nX,2021-03-01 07:00,2021-03-01 07:30,1\n{row}\n")
    result = read_csv(path, CsvMapping(station="st", start="a", end="b", energy="e"))
    assert result.issues == [RowIssue(kind, "line 3", detail)]
    assert [s.where for s in result.sessions] == ["line 2"]


def test_two_digit_years_are_repaired_before_the_time_zone_applies(tmp_path: Path) -> None:
    path = _write(tmp_path, "st,a,b,e\nX,0014-11-18 08:00,0014-11-18 10:00,5\n")
    mapping = CsvMapping(station="st", start="a", end="b", energy="e",
                         timezone="America/Los_Angeles")
    (issue,) = read_csv(path, mapping).issues  # year 14 AD is no session of ours
    assert issue == RowIssue(Problem.IMPLAUSIBLE_DATE, "line 2", "start 0014-11-18 15:52 "
                             "UTC (year 14)")  # 08:00 in Los Angeles' local mean time of year 14
    (s,) = read_csv(path, CsvMapping(**{**mapping.__dict__, "repair_years": True})).sessions
    assert s.start == datetime(2014, 11, 18, 16, 0, tzinfo=UTC)  # 08:00 PST


def test_unknown_timezone(tmp_path: Path) -> None:
    with pytest.raises(ReplayInputError, match="unknown time zone 'Mars/Olympus'"):
        read_csv(_write(tmp_path), CsvMapping(timezone="Mars/Olympus"))


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ReplayInputError, match="no header row"):
        read_csv(_write(tmp_path, ""), CsvMapping())
