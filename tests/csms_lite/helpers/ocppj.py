"""Small OCPP-J client helpers over plain ``websockets`` connections (no ``ocpp`` package), so a
test can send any frame it likes, and lake helpers to read back what the CSMS logged."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
import polars as pl
from websockets.asyncio.client import ClientConnection, connect

from ingest.lake.reader import read_table
from ingest.sim.link import basic_auth
from tests.conftest import PASSWORD, Csms

VERSIONS = ("1.6", "2.0.1")
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}
REPLY_TIMEOUT = 5.0

BOOT: dict[str, dict[str, Any]] = {
    "1.6": {"chargePointVendor": "V", "chargePointModel": "M"},
    "2.0.1": {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
    "2.1": {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
}


def new_id() -> str:
    return uuid.uuid4().hex


async def open_ws(
    csms: Csms, cp_id: str, version: str = "1.6", password: str | None = PASSWORD,
    **kwargs: Any,
) -> ClientConnection:
    """Connect ``cp_id`` to the CSMS offering one OCPP version (Basic auth if ``password``)."""
    headers = basic_auth(cp_id, password) if password is not None else None
    return await connect(
        f"{csms.url}/{cp_id}", subprotocols=[SUBPROTOCOL[version]],  # type: ignore[list-item]
        additional_headers=headers, open_timeout=5, close_timeout=2, **kwargs,
    )


async def recv_json(ws: ClientConnection, wait: float = REPLY_TIMEOUT) -> Any:
    text = await asyncio.wait_for(ws.recv(), wait)
    return orjson.loads(text)


async def send_raw(ws: ClientConnection, data: str | bytes) -> list[Any]:
    """Send one frame exactly as given; return the CSMS's answer frame."""
    await ws.send(data)
    reply = await recv_json(ws)
    assert isinstance(reply, list), reply
    return reply


async def call(
    ws: ClientConnection, action: str, payload: dict[str, Any], uid: str | None = None,
) -> list[Any]:
    uid = uid or new_id()
    reply = await send_raw(ws, orjson.dumps([2, uid, action, payload]).decode())
    assert reply[1] == uid, reply
    return reply


async def boot(ws: ClientConnection, version: str) -> list[Any]:
    reply = await call(ws, "BootNotification", BOOT[version])
    assert reply[0] == 3, reply
    assert reply[2]["status"] == "Accepted", reply
    return reply


async def heartbeat_ok(ws: ClientConnection) -> None:
    """The charger still gets a correct answer: ``[3, id, {"currentTime": ...}]``."""
    uid = new_id()
    reply = await call(ws, "Heartbeat", {}, uid)
    assert reply[0] == 3, reply
    assert reply[1] == uid, reply
    assert set(reply[2]) == {"currentTime"}, reply


async def table(csms: Csms, name: str) -> pl.DataFrame:
    """Flush the node's lake writer and read one table back."""
    await asyncio.to_thread(csms.server.writer.flush)
    return read_table(csms.data_dir / "lake", name)


async def messages(csms: Csms, cp_id: str) -> pl.DataFrame:
    df = await table(csms, "ocpp_messages")
    return df.filter(pl.col("charge_point_id") == cp_id).sort("received_at")


async def events(csms: Csms, cp_id: str | None = None) -> pl.DataFrame:
    df = await table(csms, "connection_events")
    if cp_id is not None:
        df = df.filter(pl.col("charge_point_id") == cp_id)
    return df.sort("at")


async def disconnect_event(csms: Csms, cp_id: str) -> dict[str, Any]:
    """Wait until ``cp_id`` has exactly one ``disconnect`` row, and return it."""

    async def disconnected() -> bool:
        df = await events(csms, cp_id)
        return df.filter(pl.col("event") == "disconnect").height == 1

    await wait_for(disconnected)
    return (await events(csms, cp_id)).filter(pl.col("event") == "disconnect").row(0, named=True)


async def wait_for(predicate: Any, within: float = 5.0, step: float = 0.05) -> None:
    """Poll an async or plain predicate until true; fail after ``within`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(step)
