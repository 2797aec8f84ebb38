"""The one-word ``status`` of a charger's answer, for the API's answer and the ``commands`` row.

Most answers carry a ``status``. Those that report per item carry one status per item instead:
GetConfiguration (keys the charger does not know), 2.0.1 GetVariables / SetVariables (an
``attributeStatus`` per variable). Their summary is the items' status when they all agree, else
``Mixed``, so a dashboard or a query can tell at a glance whether everything went through.
"""

from __future__ import annotations

from typing import Any

MIXED = "Mixed"
# 2.0.1 answers whose items each carry an attributeStatus, by the list that holds them.
ITEM_LISTS = {"GetVariables": "getVariableResult", "SetVariables": "setVariableResult"}


def answer_status(action: str, payload: Any) -> str | None:
    """The answer's status, or its items' summary; None when it has neither."""
    if not isinstance(payload, dict):
        return None
    status = payload.get("status")
    if isinstance(status, str):
        return status
    if action == "GetConfiguration":
        return "UnknownKey" if payload.get("unknownKey") else "Accepted"
    items = payload.get(ITEM_LISTS.get(action, ""))
    if isinstance(items, list) and items:
        found = {i.get("attributeStatus") for i in items if isinstance(i, dict)}
        if len(found) == 1 and isinstance(only := next(iter(found)), str):
            return only
        return MIXED
    return None
