"""Reader for ACN-Data sessions in the native API format (``_meta``, ``_items``).

ACN-Data, Caltech (Lee, Li and Low, "ACN-Data: Analysis and Applications of an Open EV Charging
Dataset", e-Energy 2019). Times are RFC 1123 strings in GMT; ``doneChargingTime`` may be null.

The GMT times say nothing about where the site is; each item's own ``timezone`` field does (the
Caltech export gives America/Los_Angeles on every item), and it is the site's zone. An item
without one takes the zone the user gave (``cpo replay --timezone``), else none (the pipelines'
default applies).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from ingest.replay.errors import ReplayInputError
from ingest.replay.row_checks import CheckRules, Problem, RowIssue, RowProblemError, collect
from ingest.replay.session import ReadResult, ReplaySession, station_id

FIX_FORMAT = "Give an ACN-Data API export (an object with '_items'), or use --format csv"


def read_acn(path: Path, rules: CheckRules | None = None,
             timezone: str | None = None) -> ReadResult:
    """``timezone``: the site's IANA zone for items that do not carry their own."""
    doc = _load(path)
    items = doc.get("_items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ReplayInputError(path, "top level", "no '_items' list", FIX_FORMAT)
    meta = doc.get("_meta")
    site = meta.get("site") if isinstance(meta, dict) else None
    return collect(path, (_session(path, n, item, site, timezone)
                          for n, item in enumerate(items)),
                   rules or CheckRules())


def _load(path: Path) -> Any:
    try:
        return orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ReplayInputError(path, "whole file", f"not JSON ({exc})", FIX_FORMAT) from None


def _session(path: Path, n: int, item: Any, meta_site: Any,
             timezone: str | None) -> ReplaySession | RowIssue:
    where = f"_items[{n}]"
    if not isinstance(item, dict):
        raise ReplayInputError(path, where, "not an object", FIX_FORMAT)
    field = _Fields(item)
    site = meta_site if isinstance(meta_site, str) else item.get("siteID")
    user = item.get("userID")
    try:
        return ReplaySession(
            station=field.station("stationID"), site=site if isinstance(site, str) else None,
            start=field.time("connectionTime"), end=field.time("disconnectTime"),
            done_charging=field.optional_time("doneChargingTime"),
            kwh=field.kwh("kWhDelivered"), user=None if user is None else str(user), where=where,
            timezone=field.zone("timezone") or timezone,
        )
    except RowProblemError as exc:
        return RowIssue(exc.kind, where, f"field {field.name!r}: {exc.detail}")


class _Fields:
    """Typed access to one item's fields; ``name`` is the field last read (for messages)."""

    def __init__(self, item: dict[str, Any]) -> None:
        self.item, self.name = item, ""

    def _get(self, name: str) -> Any:
        self.name = name
        if self.item.get(name) is None:
            raise RowProblemError(Problem.BLANK, "missing or null")
        return self.item[name]

    def station(self, name: str) -> str:
        value = station_id(str(self._get(name)))
        if not value:
            raise RowProblemError(Problem.BLANK, "no letters or digits in the station id")
        return value

    def optional_time(self, name: str) -> datetime | None:
        return None if self.item.get(name) is None else self.time(name)

    def time(self, name: str) -> datetime:
        text = self._get(name)
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise RowProblemError(Problem.UNREADABLE, f"cannot read {text!r} as a time (expected "
                                  "RFC 1123, e.g. 'Tue, 01 Dec 2020 13:59:06 GMT')") from None
        return _utc(dt)

    def zone(self, name: str) -> str | None:
        value = self.item.get(name)
        if value is None:
            return None
        self.name = name
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise RowProblemError(Problem.UNREADABLE, f"{value!r} is not an IANA time zone "
                                  "(e.g. America/Los_Angeles)") from None
        return str(value)

    def kwh(self, name: str) -> float:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value):
            raise RowProblemError(Problem.UNREADABLE, f"{value!r} is not a number of kWh")
        return float(value)


def _utc(dt: datetime) -> datetime:
    # parsedate_to_datetime gives a naive time for "-0000" (UTC with no stated zone).
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
