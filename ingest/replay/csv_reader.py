"""Reader for any CSV of charging sessions, its columns mapped by the user.

Times: ISO 8601 by default, or a ``strptime`` format; times without an offset are read in the
mapping's time zone (after a two-digit-year repair, so 0014 is read as 2014 in 2014's offsets).
Energy is in kWh. A file that cannot be read at all is an error naming the file and the place; a
row that cannot be read is a :class:`RowIssue` naming its line and column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.replay.errors import ReplayInputError
from ingest.replay.row_checks import (
    CheckRules,
    Problem,
    RowIssue,
    RowProblemError,
    collect,
    is_na,
)
from ingest.replay.session import ReadResult, ReplaySession, station_id


@dataclass(frozen=True)
class CsvMapping:
    """Which column holds what; ``site``, ``user`` and ``done`` are optional."""

    station: str = "station"
    start: str = "start"
    end: str = "end"
    energy: str = "kwh"
    site: str | None = None
    user: str | None = None
    done: str | None = None  # when the car stopped drawing energy (overstay begins)
    time_format: str | None = None  # strptime format; None: ISO 8601
    # IANA zone of times without an offset, and of the stations' sites (--site-col); None:
    # such times are UTC and the sites' zone is unknown (the pipelines' default applies).
    timezone: str | None = None
    repair_years: bool = False  # years below 100 are two-digit years: 0014 -> 2014
    price: str | None = None  # the session's amount charged, in ``currency``
    currency: str = "USD"  # ISO 4217 code of ``price``

    def columns(self) -> dict[str, str]:
        """Mapped column -> the option that names it (for error messages)."""
        named = {self.station: "--station-col", self.start: "--start-col",
                 self.end: "--end-col", self.energy: "--energy-col"}
        optional = {self.site: "--site-col", self.user: "--user-col", self.done: "--done-col",
                    self.price: "--price-col"}
        return named | {col: opt for col, opt in optional.items() if col is not None}


def read_csv(path: Path, mapping: CsvMapping, rules: CheckRules | None = None) -> ReadResult:
    zone = _zone(path, mapping.timezone or "UTC")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = csv.DictReader(f)
            _check_header(path, rows.fieldnames, mapping)
            parser = _RowParser(path, mapping, zone)
            return collect(path, (parser.parse(rows.line_num, r) for r in _rows(path, rows)),
                           rules or CheckRules())
    except UnicodeDecodeError as exc:
        raise ReplayInputError(path, "whole file", f"not UTF-8 text ({exc.reason})",
                               "Save the file as UTF-8") from None


def _rows(path: Path, rows: csv.DictReader[str]) -> Iterator[dict[str, str | None]]:
    try:
        yield from rows
    except csv.Error as exc:
        raise ReplayInputError(path, f"line {rows.line_num}", f"not valid CSV ({exc})",
                               "Fix the quoting on that line") from None


def _zone(path: Path, name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReplayInputError(path, "--timezone", f"unknown time zone {name!r}",
                               "Give an IANA name such as America/Los_Angeles or UTC") from None


def _check_header(path: Path, header: object, mapping: CsvMapping) -> None:
    if not isinstance(header, list) or not header:
        raise ReplayInputError(path, "line 1", "no header row",
                               "The first line must name the columns")
    for column, option in mapping.columns().items():
        if column not in header:
            raise ReplayInputError(path, "header", f"no column {column!r}",
                                   f"Pass {option} with one of: {', '.join(header)}")


class _RowParser:
    def __init__(self, path: Path, mapping: CsvMapping, zone: tzinfo) -> None:
        self.path, self.m, self.zone = path, mapping, zone

    def parse(self, line: int, row: dict[str, str | None]) -> ReplaySession | RowIssue:
        m = self.m
        column = m.station
        try:
            station = station_id(self._text(row, column))
            if not station:
                raise RowProblemError(Problem.BLANK, "no letters or digits in the station id")
            column = m.start
            start = self._time(row, column)
            column = m.end
            end = self._time(row, column)
            column = m.done or ""
            done = self._optional_time(row, m.done)
            column = m.energy
            kwh = self._kwh(row, column)
            column = m.price or ""
            amount = self._amount(row, m.price)
        except RowProblemError as exc:
            return RowIssue(exc.kind, f"line {line}", f"column {column!r}: {exc.detail}")
        return ReplaySession(station=station, site=self._optional(row, m.site), start=start,
                             end=end, done_charging=done, kwh=kwh,
                             user=self._optional(row, m.user), where=f"line {line}",
                             timezone=m.timezone, amount=amount)

    @staticmethod
    def _text(row: dict[str, str | None], column: str) -> str:
        value = (row.get(column) or "").strip()
        if is_na(value):
            raise RowProblemError(Problem.BLANK, f"{value!r}" if value else "empty")
        return value

    @staticmethod
    def _optional(row: dict[str, str | None], column: str | None) -> str | None:
        value = (row.get(column) or "").strip() if column is not None else ""
        return None if is_na(value) else value

    def _optional_time(self, row: dict[str, str | None], column: str | None) -> datetime | None:
        if column is None or self._optional(row, column) is None:
            return None
        return self._time(row, column)

    def _time(self, row: dict[str, str | None], column: str) -> datetime:
        text = self._text(row, column)
        fmt = self.m.time_format
        try:
            dt = datetime.fromisoformat(text) if fmt is None else datetime.strptime(text, fmt)
        except ValueError:
            want = "ISO 8601 (e.g. 2021-03-01T08:15:00)" if fmt is None else repr(fmt)
            raise RowProblemError(Problem.UNREADABLE,
                                  f"cannot read {text!r} as a time in {want}") from None
        if self.m.repair_years and dt.year < 100:
            dt = dt.replace(year=dt.year + 2000)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=self.zone)
        return dt.astimezone(UTC)

    def _amount(self, row: dict[str, str | None], column: str | None) -> float | None:
        """The session's price; a blank one is a bad row (the file's revenue would not add up)."""
        if column is None:
            return None
        return self._number(row, column, "an amount", ", no currency sign")

    def _kwh(self, row: dict[str, str | None], column: str) -> float:
        return self._number(row, column, "a number of kWh")

    def _number(self, row: dict[str, str | None], column: str, what: str, also: str = "") -> float:
        """A finite number; anything else is an unreadable row, with how to write it."""
        text = self._text(row, column)
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise RowProblemError(Problem.UNREADABLE, f"{text!r} is not {what} (use a plain "
                                  f"number with a '.' decimal point{also})")
        return value
