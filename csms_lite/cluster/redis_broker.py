"""The Redis broker: what the nodes of a cluster share (see ``scripts`` for the keys).

Each node's memory stays the truth for the chargers it holds; Redis is where the others look.
Writes that need no answer (claims released, transactions changed) go through one ordered
queue, written by one task in pipelines, so the event loop never waits for them. Two things
are awaited, each bounded by ``op_timeout``: a charger's attach (claim it and load its open
transactions before its first frame is read) and a 1.6 StartTransaction (a transaction id
unique across nodes, recorded with the open transaction before the answer goes out).

Redis away: a keeper task pings it every second. When a call fails, the node logs it once and
goes on alone: its own chargers are served (transaction ids from a block reserved in advance,
:class:`IdReserve`), queued writes are dropped, commands for chargers elsewhere answer offline.
When Redis is back, the node writes again everything it holds (claims and open transactions).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from csms_lite.cluster import scripts
from csms_lite.cluster.broker import Held, NodeView, Prepare, Presence
from csms_lite.cluster.codec import (
    CodecError,
    presence_value,
    read_presence,
    read_transaction,
    transaction_json,
    transactions_args,
)
from csms_lite.cluster.ids import IdReserve
from csms_lite.cluster.relay import BROKER_ERRORS, CommandRelay
from csms_lite.cluster.scripts import command_channel
from csms_lite.cluster.tasks import cancel_and_wait
from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.errors import BrokerError
from csms_lite.handlers.context import CallContext
from csms_lite.rpc.errors import OcppCallError
from csms_lite.state import ChargerState, TransactionState
from csms_lite.versions import Version

log = logging.getLogger(__name__)

BATCH = 500  # keys per pipeline / script call when writing many chargers at once
# (kind, charge point, script args): "release" (node|connection|) or "txs" (the charger's
# open transactions as they were when they changed, so a charger gone since still gets them)
Op = tuple[str, str, list[str | int]]


class RedisBroker:
    kind = "redis"

    def __init__(
        self, url: str, node_id: str, *, floor: int = 0, presence_ttl: float = 30.0,
        command_timeout: float = 30.0, op_timeout: float = 1.0, reserve_size: int = 1000,
        tick: float = 1.0,
    ) -> None:
        self.url = url
        self.shown_url = redacted(url)  # for messages and logs: no password
        self.node_id = node_id
        self.presence_ttl = presence_ttl
        self.op_timeout = op_timeout
        self.tick = tick
        self.up = False
        self.failures = 0  # times the broker was found away
        self._floor = floor  # highest 1.6 transaction id this node knows was handed out
        self._reserve = IdReserve(reserve_size)
        try:
            self.redis = Redis.from_url(
                url, socket_timeout=op_timeout, socket_connect_timeout=op_timeout,
                retry=Retry(NoBackoff(), 0), decode_responses=True,
            )
        except ValueError as exc:
            raise BrokerError(f"invalid --broker URL {self.shown_url!r}: {exc}. Give "
                              "redis://HOST:PORT/DB, e.g. redis://127.0.0.1:6379/0") from None
        self._start_tx = self.redis.register_script(scripts.START_TRANSACTION)
        self._reserve_ids = self.redis.register_script(scripts.RESERVE_IDS)
        self._put_txs = self.redis.register_script(scripts.PUT_TRANSACTIONS)
        self._release = self.redis.register_script(scripts.RELEASE)
        self._refresh = self.redis.register_script(scripts.REFRESH)
        self.relay = CommandRelay(self.redis, node_id, command_timeout, op_timeout,
                                  self._failed)
        self._view: NodeView | None = None
        self._queue: deque[Op] = deque()
        self._queued: dict[str, int] = {}  # charger -> its writes not in Redis yet
        self._wake = asyncio.Event()
        self._claims: list[tuple[str, str, asyncio.Future[dict[str, str] | None]]] = []
        self._claim_wake = asyncio.Event()
        self._drained = asyncio.Event()  # set when every queued write is in Redis (or dropped)
        self._tasks: list[asyncio.Task[None]] = []

    # -- life -----------------------------------------------------------------------------

    async def start(self, view: NodeView) -> None:
        self._view = view
        try:
            async with asyncio.timeout(self.op_timeout * 3):
                await self.redis.ping()
                twins = await self.redis.pubsub_numsub(command_channel(self.node_id))
                if twins and int(twins[0][1]) > 0:
                    await self.redis.aclose()
                    raise BrokerError(
                        f"a node named {self.node_id!r} is already in the cluster of "
                        f"{self.shown_url}: give each node its own --node-id")
                await self._fill_reserve()
                await self.relay.start(view)
        except BROKER_ERRORS as exc:
            await self.redis.aclose()
            raise BrokerError(
                f"cannot reach the broker at {self.shown_url} ({describe(exc)}). Start Redis "
                "there (e.g. redis-server --port 6379), or fix --broker, or leave --broker out "
                "to run a single node") from None
        self.up = True
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._write_loop()), loop.create_task(self._claim_loop()),
                       loop.create_task(self._keep())]
        log.info("node %s joined the cluster through %s", self.node_id, self.shown_url)

    async def stop(self) -> None:
        if self.up and self._queued:  # the releases of a clean stop's closed chargers
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.op_timeout * 3):
                    await self._drained.wait()
        for task in self._tasks:
            await cancel_and_wait(task)
        await self.relay.stop()
        with contextlib.suppress(*BROKER_ERRORS):
            await self.redis.aclose()

    def status(self) -> dict[str, Any]:
        return {"kind": self.kind, "url": self.shown_url, "up": self.up, "failures": self.failures,
                "queued_writes": len(self._queue), "reserved_ids": self._reserve.left}

    # -- presence and transactions ---------------------------------------------------------

    async def attached(self, state: ChargerState, connection_id: str, version: str) -> None:
        if not self.up:
            return  # claimed when the broker is back (resync)
        cp_id = state.charge_point_id
        future: asyncio.Future[dict[str, str] | None] = (
            asyncio.get_running_loop().create_future())
        self._claims.append((cp_id, presence_value(self.node_id, connection_id, version),
                             future))
        self._claim_wake.set()
        try:
            shared = await asyncio.wait_for(future, self.op_timeout * 2)
        except TimeoutError as exc:
            self._failed(exc)
            return
        if shared is None:  # the broker failed (logged)
            return
        if cp_id in self._queued:
            return  # our own newer writes for it are still queued: local state is newer
        try:
            state.transactions = {k: read_transaction(k, v) for k, v in shared.items()}
        except CodecError as exc:
            log.warning("open transactions of %s in the broker unreadable, kept ours: %s",
                        cp_id, exc)

    async def _claim_loop(self) -> None:
        """Claims of the chargers that connected since the last pass, in one pipeline: a
        reconnect storm costs one round trip per batch, not per charger."""
        ttl_ms = int(self.presence_ttl * 1000)
        while True:
            await self._claim_wake.wait()
            self._claim_wake.clear()
            batch, self._claims = self._claims, []
            for start in range(0, len(batch), BATCH):
                chunk = batch[start:start + BATCH]
                results: list[Any] | None = None
                if self.up:
                    try:
                        async with asyncio.timeout(self.op_timeout):
                            async with self.redis.pipeline(transaction=False) as pipe:
                                for cp_id, value, _ in chunk:
                                    pipe.set(scripts.presence_key(cp_id), value, px=ttl_ms)
                                    pipe.hgetall(scripts.transactions_key(cp_id))
                                results = await pipe.execute()
                    except BROKER_ERRORS as exc:
                        self._failed(exc)
                for i, (_, _, future) in enumerate(chunk):
                    if not future.done():
                        future.set_result(results[2 * i + 1] if results else None)

    def released(self, cp_id: str, connection_id: str) -> None:
        self._enqueue(("release", cp_id, [presence_value(self.node_id, connection_id, "")]))

    def transactions_changed(self, state: ChargerState) -> None:
        self._enqueue(("txs", state.charge_point_id, self._txs_args(state)))

    def preparers(self, version: Version) -> dict[str, Prepare]:
        return ({"StartTransaction": self._prepare_start}
                if version.csms_assigns_transaction_ids else {})

    async def _prepare_start(self, ctx: CallContext, p: dict[str, Any]) -> None:
        """Allocate the transaction id (the same one for a start retried on any node) and
        record the open transaction, before the charger is answered."""
        cp_id = ctx.charger.charge_point_id
        tx = TransactionState("", p["connectorId"], None, p["idTag"], ctx.now, p["meterStart"])
        if self.up:
            keys = [scripts.start_key(cp_id, p["connectorId"], p["idTag"], p["meterStart"],
                                      p["timestamp"]),
                    scripts.TX_COUNTER, scripts.transactions_key(cp_id)]
            args: list[str | int] = [scripts.TX_START_TTL_S, self._floor, transaction_json(tx),
                                     scripts.TX_TTL_S]
            try:
                async with asyncio.timeout(self.op_timeout):
                    tx_id, _duplicate = await self._start_tx(keys=keys, args=args)
                self._use(int(tx_id), ctx)
                return
            except BROKER_ERRORS as exc:
                self._failed(exc)
        reserved = self._reserve.take()
        if reserved is None:
            raise OcppCallError("InternalError", "no transaction id available: the cluster "
                                "broker is unreachable and this node's reserve is used up")
        log.warning("transaction id %d for %s from the reserve (broker unreachable)",
                    reserved, cp_id)
        self._use(reserved, ctx)

    def _use(self, tx_id: int, ctx: CallContext) -> None:
        self._floor = max(self._floor, tx_id)
        ctx.transaction_id = tx_id

    # -- commands --------------------------------------------------------------------------

    async def locate(self, cp_id: str) -> Presence | None:
        if not self.up:
            return None
        try:
            async with asyncio.timeout(self.op_timeout):
                value = await self.redis.get(scripts.presence_key(cp_id))
            return read_presence(value)
        except BROKER_ERRORS as exc:
            self._failed(exc)
        except CodecError as exc:
            log.warning("presence of %s unreadable: %s", cp_id, exc)
        return None

    async def forward(self, req: CommandRequest, requested_at: float) -> CommandResult | None:
        where = await self.locate(req.charge_point_id)
        if where is None or where.node_id == self.node_id:
            return None
        return await self.relay.forward(where.node_id, req, requested_at)

    # -- writing ---------------------------------------------------------------------------

    def _enqueue(self, op: Op) -> None:
        if not self.up:
            return  # written again from our memory when the broker is back
        self._queue.append(op)
        self._queued[op[1]] = self._queued.get(op[1], 0) + 1
        self._drained.clear()
        self._wake.set()

    def _take(self) -> list[Op]:
        ops = list(self._queue)
        self._queue.clear()
        return ops

    async def _write_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            ops = self._take()
            try:
                async with asyncio.timeout(self.op_timeout * 3):
                    await self._write(ops)
            except BROKER_ERRORS as exc:
                self._failed(exc)
            finally:
                for _, cp_id, _ in ops:
                    left = self._queued.get(cp_id, 0) - 1
                    if left > 0:
                        self._queued[cp_id] = left
                    else:
                        self._queued.pop(cp_id, None)
                if not self._queued:
                    self._drained.set()

    async def _write(self, ops: list[Op]) -> None:
        for start in range(0, len(ops), BATCH):
            async with self.redis.pipeline(transaction=False) as pipe:
                for kind, cp_id, args in ops[start:start + BATCH]:
                    if kind == "release":
                        await self._release(keys=[scripts.presence_key(cp_id)], args=args,
                                            client=pipe)
                    else:
                        await self._put(pipe, cp_id, args)
                await pipe.execute()

    def _txs_args(self, state: ChargerState) -> list[str | int]:
        return [self.node_id, scripts.TX_TTL_S, *transactions_args(state.transactions)]

    async def _put(self, pipe: Any, cp_id: str, args: list[str | int]) -> None:
        """Queue (in ``pipe``) the write of a charger's open transactions, skipped by Redis if
        another node holds the charger now."""
        await self._put_txs(keys=[scripts.presence_key(cp_id), scripts.transactions_key(cp_id)],
                            args=args, client=pipe)

    def _held_by_id(self) -> dict[str, Held]:
        assert self._view is not None
        return {h.state.charge_point_id: h for h in self._view.held()}

    # -- keeping presence and noticing the broker come and go ------------------------------

    async def _keep(self) -> None:
        refreshed = time.monotonic()
        while True:
            await asyncio.sleep(self.tick)
            try:
                async with asyncio.timeout(self.op_timeout):
                    await self.redis.ping()
            except BROKER_ERRORS as exc:
                self._failed(exc)
                continue
            try:
                if not self.up:
                    await self._rejoin()
                    refreshed = time.monotonic()
                elif time.monotonic() - refreshed >= self.presence_ttl / 3:
                    await self._refresh_presence(self._held_by_id().values())
                    refreshed = time.monotonic()
                if self._reserve.low:
                    async with asyncio.timeout(self.op_timeout):
                        await self._fill_reserve()
            except BROKER_ERRORS as exc:
                self._failed(exc)

    async def _rejoin(self) -> None:
        """The broker is back: write again every claim and open transaction we hold."""
        held = list(self._held_by_id().values())
        await self._refresh_presence(held)
        for start in range(0, len(held), BATCH):
            async with asyncio.timeout(self.op_timeout * 3):
                async with self.redis.pipeline(transaction=False) as pipe:
                    for h in held[start:start + BATCH]:
                        await self._put(pipe, h.state.charge_point_id,
                                        self._txs_args(h.state))
                    await pipe.execute()
        self.up = True
        log.warning("broker %s reachable again: node %s rejoined with %d chargers",
                    self.shown_url,
                    self.node_id, len(held))

    async def _refresh_presence(self, held: Iterable[Held]) -> None:
        items = [(scripts.presence_key(h.state.charge_point_id),
                  presence_value(self.node_id, h.connection_id, h.version)) for h in held]
        ttl_ms = int(self.presence_ttl * 1000)
        for start in range(0, len(items), BATCH):
            chunk = items[start:start + BATCH]
            async with asyncio.timeout(self.op_timeout * 3):
                await self._refresh(keys=[k for k, _ in chunk],
                                    args=[ttl_ms, *(v for _, v in chunk)])

    async def _fill_reserve(self) -> None:
        last = await self._reserve_ids(keys=[scripts.TX_COUNTER],
                                       args=[self._reserve.size, self._floor])
        self._reserve.fill(int(last))
        self._floor = max(self._floor, int(last))

    def _failed(self, exc: BaseException) -> None:
        if self.up:
            self.up = False
            self.failures += 1
            self._queue.clear()
            self._queued.clear()
            self._drained.set()
            log.error("broker %s unreachable (%s): node %s goes on serving its own chargers; "
                      "commands for chargers on other nodes answer offline until it is back",
                      self.shown_url, describe(exc), self.node_id)


def redacted(url: str) -> str:
    """``url`` without its password, if it has one."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def describe(exc: BaseException) -> str:
    return str(exc).rstrip(".") or type(exc).__name__
