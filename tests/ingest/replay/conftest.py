"""Shared for the replay tests: the real ACN-Data file and hand-made sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.replay.session import ReplaySession

ROOT = Path(__file__).resolve().parents[3]
ACN_FILE = ROOT.parent / "shared" / "data" / "acn_caltech_sessions_2020-2021.json"
T0 = datetime(2021, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def acn_file() -> Path:
    assert ACN_FILE.is_file(), f"the shared ACN-Data file is missing: {ACN_FILE}"
    return ACN_FILE


def session(station: str, start_min: float, end_min: float, kwh: float,
            done_min: float | None = None, user: str | None = "u1") -> ReplaySession:
    """A session at T0 + minutes."""
    def at(m: float) -> datetime:
        return T0 + timedelta(minutes=m)

    return ReplaySession(station, "site-a", at(start_min), at(end_min),
                         None if done_min is None else at(done_min), kwh, user)
