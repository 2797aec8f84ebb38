"""The replay's script: event order, connectors for overlapping sessions, registers."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ingest.replay.plan import Event, Kind, build_plan
from ingest.replay.row_checks import CheckRules, ConnectorCounts, collect
from ingest.replay.session import ReplaySession
from ingest.replay.tags import id_tag
from tests.ingest.replay.conftest import session

MIN = 60.0


def collect_sessions(*rows: ReplaySession) -> list[ReplaySession]:
    """The rows as a reader gives them, on stations of three connectors."""
    rules = CheckRules(connectors=ConnectorCounts(3, declared=True))
    return collect(Path("x.csv"), rows, rules).sessions


def _by_session(events: list[Event]) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = defaultdict(list)
    for e in events:
        out[e.session].append(e)
    return out


def test_one_session_with_overstay() -> None:
    # 8:00 plug in, 10 kWh by 8:50, unplugged at 10:00.
    plan = build_plan([session("CP1", 0, 120, 10.0, done_min=50)], 15 * MIN)
    kinds = [e.kind for e in plan.events]
    assert kinds == [Kind.AUTHORIZE, Kind.PREPARING, Kind.START, Kind.CHARGING,
                     Kind.METER, Kind.METER, Kind.METER, Kind.METER, Kind.SUSPENDED,
                     Kind.STOP, Kind.AVAILABLE]
    meters = [e for e in plan.events if e.kind is Kind.METER]
    assert [(e.at - plan.events[0].at) / MIN for e in meters] == [15, 30, 45, 50]
    assert [e.wh for e in meters] == [3000, 6000, 9000, 10000]  # linear to done_charging
    assert meters[0].power_w == 12000.0  # 10 kWh in 50 minutes
    assert plan.events[-2].wh == 10000
    assert plan.events[-2].at - plan.events[0].at == 120 * MIN
    assert plan.connectors == {"CP1": 1}
    assert plan.sites == {"CP1": "site-a"}
    assert plan.tags == [id_tag("u1")]


def test_without_done_charging_the_register_rises_to_the_end() -> None:
    plan = build_plan([session("CP1", 0, 30, 1.0)], 15 * MIN)
    assert [e.kind for e in plan.events].count(Kind.SUSPENDED) == 0
    meters = [e.wh for e in plan.events if e.kind is Kind.METER]
    assert meters == [500]
    assert plan.events[-1].wh == 1000


def test_done_charging_after_the_end_is_clamped() -> None:
    plan = build_plan([session("CP1", 0, 30, 1.0, done_min=31)], 15 * MIN)
    assert Kind.SUSPENDED not in [e.kind for e in plan.events]
    assert max(e.at for e in plan.events) == plan.events[-1].at


def test_overlapping_sessions_take_the_next_connector() -> None:
    sessions = collect_sessions(
        session("CP1", 0, 120, 10.0),  # connector 1
        session("CP1", 30, 90, 4.0),  # overlaps: connector 2
        session("CP1", 60, 200, 2.0),  # both busy: connector 3
        session("CP1", 120, 150, 6.0),  # connector 1 freed at 120 exactly: reused
    )
    plan = build_plan(sessions, 15 * MIN)
    assert plan.connectors == {"CP1": 3}
    runs = _by_session(plan.events)
    assert [runs[i][0].connector for i in range(4)] == [1, 2, 3, 1]
    starts = {i: next(e for e in runs[i] if e.kind is Kind.START).wh for i in range(4)}
    assert starts == {0: 0, 1: 0, 2: 0, 3: 10000}  # connector 1's register continues
    # Each connector's register never goes down, in the global order the calls are made.
    last: dict[int, int] = {}
    for e in plan.events:
        if e.kind in (Kind.START, Kind.METER, Kind.STOP):
            assert e.wh >= last.get(e.connector, 0)
            last[e.connector] = e.wh
    # At 120 min the first session ends before the fourth begins on the same connector.
    at_120 = [e.kind for e in plan.events if e.at == plan.events[0].at + 120 * MIN]
    assert at_120.index(Kind.STOP) < at_120.index(Kind.START)


def test_the_plan_does_not_depend_on_row_order() -> None:
    rows = [session("CP2", 5, 65, 3.0), session("CP1", 0, 120, 10.0, done_min=50),
            session("CP1", 30, 90, 4.0, user=None), session("CP2", 5, 65, 3.0, user="u2")]
    forward = build_plan(collect_sessions(*rows), 15 * MIN)
    backward = build_plan(collect_sessions(*reversed(rows)), 15 * MIN)
    assert forward == backward

