"""A simulated charger whose fault a reset cures (or not): it boots again and reports
Available (or Faulted again), for tests of the self-healing loop on loopback."""

from __future__ import annotations

import asyncio

from ingest.sim.chargepoint_v16 import SimChargePoint16


class CurableCharger:
    """A charger whose fault a reset cures: it boots again and reports Available."""

    def __init__(self, cp: SimChargePoint16, curable: bool = True) -> None:
        self.cp, self.curable = cp, curable
        self.resets: list[bool] = []
        self.availability: list[tuple[int, bool]] = []

    def reset(self, hard: bool) -> str:
        self.resets.append(hard)
        asyncio.get_running_loop().create_task(self._reboot())
        return "Accepted"

    async def _reboot(self) -> None:
        await asyncio.sleep(0.1)
        await self.cp.boot()
        for connector in (1, 2):
            if self.curable:
                await self.cp.status(connector, "Available")
            else:
                await self.cp.status(connector, "Faulted", "InternalError")

    def change_availability(self, connector: int, operative: bool) -> str:
        self.availability.append((connector, operative))
        return "Accepted"

    def remote_start(self, connector: int | None, id_tag: str) -> str:
        return "Rejected"

    def remote_stop(self, transaction_id: str) -> str:
        return "Rejected"

    def trigger(self, message: str, connector: int | None) -> str:
        return "Accepted"

    def unlock(self, connector: int) -> str:
        return "Unlocked"
