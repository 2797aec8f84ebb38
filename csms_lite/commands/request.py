"""A remote command as asked for, and its result as the charger answered it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REQUESTERS = ("operator", "self_healing", "api")


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
    outcome: str  # answered, call_error, timeout, offline, invalid
    response: dict[str, Any] | None = None
    status: str | None = None
    error_code: str | None = None
    error_description: str | None = None
    latency_ms: float | None = None
    # server times the CALL went out and its answer came back (None: never sent / unanswered)
    sent_at: float | None = None
    answered_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

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
        }
