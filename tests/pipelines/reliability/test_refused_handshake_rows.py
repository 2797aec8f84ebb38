"""A refused handshake under a charger's id (a wrong password, a client certificate for another
id: anybody can knock) is no sign that the charger is offline while its own connection is up;
it is one when the charger has no connection (it tried and failed to come back)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.pipelines.warehouse_kit import DEFS, build, put, utc, warehouse_conn

RELIABILITY = DEFS / "reliability"


def event(kind: str, when: str, connection: str | None = "c1") -> dict[str, Any]:
    return {"at": utc(when), "node_id": "n", "charge_point_id": "CP1",
            "connection_id": connection, "event": kind, "reason": None}


def states(tmp: Path, rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    conn = warehouse_conn(tmp, as_of=utc("2026-01-02 00:00"))
    put(conn, "raw_connection_events", rows)
    built = build(conn, "charger_connectivity_intervals", RELIABILITY)
    return [(r["state"], str(r["from_at"])[:16], str(r["to_at"])[:16]) for r in built]


def test_a_refused_handshake_does_not_end_an_open_connection(tmp_path: Path) -> None:
    rows = [event("connect", "2026-01-01 00:00"),
            event("rejected", "2026-01-01 05:00", connection=None),
            event("disconnect", "2026-01-01 10:00")]
    assert states(tmp_path, rows) == [
        ("online", "2026-01-01 00:00", "2026-01-01 10:00"),
        ("offline", "2026-01-01 10:00", "2026-01-02 00:00"),
    ]


def test_a_refused_handshake_of_a_charger_without_a_connection_is_offline(tmp_path: Path) -> None:
    rows = [event("connect", "2026-01-01 00:00"),
            event("disconnect", "2026-01-01 10:00"),
            event("rejected", "2026-01-01 11:00", connection=None),
            event("connect", "2026-01-01 12:00", connection="c2")]
    assert states(tmp_path, rows) == [
        ("online", "2026-01-01 00:00", "2026-01-01 10:00"),
        ("offline", "2026-01-01 10:00", "2026-01-01 12:00"),
        ("online", "2026-01-01 12:00", "2026-01-02 00:00"),
    ]


def test_a_charger_first_seen_refused_is_offline_from_then(tmp_path: Path) -> None:
    rows = [event("rejected", "2026-01-01 03:00", connection=None),
            event("connect", "2026-01-01 04:00")]
    assert states(tmp_path, rows) == [
        ("offline", "2026-01-01 03:00", "2026-01-01 04:00"),
        ("online", "2026-01-01 04:00", "2026-01-02 00:00"),
    ]
