"""The energy loop end to end on loopback, for both OCPP versions: a real CSMS, simulated
chargers that keep and obey charging profiles, cars with an acceptance curve; profiles go
through the CSMS API and are verified with GetCompositeSchedule; a lost CSMS leaves every
charger on the fallback installed in advance."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from csms_lite.client import AsyncCsmsClient
from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer
from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.chargepoint_v201 import SimChargePoint201
from ingest.sim.ev_battery import EvBattery
from ingest.sim.link import listen, open_link
from ingest.sim.profiled_session import ProfiledSession
from models.energy.baselines import equal_share
from models.energy.loop import EnergyLoop, Outcome, Port, ports_from_api
from models.energy.sessions import OpenSession
from models.energy.site import build_site
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.helpers.ocppj import wait_for
from tests.csms_lite.lake_helpers import table

SITE = build_site("site-1", 10.0, chargers={"CP-A": (None, 7.0), "CP-B": (None, 7.0)})
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}


@dataclass
class Rig:
    csms: Csms
    chargers: dict[str, Any]
    tasks: list[asyncio.Task[None]]
    links: list[Any]
    stopped: bool = False

    def api(self) -> AsyncCsmsClient:
        return AsyncCsmsClient(self.csms.api_url, self.csms.token("energy"), timeout_s=10)

    async def ports(self, api: AsyncCsmsClient, open_txs: int) -> dict[str, Port]:
        async def ready() -> dict[str, Port]:
            while True:
                ports = ports_from_api(await api.chargers())
                if sum(p.transaction_id is not None for p in ports.values()) >= open_txs:
                    return ports
                await asyncio.sleep(0.05)
        return await asyncio.wait_for(ready(), 5)


@pytest.fixture(params=["1.6", "2.0.1"])
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    config = CsmsConfig(data_dir=tmp_path / "data", port=0, api_port=0, node_id="test",
                        validate_responses=True, flush_interval=0.2, watchdog_interval=0.2)
    server = CsmsServer(config)
    await server.start()
    csms = Csms(server, config.data_dir)
    csms.add_tag("TAG-OK")
    version = request.param
    chargers, tasks, links = {}, [], []
    for cp_id in SITE.chargers:
        csms.add_charger(cp_id)
        ws = await open_link(csms.url, cp_id, SUBPROTOCOL[version], PASSWORD)
        cp: Any = SimChargePoint16(cp_id, ws) if version == "1.6" else SimChargePoint201(cp_id, ws)
        tasks.append(asyncio.create_task(listen(cp)))
        links.append(ws)
        await cp.boot()
        await cp.status(1, "Available")
        chargers[cp_id] = cp
    rig = Rig(csms, chargers, tasks, links)
    try:
        yield rig
    finally:
        for ws in links:
            await ws.close()
        await asyncio.gather(*tasks)
        if not rig.stopped:
            await server.stop()


def _by(outcomes: list[Outcome]) -> dict[str, tuple[str, str, float, bool]]:
    return {o.charger_id: (o.kind, o.status, o.allocated_w, o.verified) for o in outcomes}


async def test_profiles_are_installed_verified_and_obeyed(rig: Rig) -> None:
    a, b = rig.chargers["CP-A"], rig.chargers["CP-B"]
    async with rig.api() as api:
        loop = EnergyLoop(api, SITE, equal_share)
        fallbacks = await loop.install_fallbacks(await rig.ports(api, 0))
        assert {o.status for o in fallbacks} == {"Accepted"}
        assert a.limit_w(1) == pytest.approx(5000.0)  # 10 kW shared by two chargers

        await a.start_transaction(1, "TAG-OK")
        one = await loop.decide([OpenSession("s1", "CP-A", 20.0, 11.0)], await rig.ports(api, 1))
        assert _by(one) == {"CP-A": ("allocation", "Accepted", 7000.0, True),
                            "CP-B": ("hold", "Accepted", 0.0, True)}
        assert a.limit_w(1) == pytest.approx(7000.0)
        assert b.limit_w(1) == pytest.approx(0.0)  # a car plugging in now waits for a decision

        await b.start_transaction(1, "TAG-OK")
        sessions = [OpenSession("s1", "CP-A", 20.0, 11.0), OpenSession("s2", "CP-B", 20.0, 11.0)]
        two = await loop.decide(sessions, await rig.ports(api, 2))
        assert _by(two) == {"CP-A": ("allocation", "Accepted", 5000.0, True),
                            "CP-B": ("allocation", "Accepted", 5000.0, True)}
    # The cars draw what the chargers allow, or less near full (the acceptance curve), and the
    # chargers' meter samples in the lake say so.
    empty = ProfiledSession(a, 1, EvBattery(60.0, 0.2, 11.0))
    nearly_full = ProfiledSession(b, 1, EvBattery(60.0, 0.95, 11.0))
    assert await empty.tick(600) == pytest.approx(5.0, rel=1e-6)
    tapered = await nearly_full.tick(600)
    assert 11.0 * 0.1 <= tapered < 11.0 * 0.25
    power = (await table(rig.csms, "meter_values")).filter(  # 2.0.1 also sends 0 W at start
        pl.col("measurand") == "Power.Active.Import", pl.col("value") > 0).sort("charge_point_id")
    assert power["charge_point_id"].to_list() == ["CP-A", "CP-B"]
    assert power["value"].to_list() == pytest.approx([5000.0, tapered * 1000], rel=1e-3)


async def test_a_lost_csms_leaves_every_charger_on_its_fallback(rig: Rig) -> None:
    a, b = rig.chargers["CP-A"], rig.chargers["CP-B"]
    async with rig.api() as api:
        loop = EnergyLoop(api, SITE, equal_share, lease_s=600)
        await loop.install_fallbacks(await rig.ports(api, 0))
        await a.start_transaction(1, "TAG-OK")
        ports = await rig.ports(api, 1)
        await loop.decide([OpenSession("s1", "CP-A", 20.0, 11.0)], ports)
        await rig.csms.server.stop()
        rig.stopped = True
        lost = await loop.decide([OpenSession("s1", "CP-A", 20.0, 11.0)], ports)
    assert {o.status for o in lost} == {"unreachable"}
    now = time.time()
    assert (a.limit_w(1, now), b.limit_w(1, now)) == pytest.approx((7000.0, 0.0))
    # Nobody renews the leases: both chargers are back on the fallback, within the site limit.
    later = now + 601
    assert (a.limit_w(1, later), b.limit_w(1, later)) == pytest.approx((5000.0, 5000.0))
    await wait_for(lambda: all(ws.close_code is not None for ws in rig.links))
