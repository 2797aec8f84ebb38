"""OCPP-J CALLERROR codes, spelled as each version's specification spells them.

OCPP 1.6 keeps two typos in its enumeration (``FormationViolation``,
``OccurenceConstraintViolation``, see the 1.6 errata sheet, "known issues that will not be
fixed"); strict 1.6 clients reject the 2.0.1 spellings, so each version record
(``csms_lite.versions``) names its spelling table.
"""

from __future__ import annotations

from typing import Any

# The name we use internally -> (1.6 spelling, 2.0.1 spelling)
_CODES: dict[str, tuple[str, str]] = {
    "NotImplemented": ("NotImplemented", "NotImplemented"),
    "NotSupported": ("NotSupported", "NotSupported"),
    "InternalError": ("InternalError", "InternalError"),
    "ProtocolError": ("ProtocolError", "ProtocolError"),
    "SecurityError": ("SecurityError", "SecurityError"),
    "FormatViolation": ("FormationViolation", "FormatViolation"),
    "PropertyConstraintViolation": (
        "PropertyConstraintViolation",
        "PropertyConstraintViolation",
    ),
    "OccurrenceConstraintViolation": (
        "OccurenceConstraintViolation",
        "OccurrenceConstraintViolation",
    ),
    "TypeConstraintViolation": ("TypeConstraintViolation", "TypeConstraintViolation"),
    "GenericError": ("GenericError", "GenericError"),
    # 2.0.1 only; 1.6 has no equivalent, these are the nearest 1.6 codes.
    "RpcFrameworkError": ("FormationViolation", "RpcFrameworkError"),
    "MessageTypeNotSupported": ("ProtocolError", "MessageTypeNotSupported"),
}


# Each version's record (csms_lite.versions) holds one of these.
SPELLING_V16: dict[str, str] = {code: v16 for code, (v16, _) in _CODES.items()}
SPELLING_V2: dict[str, str] = {code: v2 for code, (_, v2) in _CODES.items()}


class OcppCallError(Exception):
    """Raised while handling a CALL; becomes a CALLERROR frame."""

    def __init__(self, code: str, description: str, details: dict[str, Any] | None = None):
        super().__init__(f"{code}: {description}")
        if code not in _CODES:
            raise ValueError(f"unknown OCPP error code {code!r}")
        self.code = code
        self.description = description
        self.details = details or {}
