"""Timestamps on the wire: always UTC ending in ``Z`` (some real chargers reject ``+00:00``)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(epoch: float) -> str:
    """``2026-01-02T03:04:05.678Z``: millisecond precision, as OCPP examples use."""
    dt = datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"



def parse_utc(text: str) -> float | None:
    """An ISO 8601 time as epoch seconds (no offset means UTC); None when unreadable."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)).timestamp()
