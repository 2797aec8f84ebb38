"""The charging profiles the energy loop installs, as OCPP 1.6 and 2.0.1 payloads.

Three layers per charger, so a lost message never lets a site exceed a limit:
- ``fallback``: a TxDefaultProfile at stack level 0, installed in advance on connector/EVSE 0,
  never expiring; its limits are an equal share of every circuit with every charger busy, so
  all chargers at their fallback together stay within every limit.
- ``hold``: on an idle charger, a TxDefaultProfile at stack level 1, 0 W, valid for one lease:
  a car that plugs in between two decisions waits for the next one instead of taking power the
  allocation gave to others.
- ``allocation``: on a charging connector, a TxProfile at stack level 1 with the allocated
  power, valid for one lease. If the loop or the CSMS stops, the leases run out together and
  every charger is back at its fallback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

FALLBACK_ID, HOLD_ID, ALLOCATION_ID = 210, 211, 212  # profile ids the loop owns
V16, V201 = "1.6", "2.0.1"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _schedule(version: str, watts: float, start: float | None) -> dict[str, Any]:
    schedule: dict[str, Any] = {
        "chargingRateUnit": "W",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": round(max(0.0, watts), 1)}],
    }
    if start is not None:
        schedule["startSchedule"] = iso(start)
    if version == V201:
        schedule["id"] = 1
    return schedule


def profile(version: str, purpose: str, profile_id: int, stack: int, watts: float,
            now: float, lease_s: float | None = None,
            transaction_id: str | None = None) -> dict[str, Any]:
    """One period of ``watts`` from ``now`` (Absolute), or for ever (Relative, no lease)."""
    kind = "Relative" if lease_s is None else "Absolute"
    schedule = _schedule(version, watts, None if lease_s is None else now)
    out: dict[str, Any] = {
        "stackLevel": stack, "chargingProfilePurpose": purpose, "chargingProfileKind": kind,
    }
    if version == V201:
        out["id"] = profile_id
        out["chargingSchedule"] = [schedule]
    else:
        out["chargingProfileId"] = profile_id
        out["chargingSchedule"] = schedule
    if lease_s is not None:
        out["validFrom"], out["validTo"] = iso(now - 1), iso(now + lease_s)
    if transaction_id is not None:
        out["transactionId"] = transaction_id if version == V201 else int(transaction_id)
    return out


def target(version: str, port: int) -> dict[str, int]:
    """The command parameter naming the connector (1.6) or EVSE (2.0.1)."""
    return {"evse_id": port} if version == V201 else {"connector_id": port}
