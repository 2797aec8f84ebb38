"""Charger-side timestamps: UTC with a ``Z``, as real chargers send them."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(epoch: float | None = None) -> str:
    dt = datetime.now(UTC) if epoch is None else datetime.fromtimestamp(epoch, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
