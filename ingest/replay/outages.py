"""Real down windows for a replay (``--outages FILE``): a CSV with one row per window a whole
station was down, replayed as a charger-level (connector 0) StatusNotification Unavailable or
Faulted at the window's start and Available at its end, on the historical clock; the station
stays connected (the pipelines count it DOWN for the window, cause unavailable / faulted).

Columns: ``station``, ``start``, ``end`` (ISO 8601; without an offset, UTC), and optionally
``status`` (Unavailable, the default, or Faulted) and ``error_code`` (an OCPP 1.6
ChargePointErrorCode; default NoError, or OtherError for Faulted). Windows of one station must
not overlap. Windows outside the replayed period, or of a station not replayed, are skipped and
counted; a window sticking out of the period is clipped to it.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ocpp.v16.enums import ChargePointErrorCode

from ingest.replay.errors import ReplayInputError
from ingest.replay.plan import Event, Kind
from ingest.replay.session import station_id

REQUIRED = ("station", "start", "end")
_STATUS = {"unavailable": Kind.UNAVAILABLE, "faulted": Kind.FAULTED}
_ERROR_CODES = {c.value for c in ChargePointErrorCode}


@dataclass(frozen=True, slots=True)
class Outage:
    station: str
    start: datetime  # aware, UTC
    end: datetime
    kind: Kind  # Kind.UNAVAILABLE or Kind.FAULTED
    error_code: str
    line: int  # in the file, for messages


def read_outages(path: Path) -> list[Outage]:
    """Every window of the file, in file order; a bad row is one clear ReplayInputError."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = csv.DictReader(f)
            header = rows.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ReplayInputError(path, "header", f"no column {missing[0]!r}",
                                       "An outage file needs the columns station, start, end "
                                       "(and optionally status, error_code)")
            outages = [_parse(path, rows.line_num, row) for row in rows]
    except UnicodeDecodeError as exc:
        raise ReplayInputError(path, "whole file", f"not UTF-8 text ({exc.reason})",
                               "Save the file as UTF-8") from None
    except csv.Error as exc:
        raise ReplayInputError(path, "outage file", f"not valid CSV ({exc})",
                               "Fix the quoting") from None
    _check_overlaps(path, outages)
    return outages


def _parse(path: Path, line: int, row: dict[str, str | None]) -> Outage:
    def fail(column: str, problem: str, fix: str) -> ReplayInputError:
        return ReplayInputError(path, f"line {line}, column {column!r}", problem, fix)

    def text(column: str) -> str:
        return (row.get(column) or "").strip()

    def time(column: str) -> datetime:
        try:
            dt = datetime.fromisoformat(text(column))
        except ValueError:
            raise fail(column, f"cannot read {text(column)!r} as an ISO 8601 time",
                       "Write it like 2021-03-01T08:15:00Z") from None
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)

    station = station_id(text("station"))
    if not station:
        raise fail("station", "empty station id", "Give every row a station")
    start, end = time("start"), time("end")
    if end <= start:
        raise fail("end", "not after start", "Fix the window or remove the row")
    kind = _STATUS.get((text("status") or "Unavailable").lower())
    if kind is None:
        raise fail("status", f"{text('status')!r} is not Unavailable or Faulted",
                   "Use Unavailable or Faulted")
    code = text("error_code") or ("OtherError" if kind is Kind.FAULTED else "NoError")
    if code not in _ERROR_CODES:
        raise fail("error_code", f"{code!r} is not an OCPP 1.6 ChargePointErrorCode",
                   f"Use one of: {', '.join(sorted(_ERROR_CODES))}")
    return Outage(station, start, end, kind, code, line)


def _check_overlaps(path: Path, outages: Sequence[Outage]) -> None:
    by_station = sorted(outages, key=lambda o: (o.station, o.start))
    for a, b in itertools.pairwise(by_station):
        if a.station == b.station and b.start < a.end:
            raise ReplayInputError(path, f"line {b.line}", f"overlaps the window of line "
                                   f"{a.line} on station {a.station}",
                                   "Merge the two windows into one")


def outage_events(outages: Iterable[Outage], stations: Iterable[str], start: float, end: float,
                  session: int) -> tuple[list[Event], Counter[str]]:
    """The status calls of the windows inside [start, end] of ``stations``, and the windows
    skipped (reason -> count). ``session``: the index the calls sort under after every
    session's."""
    known = set(stations)
    events: list[Event] = []
    skipped: Counter[str] = Counter()
    for o in outages:
        if o.station not in known:
            skipped["station not replayed"] += 1
            continue
        down, up = max(o.start.timestamp(), start), min(o.end.timestamp(), end)
        if up <= down:
            skipped["outside the replayed period"] += 1
            continue
        events.append(Event(down, session, 2 * o.line, o.station, 0, o.kind, "",
                            error_code=o.error_code))
        events.append(Event(up, session, 2 * o.line + 1, o.station, 0, Kind.AVAILABLE, ""))
    return events, skipped
