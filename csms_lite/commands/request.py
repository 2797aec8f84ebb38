"""A remote command as asked for, and its result as the charger answered it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from csms_lite.errors import InvalidCommand

REQUESTERS = ("operator", "self_healing", "api")
MAX_ON_BEHALF_OF = 64
_PERSON = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")


def requester(requested_by: object, on_behalf_of: object = None) -> str:
    """What the ``commands`` table's ``requested_by`` records: the kind of requester, then the
    person it acts for when one is named (``operator:alice``, from the dashboard's sign-in), so
    filters on the kind keep working with ``split_part(requested_by, ':', 1)``."""
    if requested_by not in REQUESTERS:
        raise InvalidCommand(f"requested_by must be one of {', '.join(REQUESTERS)}")
    if on_behalf_of is None:
        return str(requested_by)
    if not isinstance(on_behalf_of, str) or not _PERSON.match(on_behalf_of):
        raise InvalidCommand(f"on_behalf_of must be a user name: 1-{MAX_ON_BEHALF_OF} of "
                             "letters, digits and ._@+-")
    return f"{requested_by}:{on_behalf_of}"


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
