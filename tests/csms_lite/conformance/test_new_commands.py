"""Scenarios of the commands added with the conformance slice (OCTT 1.6 ids; the 2.0.1 station
runs the same scenario with its own names): smart charging queries, data transfer, local list
version, reservations."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from csms_lite.timefmt import parse_utc, utc_iso
from ingest.sim.clock import iso
from tests.conftest import Csms
from tests.csms_lite.conformance.station import WAIT_S, Station


def _port(s: Station, port: int) -> dict[str, Any]:
    """A port as each version names it in the commands."""
    return {"connector_id": port} if s.version == "1.6" else {"evse_id": port}


async def test_tc066_get_composite_schedule(any_cp: Station) -> None:
    answer = await any_cp.accepted("get_composite_schedule", duration=3600,
                                   charging_rate_unit="A", **_port(any_cp, 1))
    assert answer["status"] == "Accepted"
    [sent] = await any_cp.sent("GetCompositeSchedule")
    if any_cp.version == "1.6":
        assert sent == {"connectorId": 1, "duration": 3600, "chargingRateUnit": "A"}
        assert answer["response"]["chargingSchedule"]["duration"] == 3600
    else:
        assert sent == {"evseId": 1, "duration": 3600, "chargingRateUnit": "A"}
        assert answer["response"]["schedule"]["duration"] == 3600
    await any_cp.lake_command(answer, "GetCompositeSchedule", "Accepted")


async def test_tc067_clear_charging_profile(any_cp: Station) -> None:
    answer = await any_cp.accepted("clear_charging_profile", profile_id=1)
    assert answer["status"] == "Accepted"
    cleared = await any_cp.accepted("clear_charging_profile", purpose="TxDefaultProfile",
                                    stack_level=0, **_port(any_cp, 1))
    any_cp.script.status["ClearChargingProfile"] = "Unknown"
    unknown = await any_cp.accepted("clear_charging_profile", profile_id=99)
    assert (cleared["status"], unknown["status"]) == ("Accepted", "Unknown")
    sent = await any_cp.sent("ClearChargingProfile")
    if any_cp.version == "1.6":
        assert sent == [{"id": 1}, {"connectorId": 1, "chargingProfilePurpose":
                                    "TxDefaultProfile", "stackLevel": 0}, {"id": 99}]
    else:
        assert sent == [{"chargingProfileId": 1}, {"chargingProfileCriteria": {
            "evseId": 1, "chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 0}},
            {"chargingProfileId": 99}]
    await any_cp.lake_command(unknown, "ClearChargingProfile", "Unknown")


async def test_tc064_data_transfer_to_a_charge_point(any_cp: Station) -> None:
    unknown = await any_cp.accepted("data_transfer", vendor_id="nobody", data="x")
    assert unknown["status"] == "UnknownVendorId"
    any_cp.script.status["DataTransfer"] = "Accepted"
    known = await any_cp.accepted("data_transfer", vendor_id="com.example", message_id="ping",
                                  data="hello")
    assert (known["status"], known["response"]["data"]) == ("Accepted", "pong")
    assert (await any_cp.sent("DataTransfer"))[1] == {
        "vendorId": "com.example", "messageId": "ping", "data": "hello"}
    await any_cp.lake_command(known, "DataTransfer", "Accepted")


async def test_tc042_get_local_list_version(any_cp: Station) -> None:
    any_cp.script.local_list_version = 4
    answer = await any_cp.accepted("get_local_list_version")
    field = "listVersion" if any_cp.version == "1.6" else "versionNumber"
    assert answer["response"] == {field: 4}
    assert await any_cp.sent("GetLocalListVersion") == [{}]
    await any_cp.lake_command(answer, "GetLocalListVersion", None)


EXPIRY = "2030-01-01T12:00:00Z"


def _reserve(s: Station, reservation_id: int, port: int = 1) -> dict[str, Any]:
    return {"id_tag": "TAG-OK", "expiry": EXPIRY, "reservation_id": reservation_id,
            **_port(s, port)}


async def test_tc046_reserve_a_connector_then_reserved(any_cp: Station) -> None:
    """The reservation, then the port reports Reserved: its live state, and up for uptime (the
    pipelines' stg_status classes Reserved as 'reserved', an UP state)."""
    answer = await any_cp.accepted("reserve_now", **_reserve(any_cp, 11))
    assert answer["status"] == "Accepted"
    [sent] = await any_cp.sent("ReserveNow")
    if any_cp.version == "1.6":
        assert sent == {"connectorId": 1, "expiryDate": "2030-01-01T12:00:00.000Z",
                        "idTag": "TAG-OK", "reservationId": 11}
    else:
        assert sent == {"id": 11, "expiryDateTime": "2030-01-01T12:00:00.000Z", "evseId": 1,
                        "idToken": {"idToken": "TAG-OK", "type": "Central"}}
    await any_cp.lake_command(answer, "ReserveNow", "Accepted")
    await any_cp.status(1, "Reserved")
    key = "1" if any_cp.version == "1.6" else "1/1"
    assert any_cp.live().connectors[key].status == "Reserved"
    [held] = await _reservations(any_cp)
    assert (held["reservation_id"], held["id_tag"]) == (11, "TAG-OK")
    assert held["port"] == ("1" if any_cp.version == "1.6" else "1/0")  # 2.0.1: EVSE 1
    assert held["expires_at"] == pytest.approx(parse_utc(EXPIRY), abs=1e-3)
    # the driver arrives: the transaction names the reservation, which ends
    if any_cp.version == "1.6":
        await asyncio.wait_for(any_cp.cp.call(call16.StartTransaction(
            connector_id=1, id_tag="TAG-OK", meter_start=0, timestamp=iso(),
            reservation_id=11)), WAIT_S)
    else:
        await asyncio.wait_for(any_cp.cp.call(call201.TransactionEvent(
            event_type="Started", timestamp=iso(), trigger_reason="Authorized", seq_no=0,
            transaction_info={"transaction_id": "R-1"}, reservation_id=11,
            id_token={"id_token": "TAG-OK", "type": "ISO14443"},
            evse={"id": 1, "connector_id": 1})), WAIT_S)
    assert await _reservations(any_cp) == []


async def _reservations(s: Station) -> list[dict[str, Any]]:
    """The reservations the API's live state lists for the charger."""
    async with aiohttp.ClientSession(headers=s.csms.api_headers) as http, http.get(
            f"{s.csms.api_url}/api/v1/chargers/{s.cp_id}") as resp:
        reservations: list[dict[str, Any]] = (await resp.json())["reservations"]
        return reservations


async def test_tc048_reserve_a_connector_not_possible(any_cp: Station) -> None:
    """tc048_1 faulted, _2 occupied, _3 unavailable, _4 rejected."""
    for reservation_id, status in enumerate(("Faulted", "Occupied", "Unavailable", "Rejected")):
        any_cp.script.status["ReserveNow"] = status
        answer = await any_cp.accepted("reserve_now", **_reserve(any_cp, reservation_id))
        assert answer["status"] == status
        await any_cp.lake_command(answer, "ReserveNow", status)
    assert await _reservations(any_cp) == []  # none was accepted


async def test_tc051_cancel_reservation(any_cp: Station) -> None:
    await any_cp.accepted("reserve_now", **_reserve(any_cp, 13))
    await any_cp.status(1, "Reserved")
    answer = await any_cp.accepted("cancel_reservation", reservation_id=13)
    assert answer["status"] == "Accepted"
    assert await any_cp.sent("CancelReservation") == [{"reservationId": 13}]
    await any_cp.lake_command(answer, "CancelReservation", "Accepted")
    assert await _reservations(any_cp) == []
    await any_cp.status(1, "Available")
    assert {c.status for c in any_cp.live().connectors.values()} == {"Available"}


async def test_tc052_cancel_reservation_rejected(any_cp: Station) -> None:
    any_cp.script.status["CancelReservation"] = "Rejected"
    answer = await any_cp.accepted("cancel_reservation", reservation_id=404)
    assert answer["status"] == "Rejected"
    await any_cp.lake_command(answer, "CancelReservation", "Rejected")


async def test_reserve_now_refuses_an_unreadable_or_past_expiry(any_cp: Station) -> None:
    code, answer = await any_cp.command("reserve_now", **{**_reserve(any_cp, 1),
                                                          "expiry": "tomorrow"})
    assert code == 400
    assert "no ISO 8601 time" in answer["error"]
    code, answer = await any_cp.command("reserve_now", **{**_reserve(any_cp, 1),
                                                          "expiry": "2020-01-01T00:00:00Z"})
    assert (code, answer["error"]) == (400, "reserve_now: expiry '2020-01-01T00:00:00Z' is "
                                            "not in the future")


async def test_tc043_send_local_authorization_list(csms: Csms, any_cp: Station) -> None:
    """tc043_1 full, tc043_3 differential: built from the tags registry, numbered per charger
    (a refused list still uses up its version, so the next is never one the charger holds)."""
    full = await any_cp.accepted("send_local_list", update_type="full")
    assert full["status"] == "Accepted"
    v16 = any_cp.version == "1.6"
    version, tag, info = (("listVersion", "idTag", "idTagInfo") if v16
                          else ("versionNumber", "idToken", "idTokenInfo"))
    [sent] = await any_cp.sent("SendLocalList")
    assert (sent[version], sent["updateType"]) == (1, "Full")
    listed = {(e[tag] if v16 else e[tag]["idToken"]): e[info]["status"]
              for e in sent["localAuthorizationList"]}
    assert listed == {"TAG-OK": "Accepted", "TAG-BLOCKED": "Blocked", "TAG-OLD": "Expired"}
    await any_cp.lake_command(full, "SendLocalList", "Accepted")
    assert (await any_cp.accepted("get_local_list_version"))["response"] == {version: 1}

    csms.add_tag("TAG-NEW", partner="emsp-b")
    diff = await any_cp.accepted("send_local_list", update_type="differential",
                                 tags=["TAG-NEW", "GONE"])
    assert diff["status"] == "Accepted"
    sent = (await any_cp.sent("SendLocalList"))[-1]
    assert (sent[version], sent["updateType"]) == (2, "Differential")
    new, gone = sent["localAuthorizationList"]
    assert new[info] == {"status": "Accepted"}
    assert info not in gone  # not in the registry: removed from the charger's list
    assert csms.server.registry.local_list_version(any_cp.cp_id) == 2

    any_cp.script.status["SendLocalList"] = "VersionMismatch"
    refused = await any_cp.accepted("send_local_list", update_type="full")
    assert refused["status"] == "VersionMismatch"
    assert (await any_cp.sent("SendLocalList"))[-1][version] == 3
    assert (await any_cp.accepted("get_local_list_version"))["response"] == {version: 2}


async def test_a_differential_local_list_needs_its_tags(any_cp: Station) -> None:
    code, answer = await any_cp.command("send_local_list", update_type="differential")
    assert code == 400
    assert "needs tags" in answer["error"]


async def test_tc047_201_reservation_expires_on_the_station(cs201: Station) -> None:
    """The 2.0.1 station tells that a reservation expired (ReservationStatusUpdate): answered
    (was NotSupported), then the port is Available again."""
    await cs201.boot()
    await cs201.accepted("reserve_now", **_reserve(cs201, 21))
    await cs201.status(1, "Reserved")
    assert [r["reservation_id"] for r in await _reservations(cs201)] == [21]
    await asyncio.wait_for(cs201.cp.call(call201.ReservationStatusUpdate(
        reservation_id=21, reservation_update_status="Expired")), WAIT_S)
    await cs201.status(1, "Available")
    assert await cs201.answered("ReservationStatusUpdate") == [{}]
    assert await cs201.frames("ReservationStatusUpdate", "out", 4) == []
    assert {c.status for c in cs201.live().connectors.values()} == {"Available"}
    assert await _reservations(cs201) == []


async def test_a_reservation_past_its_expiry_is_no_longer_held(cp16: Station) -> None:
    await cp16.boot()
    soon = utc_iso(time.time() + 30)
    await cp16.accepted("reserve_now", connector_id=1, id_tag="TAG-OK", expiry=soon,
                        reservation_id=31)
    assert list(cp16.live().reservations) == [31]
    cp16.live().drop_expired_reservations(time.time() + 60)  # as at a frame a minute on
    assert await _reservations(cp16) == []
