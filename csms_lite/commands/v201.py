"""Version-neutral command names -> OCPP 2.0.1 (action, payload), with the parameters each takes.

Parameters are named as the spec names them: ``evse_id`` is the EVSE (0 or absent: the whole
station), ``connector_id`` a connector within that EVSE (so it needs ``evse_id``). Configuration
keys are ``Component.Variable`` (e.g. ``OCPPCommCtrlr.HeartbeatInterval``).
"""

from __future__ import annotations

import secrets
from typing import Any

from csms_lite.commands import file_transfers, local_list
from csms_lite.commands.local_list import update_type
from csms_lite.commands.params import Built, Command, Param, scalar_text
from csms_lite.commands.secrets import (
    V201_COMPONENT,
    V201_VARIABLE,
    check_password,
    new_password,
)
from csms_lite.commands.shared import (
    CHARGING_RATE_UNIT,
    DATA_TRANSFER,
    DURATION,
    EXPIRY,
    MESSAGE,
    PASSWORD,
    PROFILE_ID,
    PURPOSE,
    RESERVATION_ID,
    STACK_LEVEL,
    cancel_reservation,
    clear_cache,
    data_transfer,
    future_utc_text,
    get_local_list_version,
)
from csms_lite.security import commands as security_commands

Params = dict[str, Any]

EVSE = Param("evse_id", "int", help="EVSE (0 or absent: the whole station)")
CONNECTOR = Param("connector_id", "int", help="connector within evse_id")


def _evse(p: Params) -> dict[str, Any] | None:
    """The EVSEType for ``evse_id`` (+ ``connector_id``); None for the whole station."""
    evse_id, connector_id = p.get("evse_id"), p.get("connector_id")
    if connector_id is not None and not evse_id:
        raise ValueError("connector_id is a connector within an EVSE in OCPP 2.0.1: give "
                         "evse_id too")
    if not evse_id:
        return None
    evse: dict[str, Any] = {"id": evse_id}
    if connector_id is not None:
        evse["connectorId"] = connector_id
    return evse


def reset(p: Params) -> Built:
    payload: dict[str, Any] = {"type": "Immediate" if p.get("type") == "hard" else "OnIdle"}
    if p.get("evse_id") is not None:
        payload["evseId"] = p["evse_id"]
    return "Reset", payload


def remote_start(p: Params) -> Built:
    payload: dict[str, Any] = {
        "idToken": {"idToken": p["id_tag"], "type": p.get("token_type") or "Central"},
        # unique by default: the pipelines find the token of a TransactionEvent that names
        # only this id (stg_tx_events) by it
        "remoteStartId": p.get("remote_start_id") or secrets.randbelow(2**31 - 1) + 1,
    }
    if p.get("evse_id"):
        payload["evseId"] = p["evse_id"]
    if p.get("charging_profile") is not None:
        payload["chargingProfile"] = p["charging_profile"]
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
    evse_id, connector_id = p.get("evse_id"), p.get("connector_id")
    return "UnlockConnector", {"evseId": 1 if evse_id is None else evse_id,
                               "connectorId": 1 if connector_id is None else connector_id}


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
    item = {"attributeValue": scalar_text(p["value"]), **_component_variable(p["key"])}
    return "SetVariables", {"setVariableData": [item]}



def set_charging_profile(p: Params) -> Built:
    return "SetChargingProfile", {
        "evseId": p.get("evse_id") or 0,
        "chargingProfile": p["profile"],
    }


def rotate_password(p: Params) -> Built:
    """The charger's basic-auth password: SecurityCtrlr.BasicAuthPassword."""
    password = check_password(p["password"]) if p.get("password") else new_password()
    item = {"attributeValue": password, "component": {"name": V201_COMPONENT},
            "variable": {"name": V201_VARIABLE}}
    return "SetVariables", {"setVariableData": [item]}


def clear_charging_profile(p: Params) -> Built:
    payload: dict[str, Any] = {}
    if p.get("profile_id") is not None:
        payload["chargingProfileId"] = p["profile_id"]
    fields = {"evseId": "evse_id", "chargingProfilePurpose": "purpose",
              "stackLevel": "stack_level"}
    criteria = {k: p[n] for k, n in fields.items() if p.get(n) is not None}
    if criteria:
        payload["chargingProfileCriteria"] = criteria
    return "ClearChargingProfile", payload


def get_composite_schedule(p: Params) -> Built:
    payload = {"evseId": p["evse_id"], "duration": p["duration"]}
    if p.get("charging_rate_unit"):
        payload["chargingRateUnit"] = p["charging_rate_unit"]
    return "GetCompositeSchedule", payload




def reserve_now(p: Params) -> Built:
    payload: dict[str, Any] = {
        "id": p["reservation_id"], "expiryDateTime": future_utc_text(p["expiry"]),
        "idToken": {"idToken": p["id_tag"], "type": p.get("token_type") or "Central"}}
    if p.get("evse_id"):
        payload["evseId"] = p["evse_id"]
    if p.get("parent_id_tag"):
        payload["groupIdToken"] = {"idToken": p["parent_id_tag"], "type": "Central"}
    return "ReserveNow", payload



def send_local_list(p: Params) -> Built:
    payload: dict[str, Any] = {"versionNumber": p["version"], "updateType": update_type(p)}
    entries = [_authorization(e) for e in p.get("entries") or []]
    if entries:
        payload["localAuthorizationList"] = entries
    return "SendLocalList", payload


def _authorization(e: dict[str, Any]) -> dict[str, Any]:
    # the registry's tags are RFID cards
    item: dict[str, Any] = {"idToken": {"idToken": e["id_tag"], "type": "ISO14443"}}
    if e.get("status"):
        info: dict[str, Any] = {"status": e["status"]}
        if e.get("expiry"):
            info["cacheExpiryDateTime"] = e["expiry"]
        if e.get("parent_id_tag"):
            info["groupIdToken"] = {"idToken": e["parent_id_tag"], "type": "Central"}
        item["idTokenInfo"] = info
    return item


RESET_TYPE = Param("type", "text", choices=("soft", "hard"),
                   help="soft (default: OnIdle) or hard (Immediate)")

COMMANDS: dict[str, Command] = {
    "reset": Command((RESET_TYPE, EVSE), reset),
    "remote_start": Command((Param("id_tag", "text", required=True), EVSE,
                             Param("token_type", "text", help="IdTokenType, default Central"),
                             Param("remote_start_id", "int", help="default: a random one"),
                             Param("charging_profile", "object", help="a TxProfile")),
                            remote_start),
    "remote_stop": Command((Param("transaction_id", "id", required=True),), remote_stop),
    "change_availability": Command((EVSE, CONNECTOR,
                                    Param("available", "bool", help="default true")),
                                   change_availability),
    "trigger_message": Command((MESSAGE, EVSE, CONNECTOR), trigger_message),
    "unlock_connector": Command((EVSE, CONNECTOR), unlock_connector),
    "get_configuration": Command((Param("keys", "texts", required=True,
                                        help="Component.Variable, at least one"),),
                                 get_configuration),
    "change_configuration": Command((Param("key", "text", required=True,
                                           help="Component.Variable"),
                                     Param("value", "value", required=True)),
                                    change_configuration),
    "clear_cache": Command((), clear_cache),
    "set_charging_profile": Command((EVSE, Param("profile", "object", required=True,
                                                 help="chargingProfile, as OCPP 2.0.1 has it")),
                                    set_charging_profile),
    "clear_charging_profile": Command((PROFILE_ID, EVSE, PURPOSE, STACK_LEVEL),
                                      clear_charging_profile),
    "get_composite_schedule": Command((Param("evse_id", "int", required=True,
                                             help="EVSE (0: the grid connection)"),
                                       DURATION, CHARGING_RATE_UNIT), get_composite_schedule),
    "data_transfer": Command(DATA_TRANSFER, data_transfer),
    "get_local_list_version": Command((), get_local_list_version),
    "reserve_now": Command((Param("id_tag", "text", required=True), EXPIRY, RESERVATION_ID,
                            EVSE, Param("token_type", "text", help="IdTokenType, default Central"),
                            Param("parent_id_tag", "text", help="groupIdToken")), reserve_now),
    "cancel_reservation": Command((RESERVATION_ID,), cancel_reservation),
    "send_local_list": Command(local_list.PARAMS, send_local_list, local_list.resolve),
    "rotate_password": Command((PASSWORD,), rotate_password),
    **file_transfers.COMMANDS_201,
}

# The security extension and the 2.0.1 device model: csms_lite.security.commands.
COMMANDS.update(security_commands.V201)
