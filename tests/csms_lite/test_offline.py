"""Offline detection on a live CSMS: an idle charger that answers WebSocket pings stays online; one
whose link went silent (no frame, no pong) is marked offline, logged, and shown as such."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson
import polars as pl
import pytest

from tests.conftest import Csms, CsmsFactory
from tests.csms_lite.helpers.ocppj import (
    BOOT,
    boot,
    disconnect_event,
    events,
    heartbeat_ok,
    open_ws,
    wait_for,
)
from tests.csms_lite.helpers.rawws import OP_CLOSE, OP_PING, RawWs

pytestmark = pytest.mark.timeout(10)

FAST = {"heartbeat_interval": 1, "offline_tolerance": 1.5, "ping_interval": 0.5,
        "watchdog_interval": 0.1, "accept_unknown": True}
LIMIT = 1 * 1.5  # heartbeat interval x tolerance, seconds


async def api_state(csms: Csms, cp_id: str) -> dict[str, Any]:
    timeout = aiohttp.ClientTimeout(total=5)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.get(f"{csms.api_url}/api/v1/chargers/{cp_id}", headers=csms.api_headers) as resp,
    ):
        assert resp.status == 200
        body: dict[str, Any] = await resp.json()
        return body


async def open_silent(csms: Csms, cp_id: str, send_boot: bool) -> RawWs:
    """A charger that does the handshake (and a BootNotification), then never reads again."""
    raw = await RawWs.open("127.0.0.1", csms.server.port, f"/ocpp/{cp_id}", ["ocpp1.6"])
    assert raw.status == 101
    if send_boot:
        await raw.send_text(orjson.dumps([2, "boot-1", "BootNotification", BOOT["1.6"]]).decode())
        reply = orjson.loads(await raw.recv_text())
        assert reply[0] == 3, reply
        assert reply[2]["interval"] == 1, reply
    return raw


async def offline_rows(csms: Csms, cp_id: str) -> pl.DataFrame:
    return (await events(csms, cp_id)).filter(pl.col("event") == "offline")


@pytest.mark.slow
async def test_pong_keeps_idle_charger_online_silent_one_goes_offline(
    make_csms: CsmsFactory,
) -> None:
    csms = await make_csms(**FAST)
    loop = asyncio.get_running_loop()
    idle = await open_ws(csms, "IDLE", "1.6", password=None)  # answers pings by itself
    await boot(idle, "1.6")
    silent = await open_silent(csms, "SILENT", send_boot=True)
    silent_conn = csms.server.hub.connections["SILENT"].connection_id
    started = loop.time()
    try:
        # The idle charger sends nothing for > 2x the limit: it must stay online throughout.
        went_offline_at = None
        for _ in range(200):
            if loop.time() - started > 3.2:
                break
            assert csms.server.hub.chargers["IDLE"].connected, "idle charger marked offline"
            if went_offline_at is None and not csms.server.hub.chargers["SILENT"].connected:
                went_offline_at = loop.time() - started
            await asyncio.sleep(0.05)
        assert loop.time() - started > 3.0
        assert went_offline_at is not None, "silent charger still online after 3 s"
        assert LIMIT - 0.2 < went_offline_at < LIMIT + 1.0, went_offline_at

        # the idle charger's last_seen was moved on by pongs, and its link still works
        state = csms.server.hub.chargers["IDLE"]
        assert state.last_seen is not None
        assert state.connected_since is not None
        assert state.last_seen - state.connected_since > 2.0
        await heartbeat_ok(idle)
        assert (await api_state(csms, "IDLE"))["connected"] is True
        assert (await offline_rows(csms, "IDLE")).height == 0

        # the silent one: logged offline, with a reason, and shown offline by the API
        rows = await offline_rows(csms, "SILENT")
        assert rows.height == 1
        row = rows.row(0, named=True)
        assert row["connection_id"] == silent_conn
        assert row["reason"]
        assert "silent" in row["reason"]
        api = await api_state(csms, "SILENT")
        assert api["connected"] is False
        assert api["connection_id"] is None
        assert api["offline_since"] is not None
        assert "SILENT" not in csms.server.hub.connections

        # on the wire: the server pinged (never answered), then closed with 1001
        opcodes = []
        for _ in range(20):
            opcode, data = await silent.recv_frame(wait=2)
            opcodes.append(opcode)
            if opcode == OP_CLOSE:
                assert int.from_bytes(data[:2], "big") == 1001
                break
        assert OP_PING in opcodes, opcodes
        assert opcodes[-1] == OP_CLOSE, opcodes
    finally:
        silent.abort()
        await idle.close()

    await disconnect_event(csms, "SILENT")
    ev = await events(csms, "SILENT")
    assert ev["event"].to_list() == ["connect", "offline", "disconnect"]
    # the silent charger's offline state is not undone by the close that followed
    assert csms.server.hub.chargers["SILENT"].connected is False


@pytest.mark.slow
async def test_silent_before_boot_goes_offline(make_csms: CsmsFactory) -> None:
    """A link that never says anything (no BootNotification, no pong) is offline after the
    heartbeat interval the CSMS would have given it x the tolerance, not after a built-in 300 s
    default it has not told anyone about."""
    csms = await make_csms(**FAST)
    silent = await open_silent(csms, "MUTE", send_boot=False)
    try:
        await wait_for(lambda: not csms.server.hub.chargers["MUTE"].connected, within=3.5)
        rows = await offline_rows(csms, "MUTE")
        assert rows.height == 1
        assert (await api_state(csms, "MUTE"))["connected"] is False
    finally:
        silent.abort()


@pytest.mark.slow
async def test_registered_charger_uses_its_registry_interval(make_csms: CsmsFactory) -> None:
    """A registered charger's interval comes from the registry (here 1 s, node default 300 s):
    BootNotification hands it out, and offline detection uses it."""
    csms = await make_csms(ping_interval=0.5, watchdog_interval=0.1)
    csms.add_charger("REG", password=False, heartbeat_interval=1)
    silent = await RawWs.open("127.0.0.1", csms.server.port, "/ocpp/REG", ["ocpp2.0.1"])
    try:
        assert silent.status == 101
        await silent.send_text(
            orjson.dumps([2, "b1", "BootNotification", BOOT["2.0.1"]]).decode())
        reply = orjson.loads(await silent.recv_text())
        assert reply[2] == {**reply[2], "status": "Accepted", "interval": 1}
        await wait_for(lambda: not csms.server.hub.chargers["REG"].connected, within=3.5)
        rows = await offline_rows(csms, "REG")
        assert rows.height == 1
        assert "limit 1 s" in rows["reason"][0]
    finally:
        silent.abort()
