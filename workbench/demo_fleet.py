"""The demo's small fleet: registered chargers of both OCPP versions, partners' id tags, and a
few charging sessions driven through a real CSMS over real WebSockets."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from csms_lite.registry.models import ChargePoint, IdTag
from csms_lite.registry.passwords import hash_password
from csms_lite.registry.store import Registry
from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.chargepoint_v201 import SimChargePoint201
from ingest.sim.link import listen, open_link

PASSWORD = "demo-password-0123"
TAGS = {"TAG-EMSP-A-1": "emsp-a", "TAG-EMSP-A-2": "emsp-a", "TAG-EMSP-B-1": "emsp-b"}
BLOCKED_TAG = "TAG-BLOCKED"

SimCP = SimChargePoint16 | SimChargePoint201
Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoCharger:
    cp_id: str
    version: str  # "1.6" or "2.0.1"
    rated_kw: float


def fleet(n: int) -> list[DemoCharger]:
    return [DemoCharger(f"DEMO-{i + 1:03d}", "1.6" if i % 2 == 0 else "2.0.1",
                        22.0 if i % 2 == 0 else 150.0) for i in range(n)]


def register(registry: Registry, chargers: list[DemoCharger]) -> None:
    hashed = hash_password(PASSWORD)  # one scrypt for the whole demo fleet
    for c in chargers:
        registry.add_charge_point(ChargePoint(
            id=c.cp_id, site="demo-site", connectors=2, rated_kw=c.rated_kw,
            model="SimAC22" if c.version == "1.6" else "SimDC150", vendor="CPO-Sim",
            boot_status="Accepted", heartbeat_interval=300, password_hash=hashed,
            latitude=34.1377, longitude=-118.1253, address="1200 E California Blvd, Pasadena"))
    expiry = datetime.now(UTC) + timedelta(days=365)
    for tag, partner in TAGS.items():
        registry.add_id_tag(IdTag(tag, "Accepted", partner, expiry, None))
    registry.add_id_tag(IdTag(BLOCKED_TAG, "Blocked", "emsp-b", None, None))


async def connect(url: str, c: DemoCharger) -> tuple[SimCP, asyncio.Task[None]]:
    proto = "ocpp1.6" if c.version == "1.6" else "ocpp2.0.1"
    ws = await open_link(url, c.cp_id, proto, PASSWORD)
    cp: SimCP = SimChargePoint16(c.cp_id, ws) if c.version == "1.6" else SimChargePoint201(
        c.cp_id, ws)
    task = asyncio.get_running_loop().create_task(listen(cp))
    return cp, task


async def session(cp: SimCP, connector: int, tag: str, kwh: float, rng: random.Random) -> None:
    """Authorize, start, a few meter values, stop: what a real session sends."""
    await cp.status(connector, "Preparing")
    await cp.authorize(tag)
    await cp.start_transaction(connector, tag)
    await cp.status(connector, "Charging")
    steps = 4
    for _ in range(steps):
        await cp.meter(connector, int(kwh * 1000 / steps), rng.uniform(6000, 22000))
    await cp.stop_transaction(connector)
    await cp.status(connector, "Available")


async def drive(cp: SimCP, sessions: int, rng: random.Random) -> None:
    await cp.boot()
    for connector in (1, 2):
        await cp.status(connector, "Available")
    await cp.heartbeat()
    refused = await cp.authorize(BLOCKED_TAG)  # a blocked card: the CSMS must say so
    assert refused is not None
    for i in range(sessions):
        tag = list(TAGS)[rng.randrange(len(TAGS))]
        await session(cp, 1 + i % 2, tag, rng.uniform(5, 40), rng)


def payload_status(answer: Any) -> str:
    return str(answer.get("status") or answer.get("outcome")) if isinstance(answer, dict) else "?"
