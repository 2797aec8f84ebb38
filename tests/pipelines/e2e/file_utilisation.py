"""Utilisation computed from a session file alone, independently of the replay, the lake and the
pipelines, to compare with the ``utilisation_site_daily`` mart like with like: per site and
local day, session minutes / port minutes, where a station has as many ports as its most
overlapping sessions, and every port is observed from the replay's first session start (when
all stations boot) to its last session end (the lake's last frame: the pipelines' as_of). With no
outages every observed minute is available, so port minutes are the mart's available minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("America/Los_Angeles")  # the pipelines' default BuildSettings.timezone


@dataclass(frozen=True)
class FileSession:
    station: str
    site: str
    start: datetime  # aware
    end: datetime


def ports_per_station(sessions: Iterable[FileSession]) -> dict[str, int]:
    """Most sessions plugged in at once per station (an end at t frees the port for a start
    at t)."""
    edges: defaultdict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for s in sessions:
        edges[s.station] += [(s.start, 1), (s.end, -1)]
    most: dict[str, int] = {}
    for station, marks in edges.items():
        now = peak = 0
        for _, step in sorted(marks):  # -1 sorts before +1 at the same instant
            now += step
            peak = max(peak, now)
        most[station] = peak
    return most


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), SITE_TZ).astimezone(UTC)


def _local_days(t0: datetime, t1: datetime) -> Iterable[tuple[date, datetime, datetime]]:
    day = t0.astimezone(SITE_TZ).date()
    while True:
        # in UTC: aware datetimes of one tzinfo subtract as wall clock (a DST day would be 24 h)
        start = _midnight(day)
        end = _midnight(day + timedelta(days=1))
        if start >= t1:
            return
        yield day, start, end
        day += timedelta(days=1)


def _overlap_min(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds() / 60)


def site_daily(sessions: list[FileSession]) -> dict[tuple[date, str], tuple[float, float]]:
    """(local date, site) -> (session minutes, port minutes)."""
    t0, t1 = min(s.start for s in sessions), max(s.end for s in sessions)
    ports: defaultdict[str, int] = defaultdict(int)
    site_of = {s.station: s.site for s in sessions}
    for station, n in ports_per_station(sessions).items():
        ports[site_of[station]] += n
    out: dict[tuple[date, str], tuple[float, float]] = {}
    for day, d0, d1 in _local_days(t0, t1):
        for site, n in ports.items():
            busy = sum(_overlap_min(s.start, s.end, d0, d1) for s in sessions if s.site == site)
            out[(day, site)] = (busy, n * _overlap_min(t0, t1, d0, d1))
    return out
