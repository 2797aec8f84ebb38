"""Every row of a session file checked before anything is sent: what is wrong with it, where.

A row either becomes a :class:`ReplaySession` or a :class:`RowIssue` of one :class:`Problem`
kind. The readers report what they cannot read (blank, unreadable); :func:`check` adds what a
readable row still cannot be: a date before 2000 or in the future, an end not after its start,
negative, zero or physically impossible energy, a negative price, a duplicate of an earlier row,
or a session overlapping others on a station with no free connector. What to do with the issues
is the caller's policy (``--on-bad-row``); nothing here drops a row silently.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.replay.session import ReadResult, ReplaySession, sort_key

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no public charging network kept data before
FUTURE_SLACK = timedelta(days=1)  # clocks a day ahead are a time-zone slip, not the future
DEFAULT_MAX_KW = 350.0  # the highest common DC rating: the ceiling when a station's is unknown
NA_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "-", "--"})


class Problem(enum.StrEnum):
    BLANK = "blank or NA value"
    UNREADABLE = "unreadable value"
    IMPLAUSIBLE_DATE = "implausible date"
    END_NOT_AFTER_START = "end not after start"
    NEGATIVE_ENERGY = "negative energy"
    ZERO_ENERGY = "zero energy"
    IMPOSSIBLE_ENERGY = "impossible energy"
    DUPLICATE = "duplicate row"
    OVERLAP = "overlapping session"
    NEGATIVE_PRICE = "negative price"


# How to fix each kind (the first line a user reads after the counts).
FIXES: dict[Problem, str] = {
    Problem.BLANK: "fill the values in or remove the rows",
    Problem.UNREADABLE: "fix the values (or --time-format for another time layout)",
    Problem.IMPLAUSIBLE_DATE: "fix the dates",
    Problem.END_NOT_AFTER_START: "fix the times (start and end swapped?)",
    Problem.NEGATIVE_ENERGY: "fix the energy values",
    Problem.ZERO_ENERGY: "remove the sessions that delivered nothing",
    Problem.IMPOSSIBLE_ENERGY: "check times and kWh, or give the real rating with --max-kw",
    Problem.DUPLICATE: "remove the repeated rows",
    Problem.OVERLAP: "give the stations' connector counts with --connectors N or "
                     "--connectors FILE (columns station, connectors)",
    Problem.NEGATIVE_PRICE: "fix the amounts (a refund is not a session's price)",
}
TWO_DIGIT_YEAR_FIX = "years below 100 look like two-digit years: pass --repair-years"


@dataclass(frozen=True, slots=True)
class RowIssue:
    kind: Problem
    where: str  # "line 12" / "_items[3]"
    detail: str


class RowProblemError(Exception):
    """Raised by a reader's field parser inside one row; the reader turns it into an issue."""

    def __init__(self, kind: Problem, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


def is_na(text: str) -> bool:
    return text.strip().lower() in NA_TOKENS


@dataclass(frozen=True)
class ConnectorCounts:
    """Connectors per station: ``default`` for any station not in ``per_station``."""

    default: int = 1
    per_station: Mapping[str, int] = field(default_factory=dict)
    declared: bool = False  # given by the user (then every declared connector is registered)

    def of(self, station: str) -> int:
        return self.per_station.get(station, self.default)


@dataclass(frozen=True)
class CheckRules:
    max_kw: float = DEFAULT_MAX_KW
    connectors: ConnectorCounts = field(default_factory=ConnectorCounts)
    now: datetime | None = None  # "the future" starts a day after this (default: now)
    earliest: datetime = EARLIEST


def check(rows: Iterable[ReplaySession | RowIssue],
          rules: CheckRules) -> tuple[list[ReplaySession], list[RowIssue]]:
    """The replayable sessions in replay order, and every issue in file order (one per row)."""
    latest = (rules.now or datetime.now(UTC)) + FUTURE_SLACK
    kept: list[ReplaySession] = []
    issues: list[RowIssue] = []
    seen: dict[tuple[object, ...], str] = {}
    for row in rows:
        if isinstance(row, RowIssue):
            issues.append(row)
            continue
        issue = _value_issue(row, rules, latest) or _duplicate(row, seen)
        if issue is None:
            kept.append(row)
        else:
            issues.append(issue)
    kept.sort(key=sort_key)
    kept, overlaps = _without_overlaps(kept, rules.connectors)
    return kept, issues + overlaps


def _issue(s: ReplaySession, kind: Problem, detail: str) -> RowIssue:
    return RowIssue(kind, s.where, detail)


def _value_issue(s: ReplaySession, rules: CheckRules, latest: datetime) -> RowIssue | None:
    max_kw = rules.max_kw
    for name, t in (("start", s.start), ("end", s.end), ("done", s.done_charging)):
        if t is not None and not rules.earliest <= t <= latest:
            return _issue(s, Problem.IMPLAUSIBLE_DATE,
                          f"{name} {t.year:04d}-{t:%m-%d %H:%M} UTC (year {t.year})")
    hours = (s.end - s.start).total_seconds() / 3600
    if hours <= 0:
        return _issue(s, Problem.END_NOT_AFTER_START, f"{s.start:%Y-%m-%d %H:%M} to "
                                                      f"{s.end:%Y-%m-%d %H:%M}")
    if s.kwh < 0:
        return _issue(s, Problem.NEGATIVE_ENERGY, f"{s.kwh:g} kWh")
    if s.kwh == 0:
        return _issue(s, Problem.ZERO_ENERGY, "0 kWh")
    if s.amount is not None and s.amount < 0:
        return _issue(s, Problem.NEGATIVE_PRICE, f"amount {s.amount:g}")
    if s.kwh > max_kw * hours:
        return _issue(s, Problem.IMPOSSIBLE_ENERGY,
                      f"{s.kwh:g} kWh in {hours * 60:.1f} min is {s.kwh / hours:,.0f} kW, above "
                      f"{max_kw:g} kW")
    return None


def _duplicate(s: ReplaySession, seen: dict[tuple[object, ...], str]) -> RowIssue | None:
    key = (s.station, s.start, s.end, s.done_charging, s.kwh, s.user, s.site)
    if key not in seen:
        seen[key] = s.where
        return None
    return _issue(s, Problem.DUPLICATE, f"same session as {seen[key] or 'an earlier row'}")


def _without_overlaps(sessions: list[ReplaySession],
                      counts: ConnectorCounts) -> tuple[list[ReplaySession], list[RowIssue]]:
    """Sessions (in replay order) that find a free connector, lowest first, as the plan gives
    them; the others are issues naming a session holding the station."""
    busy: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    kept: list[ReplaySession] = []
    issues: list[RowIssue] = []
    for s in sessions:
        slots = busy[s.station]
        free = next((i for i, (until, _) in enumerate(slots) if until <= s.start), None)
        if free is not None:
            slots[free] = (s.end, s.where)
        elif len(slots) < counts.of(s.station):
            slots.append((s.end, s.where))
        else:
            holder = min(slots)[1]
            n = counts.of(s.station)
            issues.append(_issue(s, Problem.OVERLAP, f"station {s.station} ({n} connector"
                                 f"{'' if n == 1 else 's'}) is busy with {holder}"))
            continue
        kept.append(s)
    return kept, issues


def collect(path: Path, rows: Iterable[ReplaySession | RowIssue],
            rules: CheckRules) -> ReadResult:
    """A reader's rows checked: the sessions to replay and the issues, counted."""
    listed = list(rows)
    kept, issues = check(listed, rules)
    return ReadResult(path, kept, issues, len(listed))
