"""The asynchronous client (aiohttp), for the self-healing loop, which runs in an event loop."""

from __future__ import annotations

from typing import Any, Protocol

import aiohttp

from csms_lite.client import wire
from csms_lite.client.answers import CommandAnswer
from csms_lite.client.errors import Unreachable
from csms_lite.client.wire import HttpReply, HttpRequest


class AsyncTransport(Protocol):
    """The I/O boundary (tests hand in a fake here instead of patching aiohttp): raises
    :class:`Unreachable` with the reason alone when no HTTP answer came."""

    async def send(self, request: HttpRequest, timeout_s: float) -> HttpReply: ...

    async def close(self) -> None: ...


class AiohttpTransport:
    """One aiohttp session, opened on first use, so connections are reused across calls."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def send(self, request: HttpRequest, timeout_s: float) -> HttpReply:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with self._session.request(
                request.method, request.url, data=request.body, headers=request.headers,
                timeout=aiohttp.ClientTimeout(total=timeout_s),
            ) as resp:
                return HttpReply(resp.status, await resp.read())
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise Unreachable(str(exc) or type(exc).__name__) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class AsyncCsmsClient:
    """The CSMS HTTP API from a coroutine; ``async with`` it (or ``aclose`` it) so its
    connections close. Every call, commands included, waits at most ``timeout_s``."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        timeout_s: float = 30.0,
        transport: AsyncTransport | None = None,
    ) -> None:
        self.endpoint = wire.Endpoint(base_url, token)
        self.timeout_s = timeout_s
        self.transport: AsyncTransport = transport or AiohttpTransport()

    async def __aenter__(self) -> AsyncCsmsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.close()

    async def chargers(self) -> list[dict[str, Any]]:
        """Live state of every charger the node has seen (``GET /api/v1/chargers``)."""
        request = self.endpoint.request("GET", "/api/v1/chargers")
        return wire.chargers(request, await self._send(request))

    async def command(
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
        """As :meth:`CsmsClient.command`."""
        body = wire.command_body(command, params, action=action, payload=payload,
                                 requested_by=requested_by, reason=reason,
                                 charger_timeout_s=charger_timeout_s, on_behalf_of=on_behalf_of)
        request = self.endpoint.request("POST", wire.charger_path(cp_id) + "/commands", body)
        return wire.command_answer(request, await self._send(request))

    async def record_outcome(
        self, command_id: str, cp_id: str, result: str, detail: dict[str, Any],
        requested_by: str = "api",
    ) -> None:
        """What a command achieved, found out later (a ``commands`` row, action ``Outcome``)."""
        body = {"charge_point_id": cp_id, "result": result, "detail": detail,
                "requested_by": requested_by}
        path = f"/api/v1/commands/{wire.quoted(command_id)}/outcome"
        request = self.endpoint.request("POST", path, body)
        wire.expect(request, await self._send(request))

    async def _send(self, request: HttpRequest) -> HttpReply:
        try:
            return await self.transport.send(request, self.timeout_s)
        except Unreachable as exc:
            raise Unreachable(wire.unreachable(self.endpoint, exc)) from None

