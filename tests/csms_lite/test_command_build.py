"""Version-neutral commands -> each version's CALL, valid against the official schemas."""

from __future__ import annotations

import pytest

from csms_lite.commands.build import build
from csms_lite.errors import InvalidCommand
from csms_lite.rpc import validation
from csms_lite.versions import V16, V201, Version


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
@pytest.mark.parametrize(
    ("command", "params"),
    [
        ("reset", {"type": "soft"}),
        ("reset", {"type": "hard"}),
        ("remote_start", {"id_tag": "T", "connector_id": 2}),
        ("remote_stop", {"transaction_id": 5}),
        ("change_availability", {"connector_id": 0, "available": False}),
        ("trigger_message", {"message": "StatusNotification", "connector_id": 1}),
        ("unlock_connector", {"connector_id": 1}),
        ("clear_cache", {}),
    ],
)
def test_built_payloads_are_schema_valid(version: Version, command: str, params: dict[str, object]
                                         ) -> None:
    action, payload = build(command, params, version)
    validation.validate(version, action, payload, request=True)


def test_reset_types_per_version() -> None:
    assert build("reset", {"type": "hard"}, V16) == ("Reset", {"type": "Hard"})
    assert build("reset", {"type": "hard"}, V201) == ("Reset", {"type": "Immediate"})
    assert build("reset", {}, V201) == ("Reset", {"type": "OnIdle"})


def test_configuration_keys_need_component_in_201() -> None:
    action, payload = build("get_configuration", {"keys": ["OCPPCommCtrlr.HeartbeatInterval"]},
                            V201)
    assert action == "GetVariables"
    validation.validate(V201, action, payload, request=True)
    with pytest.raises(InvalidCommand, match=r"Component\.Variable"):
        build("change_configuration", {"key": "HeartbeatInterval", "value": 1}, V201)


def test_unknown_command_and_missing_param() -> None:
    with pytest.raises(InvalidCommand, match="unknown command"):
        build("explode", {}, V16)
    with pytest.raises(InvalidCommand, match="id_tag"):
        build("remote_start", {}, V16)
