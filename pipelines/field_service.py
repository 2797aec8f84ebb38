"""Hand maintenance tickets to field service: POST each new ticket as JSON, HMAC-signed and
retried exactly as partner reports are pushed (``pipelines.reports.push``), to the endpoint of
``<data>/config/field_service.json``::

    {"url": "https://fsm.example/tickets", "secret_env": "FSM_KEY", "max_attempts": 4}

(the fields of a partner's entry in ``partner_delivery.json``). Without that file, each ticket
is written to ``<data>/tickets/outbox/<ticket_id>.json`` for whatever picks it up. Every attempt
is recorded in the tickets store (``ticket_deliveries``); a ticket whose attempts all failed is
tried again on the next call (after every self-healing pass, or ``cpo tickets deliver``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.data_folder import DataFolder
from models.tickets.store import Ticket, TicketStore
from pipelines.reports import config, push

CONFIG_FILE = "field_service.json"
FORMAT = 1


@dataclass(frozen=True)
class Delivered:
    ticket_id: str
    channel: str  # http | outbox
    status: str  # delivered | rejected | failed | written
    attempts: int
    reason: str


def body(ticket: Ticket, history: list[dict[str, Any]]) -> bytes:
    doc = {"format": FORMAT, "kind": "maintenance_ticket", "ticket": ticket.as_dict(),
           "history": history}  # fmt: skip
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def deliver_pending(
    folder: DataFolder,
    store: TicketStore,
    sleep: Callable[[float], None] = time.sleep,
    base_delay_s: float = 1.0,
) -> list[Delivered]:
    """Deliver every ticket not delivered yet; what happened to each."""
    endpoint = config.load_endpoint(folder.config / CONFIG_FILE)
    out = []
    for ticket in store.undelivered():
        payload = body(ticket, store.history(ticket.ticket_id))
        if endpoint is None or endpoint.url is None:
            out.append(_to_outbox(folder.tickets_outbox, store, ticket, payload))
            continue
        url = endpoint.url

        def record(r: push.PushResult, ticket_id: str = ticket.ticket_id, url: str = url) -> None:
            store.record_attempt(ticket_id, "http", url, r.attempts, r.status, r.http_status,
                                 r.reason)

        result = push.push(
            url,
            config.secret_of(endpoint, "field_service", f"config/{CONFIG_FILE}"),
            payload,
            ticket.ticket_id,
            max_attempts=endpoint.max_attempts,
            timeout_s=endpoint.timeout_s,
            base_delay_s=base_delay_s,
            on_attempt=record,
            sleep=sleep,
        )
        out.append(Delivered(ticket.ticket_id, "http", result.status, result.attempts,
                             result.reason))
    return out


def _to_outbox(outbox: Path, store: TicketStore, ticket: Ticket, payload: bytes) -> Delivered:
    outbox.mkdir(parents=True, exist_ok=True)
    target = outbox / f"{ticket.ticket_id}.json"
    tmp = outbox / f".{target.name}.tmp"
    tmp.write_bytes(payload)
    os.replace(tmp, target)  # atomic: a reader of the outbox sees a whole file or none
    store.record_attempt(ticket.ticket_id, "outbox", str(target), 1, "written")
    return Delivered(ticket.ticket_id, "outbox", "written", 1, str(target))
