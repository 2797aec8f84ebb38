"""One real charging session as the replay sees it, whatever file it came from."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Charge point ids become URL path segments and Basic-auth user names: keep them plain.
_NOT_ID = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STATION_ID = 48  # the registry's limit (OCPP 2.0.1 identity)


@dataclass(frozen=True, slots=True)
class ReplaySession:
    """Times are aware UTC datetimes; ``done_charging`` is None when the file does not say."""

    station: str
    site: str | None
    start: datetime
    end: datetime
    done_charging: datetime | None
    kwh: float
    user: str | None


@dataclass(frozen=True)
class ReadResult:
    """The sessions of a file in replay order, and the rows set aside (reason -> count)."""

    path: Path
    sessions: list[ReplaySession]
    skipped: Counter[str] = field(default_factory=Counter)

    def limited(self, limit: int | None) -> ReadResult:
        """The first ``limit`` sessions in time order (all of them when None)."""
        if limit is None:
            return self
        return ReadResult(self.path, self.sessions[:limit], self.skipped)


def station_id(raw: str) -> str:
    """A charge point id from a file's station name: runs of other characters become '-'."""
    return _NOT_ID.sub("-", raw.strip()).strip("-")[:MAX_STATION_ID]


def skip_reason(session: ReplaySession) -> str | None:
    """Why a well-formed row still cannot be replayed (counted and reported, not fatal)."""
    if session.end <= session.start:
        return "end not after start"
    if session.kwh < 0:
        return "negative energy"
    return None


def sort_key(s: ReplaySession) -> tuple[datetime, str, datetime, float, str]:
    # Full key, so the replay order never depends on the file's row order.
    return (s.start, s.station, s.end, s.kwh, s.user or "")


def collect(path: Path, rows: Iterable[ReplaySession]) -> ReadResult:
    """Keep the replayable sessions (in time order) and count the others by reason."""
    kept: list[ReplaySession] = []
    skipped: Counter[str] = Counter()
    for session in rows:
        reason = skip_reason(session)
        if reason is None:
            kept.append(session)
        else:
            skipped[reason] += 1
    kept.sort(key=sort_key)
    return ReadResult(path, kept, skipped)
