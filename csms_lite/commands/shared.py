"""Parameters and payload pieces that OCPP 1.6 and 2.0.1 spell the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from csms_lite.commands.params import Built, Param
from csms_lite.timefmt import parse_utc, utc_iso

PROFILE_ID = Param("profile_id", "int", help="chargingProfileId to clear")
PURPOSE = Param("purpose", "text", help="chargingProfilePurpose, e.g. TxDefaultProfile")
STACK_LEVEL = Param("stack_level", "int")
DURATION = Param("duration", "int", required=True, help="seconds from now")
CHARGING_RATE_UNIT = Param("charging_rate_unit", "text", choices=("A", "W"))
DATA_TRANSFER = (Param("vendor_id", "text", required=True), Param("message_id", "text"),
                 Param("data", "text"))
EXPIRY = Param("expiry", "text", required=True, help="ISO 8601 time the reservation ends")
RESERVATION_ID = Param("reservation_id", "int", required=True)
PASSWORD = Param("password", "text",
                 help="the charger's new basic-auth password, 16-40 printable characters; "
                      "default: a new random one nobody sees")
MESSAGE = Param("message", "text", required=True, help="e.g. StatusNotification, Heartbeat")


# Builders whose CALL is the same in both versions.

def clear_cache(p: dict[str, Any]) -> Built:
    return "ClearCache", {}


def data_transfer(p: dict[str, Any]) -> Built:
    return "DataTransfer", vendor_message(p)


def get_local_list_version(p: dict[str, Any]) -> Built:
    return "GetLocalListVersion", {}


def cancel_reservation(p: dict[str, Any]) -> Built:
    return "CancelReservation", {"reservationId": p["reservation_id"]}


def vendor_message(p: dict[str, Any]) -> dict[str, Any]:
    fields = {"vendorId": "vendor_id", "messageId": "message_id", "data": "data"}
    return {k: p[n] for k, n in fields.items() if p.get(n) is not None}


def future_utc_text(text: str) -> str:
    """An ISO 8601 time still to come (no offset: UTC) as UTC ``...Z``; ValueError when
    unreadable or past (a reservation that ends before it is made would only be refused by the
    charger, or worse, accepted)."""
    epoch = _epoch(text)
    if epoch <= datetime.now(UTC).timestamp():
        raise ValueError(f"expiry {text!r} is not in the future")
    return utc_iso(epoch)


def _epoch(text: str) -> float:
    epoch = parse_utc(text)
    if epoch is None:
        raise ValueError(f"{text!r} is no ISO 8601 time, e.g. 2026-03-01T18:00:00Z")
    return epoch
