"""Self-healing against a real CSMS and simulated chargers on loopback: each guard rail, the
escalation ladder, and a reset that cures a fault end to end with the outcome row to prove it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from csms_lite.client import AsyncCsmsClient
from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.link import listen, open_link
from models.healing.loop import SelfHealer, connect
from models.healing.policy import PolicyConfig
from models.tickets.store import TicketStore
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.helpers.ocppj import wait_for
from tests.csms_lite.lake_helpers import table
from tests.curable_charger import CurableCharger

CFG = PolicyConfig(fault_grace_s=0.0, verify_after_s=60.0, cooldown_s=600.0)


@pytest.fixture
async def fleet(csms: Csms) -> AsyncIterator[dict[str, tuple[SimChargePoint16, CurableCharger]]]:
    out: dict[str, tuple[SimChargePoint16, CurableCharger]] = {}
    tasks, links = [], []
    for cp_id in ("CP-A", "CP-B"):
        csms.add_charger(cp_id)
        ws = await open_link(csms.url, cp_id, "ocpp1.6", PASSWORD)
        cp = SimChargePoint16(cp_id, ws)
        answers = CurableCharger(cp, curable=True)
        cp.answers = answers
        tasks.append(asyncio.create_task(listen(cp)))
        links.append(ws)
        await cp.boot()
        await cp.status(1, "Available")
        await cp.status(2, "Available")
        out[cp_id] = (cp, answers)
    yield out
    for ws in links:
        await ws.close()
    await asyncio.gather(*tasks)


async def _commands(csms: Csms) -> list[dict[str, Any]]:
    return (await table(csms, "commands")).sort("requested_at").to_dicts()


def _api(csms: Csms) -> AsyncCsmsClient:
    return connect(csms.api_url, csms.token("self_healing"))


async def test_a_reset_cures_a_fault_and_the_outcome_row_says_so(
    csms: Csms, fleet: dict[str, Any]
) -> None:
    cp, answers = fleet["CP-A"]
    await cp.status(1, "Faulted", "InternalError")
    async with _api(csms) as api:
        healer = SelfHealer(api, CFG)
        now = time.time()
        decisions = await healer.tick(now)
        assert [(d.charge_point_id, d.action, d.trigger, d.go) for d in decisions] == [
            ("CP-A", "soft_reset", "faulted", True)
        ]
        await wait_for(
            lambda: csms.server.hub.chargers["CP-A"].connectors["1"].status == "Available"
        )
        await healer.tick(now + CFG.verify_after_s)
    assert answers.resets == [False]  # soft
    rows = await _commands(csms)
    reset, outcome = rows[-2], rows[-1]
    assert (reset["action"], reset["requested_by"], reset["status"]) == (
        "Reset",
        "self_healing",
        "Accepted",
    )
    why = json.loads(reset["reason"])
    assert (why["trigger"], why["codes"]) == ("faulted", ["InternalError"])
    assert (outcome["action"], outcome["command_id"], outcome["status"]) == (
        "Outcome",
        reset["command_id"],
        "cured",
    )
    assert outcome["requested_by"] == "self_healing"


@pytest.mark.parametrize(
    ("state", "guard"),
    [
        ("Charging", "energy_delivery"),
        # SuspendedEV delivers nothing now, but a reset would still end the driver's session.
        ("SuspendedEV", "session_open"),
    ],
)
async def test_never_ends_a_session_beside_a_faulted_port(
    csms: Csms, fleet: dict[str, Any], state: str, guard: str
) -> None:
    cp, answers = fleet["CP-A"]
    csms.add_tag("TAG-1")
    await cp.status(1, "Preparing")
    await cp.start_transaction(1, "TAG-1")
    await cp.status(1, state)
    await cp.status(2, "Faulted", "InternalError")
    async with _api(csms) as api:
        decisions = await SelfHealer(api, CFG).tick(time.time())
    assert [(d.charge_point_id, d.blocked_by) for d in decisions] == [("CP-A", guard)]
    assert answers.resets == []


async def test_cooldown_and_network_cap(csms: Csms, fleet: dict[str, Any]) -> None:
    for cp_id in ("CP-A", "CP-B"):
        await fleet[cp_id][0].status(1, "Faulted", "InternalError")
    cfg = replace(CFG, max_resets_per_hour=1)
    async with _api(csms) as api:
        healer = SelfHealer(api, cfg)
        now = time.time()
        first = await healer.tick(now)
        await asyncio.sleep(0.3)
        await fleet["CP-A"][0].status(1, "Faulted", "InternalError")  # back again
        second = await healer.tick(now + 60)
    assert [(d.charge_point_id, d.blocked_by) for d in first] == [
        ("CP-A", None),
        ("CP-B", "network_reset_cap"),
    ]
    assert ("CP-A", "cooldown") in [(d.charge_point_id, d.blocked_by) for d in second]
    assert len(fleet["CP-A"][1].resets) == 1
    assert fleet["CP-B"][1].resets == []


async def test_dry_run_and_deny_list_send_nothing(csms: Csms, fleet: dict[str, Any]) -> None:
    for cp_id in ("CP-A", "CP-B"):
        await fleet[cp_id][0].status(1, "Faulted", "InternalError")
    cfg = replace(CFG, dry_run=True, deny=frozenset({"CP-B"}))
    async with _api(csms) as api:
        decisions = await SelfHealer(api, cfg).tick(time.time())
    assert [(d.charge_point_id, d.blocked_by) for d in decisions] == [
        ("CP-A", "dry_run"),
        ("CP-B", "deny_list"),
    ]
    assert fleet["CP-A"][1].resets == fleet["CP-B"][1].resets == []
    assert not [r for r in await _commands(csms) if r["requested_by"] == "self_healing"]


async def test_allow_list(csms: Csms, fleet: dict[str, Any]) -> None:
    for cp_id in ("CP-A", "CP-B"):
        await fleet[cp_id][0].status(1, "Faulted", "InternalError")
    cfg = replace(CFG, allow=frozenset({"CP-B"}))
    async with _api(csms) as api:
        decisions = await SelfHealer(api, cfg).tick(time.time())
    assert [(d.charge_point_id, d.blocked_by) for d in decisions] == [
        ("CP-A", "not_in_allow_list"),
        ("CP-B", None),
    ]


@pytest.mark.slow
async def test_escalates_after_resets_that_did_not_help(csms: Csms, fleet: dict[str, Any]) -> None:
    cp, answers = fleet["CP-A"]
    answers.curable = False  # the fault comes back after every reboot
    await cp.status(1, "Faulted", "InternalError")
    cfg = replace(CFG, cooldown_s=0.0, verify_after_s=10.0, escalate_after=2)
    actions = []
    async with _api(csms) as api:
        healer = SelfHealer(api, cfg)
        now = time.time()
        for step in range(4):
            for d in await healer.tick(now + step * 20.0):
                actions.append((d.action, d.go))
            await asyncio.sleep(0.4)
    assert actions == [("soft_reset", True), ("hard_reset", True), ("inoperative", True)]
    assert answers.resets == [False, True]
    assert answers.availability == [(0, False)]
    outcomes = [r["status"] for r in await _commands(csms) if r["action"] == "Outcome"]
    assert outcomes == ["not_cured", "not_cured", "out_of_service"]
    assert [(t["cause"], t["action"]) for t in healer.journal.tickets] == [
        ("resets_unhelpful", "inoperative")]


async def test_hardware_fault_gets_a_ticket_not_a_reset(
    csms: Csms, fleet: dict[str, Any], tmp_path: Path
) -> None:
    cp, answers = fleet["CP-A"]
    await cp.status(1, "Faulted", "GroundFailure")
    tickets = TicketStore(tmp_path / "tickets.sqlite")
    async with _api(csms) as api:
        healer = SelfHealer(api, CFG, tickets=tickets)
        first = await healer.tick(time.time())
        again = await healer.tick(time.time() + 60)  # one ticket per fault, not one per pass
        # A loop that lost its memory (a restart without state) still opens no second one.
        fresh = SelfHealer(api, CFG, tickets=tickets)
        restarted = await fresh.tick(time.time() + 120)
    assert [(d.action, d.trigger) for d in first] == [("ticket", "faulted_hardware")]
    assert again == []
    assert [(d.action, d.go) for d in restarted] == [("ticket", True)]
    assert [t["created"] for t in healer.journal.tickets + fresh.journal.tickets] == [True, False]
    assert answers.resets == []
    assert answers.availability == []
    assert await _commands(csms) == []  # no reset, and no fake outcome row any more
    (ticket,) = tickets.tickets()
    assert (ticket.charge_point_id, ticket.port, ticket.created_by, ticket.trigger) == (
        "CP-A", "1", "rules", "faulted_hardware")
    assert ticket.reason["codes"] == ["GroundFailure"]


@pytest.mark.slow
async def test_dagster_job_remembers_between_passes(
    csms: Csms, fleet: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sensor-driven job runs one pass per run; its memory (here: the cooldown) is kept in
    the data folder, so the second run does not reset the charger again; a hardware fault gets
    one ticket in the data folder's store, delivered to its outbox (no endpoint set)."""
    from pipelines.defs.models.self_healing import self_heal
    from pipelines.resources import WarehouseResource

    cp, answers = fleet["CP-A"]
    await cp.status(1, "Faulted", "InternalError")
    await fleet["CP-B"][0].status(2, "Faulted", "GroundFailure")
    monkeypatch.setenv("CPO_API_URL", csms.api_url)
    monkeypatch.setenv("CPO_API_TOKEN", csms.token("self_healing"))
    run_config = {
        "ops": {"self_heal_pass": {"config": {"cooldown_s": 3600.0, "fault_grace_s": 0.0}}}
    }
    resources = {"warehouse": WarehouseResource(data_dir=str(tmp_path))}
    for _ in range(2):
        result = await asyncio.to_thread(
            self_heal.execute_in_process, run_config=run_config, resources=resources
        )
        assert result.success
        await asyncio.sleep(0.5)
    assert answers.resets == [False]
    assert fleet["CP-B"][1].resets == []
    assert (tmp_path / "self_healing" / "state.json").exists()
    (ticket,) = TicketStore(tmp_path / "tickets" / "tickets.sqlite").tickets()
    assert (ticket.charge_point_id, ticket.port, ticket.state) == ("CP-B", "2", "open")
    assert (tmp_path / "tickets" / "outbox" / f"{ticket.ticket_id}.json").is_file()
