"""What the CSMS learns from a charger's answer to a command it sent: the reservations and
charging profiles it holds (live state). Read from the CALL as sent, so a raw ``action`` +
``payload`` counts too."""

from __future__ import annotations

from typing import Any

from csms_lite.commands import installed_profiles
from csms_lite.commands.request import CommandRequest, CommandResult
from csms_lite.state import ChargerState, ReservationState, connector_key
from csms_lite.timefmt import parse_utc


def after_answer(req: CommandRequest, result: CommandResult, charger: ChargerState,
                 now: float) -> None:
    if result.outcome != "answered" or result.status != "Accepted":
        return
    p = req.payload
    charger.drop_expired_reservations(now)
    if req.action == "ReserveNow":
        res = _reservation(p, charger.ocpp_version)
        if res is not None:
            charger.reservations[res.reservation_id] = res
    elif req.action == "CancelReservation":
        charger.reservations.pop(p.get("reservationId", -1), None)
    else:
        installed_profiles.apply(charger.charging_profiles, req.action, p,
                                 charger.ocpp_version, now)


def _reservation(p: dict[str, Any], version: str) -> ReservationState | None:
    if version == "1.6":
        rid, port = p.get("reservationId"), str(p.get("connectorId", 0))
        tag, expiry = p.get("idTag"), p.get("expiryDate")
    else:
        rid, port = p.get("id"), connector_key(p.get("evseId") or 0, None)
        tag, expiry = (p.get("idToken") or {}).get("idToken"), p.get("expiryDateTime")
    expires_at = parse_utc(expiry) if isinstance(expiry, str) else None
    if not isinstance(rid, int) or not isinstance(tag, str) or expires_at is None:
        return None
    return ReservationState(rid, port, tag, expires_at)
