"""One real charging session as the replay sees it, whatever file it came from."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.replay.row_checks import RowIssue

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
    where: str = ""  # its place in the file ("line 12", "_items[3]"), for messages
    timezone: str | None = None  # IANA zone of its site, when the file or the user says it
    amount: float | None = None  # what the file says the session cost (--price-col), if given


@dataclass(frozen=True)
class ReadResult:
    """The sessions of a file in replay order, and the rows that cannot be replayed."""

    path: Path
    sessions: list[ReplaySession]
    issues: list[RowIssue] = field(default_factory=list)
    rows: int = 0  # rows read, sessions and issues together

    @property
    def skipped(self) -> Counter[str]:
        """Issue kind -> rows."""
        return Counter(str(i.kind) for i in self.issues)

    def limited(self, limit: int | None) -> ReadResult:
        """The first ``limit`` sessions in time order (all of them when None)."""
        if limit is None:
            return self
        return ReadResult(self.path, self.sessions[:limit], self.issues, self.rows)


def station_id(raw: str) -> str:
    """A charge point id from a file's station name: runs of other characters become '-'."""
    return _NOT_ID.sub("-", raw.strip()).strip("-")[:MAX_STATION_ID]


def sort_key(s: ReplaySession) -> tuple[datetime, str, datetime, float, str]:
    # Full key, so the replay order never depends on the file's row order.
    return (s.start, s.station, s.end, s.kwh, s.user or "")
