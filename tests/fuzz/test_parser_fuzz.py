"""Property-based fuzzing of the OCPP-J frame parser and the compiled schema validators:
whatever arrives, the answer is a Frame or a FrameError (a Violation for a validator), never
another exception, and whatever parses can be logged and answered."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms_lite.rpc import frames, validation
from csms_lite.rpc.errors import OcppCallError
from csms_lite.rpc.frames import FrameError
from csms_lite.rpc.schema_compiler import Violation, compile_schema
from csms_lite.versions import V16, V201, Version
from tests.fuzz.strategies import FUZZ, HOSTILE_TEXTS, finite_json, json_values, nested

CODES = {"RpcFrameworkError", "FormatViolation", "MessageTypeNotSupported"}


def refused(check: Callable[[], object]) -> OcppCallError | None:
    """The OCPP error ``check`` raised (a FrameError is one), None if it passed."""
    try:
        check()
    except OcppCallError as exc:
        return exc
    return None


def parse_or_refuse(text: str | bytes) -> frames.Frame | None:
    """Parse; a refusal must name an OCPP-J code and still make an answer frame."""
    exc = refused(lambda: frames.parse(text))
    if exc is not None:
        assert isinstance(exc, FrameError)
        assert exc.code in CODES, exc.code
        frames.error(exc.unique_id, exc.code, exc.description, {})
        return None
    frame = frames.parse(text)
    # What parsed goes to the lake journal as one orjson line inside a row: it must encode.
    orjson.dumps([3, [frame.unique_id, frame.action, frame.payload]])
    return frame


@FUZZ
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_text_parses_or_is_refused(text: str | bytes) -> None:
    parse_or_refuse(text)


frame_shapes = st.tuples(
    st.sampled_from([2, 3, 4, 5, "2", None, 2.0]),
    st.text(max_size=40) | st.integers(),
    finite_json, finite_json, finite_json,
).flatmap(lambda t: st.integers(0, 5).map(lambda n: list(t[:n])))


@FUZZ
@given(frame_shapes)
def test_frame_shaped_arrays_parse_or_are_refused(msg: list[Any]) -> None:
    parse_or_refuse(json.dumps(msg))


@FUZZ
@given(st.integers(1, 1100))
def test_nested_payload_is_refused_when_too_deep_to_log(depth: int) -> None:
    frame = parse_or_refuse(f'[2,"u","DataTransfer",{{"data":{nested(depth)}}}]')
    assert (frame is None) == (depth + 2 > 65), depth  # frame + payload object + the arrays


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_hostile_texts(name: str) -> None:
    parse_or_refuse(HOSTILE_TEXTS[name])
    parse_or_refuse(b'[2,"u","Heartbeat",' + HOSTILE_TEXTS[name] + b"]")


def test_deep_frame_is_a_format_violation_with_its_id() -> None:
    """Regression: a 300-deep CALL decoded (orjson allows 1024 levels) but the lake journal
    could not encode it (255), so the connection died with a traceback and close code 1011."""
    with pytest.raises(FrameError) as info:
        frames.parse(f'[2,"u1","Heartbeat",{{"a":{nested(300)}}}]')
    assert (info.value.code, info.value.unique_id) == ("FormatViolation", "u1")


ACTIONS = [(v, a, r) for v in (V16, V201) for a in sorted(validation.actions(v))
           for r in (True, False)]


@FUZZ
@given(st.sampled_from(ACTIONS), st.dictionaries(st.text(max_size=20), json_values, max_size=6))
def test_validators_raise_only_violations(case: tuple[Version, str, bool],
                                          payload: dict[str, Any]) -> None:
    version, action, request = case
    with contextlib.suppress(Violation):
        validation.validator(version, action, request)(payload)
    exc = refused(lambda: validation.validate(version, action, payload, request=request))
    assert exc is None or exc.code in set(validation._RULE_CODES.values()) | {"FormatViolation"}


@FUZZ
@given(st.floats() | json_values)
def test_validator_with_multiple_of_survives_any_number(value: Any) -> None:
    """Regression: a ``multipleOf`` field (a charging profile's limit) given 1e308 (valid
    JSON: 1e308 / 0.1 overflows), inf or NaN raised OverflowError/ValueError."""
    profile = {"connectorId": 1, "csChargingProfiles": {
        "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute", "chargingSchedule": {
            "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                 "limit": value}]}}}
    exc = refused(lambda: validation.validate(V16, "SetChargingProfile", profile, request=True))
    assert exc is None or exc.code in {"TypeConstraintViolation", "PropertyConstraintViolation"}


@pytest.mark.parametrize("value", [1e308, -1e308, float("inf"), float("nan")])
def test_multiple_of_refuses_what_it_cannot_divide(value: float) -> None:
    check = compile_schema({"type": "number", "multipleOf": 0.1})
    with pytest.raises(Violation):
        check(value)
