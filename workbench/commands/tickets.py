"""`cpo tickets ...`: maintenance tickets (``<data-dir>/tickets/tickets.sqlite``), opened by the
self-healing loop or by hand, moved along open -> dispatched -> on_site -> resolved |
false_alarm by operators, delivered to field service (``pipelines.field_service``).

Bad input prints one ``error: ...`` line on stderr and exits with code 2, never a traceback.
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated, Any

import typer

from ingest.data_folder import DataFolder
from models.tickets import lifecycle
from models.tickets.store import NewTicket, Ticket, TicketStore
from pipelines import field_service
from workbench.commands.record_table import AsJson, print_records
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir

tickets_app = typer.Typer(
    help="Maintenance tickets: a person must go to the charger.", no_args_is_help=True
)
TicketId = Annotated[str, typer.Argument(metavar="ID", help="The ticket's id (see list).")]
By = Annotated[str | None, typer.Option("--by", help="Who does it (default: your user name).")]
Note = Annotated[str, typer.Option("--note", help="Free text for the history.")]
LIST_COLUMNS = ("ticket_id", "state", "charge_point_id", "port", "created_at", "created_by",
                "trigger", "outcome_label")  # fmt: skip
MOVES = tuple(s for s in lifecycle.STATES if s not in (lifecycle.OPEN, *lifecycle.CLOSED))


def _store(data_dir: DataDir) -> TicketStore:
    return TicketStore(DataFolder(data_dir).tickets_file)


def _existing(data_dir: DataDir) -> TicketStore | None:
    """The store if there is one: looking must not create a data folder."""
    path = DataFolder(data_dir).tickets_file
    return TicketStore(path) if path.exists() else None


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "operator"


def _states(states: list[str] | None) -> tuple[str, ...]:
    for s in states or ():
        if s not in lifecycle.STATES:
            raise fail(f"--state {s!r}: use one of {', '.join(lifecycle.STATES)}")
    return tuple(states or ())


@tickets_app.command("list")
@friendly
def list_tickets(
    state: Annotated[
        list[str] | None,
        typer.Option("--state", help=f"Only these states ({', '.join(lifecycle.STATES)}); "
                     "repeat for several.", show_default=False),
    ] = None,
    active: Annotated[
        bool, typer.Option("--active", help="Only open, dispatched and on_site tickets.")
    ] = False,
    charger: Annotated[
        str | None, typer.Option("--charger", help="Only this charge point's tickets.")
    ] = None,
    as_json: AsJson = False,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """List tickets, oldest first."""
    states = _states(state) + (lifecycle.ACTIVE if active else ())
    store = _existing(data_dir)
    found = store.tickets(states=states, charger=charger) if store else []
    print_records([t.as_dict() for t in found] if as_json else [_row(t) for t in found],
                  LIST_COLUMNS, as_json)


@tickets_app.command("show")
@friendly
def show(
    ticket_id: TicketId, as_json: AsJson = False, data_dir: DataDir = DEFAULT_DATA_DIR
) -> None:
    """One ticket with its state history and delivery attempts."""
    store = _existing(data_dir)
    if store is None:
        raise fail(f"no ticket {ticket_id!r}: {DataFolder(data_dir).tickets_file} does not exist")
    ticket = store.get(ticket_id)
    doc = {**ticket.as_dict(), "history": store.history(ticket_id),
           "deliveries": store.deliveries(ticket_id)}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    for key, value in ticket.as_dict().items():
        typer.echo(f"{key:22} {json.dumps(value) if isinstance(value, dict) else _cell(value)}")
    typer.echo("history:")
    for e in doc["history"]:
        typer.echo(f"  {e['at']}  {e['from_state'] or '-':>11} -> {e['to_state']:11} "
                   f"by {e['by']}  {e['note']}".rstrip())
    typer.echo("deliveries:" if doc["deliveries"] else "deliveries: none yet")
    for d in doc["deliveries"]:
        typer.echo(f"  {d['at']}  {d['channel']} #{d['attempt']} {d['status']} "
                   f"{d['http_status'] or ''} {d['reason']}".rstrip())


@tickets_app.command("open")
@friendly
def open_ticket(
    charger: Annotated[str, typer.Argument(metavar="CHARGER", help="The charge point id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why a person must go.")],
    port: Annotated[str | None, typer.Option("--port", help="The port, if known.")] = None,
    by: By = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Open a ticket by hand (one active manual ticket per charger), print its id, deliver it."""
    if not charger.strip() or not reason.strip():
        raise fail("CHARGER and --reason must not be empty")
    who = _who(by)
    store = _store(data_dir)
    new = NewTicket(charger.strip(), who, "manual", "manual", {"note": reason.strip()}, port)
    ticket, created = store.open_ticket(new)
    typer.echo(ticket.ticket_id if created else f"{ticket.ticket_id} (already open)")
    _deliver(data_dir, store)


@tickets_app.command("update")
@friendly
def update(
    ticket_id: TicketId,
    state: Annotated[str, typer.Option("--state", help=f"The new state: {', '.join(MOVES)}.")],
    note: Note = "",
    by: By = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Move a ticket along (dispatched, on_site); `close` ends it."""
    if state not in MOVES:
        hint = " (use `cpo tickets close`)" if state in lifecycle.CLOSED else ""
        raise fail(f"--state {state!r}: use one of {', '.join(MOVES)}{hint}")
    ticket = _store(data_dir).move(ticket_id, state, _who(by), note)
    typer.echo(f"{ticket.ticket_id} {ticket.state}")


@tickets_app.command("close")
@friendly
def close(
    ticket_id: TicketId,
    outcome: Annotated[
        str, typer.Option("--outcome", help="resolved (a fault was found and fixed; needs "
                          "--cause) or false_alarm.")
    ],
    cause: Annotated[
        str | None, typer.Option("--cause", help="What was found, e.g. GroundFailure, cable.")
    ] = None,
    note: Note = "",
    by: By = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Close a ticket with its outcome: the label the fault model learns from."""
    if outcome not in lifecycle.CLOSED:
        raise fail(f"--outcome {outcome!r}: use resolved or false_alarm")
    if outcome == lifecycle.RESOLVED and not (cause or "").strip():
        raise fail("--outcome resolved needs --cause (what was found)")
    found = (cause or "").strip() or None
    ticket = _store(data_dir).move(ticket_id, outcome, _who(by), note, found)
    typer.echo(f"{ticket.ticket_id} {ticket.state} ({ticket.outcome_label})")


@tickets_app.command("deliver")
@friendly
def deliver(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Deliver every ticket not delivered yet (to config/field_service.json's endpoint, else
    the outbox)."""
    if not _deliver(data_dir, _store(data_dir)):
        typer.echo("nothing to deliver")


def _deliver(data_dir: DataDir, store: TicketStore) -> int:
    done = field_service.deliver_pending(DataFolder(data_dir), store)
    for d in done:
        typer.echo(f"{d.ticket_id}: {d.channel} {d.status} after {d.attempts} attempt(s): "
                   f"{d.reason}")
    return len(done)


def _row(t: Ticket) -> dict[str, Any]:
    return {c: getattr(t, c) for c in LIST_COLUMNS}


def _cell(value: object) -> str:
    return "-" if value is None else str(value)
