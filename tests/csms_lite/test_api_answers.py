"""What the command API answers and records, found by independent chargers (issue 19): an
unknown charger is 404, a refused request is still a ``commands`` row, and answers that report
per item (GetConfiguration, 2.0.1 Get/SetVariables) get a one-word status."""

from __future__ import annotations

import asyncio
from typing import Any

import polars as pl
import pytest
from websockets.asyncio.client import ClientConnection

from csms_lite.commands.summary import MIXED, answer_status
from tests.conftest import Csms
from tests.csms_lite.lake_helpers import table
from tests.csms_lite.test_api_security import call, command_path, raw16, recv

__all__ = ["raw16"]  # the fixture, used by name


async def test_an_unknown_charger_is_404_not_offline(csms: Csms) -> None:
    code, answer = await call(csms, "POST", command_path("NOBODY"), {"command": "reset"})
    assert code == 404
    assert "unknown charge point" in answer["error"]
    csms.add_charger("KNOWN-OFF")
    code, _ = await call(csms, "POST", command_path("KNOWN-OFF"), {"command": "reset"})
    assert code == 409  # known, just not connected


async def test_a_refused_request_is_a_commands_row(csms: Csms, raw16: ClientConnection) -> None:
    code, answer = await call(csms, "POST", command_path("RAW16"), {"command": "explode"})
    assert code == 400
    code, _ = await call(csms, "POST", command_path("RAW16"), raw="[[[")
    assert code == 400
    rows = (await table(csms, "commands")).filter(pl.col("charge_point_id") == "RAW16")
    assert rows["outcome"].to_list() == ["invalid", "invalid"]
    assert rows["action"].to_list() == ["explode", "(unreadable)"]
    assert rows["requested_by"].to_list() == ["operator", "operator"]
    assert answer["error"] in rows["response"][0]


@pytest.mark.parametrize(("action", "payload", "status"), [
    ("Reset", {"status": "Accepted"}, "Accepted"),
    ("GetConfiguration", {"configurationKey": [{"key": "A", "readonly": True}]}, "Accepted"),
    ("GetConfiguration", {"configurationKey": [], "unknownKey": ["B"]}, "UnknownKey"),
    ("GetVariables", {"getVariableResult": [{"attributeStatus": "Accepted"}] * 2}, "Accepted"),
    ("SetVariables", {"setVariableResult": [{"attributeStatus": "Accepted"},
                                            {"attributeStatus": "Rejected"}]}, MIXED),
    ("ClearCache", {}, None),
])
def test_answer_status(action: str, payload: dict[str, Any], status: str | None) -> None:
    assert answer_status(action, payload) == status


async def test_get_configuration_answer_has_a_status(
    csms: Csms, raw16: ClientConnection
) -> None:
    sent = asyncio.create_task(call(csms, "POST", command_path("RAW16"), {
        "command": "get_configuration", "params": {"keys": ["HeartbeatInterval", "Nope"]}}))
    frame = await recv(raw16)
    assert frame[2] == "GetConfiguration"
    await raw16.send(f'[3, "{frame[1]}", {{"configurationKey": [{{"key": "HeartbeatInterval", '
                     f'"readonly": false, "value": "300"}}], "unknownKey": ["Nope"]}}]')
    code, answer = await sent
    assert code == 200
    assert answer["status"] == "UnknownKey"
