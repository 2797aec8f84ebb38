"""Who asked: the ``requested_by`` the lake records for a command or an outcome, and the
checks that keep a token holder from writing audit rows for someone else's commands."""

from __future__ import annotations

import json
import re
from typing import Any

from csms_lite.commands.request import REQUESTERS
from csms_lite.errors import InvalidCommand
from csms_lite.registry.store import Registry
from csms_lite.registry.tokens import ApiToken

PERSON = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")  # a user name or e-mail address
RESULT = re.compile(r"[a-z][a-z0-9_]{0,39}")  # e.g. cured, not_cured, maintenance_ticket
MAX_DETAIL_BYTES = 4096
# The self-healing loop's maintenance tickets are outcomes without a command of their own.
TICKET_RESULT = "maintenance_ticket"


class OutcomeRefused(InvalidCommand):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def caller_of(token: ApiToken, body: Any) -> str:
    """``<token name>``, or ``<token name>:<person>`` when the body names ``on_behalf_of``."""
    if not isinstance(body, dict):
        raise InvalidCommand("body must be a JSON object")
    legacy = body.get("requested_by")
    if legacy is not None and legacy not in REQUESTERS:
        raise InvalidCommand("requested_by is now the token's name; name the person a tool "
                             "acts for with on_behalf_of")
    person = body.get("on_behalf_of")
    if person is None:
        return token.name
    if not isinstance(person, str) or not PERSON.fullmatch(person):
        raise InvalidCommand("on_behalf_of must be a user name: 1 to 64 letters, digits or "
                             "'_.@+-'")
    return f"{token.name}:{person}"


def check_outcome(
    registry: Registry, token_name: str, command_id: str, body: Any
) -> tuple[str, str, dict[str, Any]]:
    """(charge point id, result, detail) of a valid outcome; else :class:`OutcomeRefused`."""
    cp_id, result, detail = body.get("charge_point_id"), body.get("result"), body.get("detail", {})
    if not isinstance(cp_id, str) or not cp_id:
        raise OutcomeRefused(400, "charge_point_id must be non-empty text")
    if not isinstance(result, str) or not RESULT.fullmatch(result):
        raise OutcomeRefused(400, "result must be a short snake_case word, e.g. cured")
    if not isinstance(detail, dict) or len(json.dumps(detail)) > MAX_DETAIL_BYTES:
        raise OutcomeRefused(400, f"detail must be a JSON object of at most "
                                  f"{MAX_DETAIL_BYTES} bytes")
    if result == TICKET_RESULT and re.fullmatch(rf"ticket-{re.escape(cp_id)}-\d+", command_id):
        return cp_id, result, detail
    sent = registry.command_caller(command_id)
    if sent is None:
        raise OutcomeRefused(404, f"this CSMS sent no command {command_id!r} to a charger")
    sent_to, sent_by = sent
    if sent_to != cp_id:
        raise OutcomeRefused(400, f"command {command_id!r} went to {sent_to!r}, not {cp_id!r}")
    if sent_by.split(":", 1)[0] != token_name:
        raise OutcomeRefused(403, f"only the token that sent command {command_id!r} may "
                                  "record its outcome")
    return cp_id, result, detail
