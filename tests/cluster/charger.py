"""A scripted OCPP-J charger for the cluster tests: plain ``websockets``, one CALL in flight, it
answers the CSMS's CALLs (commands) while it waits, reconnects when its link drops, and logs
every unique id it sent, every one acknowledged and every command it answered."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from ingest.sim.link import basic_auth

SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
BOOT = {
    "1.6": {"chargePointVendor": "V", "chargePointModel": "M"},
    "2.0.1": {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}},
}
ANSWER_S = 5.0


class Lost(Exception):
    """The link dropped before the answer came: the CALL is not acknowledged."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Charger:
    url: str
    cp_id: str
    version: str
    password: str
    sent: dict[str, str] = field(default_factory=dict)  # unique id -> action
    acked: dict[str, str] = field(default_factory=dict)  # answered with a CALLRESULT
    commands: dict[str, str] = field(default_factory=dict)  # CSMS CALLs answered: id -> action
    connects: int = 0
    tx_id: str | None = None
    seq: int = 0  # 2.0.1 TransactionEvent seqNo
    energy: int = 1000
    ws: ClientConnection | None = None
    _pending: dict[str, asyncio.Future[list[Any]]] = field(default_factory=dict)
    _reader: asyncio.Task[None] | None = None

    async def connect(self, within: float = 15.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            try:
                self.ws = await connect(
                    f"{self.url}/{self.cp_id}", subprotocols=[SUBPROTOCOL[self.version]],  # type: ignore[list-item]
                    additional_headers=basic_auth(self.cp_id, self.password),
                    open_timeout=3, close_timeout=1, ping_interval=None)
                break
            except (OSError, InvalidHandshake, TimeoutError):
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.1)
        self.connects += 1
        self._reader = loop.create_task(self._read(self.ws))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for text in ws:
                frame = orjson.loads(text)
                if frame[0] == 2:  # a command: accept it
                    self.commands[frame[1]] = frame[2]
                    await ws.send(orjson.dumps([3, frame[1], {"status": "Accepted"}]).decode())
                elif (future := self._pending.pop(frame[1], None)) is not None:
                    future.set_result(frame)
        except ConnectionClosed:
            pass
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(Lost())
            self._pending.clear()

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        assert self.ws is not None
        uid = uuid.uuid4().hex
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._pending[uid] = future
        self.sent[uid] = action
        try:
            await self.ws.send(orjson.dumps([2, uid, action, payload]).decode())
            frame = await asyncio.wait_for(future, ANSWER_S)
        except ConnectionClosed:
            raise Lost() from None
        finally:
            self._pending.pop(uid, None)
        assert frame[0] == 3, frame
        self.acked[uid] = action
        result: dict[str, Any] = frame[2]
        return result

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    # -- a session --------------------------------------------------------------------------

    async def boot_and_start(self) -> None:
        await self.call("BootNotification", BOOT[self.version])
        if self.version == "1.6":
            answer = await self.call("StartTransaction", {
                "connectorId": 1, "idTag": "TAG-1", "meterStart": self.energy,
                "timestamp": now_iso()})
            assert answer["idTagInfo"]["status"] == "Accepted", answer
            self.tx_id = str(answer["transactionId"])
        else:
            self.tx_id = f"TX-{self.cp_id}"
            await self.call("TransactionEvent", self._event("Started", "Charging"))

    def _event(self, kind: str, state: str | None = None) -> dict[str, Any]:
        info: dict[str, Any] = {"transactionId": self.tx_id}
        if state:
            info["chargingState"] = state
        payload: dict[str, Any] = {
            "eventType": kind, "timestamp": now_iso(), "triggerReason": "MeterValuePeriodic",
            "seqNo": self.seq, "transactionInfo": info, "evse": {"id": 1, "connectorId": 1},
            "meterValue": [{"timestamp": now_iso(), "sampledValue": [{"value": self.energy}]}]}
        if kind == "Started":
            payload["idToken"] = {"idToken": "TAG-1", "type": "ISO14443"}
            payload["triggerReason"] = "Authorized"
        return payload

    async def meter(self) -> None:
        """One meter reading of the open transaction; the counter moves only when acked."""
        self.energy += 10
        if self.version == "1.6":
            await self.call("MeterValues", {
                "connectorId": 1, "transactionId": int(self.tx_id or 0), "meterValue": [{
                    "timestamp": now_iso(), "sampledValue": [{
                        "value": str(self.energy), "measurand": "Energy.Active.Import.Register",
                        "unit": "Wh"}]}]})
        else:
            self.seq += 1
            try:
                await self.call("TransactionEvent", self._event("Updated"))
            except Lost:
                self.seq -= 1  # resent with the same seqNo, as a charger would
                raise

    async def stop_transaction(self) -> None:
        if self.version == "1.6":
            await self.call("StopTransaction", {
                "transactionId": int(self.tx_id or 0), "meterStop": self.energy + 10,
                "timestamp": now_iso(), "reason": "Local"})
        else:
            self.seq += 1
            await self.call("TransactionEvent", self._event("Ended"))

    async def load(self, stop: asyncio.Event) -> None:
        """Meter readings back to back until ``stop``; a dropped link is reconnected (through
        the balancer, to whichever node it picks) and the transaction goes on."""
        while not stop.is_set():
            try:
                await self.meter()
            except Lost:
                await self.close()
                await self.connect()
