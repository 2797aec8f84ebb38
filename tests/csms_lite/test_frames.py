"""OCPP-J frame parsing and the per-version spelling of error codes."""

from __future__ import annotations

import pytest

from csms_lite.rpc import frames, validation
from csms_lite.rpc.errors import OcppCallError
from csms_lite.rpc.frames import FrameError
from csms_lite.versions import V16, V21, V201, VERSIONS


def test_parse_call_result_and_error() -> None:
    call = frames.parse('[2,"a","Heartbeat",{}]')
    assert (call.message_type, call.unique_id, call.action, call.payload) == (2, "a", "Heartbeat",
                                                                              {})
    res = frames.parse('[3,"a",{"currentTime":"x"}]')
    assert (res.message_type, res.payload) == (3, {"currentTime": "x"})
    err = frames.parse('[4,"a","NotSupported","no",{}]')
    assert (err.error_code, err.error_description) == ("NotSupported", "no")


@pytest.mark.parametrize(
    ("text", "code", "uid"),
    [
        ("not json", "RpcFrameworkError", "-1"),
        ('{"a": 1}', "RpcFrameworkError", "-1"),
        ('[2, "x"]', "RpcFrameworkError", "-1"),
        ('[2, 5, "Heartbeat", {}]', "RpcFrameworkError", "-1"),
        ('[2, "' + "x" * 37 + '", "Heartbeat", {}]', "RpcFrameworkError", "-1"),
        ('[9, "x", "Heartbeat", {}]', "MessageTypeNotSupported", "x"),
        ('[2, "x", "Heartbeat", []]', "FormatViolation", "x"),
        ('[2, "x", "Heartbeat"]', "FormatViolation", "x"),
        ('[2, "x", 3, {}]', "FormatViolation", "x"),
        ('[3, "x", 5]', "FormatViolation", "x"),
        ('[4, "x", "E", "d"]', "FormatViolation", "x"),
    ],
)
def test_bad_frames(text: str, code: str, uid: str) -> None:
    with pytest.raises(FrameError) as info:
        frames.parse(text)
    assert (info.value.code, info.value.unique_id) == (code, uid)


def test_error_codes_spelled_per_version() -> None:
    assert V16.error_codes["FormatViolation"] == "FormationViolation"
    assert V201.error_codes["FormatViolation"] == "FormatViolation"
    assert V16.error_codes["OccurrenceConstraintViolation"] == "OccurenceConstraintViolation"
    assert V201.error_codes["RpcFrameworkError"] == "RpcFrameworkError"
    assert V21.error_codes == V201.error_codes
    with pytest.raises(ValueError, match="unknown OCPP error code"):
        OcppCallError("Nope", "x")


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"chargePointModel": "m"}, "OccurrenceConstraintViolation"),
        ({"chargePointModel": 5, "chargePointVendor": "v"}, "TypeConstraintViolation"),
        ({"chargePointModel": "m", "chargePointVendor": "v", "x": 1}, "FormatViolation"),
        ({"chargePointModel": "m" * 21, "chargePointVendor": "v"}, "FormatViolation"),
    ],
)
def test_schema_violation_codes(payload: dict[str, object], code: str) -> None:
    with pytest.raises(OcppCallError) as info:
        validation.validate(V16, "BootNotification", payload, request=True)
    assert info.value.code == code


def test_enum_violation_and_schemas_for_all_versions() -> None:
    with pytest.raises(OcppCallError) as info:
        validation.validate(V201, "Reset", {"type": "Warm"}, request=True)
    assert info.value.code == "PropertyConstraintViolation"
    for version in VERSIONS:
        assert validation.has_schema(version, "BootNotification")
        assert not validation.has_schema(version, "FooBar")
