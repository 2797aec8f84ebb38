"""OCPP 1.6 scenarios the CSMS starts (OCTT ids): the command through the API, the CALL the
CSMS sent, the API's answer and the ``commands`` row."""

from __future__ import annotations

from tests.conftest import Csms
from tests.csms_lite.conformance.station import Station


async def test_tc010_remote_start_charging_session_cable_plugged_in_first(
    cp16: Station,
) -> None:
    await cp16.boot()
    await cp16.status(1, "Preparing")
    answer = await cp16.accepted("remote_start", id_tag="TAG-OK", connector_id=1)
    assert answer["status"] == "Accepted"
    assert await cp16.sent("RemoteStartTransaction") == [{"idTag": "TAG-OK", "connectorId": 1}]
    await cp16.lake_command(answer, "RemoteStartTransaction", "Accepted")
    tx = await cp16.start(1, "TAG-OK")
    await cp16.status(1, "Charging")
    [start] = await cp16.answered("StartTransaction")
    assert start["idTagInfo"] == {"status": "Accepted"}
    assert tx in cp16.live().transactions


async def test_tc011_remote_start_charging_session_remote_start_first(cp16: Station) -> None:
    """1.6 tc011_1: the remote start comes before the cable; the charger starts on plug-in."""
    await cp16.boot()
    answer = await cp16.accepted("remote_start", id_tag="TAG-OK")
    assert answer["status"] == "Accepted"
    assert await cp16.sent("RemoteStartTransaction") == [{"idTag": "TAG-OK"}]
    await cp16.status(1, "Preparing")
    tx = await cp16.start(1, "TAG-OK")
    await cp16.status(1, "Charging")
    assert cp16.live().transactions[tx].connector_id == 1


async def test_tc012_remote_stop_charging_session(csms: Csms, cp16: Station) -> None:
    await cp16.boot()
    tx = await cp16.start(1, "TAG-OK")
    answer = await cp16.accepted("remote_stop", transaction_id=int(tx))
    assert answer["status"] == "Accepted"
    assert await cp16.sent("RemoteStopTransaction") == [{"transactionId": int(tx)}]
    await cp16.lake_command(answer, "RemoteStopTransaction", "Accepted")
    await cp16.stop(1, reason="Remote")
    await cp16.status(1, "Finishing")
    assert tx not in cp16.live().transactions
    assert csms.server.registry.open_transactions("CP16") == []


async def _reset_without_transaction(cp16: Station, kind: str, sent: str) -> None:
    await cp16.boot()
    answer = await cp16.accepted("reset", type=kind)
    assert answer["status"] == "Accepted"
    assert await cp16.sent("Reset") == [{"type": sent}]
    await cp16.lake_command(answer, "Reset", "Accepted")
    boot = await cp16.reboot()
    assert boot.status == "Accepted"
    assert len(await cp16.answered("BootNotification")) == 2
    live = cp16.live()
    assert live.connected
    assert {c.status for c in live.connectors.values()} == {"Available"}


async def test_tc013_hard_reset_without_transaction(cp16: Station) -> None:
    await _reset_without_transaction(cp16, "hard", "Hard")


async def test_tc014_soft_reset_without_transaction(cp16: Station) -> None:
    await _reset_without_transaction(cp16, "soft", "Soft")


async def test_tc017_unlock_connector_no_charging_session_running(cp16: Station) -> None:
    """tc017_1 (not charging): Unlocked."""
    await cp16.boot()
    answer = await cp16.accepted("unlock_connector", connector_id=1)
    assert answer["status"] == "Unlocked"
    assert await cp16.sent("UnlockConnector") == [{"connectorId": 1}]
    await cp16.lake_command(answer, "UnlockConnector", "Unlocked")


async def test_tc018_unlock_failure(cp16: Station) -> None:
    await cp16.boot()
    cp16.script.status["Unlock"] = "UnlockFailed"
    answer = await cp16.accepted("unlock_connector", connector_id=2)
    assert answer["status"] == "UnlockFailed"
    await cp16.lake_command(answer, "UnlockConnector", "UnlockFailed")


async def test_tc031_unlock_unknown_connector(cp16: Station) -> None:
    await cp16.boot()
    answer = await cp16.accepted("unlock_connector", connector_id=3)
    assert answer["status"] == "NotSupported"
    assert await cp16.sent("UnlockConnector") == [{"connectorId": 3}]
    await cp16.lake_command(answer, "UnlockConnector", "NotSupported")


async def test_tc019_retrieve_configuration(cp16: Station) -> None:
    """tc019_1 all keys, tc019_2 one key."""
    await cp16.boot()
    every = await cp16.accepted("get_configuration")
    keys = {k["key"]: k["value"] for k in every["response"]["configurationKey"]}
    assert keys == {"HeartbeatInterval": "300", "MeterValueSampleInterval": "60"}
    one = await cp16.accepted("get_configuration", keys=["HeartbeatInterval"])
    assert one["response"]["configurationKey"] == [
        {"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
    assert await cp16.sent("GetConfiguration") == [{}, {"key": ["HeartbeatInterval"]}]
    await cp16.lake_command(one, "GetConfiguration", "Accepted")  # every key known


async def test_tc021_change_set_configuration(cp16: Station) -> None:
    await cp16.boot()
    answer = await cp16.accepted("change_configuration", key="MeterValueSampleInterval",
                                 value=30)
    assert answer["status"] == "Accepted"
    assert await cp16.sent("ChangeConfiguration") == [
        {"key": "MeterValueSampleInterval", "value": "30"}]
    await cp16.lake_command(answer, "ChangeConfiguration", "Accepted")
    after = await cp16.accepted("get_configuration", keys=["MeterValueSampleInterval"])
    assert after["response"]["configurationKey"][0]["value"] == "30"


async def test_tc026_remote_start_charging_session_rejected(cp16: Station) -> None:
    await cp16.boot()
    cp16.script.status["RemoteStart"] = "Rejected"
    answer = await cp16.accepted("remote_start", id_tag="TAG-OK", connector_id=1)
    assert answer["status"] == "Rejected"
    await cp16.lake_command(answer, "RemoteStartTransaction", "Rejected")
    assert cp16.live().transactions == {}


async def test_tc028_remote_stop_transaction_rejected(cp16: Station) -> None:
    await cp16.boot()
    answer = await cp16.accepted("remote_stop", transaction_id=4242)
    assert answer["status"] == "Rejected"
    assert await cp16.sent("RemoteStopTransaction") == [{"transactionId": 4242}]
    await cp16.lake_command(answer, "RemoteStopTransaction", "Rejected")


TRIGGERS = [("MeterValues", 1), ("Heartbeat", None), ("StatusNotification", 1),
            ("DiagnosticsStatusNotification", None), ("FirmwareStatusNotification", None)]


async def test_tc054_trigger_message(cp16: Station) -> None:
    await cp16.boot()
    expected = []
    for message, connector in TRIGGERS:
        params = {"message": message} | ({"connector_id": connector} if connector else {})
        answer = await cp16.accepted("trigger_message", **params)
        assert answer["status"] == "Accepted"
        await cp16.lake_command(answer, "TriggerMessage", "Accepted")
        expected.append({"requestedMessage": message}
                        | ({"connectorId": connector} if connector else {}))
    await cp16.cp.heartbeat()  # what the charger then sends, answered as any other
    assert await cp16.sent("TriggerMessage") == expected
    assert len(await cp16.answered("Heartbeat")) == 1


async def test_tc055_trigger_message_rejected(cp16: Station) -> None:
    await cp16.boot()
    cp16.script.status["TriggerMessage"] = "Rejected"
    answer = await cp16.accepted("trigger_message", message="MeterValues", connector_id=3)
    assert answer["status"] == "Rejected"
    await cp16.lake_command(answer, "TriggerMessage", "Rejected")


async def test_tc061_clear_authorization_data_in_authorization_cache(cp16: Station) -> None:
    await cp16.boot()
    answer = await cp16.accepted("clear_cache")
    assert answer["status"] == "Accepted"
    assert await cp16.sent("ClearCache") == [{}]
    await cp16.lake_command(answer, "ClearCache", "Accepted")
