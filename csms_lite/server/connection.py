"""One charger's WebSocket connection: the receive loop, answers to its CALLs, and the queue of
remote commands sent to it (one CALL in flight at a time, as OCPP-J requires).

Every frame is logged at this boundary, both directions, before the answer goes out: the
journal write happens before ``send``, so an acknowledged frame survives a ``kill -9``. Frames
the CSMS did not serve (unparsable, refused, unsolicited, over the rate limit) are stored within
a lake quota and only counted past it (see :mod:`csms_lite.server.lake_quota`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from csms_lite.cluster.broker import TRANSACTION_ACTIONS
from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.handlers.context import CallContext, Handler
from csms_lite.rpc import frames, validation
from csms_lite.rpc.errors import OcppCallError
from csms_lite.rpc.frames import CALL, CALLERROR, Frame, FrameError
from csms_lite.server.lake_log import FLAGGED, Row
from csms_lite.server.lake_quota import LAKE_QUOTA, LakeQuota, summary
from csms_lite.state import ChargerState
from csms_lite.versions import Version

if TYPE_CHECKING:
    from csms_lite.server.hub import Hub

log = logging.getLogger(__name__)

OVER_LIMIT = "over the rate limit"

# A CALL whose answer waits for the cluster broker (see Broker.preparers): the receive loop
# awaits it before reading this charger's next frame.
Later = Coroutine[Any, Any, str]


@dataclass(slots=True)
class PendingCall:
    action: str
    sent_at: float
    future: asyncio.Future[Frame | None]


@dataclass(slots=True)
class QueuedCommand:
    request: CommandRequest
    requested_at: float
    future: asyncio.Future[CommandResult] = field(repr=False)
    record: bool = True  # False: forwarded by another node, which writes the commands row
    deadline: float = float("inf")  # event-loop time its caller stops waiting (queue included)


class ChargerConnection:
    def __init__(
        self, ws: ServerConnection, hub: Hub, charger: ChargerState, protocol: Version,
        remote: str | None,
    ) -> None:
        self.ws = ws
        self.hub = hub
        self.charger = charger
        self.cp_id = charger.charge_point_id
        self.protocol = protocol  # decided once, from the subprotocol the charger chose
        self.version = protocol.name  # as the lake and the live state spell it
        self.remote = remote
        self.connection_id = uuid.uuid4().hex[:16]
        self.handlers = protocol.handlers
        self.preparers = hub.broker.preparers(protocol)
        self.limiter = hub.limiter(self.cp_id)
        self.quota = LakeQuota(hub.lake_budget(self.cp_id), hub.node_lake_budget)
        self._frame_bytes = 0  # length of the frame being handled: what its rows cost the quota
        self.pending: dict[str, PendingCall] = {}
        self.queue: deque[QueuedCommand] = deque()
        self.sender: asyncio.Task[None] | None = None
        self.closing_reason: str | None = None
        self.close_after_reply: tuple[int, str] | None = None
        self._follow_ups: list[tuple[str, dict[str, Any], str]] = []  # see CallContext
        self._follow_up_tasks: set[asyncio.Task[CommandResult]] = set()

    # -- receive side ---------------------------------------------------------------------

    async def serve(self) -> None:
        """Answer frames until the socket closes."""
        ws = self.ws
        try:
            async for text in ws:
                if self.closing_reason is not None:
                    self._log_unanswered(text)  # keep reading so the close handshake completes
                    continue
                reply = self.on_frame(text)
                if reply is not None:
                    await ws.send(reply if isinstance(reply, str) else await reply)
                if self._follow_ups:
                    self._send_follow_ups()
                if self.close_after_reply is not None:
                    # Close only once the last answer is out: every logged reply was sent.
                    self.close_soon(*self.close_after_reply)
        except ConnectionClosed:
            pass

    def on_frame(self, data: str | bytes) -> str | Later | None:
        now = self.hub.clock.now()
        self.charger.last_seen = now
        self._frame_bytes = len(data)
        admitted = self._admit(len(data))
        if isinstance(data, bytes):
            text = data.decode("utf-8", "replace")
            if not admitted:
                self._drop(now, text, OVER_LIMIT)
                return None
            return self._reject(now, text, FrameError("RpcFrameworkError",
                                                      "OCPP-J frames are text, not binary"))
        try:
            frame = frames.parse(data)
        except FrameError as exc:
            if admitted:
                return self._reject(now, data, exc)
            self._drop(now, data, OVER_LIMIT)
            return None
        if frame.message_type == CALL:
            return self._on_call(now, frame, admitted)
        self._on_answer(now, frame)
        return None

    def _admit(self, size: int) -> bool:
        """Every frame passes the charger's limits first; a persistent offender is closed."""
        if self.limiter is None:
            return True
        admitted, close = self.limiter.admit(size)
        if close and self.close_after_reply is None:
            self.close_after_reply = (1008, "flood: too many frames over the rate limit")
            self.hub.flood_cooldown.fail(self.cp_id)  # its reconnects are refused a while
        return admitted

    def _drop(self, now: float, text: str, why: str) -> None:
        """A frame left unanswered: kept in the lake (within the quota)."""
        lake = self.hub.lake
        self._store([lake.message(now, self.cp_id, self.connection_id, "in", self.version, None,
                                  None, None, None, raw=text,
                                  error_description=f"not answered: {why}")])

    def _log_unanswered(self, data: str | bytes) -> None:
        """A frame that arrived after we decided to close: kept in the lake, not answered."""
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        self._frame_bytes = len(data)
        self._drop(self.hub.clock.now(), text, self.closing_reason or "closing")

    def _store(self, rows: list[Row]) -> None:
        """Rows of a frame the CSMS did not serve: stored within the lake quota, else counted."""
        if self.quota.allow(len(rows), self._frame_bytes, self.hub.clock.now()):
            self.hub.lake.write(rows)
        self.write_quota_summary()

    def write_quota_summary(self, closing: bool = False) -> None:
        """The one row counting what the quota kept out of the lake, once a minute is over (or
        at the close); called after each stored frame and by the watchdog."""
        dropped = self.quota.due(closing)
        if dropped is not None:
            now = self.hub.clock.now()
            self.hub.lake.connection_event(
                now, self.cp_id, self.connection_id, LAKE_QUOTA,
                summary(dropped, now, self.hub.config.lake_quota_bytes), remote=self.remote)

    def _reject(self, now: float, text: str, exc: FrameError) -> str:
        """A frame that does not parse: log it raw, answer with the spec's CALLERROR."""
        code = self.protocol.error_codes[exc.code]
        reply = frames.error(exc.unique_id, code, exc.description, {})
        lake = self.hub.lake
        self._store([
            lake.message(now, self.cp_id, self.connection_id, "in", self.version, None,
                         None if exc.unique_id == frames.UNKNOWN_ID else exc.unique_id, None,
                         None, raw=text, error_code=code, error_description=exc.description),
            self._out_row(now, CALLERROR, exc.unique_id, None, {}, code, exc.description),
        ])
        return reply

    def _out_row(
        self, received: float, message_type: int, unique_id: str, action: str | None,
        payload: Any, error_code: str | None = None, description: str | None = None,
    ) -> Row:
        sent = self.hub.clock.now()
        return self.hub.lake.message(
            sent, self.cp_id, self.connection_id, "out", self.version, message_type, unique_id,
            action, payload, error_code=error_code, error_description=description,
            latency_ms=(sent - received) * 1000.0,
        )

    def _on_call(self, now: float, frame: Frame, admitted: bool) -> str | Later:
        uid, action, payload = frame.unique_id, frame.action or "", frame.payload
        lake = self.hub.lake
        # Payloads go to the lake as parsed values: the journal line encodes them once.
        in_row = lake.message(now, self.cp_id, self.connection_id, "in", self.version, CALL, uid,
                              action, payload)
        if not admitted:
            return self._call_error(now, in_row, uid, action, self._over_limit())
        ctx = CallContext(self.charger, self.hub.registry, self.hub.config, now, uid)
        try:
            handler = self._handler(action, payload)
        except Exception as exc:
            return self._failed_call(ctx, in_row, action, exc)
        if action in self.preparers:
            return self._on_call_later(ctx, in_row, action, payload, handler)
        return self._run(ctx, in_row, action, payload, handler)

    async def _on_call_later(
        self, ctx: CallContext, in_row: Row, action: str, payload: dict[str, Any],
        handler: Handler,
    ) -> str:
        """A CALL the cluster broker must see first (e.g. a cluster-wide transaction id)."""
        try:
            await self.preparers[action](ctx, payload)
        except Exception as exc:
            return self._failed_call(ctx, in_row, action, exc)
        return self._run(ctx, in_row, action, payload, handler)

    def _handler(self, action: str, payload: dict[str, Any]) -> Handler:
        """The handler for a CALL that passed its schema."""
        handler = self.handlers.get(action)
        if handler is None:
            if validation.has_schema(self.protocol, action):
                raise OcppCallError("NotSupported", f"{action} is not supported by this CSMS")
            raise OcppCallError("NotImplemented", f"unknown action {action!r}")
        validation.validate(self.protocol, action, payload, request=True)
        return handler

    def _run(
        self, ctx: CallContext, in_row: Row, action: str, payload: dict[str, Any],
        handler: Handler,
    ) -> str:
        now, uid = ctx.now, ctx.unique_id
        try:
            answer = handler(ctx, payload)
            if self.hub.config.validate_responses:
                validation.validate(self.protocol, action, answer, request=False)
        except Exception as exc:
            return self._failed_call(ctx, in_row, action, exc)
        self.hub.lake.write([in_row, self._out_row(now, frames.CALLRESULT, uid, action, answer)])
        self._follow_ups.extend(ctx.follow_ups)
        for flag in ctx.flags:
            log.warning("%s flagged: %s", self.cp_id, flag)
            self.hub.lake.connection_event(now, self.cp_id, self.connection_id, FLAGGED, flag)
        for command_id, result, detail in ctx.outcomes:
            self.hub.record_outcome(command_id, self.cp_id, "csms", result, detail)
        if action in TRANSACTION_ACTIONS:
            self.hub.broker.transactions_changed(self.charger)
        return frames.result(uid, answer)

    def _send_follow_ups(self) -> None:
        """The CALLs a handler asked for, now that its answer is out, through the command
        queue (one in flight at a time; each a ``commands`` row requested by ``csms``)."""
        for action, payload, reason in self._follow_ups:
            req = CommandRequest(self.cp_id, action, payload, "csms", reason)
            task = asyncio.get_running_loop().create_task(self.hub.send(req))
            self._follow_up_tasks.add(task)
            task.add_done_callback(self._follow_up_tasks.discard)
        self._follow_ups.clear()

    def _over_limit(self) -> OcppCallError:
        cfg = self.hub.config
        return OcppCallError("GenericError", f"rate limit exceeded ({cfg.rate_limit:g} frames/s, "
                                             f"{cfg.byte_rate:g} bytes/s)")

    def _failed_call(self, ctx: CallContext, in_row: Row, action: str, exc: Exception) -> str:
        """The CALLERROR for a CALL we could not answer; a bug of ours (anything but an
        OcppCallError) is logged and must not take the connection down."""
        if not isinstance(exc, OcppCallError):
            log.error("handling %s failed for %s", action, self.cp_id, exc_info=exc)
            exc = OcppCallError("InternalError", f"{type(exc).__name__} while handling {action}")
        return self._call_error(ctx.now, in_row, ctx.unique_id, action, exc)

    def _call_error(
        self, now: float, in_row: Row, uid: str, action: str, exc: OcppCallError
    ) -> str:
        code = self.protocol.error_codes[exc.code]
        out = self._out_row(now, CALLERROR, uid, action, exc.details, code, exc.description)
        self._store([in_row, out])
        return frames.error(uid, code, exc.description, exc.details)

    def _on_answer(self, now: float, frame: Frame) -> None:
        """A CALLRESULT or CALLERROR: the answer to one of our commands."""
        pending = self.pending.pop(frame.unique_id, None)
        action = pending.action if pending else None
        latency = (now - pending.sent_at) * 1000.0 if pending else None
        error_code = frame.error_code
        if pending is None:
            error_code = error_code or "UnknownMessageId"  # an answer to nothing we asked
        lake = self.hub.lake
        row = lake.message(
            now, self.cp_id, self.connection_id, "in", self.version, frame.message_type,
            frame.unique_id, action, frame.payload, error_code=error_code,
            error_description=frame.error_description, latency_ms=latency,
        )
        if pending is None:
            self._store([row])
        else:  # the answer to our command is always kept (we send one at a time)
            lake.write([row])
        if pending is not None and not pending.future.done():
            pending.future.set_result(frame)

    # -- commands -------------------------------------------------------------------------

    def submit(self, item: QueuedCommand) -> None:
        self.queue.append(item)
        if self.sender is None or self.sender.done():
            self.sender = asyncio.get_running_loop().create_task(self._drain())

    def withdraw(self, item: QueuedCommand) -> bool:
        """Take a command out of the queue before it is sent; False if it already went."""
        try:
            self.queue.remove(item)
        except ValueError:
            return False
        return True

    async def _drain(self) -> None:
        while self.queue:
            item = self.queue.popleft()
            try:
                result = await self._call(item)
            except Exception as exc:  # keep draining: one bad command must not block the rest
                log.exception("command %s to %s failed", item.request.action, self.cp_id)
                result = self.hub.commands.failed(item, "error", type(exc).__name__)
            if not item.future.done():
                item.future.set_result(result)

    async def _call(self, item: QueuedCommand) -> CommandResult:
        req = item.request
        uid = uuid.uuid4().hex
        clock = self.hub.clock
        sent_at = clock.now()
        text = frames.call(uid, req.action, req.payload)
        pending = PendingCall(req.action, sent_at, asyncio.get_running_loop().create_future())
        self.pending[uid] = pending
        lake = self.hub.lake
        lake.write([lake.message(sent_at, self.cp_id, self.connection_id, "out", self.version,
                                 CALL, uid, req.action, req.payload)])
        timeout = max(0.0, item.deadline - asyncio.get_running_loop().time())
        try:
            await self.ws.send(text)
            answer = await asyncio.wait_for(pending.future, timeout)
        except ConnectionClosed:
            self.pending.pop(uid, None)
            return self.hub.commands.finish(item, uid, "offline", None, sent_at, None)
        except TimeoutError:
            self.pending.pop(uid, None)
            return self.hub.commands.finish(item, uid, "timeout", None, sent_at, None)
        if answer is None:  # the socket closed while we waited
            return self.hub.commands.finish(item, uid, "offline", None, sent_at, None)
        return self.hub.commands.finish(item, uid, "answered", answer, sent_at, clock.now(),
                                        self.protocol)

    def fail_queued(self, outcome: str) -> None:
        """The socket closed: everything still waiting gets an answer now."""
        for pending in self.pending.values():
            if not pending.future.done():
                pending.future.set_result(None)
        while self.queue:
            item = self.queue.popleft()
            if not item.future.done():
                item.future.set_result(self.hub.commands.failed(item, outcome, None))

    def close_soon(self, code: int, reason: str) -> None:
        self.closing_reason = reason
        asyncio.get_running_loop().create_task(self.ws.close(code, reason))
