"""The tickets store: one SQLite file (``DataFolder.tickets_file``), WAL, mode 0600, shared by
the self-healing loop, the CLI and the pipelines the way the CSMS registry is shared: every
write is one short ``BEGIN IMMEDIATE`` transaction on its own connection, so two processes
never interleave half-done changes, and a reader never waits for a writer.

Tables: ``tickets`` (one row per ticket, its current state), ``ticket_events`` (every change of
state: when, who, from, to, note) and ``ticket_deliveries`` (every attempt to hand a ticket to
field service: channel, attempt, status, HTTP status, reason). Times are UTC ISO 8601 text with
microseconds (``...Z``), as everywhere else in the data folder.

At most one active (open, dispatched, on site) ticket per charger and cause: ``open_ticket``
returns the one already there, and a partial unique index holds it against a race.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from models.errors import TicketError, UnknownTicketError
from models.tickets import lifecycle

T = TypeVar("T")
BUSY_TIMEOUT_S = 5.0
_ACTIVE_SQL = ", ".join(f"'{s}'" for s in lifecycle.ACTIVE)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS tickets (
    seq INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL UNIQUE,
    charge_point_id TEXT NOT NULL,
    port TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    trigger TEXT NOT NULL,
    cause TEXT NOT NULL,
    reason TEXT NOT NULL,
    predicted_fault_type TEXT,
    probability REAL,
    top_features TEXT,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    resolution_note TEXT,
    resolved_cause TEXT,
    outcome_label TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS one_active_per_cause ON tickets (charge_point_id, cause)
    WHERE state IN ({_ACTIVE_SQL});
CREATE TABLE IF NOT EXISTS ticket_events (
    ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
    at TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS ticket_deliveries (
    ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER,
    reason TEXT NOT NULL DEFAULT ''
);
"""
TICKET_COLUMNS = (
    "ticket_id", "charge_point_id", "port", "created_at", "created_by", "trigger", "cause",
    "reason", "predicted_fault_type", "probability", "top_features", "state", "updated_at",
    "resolution_note", "resolved_cause", "outcome_label",
)  # fmt: skip
EVENT_COLUMNS = ("ticket_id", "at", "from_state", "to_state", "by", "note")
DELIVERY_COLUMNS = (
    "ticket_id", "at", "channel", "target", "attempt", "status", "http_status", "reason",
)  # fmt: skip
# A delivery that needs no retry: taken by the endpoint, written to the outbox, or refused
# for good (a 4xx: a retry would be refused the same way; ``cpo tickets deliver --again``).
FINAL_DELIVERY = ("delivered", "written", "rejected")


def utc_text(at: datetime | float | None = None) -> str:
    if at is None:
        at = datetime.now(UTC)
    elif isinstance(at, int | float):
        at = datetime.fromtimestamp(at, UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class NewTicket:
    """What a ticket is opened with; the model's fields only when its alert was the trigger."""

    charge_point_id: str
    created_by: str  # policy | rules | a user name
    trigger: str  # faulted_hardware, resets_unhelpful, manual, ...
    cause: str  # what makes two tickets the same: one active ticket per charger and cause
    reason: dict[str, Any]
    port: str | None = None
    predicted_fault_type: str | None = None
    probability: float | None = None
    top_features: str | None = None


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    charge_point_id: str
    port: str | None
    created_at: str
    created_by: str
    trigger: str
    cause: str
    reason: dict[str, Any]
    predicted_fault_type: str | None
    probability: float | None
    top_features: str | None
    state: str
    updated_at: str
    resolution_note: str | None
    resolved_cause: str | None
    outcome_label: str | None

    def as_dict(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in TICKET_COLUMNS}


class TicketStore:
    """Opens (and on first use creates) the store at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _create(path)

    # --- writes ---
    def open_ticket(
        self, new: NewTicket, at: datetime | float | None = None
    ) -> tuple[Ticket, bool]:
        """The active ticket of this charger and cause, or a new one: (ticket, created)."""
        when = utc_text(at)

        def body(conn: sqlite3.Connection) -> tuple[str, bool]:
            found = conn.execute(
                f"SELECT ticket_id FROM tickets WHERE charge_point_id = ? AND cause = ? "
                f"AND state IN ({_ACTIVE_SQL})",
                (new.charge_point_id, new.cause),
            ).fetchone()
            if found:
                return str(found[0]), False
            seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM tickets").fetchone()[0]
            ticket_id = f"TK-{seq:06d}"
            conn.execute(
                f"INSERT INTO tickets (seq, {', '.join(TICKET_COLUMNS[:13])}) "
                f"VALUES ({', '.join('?' * 14)})",
                (seq, ticket_id, new.charge_point_id, new.port, when, new.created_by, new.trigger,
                 new.cause, json.dumps(new.reason, sort_keys=True), new.predicted_fault_type,
                 new.probability, new.top_features, lifecycle.OPEN, when),
            )
            conn.execute(
                "INSERT INTO ticket_events VALUES (?, ?, NULL, ?, ?, ?)",
                (ticket_id, when, lifecycle.OPEN, new.created_by, new.trigger),
            )
            return ticket_id, True

        ticket_id, created = self._write(body)
        return self.get(ticket_id), created

    def move(
        self,
        ticket_id: str,
        to: str,
        by: str,
        note: str = "",
        resolved_cause: str | None = None,
        at: datetime | float | None = None,
    ) -> Ticket:
        """Change a ticket's state, if the lifecycle allows it; closing it sets its label."""
        when = utc_text(at)

        def body(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT state FROM tickets WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
            if row is None:
                raise UnknownTicketError(f"no ticket {ticket_id!r} (see `cpo tickets list`)")
            lifecycle.check(ticket_id, str(row[0]), to)
            closing = to in lifecycle.CLOSED
            conn.execute(
                "UPDATE tickets SET state = ?, updated_at = ?, "
                "resolution_note = CASE WHEN ? THEN ? ELSE resolution_note END, "
                "resolved_cause = CASE WHEN ? THEN ? ELSE resolved_cause END, "
                "outcome_label = ? WHERE ticket_id = ?",
                (to, when, closing, note or None, closing, resolved_cause,
                 lifecycle.OUTCOME_LABELS.get(to), ticket_id),
            )
            conn.execute(
                "INSERT INTO ticket_events VALUES (?, ?, ?, ?, ?, ?)",
                (ticket_id, when, row[0], to, by, note),
            )

        self._write(body)
        return self.get(ticket_id)

    def record_attempt(
        self,
        ticket_id: str,
        channel: str,
        target: str,
        attempt: int,
        status: str,
        http_status: int | None = None,
        reason: str = "",
    ) -> None:
        self._write(lambda conn: conn.execute(
            "INSERT INTO ticket_deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, utc_text(), channel, target, attempt, status, http_status, reason),
        ))

    # --- reads ---
    def get(self, ticket_id: str) -> Ticket:
        found = self.tickets(ticket_id=ticket_id)
        if not found:
            raise UnknownTicketError(f"no ticket {ticket_id!r} (see `cpo tickets list`)")
        return found[0]

    def tickets(
        self,
        states: tuple[str, ...] = (),
        charger: str | None = None,
        ticket_id: str | None = None,
    ) -> list[Ticket]:
        where: list[str] = ["1 = 1"]
        params: list[str] = []
        if states:
            where.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(states)
        if charger is not None:
            where.append("charge_point_id = ?")
            params.append(charger)
        if ticket_id is not None:
            where.append("ticket_id = ?")
            params.append(ticket_id)
        sql = (f"SELECT {', '.join(TICKET_COLUMNS)} FROM tickets WHERE {' AND '.join(where)} "
               "ORDER BY seq")
        return [_ticket(r) for r in self._read(lambda c: c.execute(sql, params).fetchall())]

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        return self._rows("ticket_events", EVENT_COLUMNS, ticket_id)

    def deliveries(self, ticket_id: str) -> list[dict[str, Any]]:
        return self._rows("ticket_deliveries", DELIVERY_COLUMNS, ticket_id)

    def undelivered(self) -> list[Ticket]:
        """Tickets with no final delivery yet (never tried, or every try failed)."""
        final = ", ".join(f"'{s}'" for s in FINAL_DELIVERY)
        ids = self._read(lambda c: c.execute(
            f"SELECT ticket_id FROM tickets WHERE ticket_id NOT IN (SELECT ticket_id FROM "
            f"ticket_deliveries WHERE status IN ({final})) ORDER BY seq"
        ).fetchall())
        return [self.get(str(r[0])) for r in ids]

    def _rows(self, table: str, columns: tuple[str, ...], ticket_id: str) -> list[dict[str, Any]]:
        rows = self._read(lambda c: c.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE ticket_id = ? ORDER BY rowid",
            (ticket_id,),
        ).fetchall())
        return [dict(zip(columns, r, strict=True)) for r in rows]

    # --- connections ---
    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        with _connection(self.path) as conn:
            conn.execute("BEGIN IMMEDIATE")  # the write lock up front: no upgrade deadlock
            try:
                result = body(conn)
                conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _read(self, body: Callable[[sqlite3.Connection], T]) -> T:
        with _connection(self.path) as conn:
            return body(conn)


def snapshot(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of the three tables, read-only (the warehouse's copy); empty without a file."""
    tables = {"tickets": TICKET_COLUMNS, "ticket_events": EVENT_COLUMNS,
              "ticket_deliveries": DELIVERY_COLUMNS}  # fmt: skip
    if not path.exists():
        return {name: [] for name in tables}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise TicketError(f"tickets file {path}: {exc}") from exc
    try:
        return {
            name: [dict(zip(cols, r, strict=True)) for r in conn.execute(
                f"SELECT {', '.join(cols)} FROM {name} ORDER BY rowid").fetchall()]
            for name, cols in tables.items()
        }
    except sqlite3.Error as exc:
        raise TicketError(f"tickets file {path}: {exc}") from exc
    finally:
        conn.close()


def _ticket(row: tuple[Any, ...]) -> Ticket:
    doc = dict(zip(TICKET_COLUMNS, row, strict=True))
    doc["reason"] = json.loads(doc["reason"] or "{}")
    return Ticket(**doc)


@contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise TicketError(f"tickets file {path} cannot be opened ({exc})") from exc
    try:
        conn.execute("PRAGMA synchronous=FULL")  # a ticket a technician was sent for stays
        yield conn
    except sqlite3.Error as exc:
        raise TicketError(f"tickets file {path}: {exc}") from exc
    finally:
        conn.close()


def _create(path: Path) -> None:
    """The file with mode 0600 before SQLite opens it (its -wal and -shm files take the same
    mode), WAL on, the tables there. Safe to run from two processes at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)  # the file existed with a wider mode, or the umask narrowed nothing
    with _connection(path) as conn:
        _enable_wal(conn)
        conn.executescript(SCHEMA)


def _enable_wal(conn: sqlite3.Connection) -> None:
    """SQLite does not call the busy handler for this pragma: retry while another process
    creates the same new file."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
