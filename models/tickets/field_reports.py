"""Field service's reports back: one JSON file per ticket in ``DATA/tickets/field_reports``
(``{"ticket_id", "events": [{"state", "at"}...], "resolved_cause"}``), each replaced whole as
the visit goes on. Applying them moves the tickets along their lifecycle (dispatched, on site,
resolved or false alarm) at the times the report gives, so a closed ticket carries its outcome
label and the next fault on the charger opens a new ticket."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from models.errors import TicketError
from models.tickets import lifecycle
from models.tickets.store import TicketStore

log = logging.getLogger("cpo.tickets")
BY = "field_service"


def apply_reports(store: TicketStore, folder: Path) -> int:
    """Apply every report's steps the ticket has not taken yet; the number of moves made."""
    if not folder.is_dir():
        return 0
    moves = 0
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            moves += _apply(store, doc)
        except (OSError, ValueError, KeyError, TypeError, TicketError) as exc:
            log.warning("field report %s not applied: %s", path.name, exc)
    return moves


def _apply(store: TicketStore, doc: dict[str, object]) -> int:
    ticket_id = str(doc["ticket_id"])
    steps = doc["events"]
    assert isinstance(steps, list)
    ticket = store.get(ticket_id)
    done = [e["to_state"] for e in store.history(ticket_id)]
    moves = 0
    for step in steps:
        state, at = str(step["state"]), float(step["at"])
        if state in done or ticket.state in lifecycle.CLOSED:
            continue
        cause = doc.get("resolved_cause") if state == lifecycle.RESOLVED else None
        ticket = store.move(ticket_id, state, BY, note="field service report",
                            resolved_cause=None if cause is None else str(cause), at=at)
        done.append(state)
        moves += 1
    return moves
