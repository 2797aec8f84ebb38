"""`cpo tickets ...` and a ticket's whole life: the policy opens it (once), an operator moves it
with the CLI, closes it as resolved, and the warehouse's ticket_outcomes mart holds the label."""

from __future__ import annotations

import json
import time
from pathlib import Path

from typer.testing import CliRunner

from ingest.data_folder import DataFolder
from models.healing import policy, views
from models.tickets import from_policy
from models.tickets.store import TicketStore
from pipelines.defs.reliability.assets import SQL_DIR
from tests.pipelines.warehouse_kit import build, utc, warehouse_conn
from workbench.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["tickets", *args])
    return result.exit_code, result.stdout, result.stderr


def _charger(code: str) -> list[views.ChargerView]:
    return views.parse([{
        "charge_point_id": "CP-A", "connected": True, "connected_since": 0.0, "last_seen": None,
        "heartbeat_interval": 300,
        "connectors": {"1": {"status": "Faulted", "error_code": code, "at": 0.0},
                       "2": {"status": "Available", "at": 0.0}},
    }])  # fmt: skip


def _policy_pass(store: TicketStore, memory: policy.Memory, now: float) -> list[bool]:
    cfg = policy.PolicyConfig(fault_grace_s=0.0)
    decisions = policy.decide(now, _charger("GroundFailure"), {}, memory, cfg)
    return [store.open_ticket(from_policy.new_ticket(d, None), now)[1]
            for d in decisions if from_policy.wants_ticket(d)]


def test_policy_to_label_in_the_warehouse(tmp_path: Path) -> None:
    data = str(tmp_path)
    store = TicketStore(DataFolder(tmp_path).tickets_file)
    now = time.time()
    assert _policy_pass(store, policy.Memory(), now) == [True]
    # A second loop process (or one that lost its memory) asks again: no second ticket.
    assert _policy_pass(store, policy.Memory(), now + 300) == [False]
    code, out, _ = run("list", "--data-dir", data, "--json")
    (listed,) = json.loads(out)
    assert (code, listed["ticket_id"], listed["state"], listed["created_by"]) == (
        0, "TK-000001", "open", "rules")
    assert run("update", "TK-000001", "--state", "dispatched", "--by", "ana",
               "--data-dir", data)[:2] == (0, "TK-000001 dispatched\n")
    assert run("update", "TK-000001", "--state", "on_site", "--by", "tech",
               "--data-dir", data)[0] == 0
    code, out, _ = run("close", "TK-000001", "--outcome", "resolved", "--cause", "GroundFailure",
                       "--note", "RCD replaced", "--by", "tech", "--data-dir", data)
    assert (code, out) == (0, "TK-000001 resolved (fault)\n")
    code, out, _ = run("show", "TK-000001", "--data-dir", data, "--json")
    shown = json.loads(out)
    assert [(h["to_state"], h["by"]) for h in shown["history"]] == [
        ("open", "rules"), ("dispatched", "ana"), ("on_site", "tech"), ("resolved", "tech")]
    conn = warehouse_conn(tmp_path, as_of=utc("2030-01-01 00:00"))  # registers the store
    (ticket,) = build(conn, "tickets", SQL_DIR)
    assert (ticket["state"], ticket["active"], ticket["outcome_label"]) == (
        "resolved", False, "fault")
    assert ticket["dispatched_at"] <= ticket["on_site_at"] <= ticket["closed_at"]
    (label,) = build(conn, "ticket_outcomes", SQL_DIR)
    assert (label["charge_point_id"], label["port"], label["is_fault"], label["resolved_cause"],
            label["trigger"]) == ("CP-A", "1", 1, "GroundFailure", "faulted_hardware")


def test_a_false_alarm_is_label_zero(tmp_path: Path) -> None:
    data = str(tmp_path)
    assert run("open", "CP-B", "--reason", "cable looks cut", "--by", "ana",
               "--data-dir", data)[1].splitlines()[0] == "TK-000001"
    assert run("open", "CP-B", "--reason", "again", "--data-dir", data)[1].splitlines()[0] == (
        "TK-000001 (already open)")
    assert (tmp_path / "tickets" / "outbox" / "TK-000001.json").is_file()  # no endpoint
    assert run("close", "TK-000001", "--outcome", "false_alarm", "--data-dir", data)[0] == 0
    code, out, _ = run("list", "--data-dir", data, "--state", "false_alarm")
    assert code == 0
    assert "TK-000001" in out
    assert "(none)" in run("list", "--data-dir", data, "--active")[1]
    assert "(none)" in run("list", "--data-dir", data, "--charger", "CP-A")[1]
    conn = warehouse_conn(tmp_path, as_of=utc("2030-01-01 00:00"))
    build(conn, "tickets", SQL_DIR)
    (label,) = build(conn, "ticket_outcomes", SQL_DIR)
    assert (label["outcome_label"], label["is_fault"], label["created_by"]) == (
        "false_alarm", 0, "ana")


def test_looking_creates_nothing(tmp_path: Path) -> None:
    data = str(tmp_path / "none")
    assert run("list", "--data-dir", data)[:2] == (0, "(none)\n")
    code, _, err = run("show", "TK-000001", "--data-dir", data)
    assert (code, err.count("\n")) == (2, 1)
    assert "does not exist" in err
    assert not (tmp_path / "none").exists()


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    data = str(tmp_path)
    run("open", "CP-A", "--reason", "smoke", "--data-dir", data)
    cases = [
        (("update", "TK-000001", "--state", "resolved"), "use `cpo tickets close`"),
        (("update", "TK-000001", "--state", "on_site"),
         "ticket TK-000001 is open: it can go to dispatched or false_alarm, not on_site"),
        (("update", "TK-000009", "--state", "dispatched"), "no ticket 'TK-000009'"),
        (("close", "TK-000001", "--outcome", "resolved"), "needs --cause"),
        (("close", "TK-000001", "--outcome", "fixed"), "use resolved or false_alarm"),
        (("list", "--state", "gone"), "--state 'gone': use one of"),
        (("show", "TK-9"), "no ticket 'TK-9'"),
        (("open", " ", "--reason", "x"), "must not be empty"),
    ]
    for args, message in cases:
        code, out, err = run(*args, "--data-dir", data)
        assert code == 2, (args, out, err)
        assert err.count("\n") == 1, err
        assert err.startswith("error: ")
        assert message in err, (args, err)
