"""Parsing and building OCPP-J frames: ``[2, id, action, payload]``, ``[3, id, payload]``,
``[4, id, code, description, details]``.

Parsing checks only the frame's shape; the payload is checked by :mod:`validation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson

from csms_lite.rpc.errors import OcppCallError
from csms_lite.rpc.nesting import MAX_DEPTH, too_deep

CALL: Final = 2
CALLRESULT: Final = 3
CALLERROR: Final = 4
MAX_UNIQUE_ID_LENGTH: Final = 36  # OCPP-J: "maximum of 36 characters"
UNKNOWN_ID: Final = "-1"  # 2.0.1: the id to answer with when the message id cannot be read


@dataclass(slots=True)
class Frame:
    message_type: int
    unique_id: str
    action: str | None = None  # CALL only
    payload: Any = None  # CALL / CALLRESULT payload; CALLERROR details
    error_code: str | None = None
    error_description: str | None = None


class FrameError(OcppCallError):
    """A frame whose shape is wrong; ``unique_id`` is what could be read of its id."""

    def __init__(self, code: str, description: str, unique_id: str = UNKNOWN_ID):
        super().__init__(code, description)
        self.unique_id = unique_id


def parse(text: str | bytes) -> Frame:
    """Parse one frame or raise :class:`FrameError` naming the OCPP-J error to answer."""
    try:
        msg = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise FrameError("RpcFrameworkError", f"frame is not valid JSON: {exc}") from None
    if not isinstance(msg, list) or len(msg) < 3:
        raise FrameError("RpcFrameworkError", "frame must be a JSON array of 3 to 5 elements")
    message_type, unique_id = msg[0], msg[1]
    if not isinstance(unique_id, str) or not unique_id:
        raise FrameError("RpcFrameworkError", "message id must be a non-empty string")
    if len(unique_id) > MAX_UNIQUE_ID_LENGTH:
        raise FrameError("RpcFrameworkError", "message id is longer than 36 characters")
    if _may_nest(text) and too_deep(msg, MAX_DEPTH + 1):  # + 1: the frame's own array
        # Decodable yet too deep to log or answer safely (see nesting); no real PDU nests so.
        raise FrameError("FormatViolation", f"frame nests deeper than {MAX_DEPTH} levels",
                         unique_id)
    if message_type == CALL:
        return _call(msg, unique_id)
    if message_type == CALLRESULT:
        return _result(msg, unique_id)
    if message_type == CALLERROR:
        return _error(msg, unique_id)
    raise FrameError(
        "MessageTypeNotSupported", f"message type {message_type!r} is not 2, 3 or 4", unique_id
    )


def _may_nest(text: str | bytes) -> bool:
    """Cheap first test: a frame with few brackets cannot nest deeply (most frames)."""
    opened = text.count("[") + text.count("{") if isinstance(text, str) else (
        text.count(b"[") + text.count(b"{"))
    return opened > MAX_DEPTH + 1


def _call(msg: list[Any], unique_id: str) -> Frame:
    if len(msg) != 4:
        raise FrameError("FormatViolation", "a CALL has 4 elements", unique_id)
    action, payload = msg[2], msg[3]
    if not isinstance(action, str) or not action:
        raise FrameError("FormatViolation", "a CALL's action must be a string", unique_id)
    if not isinstance(payload, dict):
        raise FrameError("FormatViolation", "a CALL's payload must be a JSON object", unique_id)
    return Frame(CALL, unique_id, action, payload)


def _result(msg: list[Any], unique_id: str) -> Frame:
    if len(msg) != 3 or not isinstance(msg[2], dict):
        raise FrameError("FormatViolation", "a CALLRESULT is [3, id, {payload}]", unique_id)
    return Frame(CALLRESULT, unique_id, payload=msg[2])


def _error(msg: list[Any], unique_id: str) -> Frame:
    if len(msg) != 5:
        raise FrameError("FormatViolation", "a CALLERROR has 5 elements", unique_id)
    code, description, details = msg[2], msg[3], msg[4]
    if not isinstance(code, str) or not isinstance(description, str):
        raise FrameError("FormatViolation", "CALLERROR code and description are text", unique_id)
    if not isinstance(details, dict):
        raise FrameError("FormatViolation", "CALLERROR details must be an object", unique_id)
    return Frame(CALLERROR, unique_id, payload=details, error_code=code,
                 error_description=description)


def call(unique_id: str, action: str, payload: dict[str, Any]) -> str:
    return orjson.dumps([CALL, unique_id, action, payload]).decode()


def result(unique_id: str, payload: dict[str, Any]) -> str:
    return orjson.dumps([CALLRESULT, unique_id, payload]).decode()


def error(unique_id: str, code: str, description: str, details: dict[str, Any]) -> str:
    return orjson.dumps([CALLERROR, unique_id, code, description[:255], details]).decode()
