"""Keep replayed stations online between their sessions: Heartbeats on the historical clock.

A session file says when cars charged, not when a station was unreachable. The offline detector
(DESIGN "Offline": no frame for longer than the heartbeat interval x a tolerance) would read the
quiet weeks between a station's sessions as outages, so by default the replay assumes the
stations were online and makes them behave like real connected chargers: each heartbeats at its
registered interval, on a timer started at its boot (all stations boot at the replay's first
event, so their ticks coincide and the driver sends one tick's heartbeats together). As a real
charger may, a station skips a tick when it sent another frame in the last quarter interval, so
no silence exceeds 1.25 intervals and the tolerance (1.5 in the CSMS, 2 in the pipelines) is never
reached. Cost: about one Heartbeat per station per interval of replayed history (45 stations,
9.5 months, a day: ~13,000 calls). The frames are true ones: a Heartbeat carries no session data.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ingest.replay.plan import Event, Kind

# OCPP 1.6 (4.6): over JSON/WebSocket, heartbeats are optional (the WebSocket's own pings keep
# the link alive) but advised at least once per 24 hours; that is the replay's default interval.
DEFAULT_INTERVAL_S = 86_400
SKIP_SHARE = 0.25  # a tick is skipped after another frame within this share of an interval


def heartbeat_events(events: Sequence[Event], stations: Iterable[str], start: float, end: float,
                     interval_s: float, session: int) -> list[Event]:
    """The Heartbeats that keep ``stations`` (all booted at ``start``) online until ``end``.

    ``events``: every other call of the replay, any order; tick k of the timer is at
    ``start + k * interval_s`` (``interval_s`` > 0), before ``end``. ``session``: the index the
    heartbeats sort under after every session's (``step`` holds the tick, so the heartbeats of
    one tick are adjacent in the plan)."""
    sent: defaultdict[str, list[float]] = defaultdict(list)
    for e in events:
        sent[e.station].append(e.at)
    window = interval_s * SKIP_SHARE
    out: list[Event] = []
    for station in stations:
        times = sorted(sent[station])
        k = 1
        while (tick := start + k * interval_s) < end:
            # frames in (tick - window, tick]: the station was heard from recently enough
            recent = bisect.bisect_right(times, tick) - bisect.bisect_right(times, tick - window)
            if not recent:
                out.append(Event(tick, session, k, station, 0, Kind.HEARTBEAT, ""))
            k += 1
    return out
