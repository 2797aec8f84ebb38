"""The replay's script: every OCPP call each station makes, in global time order.

A pure function of the sessions, so the same file always gives the same calls. Per session:
Authorize, Preparing, StartTransaction and Charging at the start; MeterValues every interval with
the energy register rising linearly to the session's energy at ``done_charging`` (or the end);
SuspendedEV from ``done_charging`` to the end (overstay); StopTransaction and Available at the end.
A session that overlaps an earlier one on the same station takes the next free connector, so each
connector's register only ever rises.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ingest.replay.session import ReplaySession
from ingest.replay.tags import id_tag


class Kind(enum.StrEnum):
    AUTHORIZE = "Authorize"
    PREPARING = "Preparing"
    START = "StartTransaction"
    CHARGING = "Charging"
    METER = "MeterValues"
    SUSPENDED = "SuspendedEV"
    STOP = "StopTransaction"
    AVAILABLE = "Available"
    UNAVAILABLE = "Unavailable"  # an outage window from an outage file (ingest.replay.outages)
    FAULTED = "Faulted"
    HEARTBEAT = "Heartbeat"  # quiet time kept online (ingest.replay.heartbeats)


# Order of events at the same instant: sessions ending free their connector before sessions
# beginning take one; a session's own samples come after its start; heartbeats come last, so
# those of one instant are adjacent and the driver can send them together.
_RANK = {Kind.STOP: 0, Kind.AVAILABLE: 0, Kind.AUTHORIZE: 1, Kind.PREPARING: 1, Kind.START: 1,
         Kind.CHARGING: 1, Kind.UNAVAILABLE: 1, Kind.FAULTED: 1, Kind.METER: 2,
         Kind.SUSPENDED: 2, Kind.HEARTBEAT: 3}


@dataclass(frozen=True, slots=True)
class Event:
    at: float  # epoch seconds, UTC
    session: int  # index in replay order; breaks ties between sessions
    step: int  # position within the session; breaks ties inside it
    station: str
    connector: int
    kind: Kind
    tag: str
    wh: int = 0  # the connector's register after this event (start: meterStart)
    power_w: float = 0.0
    error_code: str = "NoError"  # for a status: the OCPP 1.6 ChargePointErrorCode it reports

    def key(self) -> tuple[float, int, int, int]:
        return (self.at, _RANK[self.kind], self.session, self.step)


@dataclass(frozen=True)
class Plan:
    events: list[Event]
    connectors: dict[str, int]  # station -> connectors it needs (its most overlapping sessions)
    sites: dict[str, str | None]  # station -> site
    tags: list[str]  # every id tag used, sorted
    origins: list[str] = field(default_factory=list)  # session index -> its place in the file
    zones: dict[str, str] = field(default_factory=dict)  # site -> IANA zone its sessions give

    def origin(self, event: Event) -> str:
        """Where the event's session is in the file (for messages), or its index."""
        if 0 <= event.session < len(self.origins) and self.origins[event.session]:
            return self.origins[event.session]
        return f"session {event.session + 1}"


class _Connectors:
    """Per station, when each connector is free again; a session takes the lowest free one."""

    def __init__(self) -> None:
        self.busy_until: dict[str, list[float]] = defaultdict(list)

    def take(self, station: str, start: float, end: float) -> int:
        slots = self.busy_until[station]
        for index, until in enumerate(slots):
            if until <= start:
                slots[index] = end
                return index + 1
        slots.append(end)
        return len(slots)


def build_plan(sessions: Sequence[ReplaySession], interval_s: float) -> Plan:
    """``sessions`` in replay order (as a reader returns them); ``interval_s`` > 0."""
    connectors = _Connectors()
    registers: dict[tuple[str, int], int] = defaultdict(int)
    events: list[Event] = []
    for index, s in enumerate(sessions):
        connector = connectors.take(s.station, s.start.timestamp(), s.end.timestamp())
        begin = registers[(s.station, connector)]
        registers[(s.station, connector)] = begin + round(s.kwh * 1000)
        events.extend(session_events(index, s, connector, begin, interval_s))
    events.sort(key=Event.key)
    return Plan(events, {st: len(slots) for st, slots in sorted(connectors.busy_until.items())},
                {s.station: s.site for s in sessions}, sorted({id_tag(s.user) for s in sessions}),
                [s.where for s in sessions],
                {s.site: s.timezone for s in sessions if s.site and s.timezone})


def with_events(plan: Plan, extra: Sequence[Event]) -> Plan:
    """``plan`` with ``extra`` events (outage statuses, heartbeats) merged in time order."""
    if not extra:
        return plan
    events = sorted([*plan.events, *extra], key=Event.key)
    return replace(plan, events=events)


def charge_end(s: ReplaySession) -> float:
    """When energy stopped flowing: ``done_charging`` clamped into the session (the ACN file
    has a few a minute after the disconnect), or the end when unknown."""
    start, end = s.start.timestamp(), s.end.timestamp()
    if s.done_charging is None:
        return end
    return min(max(s.done_charging.timestamp(), start), end)


def session_events(index: int, s: ReplaySession, connector: int, begin_wh: int,
                   interval_s: float) -> list[Event]:
    start, end, done = s.start.timestamp(), s.end.timestamp(), charge_end(s)
    total = round(s.kwh * 1000)
    power = total * 3600 / (done - start) if done > start else 0.0

    def event(at: float, kind: Kind, wh: int = begin_wh, power_w: float = power) -> Event:
        return Event(at, index, len(out), s.station, connector, kind, id_tag(s.user), wh, power_w)

    out: list[Event] = []
    for kind in (Kind.AUTHORIZE, Kind.PREPARING, Kind.START, Kind.CHARGING):
        out.append(event(start, kind))
    k = 1
    while (at := start + k * interval_s) < done:
        out.append(event(at, Kind.METER, begin_wh + round(total * (at - start) / (done - start))))
        k += 1
    if done < end:  # the car is full (or stopped drawing) but still plugged in
        out.append(event(done, Kind.METER, begin_wh + total, 0.0))
        out.append(event(done, Kind.SUSPENDED, begin_wh + total))
    out.append(event(end, Kind.STOP, begin_wh + total))
    out.append(event(end, Kind.AVAILABLE, begin_wh + total))
    return out
