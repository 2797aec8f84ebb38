"""A remote command as asked for, and its result as the charger answered it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from csms_lite.errors import InvalidCommand

# What callers used to send as ``requested_by``; still accepted, and ignored: the lake now
# records the caller's token name (``token:person`` when it acts for someone).
REQUESTERS = ("operator", "self_healing", "api")
# How long a command may wait for its charger, queue time included: beyond 300 s nobody is
# waiting any more, and one stuck command would hold every later one to that charger.
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 1.0, 300.0


def check_timeout(value: Any) -> float | None:
    """A caller's ``timeout``: None (the server's default) or finite seconds within bounds."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
        value
    ) or not MIN_TIMEOUT_S <= value <= MAX_TIMEOUT_S:
        raise InvalidCommand(f"timeout must be a number of seconds from {MIN_TIMEOUT_S:g} to "
                             f"{MAX_TIMEOUT_S:g} (time waiting behind earlier commands to the "
                             f"same charger counts), got {value!r}")
    return float(value)


@dataclass(frozen=True)
class CommandRequest:
    charge_point_id: str
    action: str  # the OCPP action for the charger's version, e.g. "Reset"
    payload: dict[str, Any]
    requested_by: str = "api"
    reason: str | None = None
    timeout: float | None = None  # None: the server's default


@dataclass
class CommandResult:
    command_id: str
    charge_point_id: str
    action: str
    request: dict[str, Any]
    outcome: str  # answered, call_error, timeout, offline, invalid, rate_limited
    response: dict[str, Any] | None = None
    status: str | None = None
    error_code: str | None = None
    error_description: str | None = None
    latency_ms: float | None = None
    # server times the CALL went out and its answer came back (None: never sent / unanswered)
    sent_at: float | None = None
    answered_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    coalesced: bool = False  # True: an identical command in flight answered this caller too

    def to_json(self) -> dict[str, Any]:
        return {
            "command_id": self.command_id,
            "charge_point_id": self.charge_point_id,
            "action": self.action,
            "request": self.request,
            "outcome": self.outcome,
            "response": self.response,
            "status": self.status,
            "error_code": self.error_code,
            "error_description": self.error_description,
            "latency_ms": self.latency_ms,
            "coalesced": self.coalesced,
        }
