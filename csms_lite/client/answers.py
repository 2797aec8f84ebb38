"""The answer to ``POST /api/v1/chargers/{id}/commands``, typed.

The API answers with the command's record and an HTTP status for its outcome (README,
"Command API"): 200 the charger answered, 400 invalid, 409 offline, 429 the charger's reset
budget is spent, 502 CALLERROR (or an answer that breaks the schema), 504 timeout. A 400
for a body the API could not read carries only ``{"error": ...}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# HTTP status -> the outcome it stands for; any other status is a refusal, not an outcome.
OUTCOME_OF_STATUS: dict[int, str] = {
    200: "answered",
    400: "invalid",
    409: "offline",
    429: "rate_limited",
    502: "call_error",
    504: "timeout",
}


@dataclass(frozen=True)
class CommandAnswer:
    http_status: int
    outcome: str | None  # the record's outcome; None when the API sent no record
    command_id: str | None
    status: str | None  # the charger's answer's status, e.g. "Accepted"
    error_code: str | None
    error_description: str | None
    error: str | None  # the API's {"error": ...} when it could not take the command
    raw: dict[str, Any]  # the JSON as the API sent it

    @property
    def kind(self) -> str:
        """What the HTTP status says happened (see ``OUTCOME_OF_STATUS``)."""
        return OUTCOME_OF_STATUS[self.http_status]

    @property
    def answered(self) -> bool:
        return self.http_status == 200

    @classmethod
    def from_json(cls, http_status: int, body: Any) -> CommandAnswer:
        raw = body if isinstance(body, dict) else {"error": str(body)}
        return cls(
            http_status=http_status,
            outcome=_text(raw.get("outcome")),
            command_id=_text(raw.get("command_id")),
            status=_text(raw.get("status")),
            error_code=_text(raw.get("error_code")),
            error_description=_text(raw.get("error_description")),
            error=_text(raw.get("error")),
            raw=raw,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
