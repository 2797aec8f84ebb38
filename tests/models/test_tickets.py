"""The tickets store on a real SQLite file: the lifecycle, its refusals, one active ticket per
charger and cause (also between two processes), the file's mode."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from models.errors import BadTransitionError, UnknownTicketError
from models.healing.policy import Decision, Score
from models.tickets import from_policy, lifecycle
from models.tickets.store import NewTicket, TicketStore, snapshot

HARDWARE = NewTicket("CP-A", "rules", "faulted_hardware", "faulted_hardware",
                     {"codes": ["GroundFailure"]}, port="1")  # fmt: skip


def test_the_whole_lifecycle_keeps_its_history(tmp_path: Path) -> None:
    store = TicketStore(tmp_path / "t" / "tickets.sqlite")
    ticket, created = store.open_ticket(HARDWARE, 1_767_225_600.0)  # 2026-01-01 00:00 UTC
    assert (ticket.ticket_id, ticket.state, created) == ("TK-000001", "open", True)
    assert ticket.created_at == "2026-01-01T00:00:00.000000Z"
    store.move(ticket.ticket_id, "dispatched", "ana", "van 3")
    store.move(ticket.ticket_id, "on_site", "tech")
    done = store.move(ticket.ticket_id, "resolved", "tech", "RCD replaced", "GroundFailure")
    assert (done.state, done.outcome_label, done.resolved_cause, done.resolution_note) == (
        "resolved", "fault", "GroundFailure", "RCD replaced")
    assert [(e["from_state"], e["to_state"], e["by"]) for e in store.history("TK-000001")] == [
        (None, "open", "rules"), ("open", "dispatched", "ana"), ("dispatched", "on_site", "tech"),
        ("on_site", "resolved", "tech"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "to", "message"),
    [
        ((), "on_site", "ticket TK-000001 is open: it can go to dispatched or false_alarm, "
                        "not on_site"),
        ((), "resolved", "is open: it can go to dispatched or false_alarm, not resolved"),
        (("dispatched",), "open", "is dispatched: it can go to on_site or false_alarm, not open"),
        (("false_alarm",), "dispatched", "is false_alarm: it is closed, not dispatched"),
        ((), "fixed", "'fixed' is not a ticket state"),
    ],
)
def test_bad_transitions_are_refused_and_change_nothing(
    tmp_path: Path, path: tuple[str, ...], to: str, message: str
) -> None:
    store = TicketStore(tmp_path / "tickets.sqlite")
    ticket, _ = store.open_ticket(HARDWARE)
    for state in path:
        store.move(ticket.ticket_id, state, "ana")
    with pytest.raises(BadTransitionError, match=message):
        store.move(ticket.ticket_id, to, "ana")
    assert store.get(ticket.ticket_id).state == (path[-1] if path else "open")
    assert len(store.history(ticket.ticket_id)) == 1 + len(path)


def test_unknown_ticket(tmp_path: Path) -> None:
    with pytest.raises(UnknownTicketError, match="no ticket 'TK-9'"):
        TicketStore(tmp_path / "tickets.sqlite").move("TK-9", "dispatched", "ana")


def test_one_active_ticket_per_charger_and_cause(tmp_path: Path) -> None:
    store = TicketStore(tmp_path / "tickets.sqlite")
    first, _ = store.open_ticket(HARDWARE)
    again, created = store.open_ticket(HARDWARE)
    assert (again.ticket_id, created) == (first.ticket_id, False)
    other, created = store.open_ticket(NewTicket("CP-A", "rules", "resets_unhelpful",
                                                 "resets_unhelpful", {}))
    assert (created, other.ticket_id) == (True, "TK-000002")
    store.move(first.ticket_id, "false_alarm", "ana", "cleared itself")
    later, created = store.open_ticket(HARDWARE)  # closed: the same fault again is a new visit
    assert (created, later.ticket_id) == (True, "TK-000003")
    assert [t.ticket_id for t in store.tickets(states=lifecycle.ACTIVE)] == [
        "TK-000002", "TK-000003"]
    assert [t.ticket_id for t in store.tickets(charger="CP-B")] == []


def test_the_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "tickets.sqlite"
    TicketStore(path).open_ticket(HARDWARE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [r["ticket_id"] for r in snapshot(path)["tickets"]] == ["TK-000001"]
    assert snapshot(tmp_path / "none.sqlite") == {
        "tickets": [], "ticket_events": [], "ticket_deliveries": []}


def _open_many(path: str, n: int) -> None:
    store = TicketStore(Path(path))
    for i in range(n):
        store.open_ticket(HARDWARE)
        store.open_ticket(NewTicket(f"CP-{i}", "rules", "manual", "manual", {}))


def test_two_processes_open_the_same_ticket_once(tmp_path: Path) -> None:
    path = str(tmp_path / "tickets.sqlite")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_open_many, args=(path, 20)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    found = TicketStore(Path(path)).tickets()
    assert len([t for t in found if t.cause == "faulted_hardware"]) == 1
    assert len(found) == 21  # CP-0 .. CP-19 once each, and CP-A's hardware ticket
    assert len({t.ticket_id for t in found}) == 21


def test_a_predicted_alert_carries_the_model_fields() -> None:
    d = Decision("CP-A", "inoperative", "predicted", {"probability": 0.8, "top_features": "[]"})
    new = from_policy.new_ticket(d, Score(0.91, True, '["temp_max_24h"]'))
    assert (new.created_by, new.trigger, new.top_features) == (
        "policy", "resets_unhelpful", '["temp_max_24h"]')
    assert new.probability == pytest.approx(0.91)
    rules = from_policy.new_ticket(
        Decision("CP-A", "ticket", "faulted_hardware", {"ports": ["1"], "codes": ["X"]}), None)
    assert (rules.created_by, rules.port, rules.probability) == ("rules", "1", None)
