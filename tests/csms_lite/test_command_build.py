"""Version-neutral commands -> each version's CALL, valid against the official schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from csms_lite.commands.build import COMMANDS, build
from csms_lite.errors import InvalidCommand
from csms_lite.rpc import validation
from csms_lite.versions import V16, V201, Version

CASES_16: list[tuple[str, dict[str, object]]] = [
    ("reset", {"type": "soft"}),
    ("reset", {"type": "hard"}),
    ("remote_start", {"id_tag": "T", "connector_id": 2}),
    ("remote_stop", {"transaction_id": 5}),
    ("change_availability", {"connector_id": 0, "available": False}),
    ("trigger_message", {"message": "StatusNotification", "connector_id": 1}),
    ("unlock_connector", {"connector_id": 1}),
    ("clear_cache", {}),
    ("clear_charging_profile", {}),
    ("clear_charging_profile", {"connector_id": 1, "purpose": "TxProfile", "stack_level": 1}),
    ("get_composite_schedule", {"connector_id": 0, "duration": 60, "charging_rate_unit": "W"}),
    ("data_transfer", {"vendor_id": "v", "message_id": "m", "data": "d"}),
    ("get_local_list_version", {}),
    ("reserve_now", {"connector_id": 0, "id_tag": "T", "expiry": "2030-01-01T00:00:00+02:00",
                     "reservation_id": 1, "parent_id_tag": "P"}),
    ("cancel_reservation", {"reservation_id": 1}),
]
# 2.0.1 names the EVSE evse_id and a connector within it connector_id, as the spec does.
CASES_201: list[tuple[str, dict[str, object]]] = [
    ("reset", {"type": "soft"}),
    ("reset", {"type": "hard", "evse_id": 1}),
    ("remote_start", {"id_tag": "T", "evse_id": 2, "remote_start_id": 7}),
    ("remote_stop", {"transaction_id": "tx-5"}),
    ("change_availability", {"available": False}),
    ("change_availability", {"evse_id": 1, "connector_id": 1, "available": True}),
    ("trigger_message", {"message": "StatusNotification", "evse_id": 1}),
    ("unlock_connector", {"evse_id": 2, "connector_id": 1}),
    ("clear_cache", {}),
    ("clear_charging_profile", {"profile_id": 3}),
    ("clear_charging_profile", {"evse_id": 1, "purpose": "TxProfile", "stack_level": 1}),
    ("get_composite_schedule", {"evse_id": 0, "duration": 60}),
    ("data_transfer", {"vendor_id": "v"}),
    ("get_local_list_version", {}),
    ("reserve_now", {"id_tag": "T", "expiry": "2030-01-01T00:00:00", "reservation_id": 1,
                     "evse_id": 2, "parent_id_tag": "P"}),
    ("cancel_reservation", {"reservation_id": 1}),
]


@pytest.mark.parametrize(
    ("version", "command", "params"),
    [(V16, c, p) for c, p in CASES_16] + [(V201, c, p) for c, p in CASES_201],
)
def test_built_payloads_are_schema_valid(version: Version, command: str, params: dict[str, object]
                                         ) -> None:
    action, payload = build(command, params, version)
    validation.validate(version, action, payload, request=True)


def test_every_version_declares_every_command_and_names_agree_on_kind() -> None:
    kinds: dict[str, set[str]] = {}
    for version in (V16, V201):
        assert set(version.commands) == set(COMMANDS)
        for spec in version.commands.values():
            for p in spec.params:
                kinds.setdefault(p.name, set()).add(p.kind)
    # transaction_id: an int in 1.6, text (or an int written as text) in 2.0.1
    assert {name: k for name, k in kinds.items() if len(k) > 1} == {
        "transaction_id": {"int", "id"}}


def test_keys_given_as_text_are_refused_not_split_into_letters() -> None:
    """D1: ``list("HeartbeatInterval")`` sent ["H", "e", ...]."""
    with pytest.raises(InvalidCommand, match="keys must be a list of text"):
        build("get_configuration", {"keys": "HeartbeatInterval"}, V16)
    assert build("get_configuration", {"keys": ["HeartbeatInterval"]}, V16) == (
        "GetConfiguration", {"key": ["HeartbeatInterval"]})


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
@pytest.mark.parametrize(
    ("command", "params", "message"),
    [
        ("change_availability", {"available": "false"}, "available must be true or false"),
        ("change_availability", {"available": 0}, "available must be true or false"),
        ("unlock_connector", {"connector_id": "1"}, "connector_id must be a whole number"),
        ("unlock_connector", {"connector_id": True}, "connector_id must be a whole number"),
        ("reset", {"type": "warm"}, "type must be one of soft, hard"),
        ("remote_start", {"id_tag": 5}, "id_tag must be text"),
        ("clear_cache", {"now": True}, "takes no parameters; not now"),
    ],
)
def test_params_are_type_checked(version: Version, command: str, params: dict[str, object],
                                 message: str) -> None:
    """D2: ``{"available": "false"}`` was truthy, so the charger was made Operative."""
    with pytest.raises(InvalidCommand, match=message):
        build(command, params, version)


def test_201_parameter_names_follow_the_spec() -> None:
    assert build("unlock_connector", {"evse_id": 2, "connector_id": 1}, V201) == (
        "UnlockConnector", {"evseId": 2, "connectorId": 1})
    assert build("change_availability", {"evse_id": 2, "connector_id": 1,
                                         "available": False}, V201) == (
        "ChangeAvailability", {"operationalStatus": "Inoperative",
                               "evse": {"id": 2, "connectorId": 1}})
    with pytest.raises(InvalidCommand, match="give evse_id too"):
        build("change_availability", {"connector_id": 1}, V201)
    with pytest.raises(InvalidCommand, match="not connector_id"):
        build("remote_start", {"id_tag": "T", "connector_id": 1}, V201)
    # 1.6 keeps its names: connector_id is the connector (0: the charge point)
    assert build("unlock_connector", {"connector_id": 2}, V16) == (
        "UnlockConnector", {"connectorId": 2})
    with pytest.raises(InvalidCommand, match="not evse_id"):
        build("unlock_connector", {"evse_id": 2}, V16)


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


def test_the_readme_lists_every_command_and_its_parameters_per_version() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines()
            if line.startswith("| `") and line.count("|") == 4}
    for command in COMMANDS:
        cells = rows[command].split("|")
        for version, cell in ((V16, cells[2]), (V201, cells[3])):
            named = {part.split("`")[1] for part in cell.split(", ") if "`" in part}
            assert named == {p.name for p in version.commands[command].params}, (command,
                                                                                version)
