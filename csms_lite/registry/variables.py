"""A 2.0.1 charging station's device model as it last reported it (NotifyReport, after a
GetBaseReport): one row per component, variable and attribute type, newest value wins. Kept in
the registry so the API serves it across restarts; the frames themselves are in the lake."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from csms_lite.registry.db import Database

_KEY = ("component", "component_instance", "evse_id", "connector_id", "variable",
        "variable_instance", "attribute_type")
_COLS = (*_KEY, "value", "mutability", "persistent", "constant", "data_type", "unit",
         "request_id", "reported_at")
UPSERT = (f"INSERT OR REPLACE INTO charger_variables (cp_id, {', '.join(_COLS)}) "
          f"VALUES ({', '.join('?' * (len(_COLS) + 1))})")
SELECT = (f"SELECT {', '.join(_COLS)} FROM charger_variables WHERE cp_id = ? "
          f"ORDER BY component, component_instance, evse_id, connector_id, variable, "
          f"variable_instance, attribute_type")


def rows_of(report_data: Iterable[dict[str, Any]], request_id: int | None, now: float
            ) -> list[tuple[Any, ...]]:
    """NotifyReport's reportData as rows, one per variableAttribute ('' and 0: not given)."""
    rows = []
    for item in report_data:
        component, variable = item["component"], item["variable"]
        evse = component.get("evse") or {}
        traits = item.get("variableCharacteristics") or {}
        for attr in item["variableAttribute"]:
            rows.append((
                component["name"], component.get("instance", ""), evse.get("id", 0),
                evse.get("connectorId", 0), variable["name"], variable.get("instance", ""),
                attr.get("type", "Actual"), attr.get("value"), attr.get("mutability"),
                attr.get("persistent"), attr.get("constant"), traits.get("dataType"),
                traits.get("unit"), request_id, now))
    return rows


class VariableStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def report(self, cp_id: str, report_data: Iterable[dict[str, Any]],
               request_id: int | None, now: float) -> int:
        """Store one NotifyReport part; returns how many attributes it held."""
        rows = [(cp_id, *r) for r in rows_of(report_data, request_id, now)]

        def write(conn: sqlite3.Connection) -> None:
            conn.executemany(UPSERT, rows)

        self._db.transaction(write)
        return len(rows)

    def of(self, cp_id: str) -> list[dict[str, Any]]:
        return [dict(zip(_COLS, row, strict=True)) for row in self._db.all(SELECT, (cp_id,))]
