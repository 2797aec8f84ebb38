"""The node's live view: which chargers are connected, their state, and the way to reach them."""

from __future__ import annotations

import asyncio
from typing import Any

from csms_lite.clock import Clock
from csms_lite.commands.build import build
from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.config import CsmsConfig
from csms_lite.errors import InvalidCommand
from csms_lite.registry.store import Registry
from csms_lite.rpc import validation
from csms_lite.rpc.errors import OcppCallError
from csms_lite.server.command_book import CommandBook
from csms_lite.server.connection import ChargerConnection, QueuedCommand
from csms_lite.server.lake_log import LakeLog
from csms_lite.state import ChargerState


class Hub:
    def __init__(self, config: CsmsConfig, clock: Clock, registry: Registry, lake: LakeLog):
        self.config = config
        self.clock = clock
        self.registry = registry
        self.lake = lake
        self.commands = CommandBook(lake, clock)
        self.chargers: dict[str, ChargerState] = {}
        self.connections: dict[str, ChargerConnection] = {}

    def charger(self, cp_id: str) -> ChargerState:
        state = self.chargers.get(cp_id)
        if state is None:
            state = self.chargers[cp_id] = ChargerState(cp_id)
        return state

    def attach(self, conn: ChargerConnection) -> None:
        """Newest connection wins: an older one for the same id is closed."""
        old = self.connections.get(conn.cp_id)
        now = self.clock.now()
        if old is not None:
            self.lake.connection_event(now, conn.cp_id, old.connection_id, "superseded",
                                       "a newer connection for this charge point arrived",
                                       close_code=1000)
            old.close_soon(1000, "superseded by a newer connection")
        self.connections[conn.cp_id] = conn
        state = conn.charger
        state.ocpp_version = conn.version
        state.connected = True
        state.connection_id = conn.connection_id
        state.connected_since = now
        state.last_seen = now
        state.offline_since = None
        # Until it boots, watch the charger with the interval it will be given.
        cp = self.registry.get_charge_point(conn.cp_id)
        state.heartbeat_interval = cp.heartbeat_interval if cp else self.config.heartbeat_interval

    def detach(self, conn: ChargerConnection) -> bool:
        """Forget a closed connection; False if a newer one already replaced it."""
        conn.fail_queued("offline")
        if self.connections.get(conn.cp_id) is not conn:
            return False
        del self.connections[conn.cp_id]
        state = conn.charger
        state.connected = False
        state.connection_id = None
        state.offline_since = self.clock.now()
        return True

    def request_for(
        self, cp_id: str, command: str, params: dict[str, Any], requested_by: str = "api",
        reason: str | None = None, timeout: float | None = None,
    ) -> CommandRequest:
        """A version-neutral command for a connected charger, as its version's CALL."""
        conn = self.connections.get(cp_id)
        version = conn.version if conn else self.charger(cp_id).ocpp_version or "1.6"
        action, payload = build(command, params, version)
        return CommandRequest(cp_id, action, payload, requested_by, reason, timeout)

    async def send(self, req: CommandRequest) -> CommandResult:
        """Queue a command for its charger and wait for the answer (or timeout/offline)."""
        loop = asyncio.get_running_loop()
        item = QueuedCommand(req, self.clock.now(), loop.create_future())
        conn = self.connections.get(req.charge_point_id)
        if conn is None:
            return self.commands.failed(item, "offline", None, "charge point is not connected")
        try:
            if not validation.has_schema(conn.version, req.action):
                raise InvalidCommand(f"{req.action} is not an OCPP {conn.version} action")
            validation.validate(conn.version, req.action, req.payload, request=True)
        except (OcppCallError, InvalidCommand) as exc:
            code = getattr(exc, "code", "InvalidCommand")
            return self.commands.failed(item, "invalid", code, str(exc))
        conn.submit(item)
        return await item.future

    def record_outcome(
        self, command_id: str, cp_id: str, requested_by: str, result: str, detail: dict[str, Any]
    ) -> None:
        """Log what a command achieved, found out later by whoever sent it (e.g. self-healing
        checking that a reset cured the charger): a ``commands`` row with action ``Outcome``."""
        now = self.clock.now()
        row = CommandResult(command_id, cp_id, "Outcome", detail, "verified", None, result)
        self.lake.command(now, row, requested_by, None, None, now)
