"""The node's live view: which chargers are connected, their state, and the way to reach them
(here, or through the cluster broker on the node that holds them)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import OrderedDict
from typing import Any

from csms_lite.clock import Clock
from csms_lite.cluster.broker import Broker, Held
from csms_lite.cluster.local import LocalBroker
from csms_lite.commands.answers import after_answer
from csms_lite.commands.build import build
from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.commands.secrets import password_in, rotation_accepted
from csms_lite.config import CsmsConfig
from csms_lite.errors import InvalidCommand
from csms_lite.files import jobs as file_jobs
from csms_lite.files.service import FileService
from csms_lite.registry.passwords import hash_password
from csms_lite.registry.store import Registry
from csms_lite.rpc import validation
from csms_lite.rpc.errors import OcppCallError
from csms_lite.server.auth_throttle import AuthThrottle
from csms_lite.server.command_book import CommandBook
from csms_lite.server.command_guard import CommandGuard
from csms_lite.server.connection import ChargerConnection, QueuedCommand
from csms_lite.server.lake_log import LakeLog
from csms_lite.server.lake_quota import MinuteBudget
from csms_lite.server.ratelimit import FrameLimiter
from csms_lite.state import ChargerState
from csms_lite.versions import Version, named


class Hub:
    def __init__(
        self, config: CsmsConfig, clock: Clock, registry: Registry, lake: LakeLog,
        broker: Broker | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.registry = registry
        self.lake = lake
        self.broker: Broker = broker or LocalBroker()
        self.commands = CommandBook(lake, clock, registry)
        self.guard = CommandGuard(config.reset_budget, config.reset_window_s)
        self.chargers: dict[str, ChargerState] = {}
        self.connections: dict[str, ChargerConnection] = {}
        # Flood limits per charge point id, outliving its connections; None: limits off.
        self.limiters: dict[str, FrameLimiter] = {}
        self.node_lake_budget = MinuteBudget(config.node_lake_quota_bytes)
        # The lake quota per charge point id: a reconnect does not buy a fresh minute's worth.
        self.lake_budgets: dict[str, MinuteBudget] = {}
        # Unknown ids (not in the registry) that disconnected, oldest first: id -> offline since.
        self.gone_unknown: OrderedDict[str, float] = OrderedDict()
        # Chargers closed for flooding, refused at the handshake for a while (doubling).
        self.flood_cooldown = AuthThrottle(1, config.flood_cooldown, config.auth_backoff_max)
        self.files = FileService(config)  # firmware served, diagnostics taken (the API's routes)

    def charger(self, cp_id: str) -> ChargerState:
        state = self.chargers.get(cp_id)
        if state is None:
            state = self.chargers[cp_id] = ChargerState(cp_id)
        return state

    def limiter(self, cp_id: str) -> FrameLimiter | None:
        if self.config.rate_limit <= 0:
            return None
        limiter = self.limiters.get(cp_id)
        if limiter is None:
            limiter = self.limiters[cp_id] = FrameLimiter(self.config)
        return limiter

    def lake_budget(self, cp_id: str) -> MinuteBudget:
        budget = self.lake_budgets.get(cp_id)
        if budget is None:
            budget = self.lake_budgets[cp_id] = MinuteBudget(self.config.lake_quota_bytes)
        return budget

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
        self.gone_unknown.pop(conn.cp_id, None)
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
        self.broker.released(conn.cp_id, conn.connection_id)
        state = conn.charger
        state.connected = False
        state.connection_id = None
        state.offline_since = self.clock.now()
        if self.registry.get_charge_point(conn.cp_id) is None:
            self.gone_unknown[conn.cp_id] = state.offline_since
            self.forget_gone_unknown(state.offline_since)
        return True

    def forget_gone_unknown(self, now: float) -> int:
        """Drop the live state of unknown ids offline longer than ``forget_unknown_after``, and
        the oldest beyond ``max_gone_unknown``; returns how many were forgotten."""
        cfg, gone, forgotten = self.config, self.gone_unknown, 0
        while gone:
            cp_id, since = next(iter(gone.items()))
            if len(gone) <= cfg.max_gone_unknown and now - since < cfg.forget_unknown_after:
                break
            del gone[cp_id]
            if cp_id not in self.connections:
                self.chargers.pop(cp_id, None)
                self.limiters.pop(cp_id, None)
                self.lake_budgets.pop(cp_id, None)
                forgotten += 1
        return forgotten

    def held(self) -> list[Held]:
        return [Held(c.charger, c.connection_id, c.version) for c in self.connections.values()]

    async def version_of(self, cp_id: str) -> Version:
        """The OCPP version of a charger, wherever in the cluster it is connected."""
        conn = self.connections.get(cp_id)
        if conn is not None:
            return conn.protocol
        where = await self.broker.locate(cp_id)
        if where is not None:
            return named(where.version)
        state = self.chargers.get(cp_id)
        return named(state.ocpp_version if state else "")

    def request_for(
        self, cp_id: str, command: str, params: dict[str, Any], requested_by: str = "api",
        reason: str | None = None, timeout: float | None = None,
        version: Version | None = None,
    ) -> CommandRequest:
        """A version-neutral command as the CALL of the charger's version (``version``: as
        found by :meth:`version_of`; else this node's view)."""
        if version is None:
            conn = self.connections.get(cp_id)
            version = conn.protocol if conn else named(self.charger(cp_id).ocpp_version)
        params = self.files.fill(command, params, cp_id)  # e.g. a link to a firmware image
        action, payload = build(command, params, version, cp_id, self.registry)
        return CommandRequest(cp_id, action, payload, requested_by, reason, timeout)

    async def send(self, req: CommandRequest) -> CommandResult:
        """Queue a command for its charger and wait for the answer (or timeout/offline); a
        charger connected to another node of the cluster gets it through that node."""
        item = self._queued(req, self.clock.now())
        conn = self.connections.get(req.charge_point_id)
        if conn is None:
            result = await self.broker.forward(req, item.requested_at)
            if result is not None:
                return self.commands.forwarded(item, result)
            return self.commands.failed(item, "offline", None, "charge point is not connected")
        return await self._submit(item, conn)

    async def run_forwarded(self, req: CommandRequest, requested_at: float) -> CommandResult:
        """A command another node forwarded (it writes the ``commands`` row, not us)."""
        item = self._queued(req, requested_at, record=False)
        conn = self.connections.get(req.charge_point_id)
        if conn is None:
            return self.commands.failed(item, "offline", None,
                                        f"charge point is not connected to node "
                                        f"{self.config.node_id} any more")
        return await self._submit(item, conn)

    def _queued(self, req: CommandRequest, requested_at: float, record: bool = True
                ) -> QueuedCommand:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (req.timeout or self.config.command_timeout)
        return QueuedCommand(req, requested_at, loop.create_future(), record, deadline)

    async def _submit(self, item: QueuedCommand, conn: ChargerConnection) -> CommandResult:
        req = item.request
        try:
            if not validation.has_schema(conn.protocol, req.action):
                raise InvalidCommand(f"{req.action} is not an OCPP {conn.version} action")
            validation.validate(conn.protocol, req.action, req.payload, request=True)
        except (OcppCallError, InvalidCommand) as exc:
            code = getattr(exc, "code", "InvalidCommand")
            return self.commands.failed(item, "invalid", code, str(exc))
        twin = self.guard.twin(req)
        if twin is not None:  # the same command is on its way: share its answer
            return dataclasses.replace(await asyncio.shield(twin.future), coalesced=True)
        refused = self.guard.spend_reset(req, self.clock.now())
        if refused is not None:
            return self.commands.failed(item, "rate_limited", "RateLimited", refused)
        password = password_in(req.action, req.payload)
        pending = None
        if password is not None:  # before it is sent: the charger may reconnect with it at once
            pending = await asyncio.to_thread(hash_password, password)
            self.registry.start_password_rotation(req.charge_point_id, pending, self.clock.now())
        self.guard.track(item)
        job = file_jobs.sending(req, conn.charger, self.clock.now())  # firmware, diagnostics
        conn.submit(item)
        result = await self._wait(item, conn)
        if pending is not None:
            self._settle_rotation(result, pending)
        after_answer(req, result, conn.charger, self.clock.now())  # e.g. reservations held
        file_jobs.answered(job, result)
        return result

    async def _wait(self, item: QueuedCommand, conn: ChargerConnection) -> CommandResult:
        """The answer, or a timeout at the caller's deadline even while the command is still
        queued behind others (it is then taken out of the queue, never sent)."""
        remaining = item.deadline - asyncio.get_running_loop().time()
        try:
            return await asyncio.wait_for(asyncio.shield(item.future), max(0.0, remaining))
        except TimeoutError:
            if not conn.withdraw(item):
                return await item.future  # in flight: its own deadline ends it
        result = self.commands.failed(item, "timeout", None, "timed out in the charger's "
                                      "queue, waiting behind earlier commands; never sent")
        item.future.set_result(result)
        return result

    def _settle_rotation(self, result: CommandResult, pending: str) -> None:
        """Accepted: the new password is the charger's. Refused: the old one stays. Unknown
        (no answer, or after a reboot): both work until the charger connects with the new one
        (the handshake then settles it)."""
        if result.sent_at is None:  # never reached the charger
            accepted: bool | None = False
        elif result.outcome == "answered":
            accepted = rotation_accepted(result.action, result.response)
        else:
            accepted = None if result.outcome in ("timeout", "offline") else False
        if accepted is not None:
            self.registry.settle_password_rotation(result.charge_point_id, pending, accepted)

    def record_outcome(
        self, command_id: str, cp_id: str, requested_by: str, result: str, detail: dict[str, Any]
    ) -> None:
        """Log what a command achieved, found out later by whoever sent it (e.g. self-healing
        checking that a reset cured the charger): a ``commands`` row with action ``Outcome``."""
        now = self.clock.now()
        row = CommandResult(command_id, cp_id, "Outcome", detail, "verified", None, result)
        self.lake.command(now, row, requested_by, None, None, now)
