"""The HTTP exchanges of the CSMS API, with no I/O: what each call sends, and what its answer
means. The sync and async clients share this and differ only in their transport."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from csms_lite.client.answers import OUTCOME_OF_STATUS, CommandAnswer
from csms_lite.client.errors import BadAnswer, Refused


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {urllib.parse.urlsplit(self.url).path}"


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: bytes


@dataclass(frozen=True)
class Endpoint:
    """Where the API is and how to authenticate to it."""

    base_url: str
    token: str | None

    def request(self, method: str, path: str, body: Any = None) -> HttpRequest:
        return HttpRequest(
            method,
            self.base_url.rstrip("/") + path,
            None if body is None else json.dumps(body).encode(),
            {"Authorization": f"Bearer {self.token or ''}", "Content-Type": "application/json"},
        )


def quoted(segment: str) -> str:
    """One URL path segment: an id with ``/`` or ``?`` in it stays one segment."""
    return urllib.parse.quote(segment, safe="")


def charger_path(cp_id: str) -> str:
    return f"/api/v1/chargers/{quoted(cp_id)}"


def command_body(
    command: str | None,
    params: dict[str, Any] | None,
    *,
    action: str | None,
    payload: dict[str, Any] | None,
    requested_by: str,
    reason: str | None,
    charger_timeout_s: float | None,
    on_behalf_of: str | None = None,
) -> dict[str, Any]:
    """A version-neutral ``command`` (+ ``params``) or a raw OCPP ``action`` (+ ``payload``);
    ``on_behalf_of``: the person the requester acts for (the dashboard's signed-in user)."""
    body: dict[str, Any] = {"requested_by": requested_by, "reason": reason}
    if on_behalf_of is not None:
        body["on_behalf_of"] = on_behalf_of
    if charger_timeout_s is not None:  # how long the CSMS waits for the charger's answer
        body["timeout"] = charger_timeout_s
    if action is not None:
        return body | {"action": action, "payload": payload or {}}
    if command is None:
        raise ValueError("give a command or an action")
    return body | {"command": command, "params": params or {}}


def decoded(reply: HttpReply) -> Any:
    """The JSON body; an error body that is not JSON becomes ``{"error": <its text>}``."""
    try:
        return json.loads(reply.body or b"null")
    except ValueError:
        if reply.status == 200:
            raise BadAnswer(f"the CSMS API answered 200 with a body that is not JSON: "
                            f"{reply.body[:200]!r}") from None
        return {"error": reply.body.decode(errors="replace")}


def expect(request: HttpRequest, reply: HttpReply, ok: tuple[int, ...] = (200,)) -> Any:
    """The decoded body of a reply whose status is one of ``ok``; else :class:`Refused`."""
    body = decoded(reply)
    if reply.status not in ok:
        raise Refused(reply.status, message(body), body, str(request))
    return body


def chargers(request: HttpRequest, reply: HttpReply) -> list[dict[str, Any]]:
    body = expect(request, reply)
    if not isinstance(body, list) or not all(isinstance(c, dict) for c in body):
        raise BadAnswer(f"{request} did not answer a list of chargers")
    return body


def command_answer(request: HttpRequest, reply: HttpReply) -> CommandAnswer:
    return CommandAnswer.from_json(reply.status, expect(request, reply, tuple(OUTCOME_OF_STATUS)))


def unreachable(endpoint: Endpoint, reason: object) -> str:
    return f"cannot reach the CSMS API at {endpoint.base_url}: {reason}"


def message(body: Any) -> str:
    return str(body.get("error")) if isinstance(body, dict) and "error" in body else str(body)
