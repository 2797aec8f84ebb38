"""Build every reliability mart on a hand-made warehouse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from pipelines import exclusions
from pipelines.defs.reliability.assets import MARTS, SQL_DIR
from tests.pipelines.warehouse_kit import build, utc


def build_all(
    conn: duckdb.DuckDBPyConnection, windows: Sequence[exclusions.ExclusionWindow] = ()
) -> dict[str, list[dict[str, Any]]]:
    exclusions.create_table(conn, windows)
    return {name: build(conn, name, SQL_DIR) for name in MARTS}


def window(
    scope: str, target: str, start: str, end: str, cause: str = "scheduled_maintenance"
) -> exclusions.ExclusionWindow:
    return exclusions.ExclusionWindow(
        window_id=f"EW-{scope}-{start}", scope=scope, target=target,
        start_at=utc(start), end_at=utc(end), cause=cause,
    )  # fmt: skip


def connect(cp: str, at: str, connection: str = "c1", event: str = "connect") -> dict[str, Any]:
    return {"charge_point_id": cp, "at": utc(at), "event": event, "connection_id": connection}


def status(cp: str, port: int, at: str, value: str, error: str | None = None) -> dict[str, Any]:
    classes = {"Available": "available", "Charging": "occupied", "Faulted": "faulted",
               "Unavailable": "unavailable", "Reserved": "reserved"}  # fmt: skip
    return {
        "charge_point_id": cp, "port_no": port, "received_at": utc(at), "status": value,
        "status_class": classes[value], "error_code": error, "unique_id": f"{cp}-{port}-{at}",
    }  # fmt: skip


def rows_of(table: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [r for r in table if all(r[k] == v for k, v in match.items())]


def one(table: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = rows_of(table, **match)
    assert len(found) == 1, found
    return found[0]
