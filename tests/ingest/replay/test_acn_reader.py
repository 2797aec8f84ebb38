"""The ACN-Data reader on the real Caltech file (ACN-Data, Lee, Li and Low, e-Energy 2019) and
on broken copies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.replay.acn import read_acn
from ingest.replay.errors import ReplayInputError
from ingest.replay.row_checks import Problem, RowIssue
from ingest.replay.tags import ANONYMOUS_TAG, id_tag


def test_reads_the_real_file(acn_file: Path) -> None:
    result = read_acn(acn_file)
    sessions = result.sessions
    # One item is physically impossible: 34.4 kWh in 2 min 33 s is 809 kW, on the site's
    # 50 kW DC charger (its other sessions stay under 77 kW).
    assert result.rows == 3235
    assert result.issues == [RowIssue(Problem.IMPOSSIBLE_ENERGY, "_items[1488]",
                                      "34.402 kWh in 2.6 min is 809 kW, above 350 kW")]
    assert len(sessions) == 3234
    assert len({s.station for s in sessions}) == 45
    # 39,926 kWh as the data README says, less the impossible 34.402; the exact sums:
    assert sum(s.kwh for s in sessions) + 34.402 == pytest.approx(39926.47349182196, rel=1e-12)
    assert sum(round(s.kwh * 1000) for s in sessions) == 39_926_474 - 34_402  # in whole Wh
    assert sum(s.done_charging is None for s in sessions) == 1246 - 1  # the impossible one
    assert sum(s.user is None for s in sessions) == 256 - 1  # the impossible one has none
    assert {s.site for s in sessions} == {"caltech"}
    assert all(s.start.tzinfo is UTC and s.end > s.start for s in sessions)
    assert [s.start for s in sessions] == sorted(s.start for s in sessions)
    first = sessions[0]
    assert (first.station, first.kwh, first.user) == ("2-39-131-30", 7.877, "000008677")
    assert first.start == datetime(2020, 12, 1, 13, 59, 6, tzinfo=UTC)
    assert first.done_charging == datetime(2020, 12, 1, 15, 20, 41, tzinfo=UTC)


def _item(**fields: object) -> dict[str, object]:
    item: dict[str, object] = {
        "stationID": "2-39-1", "connectionTime": "Tue, 01 Dec 2020 13:59:06 GMT",
        "disconnectTime": "Tue, 01 Dec 2020 15:00:00 GMT", "doneChargingTime": None,
        "kWhDelivered": 5.5, "userID": "42"}
    item.update(fields)
    return item


def _write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "acn.json"
    path.write_text(json.dumps(doc))
    return path


def test_skips_and_counts_rows_it_cannot_replay(tmp_path: Path) -> None:
    path = _write(tmp_path, {"_meta": {"site": "jpl"}, "_items": [
        _item(), _item(kWhDelivered=-1.0),
        _item(disconnectTime="Tue, 01 Dec 2020 13:59:06 GMT")]})
    result = read_acn(path)
    assert len(result.sessions) == 1
    assert result.sessions[0].site == "jpl"
    assert result.sessions[0].where == "_items[0]"
    assert result.skipped == {"negative energy": 1, "end not after start": 1}


@pytest.mark.parametrize(("item", "issue"), [
    (_item(kWhDelivered=None),
     RowIssue(Problem.BLANK, "_items[1]", "field 'kWhDelivered': missing or null")),
    (_item(connectionTime="yesterday"),
     RowIssue(Problem.UNREADABLE, "_items[1]", "field 'connectionTime': cannot read "
              "'yesterday' as a time (expected RFC 1123, e.g. 'Tue, 01 Dec 2020 13:59:06 GMT')")),
    (_item(kWhDelivered="5"),
     RowIssue(Problem.UNREADABLE, "_items[1]", "field 'kWhDelivered': '5' is not a number of "
              "kWh")),
    (_item(stationID="//"),
     RowIssue(Problem.BLANK, "_items[1]", "field 'stationID': no letters or digits in the "
              "station id")),
])
def test_a_bad_item_is_an_issue_naming_the_item_and_field(tmp_path: Path, item: object,
                                                            issue: RowIssue) -> None:
    result = read_acn(_write(tmp_path, {"_items": [_item(), item]}))
    assert result.issues == [issue]
    assert len(result.sessions) == 1


def test_a_file_without_items_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReplayInputError, match=r"acn\.json: top level: no '_items' list"):
        read_acn(_write(tmp_path, {"items": []}))


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "acn.json"
    path.write_text("stationID,start\n")
    with pytest.raises(ReplayInputError, match=r"not JSON.*--format csv"):
        read_acn(path)


def test_id_tags_are_stable_and_fit_ocpp16() -> None:
    assert id_tag("000008677") == id_tag(" 000008677 ")
    assert id_tag("000008677") != id_tag("000008678")
    assert len(id_tag("a very long user id with spaces " * 5)) <= 20
    assert id_tag(None) == id_tag("") == ANONYMOUS_TAG
