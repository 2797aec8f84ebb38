"""Drive a replay: an in-process CSMS on a manual clock, one virtual charger per station, the
plan's calls sent one at a time in time order with the clock set to each call's historical time,
so the lake's ``received_at`` is when the session really happened."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from csms_lite.clock import ManualClock
from csms_lite.config import CsmsConfig
from csms_lite.registry.store import Registry, registry_path
from csms_lite.server.app import CsmsServer
from ingest.replay.errors import ReplayError
from ingest.replay.fleet import Fleet, register
from ingest.replay.plan import Kind, Plan, build_plan
from ingest.replay.session import ReplaySession
from ingest.sim.clock import iso

Say = Callable[[str], None]
# Historical time jumps by weeks between two calls of a station: the offline watchdog would close
# every idle station, so it never wakes during a replay (nothing here needs it).
WATCHDOG_OFF = 10.0 * 365 * 86400


@dataclass(frozen=True)
class ReplaySettings:
    data_dir: Path
    partner: str  # owner of the replay's id tags in the registry
    meter_interval_s: float = 900.0
    speed: float = 0.0  # historical seconds per wall second; 0: as fast as possible
    progress_every: int = 500  # sessions between progress lines; 0: none


@dataclass(frozen=True)
class ReplayRun:
    node_id: str  # the CSMS node that wrote this replay's rows (the reconciliation's filter)
    sessions: int
    stations: int
    calls: int
    wall_s: float  # from the first connect to the lake flushed at the CSMS's stop
    first_at: float
    last_at: float

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.wall_s if self.wall_s > 0 else 0.0


def csms_config(data_dir: Path, node_id: str) -> CsmsConfig:
    # No rate limit: its bucket runs on real time, and a replay is far faster than real time.
    return CsmsConfig(data_dir=data_dir, port=0, node_id=node_id, rate_limit=0.0,
                      watchdog_interval=WATCHDOG_OFF)


async def replay(sessions: Sequence[ReplaySession], settings: ReplaySettings,
                 say: Say) -> ReplayRun:
    """Replay ``sessions`` (in replay order) into ``settings.data_dir``; the lake is flushed."""
    plan = build_plan(sessions, settings.meter_interval_s)
    if not plan.events:
        raise ReplayError("no sessions to replay (the file has none, or all were skipped)")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with Registry(registry_path(settings.data_dir)) as registry:
        register(registry, plan, settings.partner)
    node_id = f"replay-{secrets.token_hex(4)}"  # a fresh node: this run's rows, and only them
    clock = ManualClock(plan.events[0].at)
    server = CsmsServer(csms_config(settings.data_dir, node_id), clock)
    await server.start()
    started = time.perf_counter()
    try:
        calls = await _drive(f"ws://127.0.0.1:{server.port}/ocpp", plan, clock, settings, say)
    finally:
        await server.stop()
    return ReplayRun(node_id, len(sessions), len(plan.connectors), calls,
                     time.perf_counter() - started, plan.events[0].at, plan.events[-1].at)


async def _drive(url: str, plan: Plan, clock: ManualClock, settings: ReplaySettings,
                 say: Say) -> int:
    fleet = Fleet()
    try:
        await fleet.connect(url, plan.connectors, plan.events[0].at)
        n = len(fleet.chargers)
        say(f"{n} station{'' if n == 1 else 's'} connected (OCPP 1.6J), replaying "
            f"{len(plan.events):,} calls from {iso(plan.events[0].at)}")
        progress = _Progress(sum(e.kind is Kind.STOP for e in plan.events), settings, say)
        pace = _Pacer(settings.speed, plan.events[0].at)
        for event in plan.events:
            await pace.wait(event.at)
            clock.set(event.at)  # before the call: the CSMS stamps it with this time
            await fleet.play(event)
            if event.kind is Kind.STOP:
                progress.session_done(event.at, fleet.calls)
    finally:
        await fleet.close()  # the disconnects happen at the last event's time
    return fleet.calls


class _Progress:
    def __init__(self, total: int, settings: ReplaySettings, say: Say) -> None:
        self.total, self.every, self.say = total, settings.progress_every, say
        self.done = 0
        self.started = time.perf_counter()

    def session_done(self, at: float, calls: int) -> None:
        self.done += 1
        if self.every <= 0 or (self.done % self.every and self.done != self.total):
            return
        rate = calls / max(time.perf_counter() - self.started, 1e-9)
        self.say(f"  {self.done:,}/{self.total:,} sessions, at {iso(at)[:10]}, {calls:,} calls, "
                 f"{rate:,.0f} calls/s")


class _Pacer:
    """Sleeps so history plays at ``speed`` x real time (never when speed is 0)."""

    def __init__(self, speed: float, first_at: float) -> None:
        self.speed, self.first_at = speed, first_at
        self.wall0 = time.perf_counter()

    async def wait(self, at: float) -> None:
        if self.speed <= 0:
            return
        delay = (at - self.first_at) / self.speed - (time.perf_counter() - self.wall0)
        if delay > 0:
            await asyncio.sleep(delay)
