"""One CSMS node: WebSocket server, command API, watchdog, lake writer and (in a cluster) the
broker, started and stopped together. A clean stop closes every charger with 1001 and flushes
the lake."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl

from websockets.asyncio.server import Server, ServerConnection, serve

from csms_lite.api.http import ApiServer
from csms_lite.clock import Clock, SystemClock
from csms_lite.cluster.factory import open_broker
from csms_lite.config import CsmsConfig
from csms_lite.registry.store import Registry
from csms_lite.security.client_cert import peer_common_name
from csms_lite.server.connection import ChargerConnection
from csms_lite.server.handshake import Gatekeeper, charge_point_id, remote_address
from csms_lite.server.hub import Hub
from csms_lite.server.lake_log import LakeLog
from csms_lite.server.watchdog import Watchdog
from csms_lite.tls import server_context
from csms_lite.versions import BY_SUBPROTOCOL
from ingest.data_folder import DataFolder
from ingest.lake.writer import LakeFlushError, LakeWriter

log = logging.getLogger(__name__)


def tls_context(config: CsmsConfig) -> ssl.SSLContext | None:
    return server_context(config.tls_cert, config.tls_key, "--tls-cert and --tls-key",
                          config.tls_client_ca)


class CsmsServer:
    def __init__(self, config: CsmsConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        folder = DataFolder(config.data_dir)
        folder.ensure()  # 0700 before the lake, the journal or the registry land in it
        self.writer = LakeWriter(
            folder.local_lake, config.node_id, flush_interval=config.flush_interval,
            enabled=config.log_frames, lake_url=config.lake_url,
        )
        self.registry = Registry(folder.registry_file)
        try:
            broker = open_broker(config, floor=self.registry.max_transaction_id())
        except BaseException:
            self.registry.close()
            raise
        self.hub = Hub(config, self.clock, self.registry, LakeLog(self.writer, config.node_id),
                       broker)
        self.gate = Gatekeeper(self.hub)
        self.api = ApiServer(self.hub, config)
        self._ws: Server | None = None
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        assert self._ws is not None, "server not started"
        return int(self._ws.sockets[0].getsockname()[1])

    async def start(self) -> None:
        try:
            await self.hub.broker.start(self.hub)  # first: an unreachable broker starts nothing
        except BaseException:
            self.registry.close()
            raise
        self.writer.start()
        self._ws = await serve(
            self._handle, self.config.host, self.config.port,
            process_request=self.gate.process_request,
            select_subprotocol=self.gate.select_subprotocol,
            max_size=self.config.max_frame_bytes, ping_interval=None, compression=None,
            ssl=tls_context(self.config), server_header=None,
        )
        await self.api.start()
        self._watchdog = asyncio.get_running_loop().create_task(Watchdog(self.hub).run())
        log.info("CSMS node %s listening on %s:%d", self.config.node_id, self.config.host,
                 self.port)

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        if self._ws is not None:
            self._ws.close(close_connections=True)
            await self._ws.wait_closed()
        await self.api.stop()
        await self.hub.broker.stop()
        try:
            await asyncio.to_thread(self.writer.close)
        except LakeFlushError as exc:  # rows stay journaled; the next start replays them
            log.error("lake flush at stop failed, rows kept in the journal: %s", exc)
        self.registry.close()

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        cp_id = charge_point_id(ws.request.path)
        remote = remote_address(ws, ws.request, self.hub.config.trusted_proxies)
        lake = self.hub.lake
        if ws.subprotocol is None:
            offered = ws.request.headers.get("Sec-WebSocket-Protocol", "")
            lake.connection_event(self.clock.now(), cp_id, None, "rejected",
                                  f"no supported OCPP subprotocol offered ({offered or 'none'})",
                                  remote=remote, close_code=1002)
            await ws.close(1002, "no supported OCPP subprotocol")
            return
        conn = ChargerConnection(ws, self.hub, self.hub.charger(cp_id),
                                 BY_SUBPROTOCOL[ws.subprotocol], remote)
        self.hub.attach(conn)
        # security profile 3: say so (the handshake checked its common name is cp_id)
        how = "client certificate" if peer_common_name(ws) is not None else None
        lake.connection_event(self.clock.now(), cp_id, conn.connection_id, "connect", how,
                              subprotocol=ws.subprotocol, remote=remote)
        try:
            # In a cluster: claim the charger and load the transactions it began on any node,
            # before its first frame is read.
            await self.hub.broker.attached(conn.charger, conn.connection_id, conn.version)
            await conn.serve()
        finally:
            self._closed(conn)

    def _closed(self, conn: ChargerConnection) -> None:
        ws, now = conn.ws, self.clock.now()
        self.hub.detach(conn)
        code, reason = close_code_and_reason(ws)
        reason = reason or conn.closing_reason
        lake = self.hub.lake
        if code == 1009:  # the frame itself was never read: log that it came and was refused
            detail = f"frame larger than {self.config.max_frame_bytes} bytes"
            lake.write([lake.message(now, conn.cp_id, conn.connection_id, "in", conn.version,
                                     None, None, None, None, error_code="MessageTooBig",
                                     error_description=detail)])
            reason = detail
        conn.write_quota_summary(closing=True)
        lake.connection_event(now, conn.cp_id, conn.connection_id, "disconnect", reason,
                              subprotocol=ws.subprotocol, remote=conn.remote, close_code=code)


def close_code_and_reason(ws: ServerConnection) -> tuple[int | None, str | None]:
    """The close that ended the link: ours when this side started it (a peer that drops the
    link without echoing our close frame would otherwise show 1006)."""
    proto = ws.protocol
    sent = proto.close_sent
    if sent is not None and not proto.close_rcvd_then_sent:
        return sent.code, sent.reason or None
    return ws.close_code, ws.close_reason or None


async def run_until_signalled(server: CsmsServer, stop: asyncio.Event) -> None:
    await server.start()
    try:
        await stop.wait()
    finally:
        await server.stop()


__all__ = ["CsmsServer", "run_until_signalled"]
