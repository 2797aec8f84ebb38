"""Fixtures of the conformance scenarios: a charger of each version on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Csms
from tests.csms_lite.conformance.secure_station import SecureStation, secure_station
from tests.csms_lite.conformance.station import Station, station


def _tags(csms: Csms) -> None:
    csms.add_tag("TAG-OK", partner="emsp-a")
    csms.add_tag("TAG-BLOCKED", status="Blocked")
    csms.add_tag("TAG-OLD", expiry=datetime.now(UTC) - timedelta(days=1))


@pytest.fixture
async def cp16(csms: Csms) -> AsyncIterator[Station]:
    """A 1.6 charge point, connected, not yet booted."""
    _tags(csms)
    s = await station(csms, "1.6")
    yield s
    await s.disconnect()


@pytest.fixture
async def cs201(csms: Csms) -> AsyncIterator[Station]:
    """A 2.0.1 charging station, connected, not yet booted."""
    _tags(csms)
    s = await station(csms, "2.0.1")
    yield s
    await s.disconnect()


@pytest.fixture(params=["1.6", "2.0.1"])
async def any_cp(request: pytest.FixtureRequest, csms: Csms) -> AsyncIterator[Station]:
    """A charger of each version in turn, booted: for scenarios both versions share."""
    _tags(csms)
    s = await station(csms, request.param)
    await s.boot()
    yield s
    await s.disconnect()


@pytest.fixture(params=["1.6", "2.0.1"])
async def secure_cp(request: pytest.FixtureRequest, csms: Csms) -> AsyncIterator[SecureStation]:
    """A charger of each version that speaks the security extension, booted (Basic auth)."""
    s = secure_station(csms, request.param)
    await s.connect()
    await s.boot()
    yield s
    await s.disconnect()
