"""Offline detection: a charger silent (no frame, no pong) for longer than its heartbeat
interval x a tolerance is offline; a silent charger is pinged first so an idle but healthy
link stays online. One task for the whole node, not one per connection."""

from __future__ import annotations

import asyncio
import logging

from csms_lite.server.connection import ChargerConnection
from csms_lite.server.hub import Hub

log = logging.getLogger(__name__)


class Watchdog:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._pinging: set[str] = set()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.hub.config.watchdog_interval)
            self.sweep()

    def sweep(self) -> None:
        cfg = self.hub.config
        now = self.hub.clock.now()
        for conn in list(self.hub.connections.values()):
            conn.write_quota_summary()
            last = conn.charger.last_seen or now
            silence = now - last
            limit = conn.charger.heartbeat_interval * cfg.offline_tolerance
            if silence > limit:
                self._offline(conn, now, silence)
            elif silence > cfg.ping_interval and conn.connection_id not in self._pinging:
                self._pinging.add(conn.connection_id)
                asyncio.get_running_loop().create_task(self._ping(conn))
        self.hub.forget_gone_unknown(now)

    def _offline(self, conn: ChargerConnection, now: float, silence: float) -> None:
        reason = f"silent for {silence:.0f} s (limit {conn.charger.heartbeat_interval} s x "
        reason += f"{self.hub.config.offline_tolerance:g})"
        self.hub.lake.connection_event(now, conn.cp_id, conn.connection_id, "offline", reason)
        conn.close_soon(1001, "offline: no frame or pong in time")
        self.hub.detach(conn)

    async def _ping(self, conn: ChargerConnection) -> None:
        try:
            waiter = await conn.ws.ping()
            await asyncio.wait_for(waiter, timeout=self.hub.config.ping_interval)
            if conn.charger.connection_id == conn.connection_id:
                conn.charger.last_seen = self.hub.clock.now()
        except Exception:  # closed or timed out: the next sweep decides
            log.debug("ping to %s failed", conn.cp_id, exc_info=True)
        finally:
            self._pinging.discard(conn.connection_id)
