"""Remote commands through the HTTP API, for both OCPP versions, answered by simulated
chargers from the ``ocpp`` package; plus the queue's guarantees with a raw client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import polars as pl
import pytest
from websockets.asyncio.client import ClientConnection

from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.chargepoint_v201 import SimChargePoint201
from ingest.sim.link import listen, open_link
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.lake_helpers import table

PROFILE_16 = {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
              "chargingProfileKind": "Absolute", "chargingSchedule": {
                  "chargingRateUnit": "A", "chargingSchedulePeriod": [
                      {"startPeriod": 0, "limit": 16.0}]}}
PROFILE_201 = {"id": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
               "chargingProfileKind": "Absolute", "chargingSchedule": [{
                   "id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [
                       {"startPeriod": 0, "limit": 16.0}]}]}

# command, params, action the charger must receive, expected status in its answer
CASES_16: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("reset", {"type": "hard"}, "Reset", "Accepted"),
    ("remote_start", {"id_tag": "TAG-OK", "connector_id": 1}, "RemoteStartTransaction",
     "Accepted"),
    ("remote_stop", {"transaction_id": 99}, "RemoteStopTransaction", "Rejected"),
    ("change_availability", {"connector_id": 1, "available": False}, "ChangeAvailability",
     "Accepted"),
    ("trigger_message", {"message": "Heartbeat"}, "TriggerMessage", "Accepted"),
    ("unlock_connector", {"connector_id": 1}, "UnlockConnector", "Unlocked"),
    ("get_configuration", {"keys": ["HeartbeatInterval"]}, "GetConfiguration", "Accepted"),
    ("change_configuration", {"key": "HeartbeatInterval", "value": 60}, "ChangeConfiguration",
     "Accepted"),
    ("clear_cache", {}, "ClearCache", "Accepted"),
    ("set_charging_profile", {"connector_id": 1, "profile": PROFILE_16}, "SetChargingProfile",
     "Accepted"),
]
CASES_201: list[tuple[str, dict[str, Any], str, str | None]] = [
    ("reset", {"type": "hard"}, "Reset", "Accepted"),
    ("remote_start", {"id_tag": "TAG-OK", "evse_id": 1}, "RequestStartTransaction", "Accepted"),
    ("remote_stop", {"transaction_id": "nope"}, "RequestStopTransaction", "Rejected"),
    ("change_availability", {"evse_id": 1, "available": False}, "ChangeAvailability",
     "Accepted"),
    ("trigger_message", {"message": "Heartbeat"}, "TriggerMessage", "Accepted"),
    ("unlock_connector", {"evse_id": 1, "connector_id": 1}, "UnlockConnector", "Unlocked"),
    ("get_configuration", {"keys": ["OCPPCommCtrlr.HeartbeatInterval"]}, "GetVariables",
     "Accepted"),
    ("change_configuration", {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": 60},
     "SetVariables", "Accepted"),
    ("clear_cache", {}, "ClearCache", "Accepted"),
    ("set_charging_profile", {"evse_id": 1, "profile": PROFILE_201}, "SetChargingProfile",
     "Accepted"),
]


async def post(csms: Csms, cp_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with aiohttp.ClientSession(headers=csms.api_headers) as http, http.post(
        f"{csms.api_url}/api/v1/chargers/{cp_id}/commands", json=body
    ) as resp:
        return resp.status, await resp.json()


@pytest.fixture
async def fleet(csms: Csms) -> AsyncIterator[dict[str, Any]]:
    csms.add_charger("CP16")
    csms.add_charger("CS201")
    ws16 = await open_link(csms.url, "CP16", "ocpp1.6", PASSWORD)
    ws201 = await open_link(csms.url, "CS201", "ocpp2.0.1", PASSWORD)
    cps = {"CP16": SimChargePoint16("CP16", ws16), "CS201": SimChargePoint201("CS201", ws201)}
    tasks = [asyncio.create_task(listen(cp)) for cp in cps.values()]
    await cps["CP16"].boot()
    await cps["CS201"].boot()
    yield cps
    for ws in (ws16, ws201):
        await ws.close()
    await asyncio.gather(*tasks)


@pytest.mark.parametrize(("cp_id", "cases"), [("CP16", CASES_16), ("CS201", CASES_201)])
async def test_every_command_reaches_the_charger(
    csms: Csms, fleet: dict[str, Any], cp_id: str, cases: list[tuple[str, dict[str, Any], str,
                                                                    str | None]],
) -> None:
    for command, params, action, status in cases:
        code, answer = await post(csms, cp_id, {"command": command, "params": params,
                                                "requested_by": "operator", "reason": "test"})
        assert code == 200, answer
        assert answer["outcome"] == "answered"
        assert answer["action"] == action
        assert answer["status"] == status
        assert fleet[cp_id].received[-1][0] == action
    rows = (await table(csms, "commands")).filter(pl.col("charge_point_id") == cp_id)
    assert rows["action"].to_list() == [c[2] for c in cases]
    assert set(rows["outcome"].to_list()) == {"answered"}
    assert set(rows["requested_by"].to_list()) == {"operator"}
    assert rows["latency_ms"].null_count() == 0
    # each command's CALL and its answer are in ocpp_messages under the same unique id
    msgs = await table(csms, "ocpp_messages")
    for command_id in rows["command_id"].to_list():
        pair = msgs.filter(pl.col("unique_id") == command_id)
        assert pair["direction"].to_list() == ["out", "in"]


async def test_get_configuration_answer_is_returned(csms: Csms, fleet: dict[str, Any]) -> None:
    code, answer = await post(csms, "CP16", {"command": "get_configuration",
                                             "params": {"keys": ["HeartbeatInterval", "Nope"]}})
    assert code == 200
    assert answer["response"]["configurationKey"][0]["value"] == "300"
    assert answer["response"]["unknownKey"] == ["Nope"]


async def test_raw_action_and_invalid_requests(csms: Csms, fleet: dict[str, Any]) -> None:
    code, answer = await post(csms, "CP16", {"action": "ClearCache", "payload": {}})
    assert (code, answer["outcome"]) == (200, "answered")
    code, answer = await post(csms, "CP16", {"action": "Reset", "payload": {"type": "Warm"}})
    assert (code, answer["outcome"]) == (400, "invalid")
    code, answer = await post(csms, "CP16", {"command": "reboot"})
    assert code == 400
    assert "unknown command" in answer["error"]
    code, answer = await post(csms, "CP16", {"command": "remote_stop", "params": {}})
    assert code == 400
    assert "transaction_id" in answer["error"]


async def test_offline_charger_gives_409_and_is_logged(csms: Csms) -> None:
    csms.add_charger("GHOST")  # known, not connected (an unknown one is 404)
    code, answer = await post(csms, "GHOST", {"command": "reset", "params": {}})
    assert (code, answer["outcome"]) == (409, "offline")
    rows = await table(csms, "commands")
    assert rows["outcome"].to_list() == ["offline"]


async def test_bad_token_is_refused(csms: Csms) -> None:
    async with aiohttp.ClientSession() as http, http.get(
        f"{csms.api_url}/api/v1/chargers", headers={"Authorization": "Bearer wrong"}
    ) as resp:
        assert resp.status == 401


async def test_live_state_api(csms: Csms, fleet: dict[str, Any]) -> None:
    await fleet["CP16"].status(1, "Charging")
    tx = await fleet["CP16"].start_transaction(1, "TAG-OK")
    async with aiohttp.ClientSession(headers=csms.api_headers) as http:
        async with http.get(f"{csms.api_url}/api/v1/chargers/CP16") as resp:
            state = await resp.json()
        async with http.get(f"{csms.api_url}/api/v1/transactions") as resp:
            txs = await resp.json()
        async with http.get(f"{csms.api_url}/api/v1/health") as resp:
            health = await resp.json()
    assert state["connected"] is True
    assert state["connectors"]["1"]["status"] == "Charging"
    assert state["last_seen"] is not None
    assert [t["transaction_id"] for t in txs] == [str(tx)]
    assert health["connected"] == 2


async def _raw_charger(csms: Csms, cp_id: str) -> ClientConnection:
    csms.add_charger(cp_id, password=False)
    return await open_link(csms.url, cp_id, "ocpp1.6")


async def test_one_call_in_flight_and_receive_loop_not_blocked(csms: Csms) -> None:
    ws = await _raw_charger(csms, "RAW1")
    # three different commands (identical ones in flight would be coalesced into one)
    sends = [asyncio.create_task(post(csms, "RAW1", {"command": "trigger_message", "params": {
        "message": m}, "timeout": 5})) for m in ("Heartbeat", "StatusNotification", "MeterValues")]
    first = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert first[2] == "TriggerMessage"
    # While a command waits for its answer, the charger's own calls are still answered...
    await ws.send(json.dumps([2, "hb-1", "Heartbeat", {}]))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, "hb-1"]
    # ...and no second CALL is sent before the first is answered.
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), 0.3)
    for _ in range(3):
        await ws.send(json.dumps([3, first[1], {"status": "Accepted"}]))
        nxt = await asyncio.wait_for(ws.recv(), 5) if _ < 2 else None
        if nxt is not None:
            first = json.loads(nxt)
    results = await asyncio.gather(*sends)
    assert [code for code, _ in results] == [200, 200, 200]
    await ws.close()


async def test_timeout_and_call_error(csms: Csms) -> None:
    ws = await _raw_charger(csms, "RAW2")
    code, answer = await post(csms, "RAW2", {"command": "reset", "timeout": 1})
    assert (code, answer["outcome"]) == (504, "timeout")
    await ws.recv()  # the CALL that was never answered
    task = asyncio.create_task(post(csms, "RAW2", {"command": "reset", "timeout": 5}))
    call = json.loads(await asyncio.wait_for(ws.recv(), 5))
    await ws.send(json.dumps([4, call[1], "NotSupported", "no resets here", {}]))
    code, answer = await task
    assert (code, answer["outcome"], answer["error_code"]) == (502, "call_error", "NotSupported")
    task = asyncio.create_task(post(csms, "RAW2", {"command": "reset", "timeout": 5}))
    call = json.loads(await asyncio.wait_for(ws.recv(), 5))
    await ws.send(json.dumps([3, call[1], {"status": "Maybe"}]))  # breaks the schema
    code, answer = await task
    assert (code, answer["outcome"]) == (502, "invalid_response")
    outcomes = (await table(csms, "commands"))["outcome"].to_list()
    assert outcomes == ["timeout", "call_error", "invalid_response"]
    await ws.close()


async def test_disconnect_while_waiting_answers_offline(csms: Csms) -> None:
    ws = await _raw_charger(csms, "RAW3")
    task = asyncio.create_task(post(csms, "RAW3", {"command": "reset", "timeout": 5}))
    await asyncio.wait_for(ws.recv(), 5)
    await ws.close()
    code, answer = await asyncio.wait_for(task, 5)
    assert (code, answer["outcome"]) == (409, "offline")
