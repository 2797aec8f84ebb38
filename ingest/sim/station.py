"""One vocabulary for what a simulated charger sends, over OCPP 1.6J or 2.0.1.

The fleet speaks 1.6 terms (statuses, stop reasons, error codes) and this layer says them the way
each version does: a 1.6 status with an ``errorCode`` is a 2.0.1 status plus a ``NotifyEvent``; a
1.6 SuspendedEV status is a 2.0.1 ``TransactionEvent`` charging-state change.
"""

from __future__ import annotations

from typing import Any

from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.chargepoint_v201 import SimChargePoint201

V16_ERROR_CODES = {"OverCurrent": "OverCurrentFailure"}  # ChargeX name -> 1.6 ChargePointErrorCode
V201_STOP_REASONS = {"SoftReset": "ImmediateReset", "HardReset": "ImmediateReset",
                     "UnlockCommand": "Other"}


class Station:
    def __init__(self, cp: SimChargePoint16 | SimChargePoint201) -> None:
        self.cp = cp
        self.v16 = isinstance(cp, SimChargePoint16)

    async def boot(self, vendor: str, model: str, serial: str, reason: str) -> tuple[str, int]:
        """(registration status, heartbeat interval the CSMS asked for)."""
        if isinstance(self.cp, SimChargePoint16):
            res = await self.cp.boot(model=model, vendor=vendor, firmware="1.6.4", serial=serial)
        else:
            res = await self.cp.boot(model=model, vendor=vendor, firmware="2.3.1",
                                     reason=reason, serial=serial)
        return str(res.status), int(res.interval)

    async def heartbeat(self) -> None:
        await self.cp.heartbeat()

    async def status(self, connector: int, state: str, code: str | None = None) -> None:
        if isinstance(self.cp, SimChargePoint16):
            error = V16_ERROR_CODES.get(code, code) if code else "NoError"
            await self.cp.status(connector, state, error)
            return
        await self.cp.status(connector, state)
        if code:
            await self.cp.notify_error(connector, code)

    async def error(self, connector: int, state: str, code: str) -> None:
        """A warning that leaves the status as it is."""
        if isinstance(self.cp, SimChargePoint16):
            await self.cp.status(connector, state, V16_ERROR_CODES.get(code, code))
        else:
            await self.cp.notify_error(connector, code)

    async def authorize(self, tag: str) -> str:
        res: Any = await self.cp.authorize(tag)
        info = res.id_tag_info if isinstance(self.cp, SimChargePoint16) else res.id_token_info
        return str(info.get("status"))

    async def start(self, connector: int, tag: str, remote_id: int | None) -> str:
        if isinstance(self.cp, SimChargePoint16):
            return str(await self.cp.start_transaction(connector, tag))
        return await self.cp.start_transaction(connector, tag, remote_id)

    async def meter(self, connector: int, add_wh: int, power_w: float, soc: float | None,
                    temperature_c: float) -> None:
        """1.6 samples temperature with the meter; 2.0.1 reports it apart (``temperature``)."""
        if isinstance(self.cp, SimChargePoint16):
            await self.cp.meter(connector, add_wh, power_w, soc=soc, temperature_c=temperature_c)
        else:
            await self.cp.meter(connector, add_wh, power_w, soc)

    async def temperature(self, celsius: float) -> None:
        if isinstance(self.cp, SimChargePoint201):
            await self.cp.notify_temperature(celsius)

    async def suspended(self, connector: int) -> None:
        """The EV stopped drawing: charging done, the overstay begins."""
        if isinstance(self.cp, SimChargePoint16):
            await self.cp.status(connector, "SuspendedEV")
        else:
            await self.cp.charging_state(connector, "SuspendedEV")

    async def stop(self, connector: int, reason: str, final_wh: int) -> None:
        self.cp.register_wh[connector] = final_wh
        if isinstance(self.cp, SimChargePoint16):
            await self.cp.stop_transaction(connector, reason)
        else:
            await self.cp.stop_transaction(connector, V201_STOP_REASONS.get(reason, reason))

    def register(self, connector: int) -> int:
        return int(self.cp.register_wh[connector])

    def transaction(self, connector: int) -> str | None:
        tx = self.cp.transactions.get(connector)
        return None if tx is None else str(tx)
