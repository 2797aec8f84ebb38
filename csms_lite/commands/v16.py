"""Version-neutral command names -> OCPP 1.6 (action, payload), with the parameters each takes.

1.6 numbers connectors from 1 and calls the whole charge point connector 0."""

from __future__ import annotations

from typing import Any

from csms_lite.commands import file_transfers, local_list
from csms_lite.commands.local_list import update_type
from csms_lite.commands.params import Built, Command, Param, scalar_text
from csms_lite.commands.secrets import V16_KEY, check_password, new_password
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

CONNECTOR = Param("connector_id", "int", help="connector (0: the whole charge point)")
PROFILE = Param("profile", "object", required=True, help="csChargingProfiles, as OCPP 1.6 has it")


def _with_connector(p: Params, payload: dict[str, Any]) -> dict[str, Any]:
    if p.get("connector_id") is not None:
        payload["connectorId"] = p["connector_id"]
    return payload


def reset(p: Params) -> Built:
    return "Reset", {"type": "Hard" if p.get("type", "soft") == "hard" else "Soft"}


def remote_start(p: Params) -> Built:
    payload = _with_connector(p, {"idTag": p["id_tag"]})
    if p.get("charging_profile") is not None:
        payload["chargingProfile"] = p["charging_profile"]
    return "RemoteStartTransaction", payload


def remote_stop(p: Params) -> Built:
    return "RemoteStopTransaction", {"transactionId": p["transaction_id"]}


def change_availability(p: Params) -> Built:
    kind = "Operative" if p.get("available", True) else "Inoperative"
    return "ChangeAvailability", {"connectorId": p.get("connector_id") or 0, "type": kind}


def trigger_message(p: Params) -> Built:
    return "TriggerMessage", _with_connector(p, {"requestedMessage": p["message"]})


def unlock_connector(p: Params) -> Built:
    connector = p.get("connector_id")
    return "UnlockConnector", {"connectorId": 1 if connector is None else connector}


def get_configuration(p: Params) -> Built:
    keys = p.get("keys") or []
    return "GetConfiguration", {"key": keys} if keys else {}


def change_configuration(p: Params) -> Built:
    return "ChangeConfiguration", {"key": p["key"], "value": scalar_text(p["value"])}



def set_charging_profile(p: Params) -> Built:
    return "SetChargingProfile", {
        "connectorId": p.get("connector_id") or 0,
        "csChargingProfiles": p["profile"],
    }


def rotate_password(p: Params) -> Built:
    """The charger's basic-auth password (security whitepaper: AuthorizationKey)."""
    password = check_password(p["password"]) if p.get("password") else new_password()
    return "ChangeConfiguration", {"key": V16_KEY, "value": password}


def clear_charging_profile(p: Params) -> Built:
    fields = {"id": "profile_id", "connectorId": "connector_id",
              "chargingProfilePurpose": "purpose", "stackLevel": "stack_level"}
    return "ClearChargingProfile", {k: p[n] for k, n in fields.items() if p.get(n) is not None}


def get_composite_schedule(p: Params) -> Built:
    payload = {"connectorId": p["connector_id"], "duration": p["duration"]}
    if p.get("charging_rate_unit"):
        payload["chargingRateUnit"] = p["charging_rate_unit"]
    return "GetCompositeSchedule", payload




def reserve_now(p: Params) -> Built:
    payload = {"connectorId": p["connector_id"], "expiryDate": future_utc_text(p["expiry"]),
               "idTag": p["id_tag"], "reservationId": p["reservation_id"]}
    if p.get("parent_id_tag"):
        payload["parentIdTag"] = p["parent_id_tag"]
    return "ReserveNow", payload



def send_local_list(p: Params) -> Built:
    payload: dict[str, Any] = {"listVersion": p["version"], "updateType": update_type(p)}
    entries = [_authorization(e) for e in p.get("entries") or []]
    if entries:
        payload["localAuthorizationList"] = entries
    return "SendLocalList", payload


def _authorization(e: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"idTag": e["id_tag"]}
    if e.get("status"):
        info = {"status": e["status"], "expiryDate": e.get("expiry"),
                "parentIdTag": e.get("parent_id_tag")}
        item["idTagInfo"] = {k: v for k, v in info.items() if v is not None}
    return item


RESET_TYPE = Param("type", "text", choices=("soft", "hard"), help="soft (default) or hard")

COMMANDS: dict[str, Command] = {
    "reset": Command((RESET_TYPE,), reset),
    "remote_start": Command((Param("id_tag", "text", required=True), CONNECTOR,
                             Param("charging_profile", "object", help="a TxProfile")),
                            remote_start),
    "remote_stop": Command((Param("transaction_id", "int", required=True),), remote_stop),
    "change_availability": Command((CONNECTOR, Param("available", "bool", help="default true")),
                                   change_availability),
    "trigger_message": Command((MESSAGE, CONNECTOR), trigger_message),
    "unlock_connector": Command((CONNECTOR,), unlock_connector),
    "get_configuration": Command((Param("keys", "texts", help="default: all"),),
                                 get_configuration),
    "change_configuration": Command((Param("key", "text", required=True),
                                     Param("value", "value", required=True)),
                                    change_configuration),
    "clear_cache": Command((), clear_cache),
    "set_charging_profile": Command((CONNECTOR, PROFILE), set_charging_profile),
    "clear_charging_profile": Command((PROFILE_ID, CONNECTOR, PURPOSE, STACK_LEVEL),
                                      clear_charging_profile),
    "get_composite_schedule": Command((Param("connector_id", "int", required=True,
                                             help="connector (0: the grid connection)"),
                                       DURATION, CHARGING_RATE_UNIT), get_composite_schedule),
    "data_transfer": Command(DATA_TRANSFER, data_transfer),
    "get_local_list_version": Command((), get_local_list_version),
    "reserve_now": Command((Param("connector_id", "int", required=True,
                                  help="connector (0: any)"),
                            Param("id_tag", "text", required=True), EXPIRY, RESERVATION_ID,
                            Param("parent_id_tag", "text")), reserve_now),
    "cancel_reservation": Command((RESERVATION_ID,), cancel_reservation),
    "send_local_list": Command(local_list.PARAMS, send_local_list, local_list.resolve),
    "rotate_password": Command((PASSWORD,), rotate_password),
    **file_transfers.COMMANDS_16,
}

# The security extension and the 2.0.1 device model: csms_lite.security.commands.
COMMANDS.update(security_commands.V16)
