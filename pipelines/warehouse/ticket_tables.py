"""The tickets store (``models.tickets.store``, SQLite) as Arrow tables for the warehouse, read
only: ``ref_tickets`` and ``ref_ticket_events``, times as UTC timestamps. Registered like the
CSMS registry (``reference_data``): the ``tickets`` mart reads them on every build."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from models.tickets import store

UTC_TS = pa.timestamp("us", tz="UTC")
TICKETS = pa.schema(
    [
        ("ticket_id", pa.string()),
        ("charge_point_id", pa.string()),
        ("port", pa.string()),
        ("created_at", UTC_TS),
        ("created_by", pa.string()),
        ("trigger", pa.string()),
        ("cause", pa.string()),
        ("reason", pa.string()),  # JSON text
        ("predicted_fault_type", pa.string()),
        ("probability", pa.float64()),
        ("top_features", pa.string()),
        ("state", pa.string()),
        ("updated_at", UTC_TS),
        ("resolution_note", pa.string()),
        ("resolved_cause", pa.string()),
        ("outcome_label", pa.string()),
    ]
)
EVENTS = pa.schema(
    [
        ("ticket_id", pa.string()),
        ("at", UTC_TS),
        ("from_state", pa.string()),
        ("to_state", pa.string()),
        ("by", pa.string()),
        ("note", pa.string()),
    ]
)
TIME_COLUMNS = {"created_at", "updated_at", "at"}


def read(path: Path) -> tuple[pa.Table, pa.Table]:
    """(tickets, events); empty and typed when there is no tickets file yet."""
    rows = store.snapshot(path)
    return _table(rows["tickets"], TICKETS), _table(rows["ticket_events"], EVENTS)


def _table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    fixed = [{k: _time(v) if k in TIME_COLUMNS else v for k, v in r.items()} for r in rows]
    return pa.Table.from_pylist(fixed, schema)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
