"""The CSMS's flood summary (a ``lake_quota`` connection event counting frames it did not store)
is no connectivity event: with or without it, a charger's online/offline intervals and its
uptime inputs are the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from csms_lite.server.lake_quota import LAKE_QUOTA
from tests.pipelines.warehouse_kit import DEFS, build, put, utc, warehouse_conn

RELIABILITY = DEFS / "reliability"


def event(kind: str, when: str, reason: str | None = None) -> dict[str, Any]:
    return {"at": utc(when), "node_id": "n", "charge_point_id": "CP1", "connection_id": "c1",
            "event": kind, "reason": reason}


def intervals(tmp: Path, quota_rows: bool) -> list[dict[str, Any]]:
    rows = [event("connect", "2026-01-01 00:00"), event("disconnect", "2026-01-01 10:00")]
    if quota_rows:
        rows += [event(LAKE_QUOTA, f"2026-01-01 0{h}:00", "not stored: frames=9000 rows=18000 "
                       "bytes=540000000") for h in range(1, 9)]
        rows.append(event(LAKE_QUOTA, "2026-01-01 10:00", "not stored: frames=1 rows=1 bytes=1"))
    conn = warehouse_conn(tmp, as_of=utc("2026-01-02 00:00"))
    put(conn, "raw_connection_events", rows)
    return build(conn, "charger_connectivity_intervals", RELIABILITY)


def test_lake_quota_rows_change_no_interval(tmp_path: Path) -> None:
    plain = intervals(tmp_path / "a", quota_rows=False)
    assert [r["state"] for r in plain] == ["online", "offline"]
    assert intervals(tmp_path / "b", quota_rows=True) == plain
