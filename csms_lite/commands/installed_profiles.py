"""The charging profiles a charger holds, as its accepted answers tell: SetChargingProfile adds
one (replacing one of the same id, or of the same port, purpose and stack level: OCPP 1.6 §3.13.2,
2.0.1 K01.FR.05), ClearChargingProfile removes those its id or criteria name. Read from the CALL
as sent, so a raw ``action`` + ``payload`` counts too."""

from __future__ import annotations

from typing import Any

from csms_lite.state import InstalledProfile


def installed(action: str, payload: dict[str, Any], version: str,
              now: float) -> InstalledProfile | None:
    """The profile a SetChargingProfile installs (None if the CALL does not name one)."""
    if action != "SetChargingProfile":
        return None
    if version == "1.6":
        port, body = payload.get("connectorId", 0), payload.get("csChargingProfiles")
        pid = (body or {}).get("chargingProfileId")
    else:
        port, body = payload.get("evseId", 0), payload.get("chargingProfile")
        pid = (body or {}).get("id")
    if not isinstance(body, dict) or not isinstance(pid, int):
        return None
    tx = body.get("transactionId")
    return InstalledProfile(pid, str(port or 0), str(body.get("chargingProfilePurpose")),
                            int(body.get("stackLevel", 0)), None if tx is None else str(tx),
                            body, now)


def apply(profiles: dict[int, InstalledProfile], action: str, payload: dict[str, Any],
          version: str, now: float) -> None:
    """Update ``profiles`` (by profile id) for an accepted SetChargingProfile or
    ClearChargingProfile."""
    new = installed(action, payload, version, now)
    if new is not None:
        for pid in [p.profile_id for p in profiles.values() if p.profile_id == new.profile_id
                    or (p.port, p.purpose, p.stack_level)
                    == (new.port, new.purpose, new.stack_level)]:
            del profiles[pid]
        profiles[new.profile_id] = new
    elif action == "ClearChargingProfile":
        for pid in [p.profile_id for p in profiles.values()
                    if _cleared(p, payload, version)]:
            del profiles[pid]


def _cleared(p: InstalledProfile, payload: dict[str, Any], version: str) -> bool:
    if version == "1.6":
        pid, criteria = payload.get("id"), payload
        port = criteria.get("connectorId")
    else:
        pid = payload.get("chargingProfileId")
        criteria = payload.get("chargingProfileCriteria") or {}
        port = criteria.get("evseId")
    key = None if port is None else str(port)
    if pid is not None:
        return bool(p.profile_id == pid)
    purpose, level = criteria.get("chargingProfilePurpose"), criteria.get("stackLevel")
    return ((key is None or p.port == key) and (purpose is None or p.purpose == purpose)
            and (level is None or p.stack_level == level))
