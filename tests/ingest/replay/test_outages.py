"""Outage files: down windows read with one clear error per bad row, turned into a
charger-level status call at the start and Available at the end, clipped to the replay."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.replay.errors import ReplayInputError
from ingest.replay.outages import outage_events, read_outages
from ingest.replay.plan import Kind

T = datetime(2021, 3, 7, tzinfo=UTC).timestamp()


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "outages.csv"
    path.write_text(body)
    return path


def test_reads_windows_with_defaults(tmp_path: Path) -> None:
    path = _file(tmp_path, "station,start,end,status,error_code\n"
                 "CP B,2021-03-07T00:00:00,2021-03-07T06:00:00Z,,\n"
                 "CP-A,2021-03-07T00:00:00-08:00,2021-03-08T00:00:00-08:00,faulted,\n")
    b, a = read_outages(path)
    assert (b.station, b.kind, b.error_code) == ("CP-B", Kind.UNAVAILABLE, "NoError")
    assert b.start == datetime(2021, 3, 7, tzinfo=UTC)  # no offset: UTC
    assert (a.kind, a.error_code) == (Kind.FAULTED, "OtherError")
    assert a.start == datetime(2021, 3, 7, 8, tzinfo=UTC)


@pytest.mark.parametrize(("body", "message"), [
    ("station,begin,end\n", "header: no column 'start'"),
    ("station,start,end\nA,yesterday,2021-03-07T01:00Z\n",
     "line 2, column 'start': cannot read 'yesterday'"),
    ("station,start,end\nA,2021-03-07T01:00Z,2021-03-07T01:00Z\n", "column 'end': not after"),
    ("station,start,end,status\nA,2021-03-07T00:00Z,2021-03-07T01:00Z,Broken\n",
     "'Broken' is not Unavailable or Faulted"),
    ("station,start,end,status,error_code\nA,2021-03-07T00:00Z,2021-03-07T01:00Z,Faulted,Oops\n",
     "'Oops' is not an OCPP 1.6 ChargePointErrorCode"),
    ("station,start,end\nA,2021-03-07T00:00Z,2021-03-07T02:00Z\n"
     "A,2021-03-07T01:00Z,2021-03-07T03:00Z\n", "line 3: overlaps the window of line 2"),
])
def test_bad_rows_give_one_clear_error(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ReplayInputError, match=message):
        read_outages(_file(tmp_path, body))


def test_events_are_clipped_to_the_replay_and_unknown_windows_skipped(tmp_path: Path) -> None:
    path = _file(tmp_path, "station,start,end,status,error_code\n"
                 "A,2021-03-06T00:00Z,2021-03-07T02:00Z,Faulted,GroundFailure\n"
                 "A,2021-04-01T00:00Z,2021-04-02T00:00Z,,\n"
                 "Z,2021-03-07T00:00Z,2021-03-07T01:00Z,,\n")
    events, skipped = outage_events(read_outages(path), ["A"], T, T + 86400, 9)
    assert [(e.at - T, e.connector, e.kind, e.error_code) for e in events] == [
        (0.0, 0, Kind.FAULTED, "GroundFailure"), (7200.0, 0, Kind.AVAILABLE, "NoError")]
    assert skipped == {"outside the replayed period": 1, "station not replayed": 1}
