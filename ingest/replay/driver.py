"""Drive a replay against a CSMS at ``url``: one virtual charger per station, the plan's calls
sent one at a time in time order, with ``set_time`` told each call's historical time first, so
a CSMS on a clock that follows it stamps the lake's ``received_at`` with when the session really
happened. Starting that CSMS and registering the stations is the caller's job (the ``cpo``
composition root): this package imports nothing of ours."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.replay.errors import ReplayRejectedError
from ingest.replay.fleet import Fleet
from ingest.replay.heartbeats import DEFAULT_INTERVAL_S
from ingest.replay.plan import Event, Kind, Plan
from ingest.sim.clock import iso

Say = Callable[[str], None]


@dataclass(frozen=True)
class ReplaySettings:
    data_dir: Path
    partner: str  # owner of the replay's id tags in the registry
    meter_interval_s: float = 900.0
    # Registered with every station (the CSMS's BootNotification answer hands it out); with
    # assume_online the stations heartbeat at it (ingest.replay.heartbeats); without, a quiet
    # station is offline once silent for longer than this x the offline tolerance.
    heartbeat_interval_s: int = DEFAULT_INTERVAL_S
    assume_online: bool = True
    speed: float = 0.0  # historical seconds per wall second; 0: as fast as possible
    progress_every: int = 500  # sessions between progress lines; 0: none


@dataclass(frozen=True)
class ReplayRun:
    node_id: str  # the CSMS node that wrote this replay's rows (the reconciliation's filter)
    sessions: int
    stations: int
    calls: int
    heartbeats: int  # of the calls: those keeping quiet stations online
    outages: int  # down windows replayed (from an outage file)
    wall_s: float  # from the first connect to the lake flushed at the CSMS's stop
    first_at: float
    last_at: float
    transactions: dict[int, int] = field(default_factory=dict)  # session index -> its id

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.wall_s if self.wall_s > 0 else 0.0


async def drive(url: str, plan: Plan, set_time: Callable[[float], None],
                settings: ReplaySettings, say: Say) -> tuple[int, dict[int, int]]:
    """Connect the plan's stations to the CSMS at ``url`` and send the plan's calls in order;
    returns the number of calls made and each session's transaction id (by session index, as
    the CSMS handed it out). ``plan`` must have at least one event."""
    fleet = Fleet()
    try:
        try:
            await fleet.connect(url, plan.connectors, plan.events[0].at)
        except ReplayRejectedError as exc:
            raise ReplayRejectedError(exc.action, exc.station,
                                      f"{exc.reason}; at {iso(plan.events[0].at)}, the time of "
                                      f"the first session ({plan.origin(plan.events[0])})"
                                      ) from None
        n = len(fleet.chargers)
        say(f"{n} station{'' if n == 1 else 's'} connected (OCPP 1.6J), replaying "
            f"{len(plan.events):,} calls from {iso(plan.events[0].at)}")
        progress = _Progress(sum(e.kind is Kind.STOP for e in plan.events), settings, say)
        pace = _Pacer(settings.speed, plan.events[0].at)
        for batch in _batches(plan.events):
            event = batch[0]
            await pace.wait(event.at)
            set_time(event.at)  # before the call: the CSMS stamps it with this time
            try:
                if len(batch) == 1:
                    await fleet.play(event)
                else:
                    await fleet.play_together(batch)
            except ReplayRejectedError as exc:
                raise ReplayRejectedError(exc.action, exc.station,
                                          f"{exc.reason}; the session at {plan.origin(event)}, "
                                          f"at {iso(event.at)}") from None
            if event.kind is Kind.STOP:
                progress.session_done(event.at, fleet.calls)
    finally:
        await fleet.close()  # the disconnects happen at the last event's time
    return fleet.calls, fleet.transactions


def _batches(events: Sequence[Event]) -> Iterator[Sequence[Event]]:
    """Each event alone, except the heartbeats of one tick (adjacent in the plan, the same
    ``step``), which go together."""
    i = 0
    while i < len(events):
        j = i + 1
        if events[i].kind is Kind.HEARTBEAT:
            while (j < len(events) and events[j].kind is Kind.HEARTBEAT
                   and events[j].step == events[i].step):
                j += 1
        yield events[i:j]
        i = j


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
