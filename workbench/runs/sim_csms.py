"""A CSMS node whose clock follows a simulation (``cpo simulate``, ``cpo demo``): every time the
CSMS records, ``received_at`` included, is simulated time.

Real-time machinery is turned off or driven by simulated time instead: the rate limit (its
bucket runs on real time) is off, and the offline watchdog sweeps on the simulated clock rather
than on its own timer, so a charger silent for 1.5 heartbeat intervals of simulated time is
marked offline at that simulated time.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from csms_lite.clock import ManualClock
from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer
from csms_lite.server.watchdog import Watchdog

log = logging.getLogger(__name__)
NEVER = 10.0 * 365 * 86400  # the node's own real-time watchdog and pings never fire
SWEEP_S = 60.0  # simulated seconds between offline sweeps
SETTLE_S = 5.0  # real seconds to wait for the server to notice closed links


class SimCsms:
    def __init__(self, data_dir: Path, node_id: str, start: float, api: bool = False) -> None:
        self.clock = ManualClock(start)
        config = CsmsConfig(
            data_dir=data_dir,
            port=0,
            api_port=0 if api else None,
            node_id=node_id,
            rate_limit=0.0,  # real-time guards mean nothing on a simulated clock
            lake_quota_bytes=0,
            node_lake_quota_bytes=0,
            watchdog_interval=NEVER,
            ping_interval=NEVER,
        )
        self.server = CsmsServer(config, self.clock)
        self.watchdog = Watchdog(self.server.hub)
        self._last_sweep = start

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}/ocpp"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.api.port}"

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()

    async def follow(self, t: float, linked: set[str]) -> None:
        """Move the clock to ``t``; first let the server see every link the fleet closed, so a
        disconnect is stamped with the time it happened, not a later tick's."""
        await self._settle(linked)
        self.clock.set(t)
        if t - self._last_sweep >= SWEEP_S:
            self._last_sweep = t
            self.watchdog.sweep()
            await self._settle(linked)

    async def _settle(self, linked: set[str]) -> None:
        connections = self.server.hub.connections
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_S
        while connections.keys() != linked:
            if loop.time() > deadline:
                log.warning(
                    "CSMS and fleet disagree on open links: %s", sorted(connections.keys() ^ linked)
                )
                return
            await asyncio.sleep(0.0005)
