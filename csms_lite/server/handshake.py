"""The opening handshake: which charge point this is, and whether it may connect.

OCPP-J: the charge point id is the last path segment (``/ocpp/CP-1``); unknown ids get 404,
failed Basic auth (security profile 1/2) 401. Subprotocol negotiation happens in
:func:`select_subprotocol`; a charger offering none we speak completes the handshake without a
``Sec-WebSocket-Protocol`` header and is then closed, as OCPP-J section 3.1 says.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from csms_lite.registry.errors import InvalidValueError, RegistryError
from csms_lite.registry.models import check_charge_point_id
from csms_lite.registry.passwords import VerifiedCache
from csms_lite.server.client_address import Network, client_address
from csms_lite.server.hub import Hub

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    status: HTTPStatus
    reason: str


def charge_point_id(path: str) -> str:
    """The last non-empty path segment, URL-decoded; query strings ignored."""
    segments = [s for s in path.split("?", 1)[0].split("/") if s]
    return unquote(segments[-1]) if segments else ""


def basic_credentials(headers: Headers) -> tuple[str, str] | None:
    value = headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        user, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


class Gatekeeper:
    def __init__(self, hub: Hub, hash_workers: int = 2) -> None:
        self.hub = hub
        self.cache = VerifiedCache()
        # A reconnect storm after a restart must not queue thousands of scrypt runs at once.
        self._hashing = asyncio.Semaphore(hash_workers)

    async def refusal(self, request: Request) -> Refusal | None:
        try:
            return await self._check(request)
        except RegistryError as exc:  # corrupt/locked registry or a malformed stored hash
            log.error("handshake check failed: %s", exc)
            return Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "registry unavailable")

    async def _check(self, request: Request) -> Refusal | None:
        cp_id = charge_point_id(request.path)
        if not cp_id:
            return Refusal(HTTPStatus.NOT_FOUND, "no charge point id in the URL path")
        try:
            check_charge_point_id(cp_id)
        except InvalidValueError as exc:
            return Refusal(HTTPStatus.NOT_FOUND, f"invalid charge point id: {exc}")
        cp = self.hub.registry.get_charge_point(cp_id)
        if cp is None:
            if self.hub.config.accept_unknown:
                return None
            return Refusal(HTTPStatus.NOT_FOUND, "unknown charge point")
        if cp.password_hash is None:
            return None
        creds = basic_credentials(request.headers)
        if creds is None:
            return Refusal(HTTPStatus.UNAUTHORIZED, "missing Basic credentials")
        user, password = creds
        if user != cp_id:
            return Refusal(HTTPStatus.UNAUTHORIZED, "Basic user name is not the charge point id")
        if await self._verify(cp_id, password, cp.password_hash):
            return None
        # A password rotation in flight: the new password works too, and using it settles it.
        for pending in self.hub.registry.pending_password_hashes(cp_id):
            if await self._verify(cp_id, password, pending):
                self.hub.registry.settle_password_rotation(cp_id, pending, accepted=True)
                return None
        return Refusal(HTTPStatus.UNAUTHORIZED, "wrong password")

    async def _verify(self, cp_id: str, password: str, stored: str) -> bool:
        if self.cache.is_cached(cp_id, password, stored):
            return True
        # scrypt is slow on purpose: keep it off the event loop, a few at a time.
        async with self._hashing:
            return await asyncio.to_thread(self.cache.verify, cp_id, password, stored)

    async def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        refusal = await self.refusal(request)
        if refusal is None:
            return None
        remote = remote_address(conn, request, self.hub.config.trusted_proxies)
        self.hub.lake.connection_event(
            self.hub.clock.now(), charge_point_id(request.path) or None, None, "rejected",
            refusal.reason, remote=remote, http_status=refusal.status.value,
        )
        response = conn.respond(refusal.status, f"{refusal.reason}\n")
        if refusal.status == HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = 'Basic realm="OCPP", charset="UTF-8"'
        return response

    def select_subprotocol(
        self, conn: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        for proto in self.hub.config.subprotocols:
            if proto in offered:
                return Subprotocol(proto)
        return None


def remote_address(
    conn: ServerConnection, request: Request, trusted: Sequence[Network]
) -> str | None:
    """The charger's address: the TCP peer, or whom a trusted proxy says it forwards."""
    peer = conn.remote_address
    return client_address(
        (str(peer[0]), int(peer[1])) if peer else None,
        request.headers.get("X-Forwarded-For"),
        trusted,
    )
