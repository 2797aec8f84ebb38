"""The synchronous client (stdlib ``urllib``), for the ``cpo`` command and the dashboard."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from csms_lite.client import wire
from csms_lite.client.answers import CommandAnswer
from csms_lite.client.errors import Unreachable
from csms_lite.client.wire import HttpReply, HttpRequest

# The I/O boundary: send one request, wait at most ``timeout`` seconds for the whole reply.
# Tests hand in a fake here instead of patching urllib. It raises Unreachable (the reason
# alone: the client adds the API's address) when no HTTP answer came.
Transport = Callable[[HttpRequest, float], HttpReply]


def urllib_transport(request: HttpRequest, timeout: float) -> HttpReply:
    try:
        req = urllib.request.Request(
            request.url, data=request.body, method=request.method, headers=request.headers
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return HttpReply(resp.status, resp.read())
    except urllib.error.HTTPError as exc:  # an answer all the same, with its status
        return HttpReply(exc.code, exc.read())
    # ValueError: a URL urllib cannot use (no scheme, ...)
    except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
        raise Unreachable(str(exc)) from None


class CsmsClient:
    """The CSMS HTTP API, one blocking call at a time.

    ``timeout_s`` bounds every call but a command, which waits for a charger and its own
    timeout on the server (30 s by default): ``command_timeout_s`` bounds that one."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout_s: float = 10.0,
        command_timeout_s: float = 60.0,
        transport: Transport = urllib_transport,
    ) -> None:
        self.endpoint = wire.Endpoint(base_url, token)
        self.timeout_s, self.command_timeout_s = timeout_s, command_timeout_s
        self.transport = transport

    def get(self, path: str) -> tuple[int, Any]:
        """(HTTP status, decoded JSON) of any GET, whatever the status: for showing it as is."""
        reply = self._send(self.endpoint.request("GET", path), self.timeout_s)
        return reply.status, wire.decoded(reply)

    def chargers(self) -> list[dict[str, Any]]:
        """Live state of every charger the node has seen (``GET /api/v1/chargers``)."""
        request = self.endpoint.request("GET", "/api/v1/chargers")
        return wire.chargers(request, self._send(request, self.timeout_s))

    def command(
        self,
        cp_id: str,
        command: str | None = None,
        params: dict[str, Any] | None = None,
        *,
        action: str | None = None,
        payload: dict[str, Any] | None = None,
        requested_by: str = "api",
        reason: str | None = None,
        charger_timeout_s: float | None = None,
        on_behalf_of: str | None = None,
    ) -> CommandAnswer:
        """Send ``command`` (+ ``params``), or the raw OCPP ``action`` (+ ``payload``), and wait
        for its outcome; raises :class:`Refused` for a status that is no outcome (401, ...).
        ``on_behalf_of``: who the ``requested_by`` kind acts for; the lake's ``requested_by``
        then reads ``operator:alice``."""
        body = wire.command_body(command, params, action=action, payload=payload,
                                 requested_by=requested_by, reason=reason,
                                 charger_timeout_s=charger_timeout_s,
                                 on_behalf_of=on_behalf_of)
        request = self.endpoint.request("POST", wire.charger_path(cp_id) + "/commands", body)
        return wire.command_answer(request, self._send(request, self.command_timeout_s))

    def _send(self, request: HttpRequest, timeout: float) -> HttpReply:
        try:
            return self.transport(request, timeout)
        except Unreachable as exc:
            raise Unreachable(wire.unreachable(self.endpoint, exc)) from None
