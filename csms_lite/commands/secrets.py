"""Commands that carry a charger's password: found once here, so the CSMS can redact them in
the lake and in API answers, and update the registry when the charger takes the new one.

OCPP 1.6 (security whitepaper): ``ChangeConfiguration`` key ``AuthorizationKey``. OCPP 2.0.1:
``SetVariables`` of ``SecurityCtrlr.BasicAuthPassword``. Both are write-only on the charger."""

from __future__ import annotations

import copy
import secrets
from typing import Any

REDACTED = "<redacted>"
MIN_PASSWORD, MAX_PASSWORD = 16, 40  # both versions' limits for a basic-auth password
V16_KEY = "AuthorizationKey"
V201_COMPONENT, V201_VARIABLE = "SecurityCtrlr", "BasicAuthPassword"


def new_password() -> str:
    return secrets.token_hex(MAX_PASSWORD // 2)  # 40 hex digits: valid in both versions


def check_password(value: Any) -> str:
    if not isinstance(value, str) or not MIN_PASSWORD <= len(value) <= MAX_PASSWORD or not (
        value.isascii() and value.isprintable() and " " not in value
    ):
        raise ValueError(f"a charger password is {MIN_PASSWORD} to {MAX_PASSWORD} printable "
                         "ASCII characters without spaces (leave it out to have one generated)")
    return value


def _secret_items(action: str | None, payload: Any) -> list[tuple[dict[str, Any], str]]:
    """(the dict holding a password, the key of the password in it)."""
    if not isinstance(payload, dict):
        return []
    if action == "ChangeConfiguration" and payload.get("key") == V16_KEY:
        return [(payload, "value")]
    if action == "SetVariables" and isinstance(payload.get("setVariableData"), list):
        return [(item, "attributeValue") for item in payload["setVariableData"]
                if isinstance(item, dict) and _is_password_variable(item)]
    return []


def _is_password_variable(item: dict[str, Any]) -> bool:
    component, variable = item.get("component"), item.get("variable")
    return (isinstance(component, dict) and component.get("name") == V201_COMPONENT
            and isinstance(variable, dict) and variable.get("name") == V201_VARIABLE)


def password_in(action: str | None, payload: Any) -> str | None:
    """The new password a command sets, if it sets one."""
    for holder, key in _secret_items(action, payload):
        value = holder.get(key)
        if isinstance(value, str):
            return value
    return None


def redacted(action: str | None, payload: Any) -> Any:
    """``payload`` with any password replaced by ``REDACTED`` (a copy; others as they are)."""
    if not _secret_items(action, payload):
        return payload
    clean = copy.deepcopy(payload)
    for holder, key in _secret_items(action, clean):
        holder[key] = REDACTED
    return clean


def rotation_accepted(action: str, response: Any) -> bool | None:
    """Did the charger take the password? True, False (refused), None (will after a reboot)."""
    if not isinstance(response, dict):
        return False
    if action == "ChangeConfiguration":
        status = response.get("status")
    else:
        results = response.get("setVariableResult")
        status = results[0].get("attributeStatus") if isinstance(results, list) and results \
            and isinstance(results[0], dict) else None
    if status == "Accepted":
        return True
    return None if status in ("RebootRequired",) else False
