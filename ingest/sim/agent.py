"""A simulated charger: its own timed events (heartbeats, meter samples, unplugs, faults,
precursor signals, reboots) handled in simulated time, over a real WebSocket to the CSMS.

State that other agents read (which connector is free) changes synchronously when an event is
handled, before any I/O, so what a site's drivers see does not depend on network timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import zlib
from typing import Any

import numpy as np
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from ingest.sim.agent_answers import AgentAnswers
from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.chargepoint_v201 import SimChargePoint201
from ingest.sim.context import SimContext
from ingest.sim.faults import Fault, FaultType
from ingest.sim.link import listen, open_link
from ingest.sim.network import Charger
from ingest.sim.ports import Port
from ingest.sim.station import Station
from ingest.sim.timeline import Sleeper
from ingest.sim.truth import TruthRow

log = logging.getLogger(__name__)
LINK_ERRORS = (ConnectionClosed, InvalidHandshake, OSError, asyncio.TimeoutError)
REBOOT_DOWN_S = {"soft": 45.0, "hard": 90.0, "watchdog": 60.0, "technician": 300.0}
RECONNECT_S = 30.0


def stable_seed(*parts: object) -> list[int]:
    return [zlib.crc32(str(p).encode()) for p in parts]


class ChargerAgent:
    def __init__(self, spec: Charger, ctx: SimContext, faults: list[Fault]) -> None:
        self.spec, self.ctx = spec, ctx
        self.rng = np.random.default_rng(stable_seed(ctx.settings.seed, spec.id))
        self.sleeper = Sleeper(spec.id, priority=1)
        self.ports = {c: Port(c) for c in range(1, spec.connectors + 1)}
        self.faults = faults  # in time order, near misses included
        self.active: Fault | None = None  # the fault the charger is in now
        self.averted: set[int] = set()  # ids of faults a reset in their precursor window stopped
        self.station: Station | None = None
        self.registers: dict[int, int] = dict.fromkeys(self.ports, 0)
        self.heartbeat_s = float(ctx.settings.heartbeat_s)
        self.last_sent = ctx.settings.start
        self.booting = True  # down: not connected, or connected but not booted yet
        self.calls = 0
        self._events: list[tuple[float, int, str, Any]] = []
        self._seq = itertools.count()
        self._tokens = itertools.count(1)
        self._uid = itertools.count(1)
        self._tx_ids = itertools.count(1)
        self._tx_seq = itertools.count()  # 2.0.1 TransactionEvent seqNo, across reconnects
        self._closing = False  # we close the link ourselves: no reconnect on its end
        self.pending_reset: str | None = None  # a 2.0.1 OnIdle reset waiting for sessions to end
        self.hb_token = 0  # heartbeat chain of the current boot
        self.clock_offset = self._clock_offset()
        self.answers = AgentAnswers(self)  # answers the CSMS's commands on every link

    # -- scheduling -------------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.ctx.timeline.now

    def push(self, at: float, kind: str, arg: Any = None) -> None:
        heapq.heappush(self._events, (at, next(self._seq), kind, arg))
        self.ctx.timeline.wake(self.sleeper, at)

    def free_connectors(self) -> list[int]:
        if self.booting or self.spec.id not in self.ctx.linked:
            return []
        return [c for c, p in self.ports.items() if p.free]

    async def run(self) -> None:
        tl, end = self.ctx.timeline, self.ctx.settings.end
        self._plan()
        try:
            while self._events and self._events[0][0] < end:
                await tl.sleep_until(self.sleeper, self._events[0][0])
                while self._events and self._events[0][0] <= tl.now:
                    at, _, kind, arg = heapq.heappop(self._events)
                    await self._handle(at, kind, arg)
            await self._finish()
        finally:
            tl.leave()

    def _plan(self) -> None:
        start = self.ctx.settings.start
        self.push(start + self.rng.uniform(0, 60), "boot", "PowerUp")
        self.push(start + 3600.0, "signals")
        for f in self.faults:
            self.push(f.start, "near_miss_end" if f.near_miss else "fault_on", f)

    async def _handle(self, at: float, kind: str, arg: Any) -> None:
        # the event handlers, kept apart from the plumbing
        from ingest.sim import behaviour, technician

        handler = behaviour.HANDLERS.get(kind) or technician.HANDLERS[kind]
        await handler(self, at, arg)

    # -- the link -----------------------------------------------------------------------------

    async def connect(self) -> bool:
        """Open the WebSocket; False (and a retry scheduled) if the CSMS is unreachable."""
        try:
            ws = await open_link(self.ctx.url, self.spec.id, self.spec.subprotocol,
                                 self.ctx.passwords.get(self.spec.id))
        except LINK_ERRORS as exc:
            log.debug("%s: connect failed: %s", self.spec.id, exc)
            self.push(self.now + RECONNECT_S, "reconnect")
            return False
        cp: SimChargePoint16 | SimChargePoint201
        if self.spec.ocpp == "1.6":
            cp = SimChargePoint16(self.spec.id, ws, self.spec.connectors, self.charger_clock,
                                  answers=self.answers)
        else:
            cp = SimChargePoint201(self.spec.id, ws, self.spec.connectors, self.charger_clock,
                                   answers=self.answers,
                                   new_tx_id=lambda: f"{self.spec.id}-{next(self._tx_ids)}")
        cp._unique_id_generator = self._uid.__next__  # deterministic message ids
        self._carry_over(cp)
        self.station = Station(cp)
        self._closing = False
        self.ctx.linked.add(self.spec.id)
        task = asyncio.get_running_loop().create_task(listen(cp))
        task.add_done_callback(lambda _: self._link_ended(cp))
        return True

    def _carry_over(self, cp: SimChargePoint16 | SimChargePoint201) -> None:
        """A new link, the same charger: meters, open transactions, 2.0.1 sequence numbers."""
        cp.register_wh.update(self.registers)
        for c, port in self.ports.items():
            tx = port.session.tx if port.session is not None else None
            if tx is None:
                continue
            if isinstance(cp, SimChargePoint16):
                cp.transactions[c] = int(tx)
            else:
                cp.transactions[c] = tx
        if isinstance(cp, SimChargePoint201):
            cp._seq = self._tx_seq

    def _link_ended(self, cp: SimChargePoint16 | SimChargePoint201) -> None:
        self.calls, cp.calls = self.calls + cp.calls, 0
        if self.station is None or self.station.cp is not cp:
            return
        self._detach(cp)
        if not self._closing:  # the CSMS closed it (e.g. offline): come back like a charger
            self._reconnect_later()

    def _detach(self, cp: SimChargePoint16 | SimChargePoint201) -> None:
        """The link is gone: keep what outlives it (meters), forget the station."""
        self.registers.update({c: int(w) for c, w in cp.register_wh.items()})
        self.station = None
        self.ctx.linked.discard(self.spec.id)

    def _reconnect_later(self) -> None:
        self.booting = True
        self.push(self.now + RECONNECT_S, "reconnect")

    async def disconnect(self, abort: bool = False) -> None:
        """Close our side; ``abort`` drops TCP without a close frame (a lost link)."""
        station = self.station
        if station is None:
            return
        self._closing = True
        self.calls, station.cp.calls = self.calls + station.cp.calls, 0
        self._detach(station.cp)
        ws = station.cp._connection
        if abort:
            ws.transport.abort()
        else:
            with contextlib.suppress(*LINK_ERRORS):
                await ws.close()

    async def send(self, what: str, *args: Any) -> Any:
        """Send through the station; a dead link schedules a reconnect and returns None."""
        station = self.station
        if station is None:
            return None
        try:
            result = await getattr(station, what)(*args)
        except LINK_ERRORS as exc:
            log.debug("%s: %s failed: %s", self.spec.id, what, exc)
            await self.disconnect(abort=True)
            self._reconnect_later()
            return None
        self.last_sent = self.now
        return result

    # -- time as the charger sees it ----------------------------------------------------------

    def charger_clock(self) -> float:
        return self.now + self.clock_offset

    def _clock_offset(self) -> float:
        """A few chargers run hours off (a wrong time zone, a drifted RTC); the rest are close."""
        if self.rng.random() < 0.04:
            return float(self.rng.choice([-1, 1]) * 3600.0 * self.rng.integers(1, 9))
        return float(self.rng.normal(0.0, 2.0))

    # -- faults -------------------------------------------------------------------------------

    def intensity(self, t: float) -> tuple[float, FaultType | None]:
        """The strongest precursor signal at ``t`` and the fault type behind it."""
        best, kind = 0.0, None
        for f in self.faults:
            if f.precursor_start > t:
                break
            if id(f) in self.averted:
                continue
            x = f.intensity(t)
            if x > best:
                best, kind = x, f.type
        return best, kind

    def registers_now(self, connector: int) -> int:
        if self.station is not None:
            return self.station.register(connector)
        return self.registers[connector]

    def truth(self, kind: str, **fields: Any) -> None:
        row = {"charge_point_id": self.spec.id, "site_id": self.spec.site,
               "connector_id": None, "fault_type": None, "curable": None,
               "precursor_start": None, "start": self.now, "end": None, "ended_by": None,
               "detail": None, **fields}
        self.ctx.truth.add(TruthRow(kind=kind, **row))

    def avert_upcoming(self, t: float, by: str) -> None:
        """A CSMS reset in the precursor window of a curable fault restarts the wear (a hung
        process, a locked-up modem): that fault never comes. Incurable wear goes on."""
        for f in self.faults:
            if f.precursor_start > t:
                break
            if (f.type.curable and not f.near_miss and f.precursor_start <= t < f.start
                    and id(f) not in self.averted):
                self.averted.add(id(f))
                self.truth("averted", connector_id=f.connector if f.type.connector else None,
                           fault_type=f.type.name, curable=True,
                           precursor_start=f.precursor_start, start=f.start, end=t, ended_by=by)

    def end_fault(self, by: str) -> None:
        f = self.active
        assert f is not None
        self.truth("fault", connector_id=f.connector if f.type.connector else None,
                   fault_type=f.type.name, curable=f.type.curable,
                   precursor_start=f.precursor_start, start=f.start, end=self.now, ended_by=by)
        self.active = None

    async def _finish(self) -> None:
        if self.active is not None:
            self.end_fault("end_of_simulation")
        self._closing = True
        await self.disconnect()

    def new_token(self) -> int:
        return next(self._tokens)

    @staticmethod
    def poisson_times(rng: np.random.Generator, rate_per_h: float, start: float) -> list[float]:
        n = int(rng.poisson(rate_per_h)) if rate_per_h > 0 else 0
        return sorted(start + rng.uniform(0.0, 3600.0, n)) if n else []

    @staticmethod
    def jitter(rng: np.random.Generator, sd: float) -> float:
        return float(rng.normal(0.0, sd)) if sd > 0 else 0.0
