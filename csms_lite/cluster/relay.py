"""Remote commands between nodes over Redis pub/sub.

Node A's API gets a command for a charger node B holds: A publishes it on ``cpo:cmd:B`` and
waits; B runs it like one of its own (the charger's queue, one CALL in flight, B's command
timeout) and publishes the result on ``cpo:reply:A``; A writes the ``commands`` row (once, on
the node that was asked) and answers its HTTP caller.

Pub/sub, not streams: a command is only worth running while someone waits for its answer, so
at-most-once delivery is what we want; a node that is not listening makes PUBLISH report 0
receivers, which A answers at once as offline. If B's answer does not come within the command's
timeout plus :data:`FORWARD_GRACE_S`, A answers timeout (B may still have sent the CALL; the
charger's answer is then in ``ocpp_messages`` as for any late answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from csms_lite.cluster.broker import NodeView
from csms_lite.cluster.codec import (
    CodecError,
    command_message,
    read_command,
    read_reply,
    reply_message,
)
from csms_lite.cluster.scripts import command_channel, reply_channel
from csms_lite.cluster.tasks import cancel_and_wait
from csms_lite.commands.request import CommandRequest, CommandResult

log = logging.getLogger(__name__)

FORWARD_GRACE_S = 2.0  # on top of the command's timeout: the hops to the other node and back
RETRY_S = 1.0  # between attempts to listen again after the broker went away
BROKER_ERRORS = (RedisError, OSError, TimeoutError)


def failure(req: CommandRequest, outcome: str, description: str) -> CommandResult:
    """A command that never reached a charger, answered by the node that was asked."""
    return CommandResult(uuid.uuid4().hex, req.charge_point_id, req.action, req.payload,
                         outcome, error_description=description)


class CommandRelay:
    def __init__(
        self, redis: Redis, node_id: str, command_timeout: float, op_timeout: float,
        on_error: Callable[[BaseException], None],
    ) -> None:
        self.redis = redis
        self.node_id = node_id
        self.command_timeout = command_timeout
        self.op_timeout = op_timeout
        self.on_error = on_error
        self._commands = command_channel(node_id)
        self._replies = reply_channel(node_id)
        self._waiting: dict[str, asyncio.Future[CommandResult]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self._pubsub: PubSub | None = None
        self._view: NodeView | None = None

    async def start(self, view: NodeView) -> None:
        """Subscribe (raises the broker's error if that fails) and listen in the background."""
        self._view = view
        self._pubsub = await self._subscribe()
        self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def stop(self) -> None:
        if self._listener is not None:
            await cancel_and_wait(self._listener)
        for task in list(self._tasks):
            await cancel_and_wait(task)
        await self._close_pubsub()

    async def forward(
        self, node_id: str, req: CommandRequest, requested_at: float
    ) -> CommandResult:
        """Run ``req`` on ``node_id`` and return its result (or why it could not be run)."""
        msg_id = uuid.uuid4().hex
        future: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        self._waiting[msg_id] = future
        try:
            try:
                async with asyncio.timeout(self.op_timeout):
                    receivers = await self.redis.publish(
                        command_channel(node_id),
                        command_message(msg_id, self.node_id, req, requested_at))
            except BROKER_ERRORS as exc:
                self.on_error(exc)
                return failure(req, "offline", f"charge point is held by node {node_id}, but "
                               f"the broker is unreachable ({type(exc).__name__})")
            if receivers == 0:
                return failure(req, "offline", f"charge point was held by node {node_id}, "
                               "which is not listening (stopped or down)")
            wait = (req.timeout or self.command_timeout) + FORWARD_GRACE_S
            try:
                return await asyncio.wait_for(future, wait)
            except TimeoutError:
                return failure(req, "timeout", f"node {node_id} did not answer in {wait:g} s")
        finally:
            self._waiting.pop(msg_id, None)

    # -- listening ------------------------------------------------------------------------

    async def _subscribe(self) -> PubSub:
        pubsub = self.redis.pubsub()
        try:
            async with asyncio.timeout(self.op_timeout):
                await pubsub.subscribe(self._commands, self._replies)
        except BaseException:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            raise
        return pubsub

    async def _close_pubsub(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(*BROKER_ERRORS):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None

    async def _listen(self) -> None:
        while True:
            try:
                if self._pubsub is None:
                    self._pubsub = await self._subscribe()
                msg = await self._pubsub.get_message(ignore_subscribe_messages=True,
                                                     timeout=1.0)
            except BROKER_ERRORS as exc:
                self.on_error(exc)
                await self._close_pubsub()
                await asyncio.sleep(RETRY_S)
                continue
            if msg is None or msg.get("type") != "message":
                continue
            channel, data = msg["channel"], msg["data"]
            if isinstance(channel, bytes):
                channel = channel.decode()
            if channel == self._replies:
                self._on_reply(data)
            elif channel == self._commands:
                self._spawn(self._on_command(data))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_reply(self, data: str | bytes) -> None:
        try:
            msg_id, result = read_reply(data)
        except CodecError as exc:
            log.warning("unreadable command reply from the broker: %s", exc)
            return
        future = self._waiting.get(msg_id)
        if future is not None and not future.done():
            future.set_result(result)

    async def _on_command(self, data: str | bytes) -> None:
        try:
            msg_id, reply_to, req, requested_at = read_command(data)
        except CodecError as exc:
            log.warning("unreadable forwarded command from the broker: %s", exc)
            return
        assert self._view is not None
        try:
            result = await self._view.run_forwarded(req, requested_at)
        except Exception as exc:  # a bug of ours: the asking node still gets an answer
            log.exception("forwarded command %s to %s failed", req.action, req.charge_point_id)
            result = failure(req, "error", type(exc).__name__)
        try:
            async with asyncio.timeout(self.op_timeout):
                await self.redis.publish(reply_channel(reply_to), reply_message(msg_id, result))
        except BROKER_ERRORS as exc:
            self.on_error(exc)
