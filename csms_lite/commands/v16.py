"""Version-neutral command names -> OCPP 1.6 (action, payload)."""

from __future__ import annotations

from typing import Any

from csms_lite.commands.secrets import V16_KEY, check_password, new_password

Params = dict[str, Any]
Built = tuple[str, dict[str, Any]]


def reset(p: Params) -> Built:
    return "Reset", {"type": "Hard" if p.get("type", "soft") == "hard" else "Soft"}


def remote_start(p: Params) -> Built:
    payload: dict[str, Any] = {"idTag": p["id_tag"]}
    if p.get("connector_id") is not None:
        payload["connectorId"] = int(p["connector_id"])
    return "RemoteStartTransaction", payload


def remote_stop(p: Params) -> Built:
    return "RemoteStopTransaction", {"transactionId": int(p["transaction_id"])}


def change_availability(p: Params) -> Built:
    kind = "Operative" if p.get("available", True) else "Inoperative"
    return "ChangeAvailability", {"connectorId": int(p.get("connector_id", 0)), "type": kind}


def trigger_message(p: Params) -> Built:
    payload: dict[str, Any] = {"requestedMessage": p["message"]}
    if p.get("connector_id") is not None:
        payload["connectorId"] = int(p["connector_id"])
    return "TriggerMessage", payload


def unlock_connector(p: Params) -> Built:
    return "UnlockConnector", {"connectorId": int(p.get("connector_id", 1))}


def get_configuration(p: Params) -> Built:
    keys = p.get("keys") or []
    return "GetConfiguration", {"key": list(keys)} if keys else {}


def change_configuration(p: Params) -> Built:
    return "ChangeConfiguration", {"key": p["key"], "value": str(p["value"])}


def clear_cache(p: Params) -> Built:
    return "ClearCache", {}


def set_charging_profile(p: Params) -> Built:
    return "SetChargingProfile", {
        "connectorId": int(p.get("connector_id", 0)),
        "csChargingProfiles": p["profile"],
    }


def rotate_password(p: Params) -> Built:
    """The charger's basic-auth password (security whitepaper: AuthorizationKey)."""
    password = check_password(p["password"]) if p.get("password") else new_password()
    return "ChangeConfiguration", {"key": V16_KEY, "value": password}
