"""The CSMS knows the charging profiles each charger holds: an accepted SetChargingProfile adds
one (replacing one of the same id, or of the same port, purpose and stack level), an accepted
ClearChargingProfile removes those it names, a refused one changes nothing, a TxProfile goes
with its transaction; the API's charger answer lists them."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.csms_lite.conformance.station import Station


def profile(version: str, pid: int, purpose: str, level: int = 0,
            tx: str | None = None) -> dict[str, Any]:
    period = [{"startPeriod": 0, "limit": 16.0}]
    if version == "1.6":
        p: dict[str, Any] = {
            "chargingProfileId": pid, "stackLevel": level, "chargingProfilePurpose": purpose,
            "chargingProfileKind": "Absolute", "chargingSchedule": {
                "chargingRateUnit": "A", "chargingSchedulePeriod": period}}
        if tx is not None:
            p["transactionId"] = int(tx)
    else:
        p = {"id": pid, "stackLevel": level, "chargingProfilePurpose": purpose,
             "chargingProfileKind": "Absolute", "chargingSchedule": [
                 {"id": pid, "chargingRateUnit": "A", "chargingSchedulePeriod": period}]}
        if tx is not None:
            p["transactionId"] = tx
    return p


def _port(s: Station, port: int) -> dict[str, Any]:
    return {"connector_id": port} if s.version == "1.6" else {"evse_id": port}


async def _listed(s: Station) -> list[tuple[int, str, str, int]]:
    async with aiohttp.ClientSession(headers=s.csms.api_headers) as http, http.get(
            f"{s.csms.api_url}/api/v1/chargers/{s.cp_id}") as resp:
        assert resp.status == 200, await resp.text()
        body = await resp.json()
    return sorted((p["profile_id"], p["port"], p["purpose"], p["stack_level"])
                  for p in body["charging_profiles"])


async def test_installed_profiles_follow_set_and_clear(any_cp: Station) -> None:
    s, v = any_cp, any_cp.version
    for pid, port, purpose, level in ((1, 0, "ChargingStationMaxProfile" if v == "2.0.1"
                                       else "ChargePointMaxProfile", 0),
                                      (2, 1, "TxDefaultProfile", 0),
                                      (3, 1, "TxDefaultProfile", 1)):
        answer = await s.accepted("set_charging_profile", profile=profile(v, pid, purpose, level),
                                  **_port(s, port))
        assert answer["status"] == "Accepted"
    # same port, purpose and level as profile 2: replaces it
    await s.accepted("set_charging_profile", profile=profile(v, 4, "TxDefaultProfile", 0),
                     **_port(s, 1))
    max_purpose = "ChargingStationMaxProfile" if v == "2.0.1" else "ChargePointMaxProfile"
    assert await _listed(s) == [(1, "0", max_purpose, 0), (3, "1", "TxDefaultProfile", 1),
                                (4, "1", "TxDefaultProfile", 0)]
    await s.accepted("clear_charging_profile", profile_id=3)
    assert [p[0] for p in await _listed(s)] == [1, 4]
    s.script.status["ClearChargingProfile"] = "Unknown"  # refused: nothing changes
    await s.accepted("clear_charging_profile", purpose="TxDefaultProfile", **_port(s, 1))
    assert [p[0] for p in await _listed(s)] == [1, 4]
    s.script.status["ClearChargingProfile"] = "Accepted"
    await s.accepted("clear_charging_profile", purpose="TxDefaultProfile", **_port(s, 1))
    assert [p[0] for p in await _listed(s)] == [1]


async def test_a_tx_profile_goes_with_its_transaction(cp16: Station) -> None:
    await cp16.boot()
    tx = await cp16.start(1, "TAG-OK")
    await cp16.accepted("set_charging_profile", connector_id=1,
                        profile=profile("1.6", 7, "TxProfile", 0, tx))
    assert [p.profile_id for p in cp16.live().charging_profiles.values()] == [7]
    await cp16.stop(1)
    assert cp16.live().charging_profiles == {}
