"""Version-neutral command names -> OCPP 2.0.1 (action, payload).

Configuration keys are ``Component.Variable`` (e.g. ``OCPPCommCtrlr.HeartbeatInterval``).
"""

from __future__ import annotations

from typing import Any

from csms_lite.commands.secrets import (
    V201_COMPONENT,
    V201_VARIABLE,
    check_password,
    new_password,
)

Params = dict[str, Any]
Built = tuple[str, dict[str, Any]]


def reset(p: Params) -> Built:
    payload: dict[str, Any] = {"type": "Immediate" if p.get("type") == "hard" else "OnIdle"}
    if p.get("evse_id") is not None:
        payload["evseId"] = int(p["evse_id"])
    return "Reset", payload


def _evse(p: Params) -> dict[str, Any] | None:
    evse_id = p.get("evse_id", p.get("connector_id"))
    return {"id": int(evse_id)} if evse_id else None


def remote_start(p: Params) -> Built:
    payload: dict[str, Any] = {
        "idToken": {"idToken": p["id_tag"], "type": p.get("token_type", "Central")},
        "remoteStartId": int(p.get("remote_start_id", 1)),
    }
    evse = _evse(p)
    if evse:
        payload["evseId"] = evse["id"]
    return "RequestStartTransaction", payload


def remote_stop(p: Params) -> Built:
    return "RequestStopTransaction", {"transactionId": str(p["transaction_id"])}


def change_availability(p: Params) -> Built:
    kind = "Operative" if p.get("available", True) else "Inoperative"
    payload: dict[str, Any] = {"operationalStatus": kind}
    evse = _evse(p)
    if evse:
        payload["evse"] = evse
    return "ChangeAvailability", payload


def trigger_message(p: Params) -> Built:
    payload: dict[str, Any] = {"requestedMessage": p["message"]}
    evse = _evse(p)
    if evse:
        payload["evse"] = evse
    return "TriggerMessage", payload


def unlock_connector(p: Params) -> Built:
    evse_id = int(p.get("evse_id") or p.get("connector_id") or 1)
    return "UnlockConnector", {"evseId": evse_id, "connectorId": int(p.get("connector", 1))}


def _component_variable(key: str) -> dict[str, Any]:
    component, _, variable = key.partition(".")
    if not variable:
        raise ValueError(f"configuration key {key!r} must be Component.Variable in OCPP 2.0.1")
    return {"component": {"name": component}, "variable": {"name": variable}}


def get_configuration(p: Params) -> Built:
    keys = p.get("keys") or []
    if not keys:
        raise ValueError("OCPP 2.0.1 GetVariables needs at least one Component.Variable key")
    return "GetVariables", {"getVariableData": [_component_variable(k) for k in keys]}


def change_configuration(p: Params) -> Built:
    item = {"attributeValue": str(p["value"]), **_component_variable(p["key"])}
    return "SetVariables", {"setVariableData": [item]}


def clear_cache(p: Params) -> Built:
    return "ClearCache", {}


def set_charging_profile(p: Params) -> Built:
    return "SetChargingProfile", {
        "evseId": int(p.get("evse_id") or p.get("connector_id") or 0),
        "chargingProfile": p["profile"],
    }


def rotate_password(p: Params) -> Built:
    """The charger's basic-auth password: SecurityCtrlr.BasicAuthPassword."""
    password = check_password(p["password"]) if p.get("password") else new_password()
    item = {"attributeValue": password, "component": {"name": V201_COMPONENT},
            "variable": {"name": V201_VARIABLE}}
    return "SetVariables", {"setVariableData": [item]}
