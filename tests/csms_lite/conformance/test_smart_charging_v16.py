"""OCPP 1.6 smart charging profile scenarios (OCTT ids) the CSMS already supports."""

from __future__ import annotations

from typing import Any

from tests.csms_lite.conformance.station import Station


def profile(purpose: str, profile_id: int = 1, tx: int | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {
        "chargingProfileId": profile_id, "stackLevel": 0, "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative", "chargingSchedule": {
            "chargingRateUnit": "A", "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 6}]}}
    if tx is not None:
        p["transactionId"] = tx
    return p


async def test_tc056_central_smart_charging_txdefaultprofile(cp16: Station) -> None:
    await cp16.boot()
    answer = await cp16.accepted("set_charging_profile", connector_id=0,
                                 profile=profile("TxDefaultProfile"))
    assert answer["status"] == "Accepted"
    assert await cp16.sent("SetChargingProfile") == [
        {"connectorId": 0, "csChargingProfiles": profile("TxDefaultProfile")}]
    await cp16.lake_command(answer, "SetChargingProfile", "Accepted")


async def test_tc057_central_smart_charging_txprofile(cp16: Station) -> None:
    await cp16.boot()
    tx = int(await cp16.start(1, "TAG-OK"))
    await cp16.status(1, "Charging")
    answer = await cp16.accepted("set_charging_profile", connector_id=1,
                                 profile=profile("TxProfile", 2, tx))
    assert answer["status"] == "Accepted"
    [sent] = await cp16.sent("SetChargingProfile")
    assert sent["connectorId"] == 1
    assert sent["csChargingProfiles"]["transactionId"] == tx
    await cp16.lake_command(answer, "SetChargingProfile", "Accepted")


async def test_tc059_remote_start_transaction_with_charging_profile(cp16: Station) -> None:
    await cp16.boot()
    tx_profile = profile("TxProfile", 3)
    answer = await cp16.accepted("remote_start", id_tag="TAG-OK", connector_id=1,
                                 charging_profile=tx_profile)
    assert answer["status"] == "Accepted"
    assert await cp16.sent("RemoteStartTransaction") == [
        {"idTag": "TAG-OK", "connectorId": 1, "chargingProfile": tx_profile}]
    await cp16.lake_command(answer, "RemoteStartTransaction", "Accepted")
    tx = await cp16.start(1, "TAG-OK")
    assert tx in cp16.live().transactions
