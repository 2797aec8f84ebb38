"""OCPP 2.0.1 scenarios (OCTT ids, blocks B and F) the CSMS already supports."""

from __future__ import annotations

import polars as pl

from tests.conftest import Csms
from tests.csms_lite.conformance.station import Station
from tests.csms_lite.lake_helpers import table


async def test_tcb01_cold_boot_charging_station(csms: Csms, cs201: Station) -> None:
    boot = await cs201.boot()
    assert (boot.status, boot.interval) == ("Accepted", 120)
    assert boot.current_time.endswith("Z")
    [answer] = await cs201.answered("BootNotification")
    assert answer["status"] == "Accepted"
    [call] = await cs201.frames("BootNotification", "in", 2)
    assert call["reason"] == "PowerUp"
    live = cs201.live()
    assert (live.boot_status, live.ocpp_version) == ("Accepted", "2.0.1")
    assert {c.status for c in live.connectors.values()} == {"Available"}
    events = (await table(csms, "connection_events")).filter(
        pl.col("charge_point_id") == "CS201")
    assert events["subprotocol"].to_list() == ["ocpp2.0.1"]


async def test_tcb06_get_variables(cs201: Station) -> None:
    await cs201.boot()
    answer = await cs201.accepted("get_configuration", keys=[
        "OCPPCommCtrlr.HeartbeatInterval", "SampledDataCtrlr.TxUpdatedInterval", "Nope.Nothing"])
    results = {(r["component"]["name"], r["variable"]["name"]):
               (r["attributeStatus"], r.get("attributeValue"))
               for r in answer["response"]["getVariableResult"]}
    assert results == {("OCPPCommCtrlr", "HeartbeatInterval"): ("Accepted", "300"),
                       ("SampledDataCtrlr", "TxUpdatedInterval"): ("Accepted", "60"),
                       ("Nope", "Nothing"): ("UnknownVariable", None)}
    [sent] = await cs201.sent("GetVariables")
    assert sent["getVariableData"][0] == {"component": {"name": "OCPPCommCtrlr"},
                                          "variable": {"name": "HeartbeatInterval"}}
    await cs201.lake_command(answer, "GetVariables", "Mixed")  # one variable unknown


async def test_tcb09_set_variables(cs201: Station) -> None:
    await cs201.boot()
    answer = await cs201.accepted("change_configuration", key="OCPPCommCtrlr.HeartbeatInterval",
                                  value=60)
    [result] = answer["response"]["setVariableResult"]
    assert result["attributeStatus"] == "Accepted"
    assert await cs201.sent("SetVariables") == [{"setVariableData": [{
        "attributeValue": "60", "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"}}]}]
    await cs201.lake_command(answer, "SetVariables", "Accepted")
    after = await cs201.accepted("get_configuration", keys=["OCPPCommCtrlr.HeartbeatInterval"])
    assert after["response"]["getVariableResult"][0]["attributeValue"] == "60"


async def test_tcb20_reset_charging_station_without_ongoing_transaction_accepted(
    cs201: Station,
) -> None:
    await cs201.boot()
    answer = await cs201.accepted("reset", type="soft")
    assert answer["status"] == "Accepted"
    assert await cs201.sent("Reset") == [{"type": "OnIdle"}]
    await cs201.lake_command(answer, "Reset", "Accepted")
    boot = await cs201.reboot()
    assert boot.status == "Accepted"
    assert len(await cs201.answered("BootNotification")) == 2


async def test_tcb21_reset_charging_station_with_ongoing_transaction_scheduled(
    cs201: Station,
) -> None:
    await cs201.boot()
    tx = await cs201.start(1, "TAG-OK")
    cs201.script.status["Reset"] = "Scheduled"
    answer = await cs201.accepted("reset", type="soft")
    assert answer["status"] == "Scheduled"
    await cs201.lake_command(answer, "Reset", "Scheduled")
    assert tx in cs201.live().transactions  # an OnIdle reset waits for the session to end
    await cs201.stop(1, reason="Local")
    assert tx not in cs201.live().transactions
    assert (await cs201.reboot()).status == "Accepted"


async def test_tcb22_reset_charging_station_rejected(cs201: Station) -> None:
    await cs201.boot()
    cs201.script.status["Reset"] = "Rejected"
    answer = await cs201.accepted("reset", type="hard", evse_id=1)
    assert answer["status"] == "Rejected"
    assert await cs201.sent("Reset") == [{"type": "Immediate", "evseId": 1}]
    await cs201.lake_command(answer, "Reset", "Rejected")
    assert cs201.live().connected


async def test_tcf20_heartbeat(cs201: Station) -> None:
    await cs201.boot()
    for _ in range(2):
        assert (await cs201.cp.heartbeat()).current_time.endswith("Z")
    answers = await cs201.answered("Heartbeat")
    assert len(answers) == 2
    assert all(a["currentTime"].endswith("Z") for a in answers)
    assert cs201.live().last_seen is not None
