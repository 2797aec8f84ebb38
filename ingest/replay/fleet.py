"""The replay's virtual chargers: one simulated OCPP 1.6J charge point per station, connected
over a real WebSocket, playing the plan's events. (Registering them in the CSMS's registry is the
``cpo`` command's job, before it connects them.)"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from ocpp.exceptions import OCPPError

from ingest.replay.errors import ReplayError, ReplayRejectedError
from ingest.replay.plan import Event, Kind
from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.clock import iso
from ingest.sim.link import listen, open_link

MODEL, VENDOR = "ReplayAC", "CPO-Replay"


class ReplayCharger(SimChargePoint16):
    suppress_call_errors = False  # a rejected call stops the replay with its reason


class Fleet:
    """The connected stations; counts every call it makes."""

    def __init__(self) -> None:
        self.chargers: dict[str, ReplayCharger] = {}
        self.calls = 0
        self.transactions: dict[int, int] = {}  # session index -> the CSMS's transaction id
        self._tasks: list[asyncio.Task[None]] = []

    async def connect(self, url: str, connectors: dict[str, int], at: float) -> None:
        """Connect and boot every station; its connectors report Available at ``at``."""
        loop = asyncio.get_running_loop()
        for station, n in connectors.items():
            cp = ReplayCharger(station, await open_link(url, station, "ocpp1.6"), n)
            self._tasks.append(loop.create_task(listen(cp)))
            self.chargers[station] = cp
            try:
                boot = await cp.boot(model=MODEL, vendor=VENDOR)
                _check(boot is not None and boot.status == "Accepted", station,
                       "BootNotification", at, boot)
                for connector in range(1, n + 1):
                    await cp.status(connector, "Available", at=at)
            except OCPPError as exc:
                raise _rejected("its boot (BootNotification, StatusNotification)", station,
                                exc) from None
            self.calls += 1 + n

    async def close(self) -> None:
        for cp in self.chargers.values():
            await cp._connection.close()
        await asyncio.gather(*self._tasks)

    async def play(self, ev: Event) -> None:
        try:
            await self._play(ev)
        except OCPPError as exc:
            raise _rejected(ev.kind.value, ev.station, exc) from None

    async def _play(self, ev: Event) -> None:
        cp, c, at = self.chargers[ev.station], ev.connector, ev.at
        self.calls += 1
        if ev.kind is Kind.AUTHORIZE:
            answer = await cp.authorize(ev.tag)
            ok = answer is not None and answer.id_tag_info.get("status") == "Accepted"
            _check(ok, ev.station, "Authorize", at, answer)
        elif ev.kind is Kind.START:
            _check(cp.register_wh[c] == ev.wh, ev.station, "StartTransaction", at,
                   f"register {cp.register_wh[c]} Wh, planned {ev.wh} Wh")
            self.transactions[ev.session] = await cp.start_transaction(c, ev.tag, at=at)
        elif ev.kind is Kind.METER:
            await cp.meter(c, ev.wh - cp.register_wh[c], ev.power_w, at=at)
        elif ev.kind is Kind.STOP:
            cp.register_wh[c] = ev.wh  # the meter's reading at the end, sampled or not
            await cp.stop_transaction(c, reason="EVDisconnected", at=at)
        elif ev.kind is Kind.HEARTBEAT:
            await cp.heartbeat()  # stamped by the CSMS's clock, set to ``at`` by the driver
        else:  # the status kinds are named after the 1.6 ChargePointStatus they send
            await cp.status(c, ev.kind.value, error_code=ev.error_code, at=at)

    async def play_together(self, events: Sequence[Event]) -> None:
        """Events of one instant on distinct stations (one heartbeat tick), sent concurrently:
        one round trip for the tick instead of one per station."""
        await asyncio.gather(*(self.play(ev) for ev in events))


def _rejected(action: str, station: str, exc: OCPPError) -> ReplayRejectedError:
    detail = f" {exc.details}" if exc.details else ""
    return ReplayRejectedError(action, station, f"{type(exc).__name__}: "
                               f"{str(exc.description).strip().rstrip(',')}{detail}")


def _check(ok: bool, station: str, action: str, at: float, got: Any) -> None:
    if not ok:
        raise ReplayError(f"station {station}, {action} at {iso(at)}: unexpected answer {got!r}")
