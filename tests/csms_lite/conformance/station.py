"""A charger on loopback for the conformance scenarios: the ``ocpp`` package's ChargePoint
classes (through the simulator's protocol classes) on a real WebSocket to a test CSMS, answering
commands as each scenario scripts, plus readers for what the scenario asserts: the API's answer,
the frames the CSMS sent and the lake rows it wrote.

Every wait is bounded (``WAIT_S``); nothing passes or fails on timing."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import polars as pl

from ingest.sim.link import listen, open_link
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.conformance.chargers import Charger16, Charger201
from tests.csms_lite.lake_helpers import table

WAIT_S = 10.0
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}
UNKNOWN_CONNECTOR = {"1.6": "NotSupported", "2.0.1": "UnknownConnector"}


@dataclass
class Script:
    """How the charger answers each command: ``status[action]`` when set, else as a healthy
    idle unit would (remote stop: Accepted only for its own transaction; unlock: unknown
    connectors refused)."""

    version: str
    connectors: int
    status: dict[str, str] = field(default_factory=dict)
    local_list_version: int = 0
    open_transactions: set[str] = field(default_factory=set)

    def reset(self, hard: bool) -> str:
        return self.status.get("Reset", "Accepted")

    def remote_start(self, connector: int | None, id_tag: str) -> str:
        return self.status.get("RemoteStart", "Accepted")

    def remote_stop(self, transaction_id: str) -> str:
        known = transaction_id in self.open_transactions
        return self.status.get("RemoteStop", "Accepted" if known else "Rejected")

    def change_availability(self, connector: int, operative: bool) -> str:
        return self.status.get("ChangeAvailability", "Accepted")

    def trigger(self, message: str, connector: int | None) -> str:
        return self.status.get("TriggerMessage", "Accepted")

    def unlock(self, connector: int) -> str:
        if not 0 < connector <= self.connectors:
            return UNKNOWN_CONNECTOR[self.version]
        return self.status.get("Unlock", "Unlocked")


Charger = Charger16 | Charger201


@dataclass
class Station:
    csms: Csms
    cp_id: str
    version: str
    script: Script
    cp: Charger = field(init=False)
    _ws: Any = None
    _task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self._ws = await open_link(self.csms.url, self.cp_id, SUBPROTOCOL[self.version],
                                   PASSWORD)
        kind = Charger16 if self.version == "1.6" else Charger201
        self.cp = kind(self.cp_id, self._ws, 2, answers=self.script)
        self.cp.script = self.script
        self._task = asyncio.create_task(listen(self.cp))

    async def disconnect(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            await asyncio.wait_for(self._task, WAIT_S)

    async def reboot(self) -> Any:
        """What a charger does after an accepted reset: drop the link, come back, boot."""
        await self.disconnect()
        await self.connect()
        return await self.boot()

    async def boot(self) -> Any:
        answer = await asyncio.wait_for(self.cp.boot(), WAIT_S)
        for port in range(1, 3):
            await self.status(port, "Available")
        return answer

    async def status(self, port: int, status: str) -> None:
        await asyncio.wait_for(self.cp.status(port, status), WAIT_S)

    async def start(self, port: int, tag: str, **kw: Any) -> str:
        tx = await asyncio.wait_for(self.cp.start_transaction(port, tag, **kw), WAIT_S)
        self.script.open_transactions.add(str(tx))
        return str(tx)

    async def stop(self, port: int, reason: str = "Local") -> Any:
        tx = str(self.cp.transactions[port])
        answer = await asyncio.wait_for(self.cp.stop_transaction(port, reason), WAIT_S)
        self.script.open_transactions.discard(tx)
        return answer

    async def command(self, name: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """POST the command through the API: (HTTP status, its JSON answer)."""
        body = {"command": name, "params": params, "requested_by": "operator",
                "reason": "conformance", "timeout": WAIT_S}
        async with aiohttp.ClientSession(headers=self.csms.api_headers) as http, http.post(
            f"{self.csms.api_url}/api/v1/chargers/{self.cp_id}/commands", json=body,
            timeout=aiohttp.ClientTimeout(total=2 * WAIT_S),
        ) as resp:
            return resp.status, await resp.json()

    async def accepted(self, name: str, **params: Any) -> dict[str, Any]:
        """A command the charger answered (any status): its API answer."""
        code, answer = await self.command(name, **params)
        assert (code, answer["outcome"]) == (200, "answered"), answer
        return answer

    # -- the lake ----------------------------------------------------------------------------

    async def frames(self, action: str, direction: str, message_type: int
                     ) -> list[dict[str, Any]]:
        """Payloads of this charger's ``ocpp_messages`` rows, in order."""
        rows = (await table(self.csms, "ocpp_messages")).filter(
            (pl.col("charge_point_id") == self.cp_id) & (pl.col("action") == action)
            & (pl.col("direction") == direction) & (pl.col("message_type") == message_type))
        return [json.loads(p) for p in rows.sort("received_at")["payload"].to_list()]

    async def sent(self, action: str) -> list[dict[str, Any]]:
        """The CALLs of ``action`` the CSMS sent this charger."""
        return await self.frames(action, "out", 2)

    async def answered(self, action: str) -> list[dict[str, Any]]:
        """The CSMS's CALLRESULTs to this charger's ``action`` CALLs."""
        return await self.frames(action, "out", 3)

    async def command_row(self, command_id: str) -> dict[str, Any]:
        rows = (await table(self.csms, "commands")).filter(
            (pl.col("command_id") == command_id) & (pl.col("action") != "Outcome"))
        assert rows.height == 1, rows
        return rows.row(0, named=True)

    async def lake_command(self, answer: dict[str, Any], action: str, status: str | None
                           ) -> dict[str, Any]:
        """Assert the command's ``commands`` row matches the API answer; the row."""
        row = await self.command_row(answer["command_id"])
        assert (row["action"], row["status"], row["outcome"]) == (action, status, "answered")
        assert json.loads(row["request"]) == answer["request"]
        assert row["requested_by"] == "operator"
        return row

    async def meter_rows(self) -> pl.DataFrame:
        return (await table(self.csms, "meter_values")).filter(
            pl.col("charge_point_id") == self.cp_id)

    def live(self) -> Any:
        return self.csms.server.hub.chargers[self.cp_id]


async def station(csms: Csms, version: str, cp_id: str | None = None) -> Station:
    """A registered charger with two ports, connected (not yet booted)."""
    cp_id = cp_id or ("CP16" if version == "1.6" else "CS201")
    csms.add_charger(cp_id, heartbeat_interval=120)
    s = Station(csms, cp_id, version, Script(version, 2))
    await s.connect()
    return s
