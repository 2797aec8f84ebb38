"""Version-neutral commands -> each version's CALL, valid against the official schemas."""

from __future__ import annotations

import pytest

from csms_lite.commands.build import build
from csms_lite.errors import InvalidCommand
from csms_lite.rpc import validation


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
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
def test_built_payloads_are_schema_valid(version: str, command: str, params: dict[str, object]
                                         ) -> None:
    action, payload = build(command, params, version)
    validation.validate(version, action, payload, request=True)


def test_reset_types_per_version() -> None:
    assert build("reset", {"type": "hard"}, "1.6") == ("Reset", {"type": "Hard"})
    assert build("reset", {"type": "hard"}, "2.0.1") == ("Reset", {"type": "Immediate"})
    assert build("reset", {}, "2.0.1") == ("Reset", {"type": "OnIdle"})


def test_configuration_keys_need_component_in_201() -> None:
    action, payload = build("get_configuration", {"keys": ["OCPPCommCtrlr.HeartbeatInterval"]},
                            "2.0.1")
    assert action == "GetVariables"
    validation.validate("2.0.1", action, payload, request=True)
    with pytest.raises(InvalidCommand, match=r"Component\.Variable"):
        build("change_configuration", {"key": "HeartbeatInterval", "value": 1}, "2.0.1")


def test_unknown_command_and_missing_param() -> None:
    with pytest.raises(InvalidCommand, match="unknown command"):
        build("explode", {}, "1.6")
    with pytest.raises(InvalidCommand, match="id_tag"):
        build("remote_start", {}, "1.6")
