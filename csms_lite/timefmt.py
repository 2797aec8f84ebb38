"""Timestamps on the wire: always UTC ending in ``Z`` (some real chargers reject ``+00:00``)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(epoch: float) -> str:
    """``2026-01-02T03:04:05.678Z``: millisecond precision, as OCPP examples use."""
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_epoch(text: object) -> float | None:
    """Parse a charger's ISO 8601 time to epoch seconds; None when it cannot be read.

    A time without an offset is taken as UTC (chargers that omit it nearly always mean UTC).
    """
    if not isinstance(text, str):
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
