"""Tickets delivered to field service: signed JSON to a real server on 127.0.0.1 that verifies
the signature, one failed attempt then success, each attempt in the store; the outbox without
an endpoint; a delivered ticket is not sent twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.data_folder import DataFolder
from models.tickets.store import NewTicket, TicketStore
from pipelines import field_service
from pipelines.errors import ConfigFileError
from tests.pipelines.receiver import SECRET, Receiver, serve

NEW = NewTicket("CP-A", "rules", "faulted_hardware", "faulted_hardware",
                {"codes": ["GroundFailure"]}, port="1")  # fmt: skip


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve("/tickets") as state:
        yield state


def _endpoint(folder: DataFolder, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder.config.mkdir(parents=True)
    monkeypatch.setenv("FSM_KEY", SECRET.decode())
    (folder.config / field_service.CONFIG_FILE).write_text(
        json.dumps({"url": url, "secret_env": "FSM_KEY", "max_attempts": 3}), encoding="utf-8")


def test_signed_delivery_retries_once_then_succeeds(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = DataFolder(tmp_path)
    _endpoint(folder, receiver.url, monkeypatch)
    store = TicketStore(folder.tickets_file)
    ticket, _ = store.open_ticket(NEW)
    receiver.script = [503]
    slept: list[float] = []
    (done,) = field_service.deliver_pending(folder, store, sleep=slept.append, base_delay_s=0.25)
    assert (done.channel, done.status, done.attempts) == ("http", "delivered", 2)
    assert slept == [0.25]
    assert [(r["code"], r["verified"], r["report_id"]) for r in receiver.received] == [
        (503, True, ticket.ticket_id), (200, True, ticket.ticket_id)]
    sent = json.loads(receiver.received[-1]["body"])  # type: ignore[arg-type]
    assert sent["kind"] == "maintenance_ticket"
    assert (sent["ticket"]["ticket_id"], sent["ticket"]["charge_point_id"]) == (
        ticket.ticket_id, "CP-A")
    assert [h["to_state"] for h in sent["history"]] == ["open"]
    attempts = store.deliveries(ticket.ticket_id)
    assert [(a["channel"], a["attempt"], a["status"], a["http_status"]) for a in attempts] == [
        ("http", 1, "failed", 503), ("http", 2, "delivered", 200)]
    assert attempts[0]["target"] == receiver.url
    assert field_service.deliver_pending(folder, store) == []  # delivered: never sent twice
    assert len(receiver.received) == 2


def test_a_wrong_secret_is_rejected_once_and_not_retried(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = DataFolder(tmp_path)
    _endpoint(folder, receiver.url, monkeypatch)
    receiver.secret = b"another"
    store = TicketStore(folder.tickets_file)
    store.open_ticket(NEW)
    (done,) = field_service.deliver_pending(folder, store, sleep=lambda s: None)
    assert (done.status, done.attempts) == ("rejected", 1)
    assert field_service.deliver_pending(folder, store) == []


def test_failed_delivery_is_tried_again_next_time(tmp_path: Path, receiver: Receiver,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = DataFolder(tmp_path)
    _endpoint(folder, receiver.url, monkeypatch)
    store = TicketStore(folder.tickets_file)
    ticket, _ = store.open_ticket(NEW)
    receiver.script = [500, 500, 500]
    (first,) = field_service.deliver_pending(folder, store, sleep=lambda s: None)
    assert (first.status, first.attempts) == ("failed", 3)
    (second,) = field_service.deliver_pending(folder, store, sleep=lambda s: None)
    assert (second.status, second.attempts) == ("delivered", 1)
    assert [a["status"] for a in store.deliveries(ticket.ticket_id)] == [
        "failed", "failed", "failed", "delivered"]


def test_without_an_endpoint_tickets_go_to_the_outbox(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    store = TicketStore(folder.tickets_file)
    ticket, _ = store.open_ticket(NEW)
    (done,) = field_service.deliver_pending(folder, store)
    target = folder.tickets_outbox / f"{ticket.ticket_id}.json"
    assert (done.channel, done.status, done.reason) == ("outbox", "written", str(target))
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["ticket"]["reason"] == {"codes": ["GroundFailure"]}
    assert [(a["channel"], a["status"]) for a in store.deliveries(ticket.ticket_id)] == [
        ("outbox", "written")]
    assert field_service.deliver_pending(folder, store) == []
    assert [p.name for p in folder.tickets_outbox.iterdir()] == [target.name]


def test_a_missing_secret_names_the_field_service_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = DataFolder(tmp_path)
    _endpoint(folder, "http://127.0.0.1:9/tickets", monkeypatch)
    monkeypatch.delenv("FSM_KEY")
    store = TicketStore(folder.tickets_file)
    ticket, _ = store.open_ticket(NEW)
    with pytest.raises(ConfigFileError, match=r"FSM_KEY .* config/field_service\.json"):
        field_service.deliver_pending(folder, store)
    assert store.undelivered() == [ticket]  # it waits for the next try
