"""Heartbeats between sessions: on a timer from the boot, skipped after recent traffic, so no
silence exceeds 1.25 intervals; none on a station busy all along."""

from __future__ import annotations

import itertools

from ingest.replay.heartbeats import heartbeat_events
from ingest.replay.plan import Event, Kind

H = 100.0


def _frame(station: str, at: float) -> Event:
    return Event(at, 0, 0, station, 1, Kind.METER, "t")


def test_ticks_from_the_boot_until_the_end() -> None:
    beats = heartbeat_events([_frame("A", 1000.0)], ["A"], 0.0, 1000.0, H, 7)
    assert [b.at for b in beats] == [100.0 * k for k in range(1, 10)]
    assert {(b.kind, b.connector, b.session) for b in beats} == {(Kind.HEARTBEAT, 0, 7)}
    assert [b.step for b in beats] == list(range(1, 10))  # the tick, shared by all stations


def test_a_tick_after_recent_traffic_is_skipped_and_no_silence_exceeds_1_25_intervals() -> None:
    frames = [_frame("A", 90.0), _frame("A", 330.0), _frame("B", 290.0)]
    beats = heartbeat_events(frames, ["A", "B"], 0.0, 500.0, H, 0)
    assert [b.at for b in beats if b.station == "A"] == [200.0, 300.0, 400.0]  # 100: after 90
    assert [b.at for b in beats if b.station == "B"] == [100.0, 200.0, 400.0]  # 300: after 290
    for station in ("A", "B"):
        times = sorted([0.0, 500.0, *(e.at for e in frames + beats if e.station == station)])
        assert max(b - a for a, b in itertools.pairwise(times)) <= 1.25 * H


def test_a_station_heard_from_every_interval_needs_none() -> None:
    frames = [_frame("A", 50.0 * k) for k in range(1, 21)]
    assert heartbeat_events(frames, ["A"], 0.0, 1000.0, H, 0) == []
