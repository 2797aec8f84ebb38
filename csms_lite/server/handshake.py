"""The opening handshake: which charge point this is, and whether it may connect.

OCPP-J: the charge point id is the last path segment (``/ocpp/CP-1``); a malformed id gets 404.
Unknown ids and failed Basic auth (security profile 1/2) both get 401 with the same body after
the same scrypt work (against a dummy hash for an unknown id), so ids cannot be enumerated; the
lake's ``rejected`` row keeps the real reason. Failures back off per source address and per id
(429, see :mod:`csms_lite.server.auth_throttle`); a password this node verified before passes
without waiting for the scrypt pool, and at most ``auth_max_pending`` scrypt runs wait (503).

Subprotocol negotiation happens in :func:`select_subprotocol`; a charger offering none we speak
completes the handshake without a ``Sec-WebSocket-Protocol`` header and is then closed, as
OCPP-J section 3.1 says.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import math
import time
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
from csms_lite.registry.passwords import VerifiedCache, dummy_hash
from csms_lite.security.client_cert import identity, peer_common_name
from csms_lite.server.auth_throttle import AuthThrottle
from csms_lite.server.client_address import Network, client_address
from csms_lite.server.hub import Hub
from csms_lite.server.log_budget import LogBudget
from csms_lite.server.rejections import RejectionRows

log = logging.getLogger(__name__)


UNAUTHORIZED = "unauthorized"  # the one body of every 401: unknown id and wrong password alike


@dataclass(frozen=True)
class Refusal:
    status: HTTPStatus
    reason: str  # for the lake
    public: str | None = None  # the response body, when it must say less than the reason
    retry_after: float | None = None  # seconds (429)


def unauthorized(reason: str) -> Refusal:
    return Refusal(HTTPStatus.UNAUTHORIZED, reason, UNAUTHORIZED)


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
        self._pending = 0  # scrypt runs waiting or running
        self._refusals = LogBudget(log)  # one line each, but a flood is summarised
        self.rejections = RejectionRows(hub.config.rejected_rows_per_minute)
        cfg = hub.config
        self.throttle = AuthThrottle(cfg.auth_free_failures, cfg.auth_backoff,
                                     cfg.auth_backoff_max)

    async def refusal(self, request: Request, source: str | None = None,
                      client_cn: str | None = None) -> Refusal | None:
        """Why this handshake may not go on (None: it may); ``source`` is the client's
        address, the key of the per-source back-off; ``client_cn`` the common name of its
        verified TLS client certificate (None: it showed none)."""
        try:
            return await self._check(request, source, client_cn)
        except RegistryError as exc:  # corrupt/locked registry or a malformed stored hash
            log.error("handshake check failed: %s", exc)
            return Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "registry unavailable")

    async def _check(self, request: Request, source: str | None, client_cn: str | None
                     ) -> Refusal | None:
        cp_id = charge_point_id(request.path)
        if not cp_id:
            return Refusal(HTTPStatus.NOT_FOUND, "no charge point id in the URL path")
        try:
            check_charge_point_id(cp_id)
        except InvalidValueError as exc:
            return Refusal(HTTPStatus.NOT_FOUND, f"invalid charge point id: {exc}")
        if self.hub.config.flood_cooldown and (wait := self.hub.flood_cooldown.wait(cp_id)):
            return Refusal(HTTPStatus.TOO_MANY_REQUESTS, "flood: closed for flooding, cooling down",
                           "too many frames, retry later", wait)
        identified, why = identity(client_cn, cp_id, self.hub.config.require_client_cert)
        if why is not None:
            return unauthorized(why)
        cp = self.hub.registry.get_charge_point(cp_id)
        if cp is None and self.hub.config.accept_unknown:
            return None
        if identified:  # security profile 3: its certificate is its credential
            return None if cp is not None else unauthorized("unknown charge point")
        if cp is not None and cp.password_hash is None:
            return None
        # From here on an unknown id and a known one with a password look the same from outside.
        creds = basic_credentials(request.headers)
        if creds is None:
            return unauthorized("missing Basic credentials")
        user, password = creds
        if user != cp_id:
            return unauthorized("Basic user name is not the charge point id")
        stored = cp.password_hash if cp is not None else None
        return await self._password(cp_id, password, stored, f"source:{source}")

    async def _password(
        self, cp_id: str, password: str, stored: str | None, source_key: str
    ) -> Refusal | None:
        throttle, id_key = self.throttle, f"id:{cp_id}"
        # A blocked source tries nothing, not even the cheap cache check (no fast oracle).
        wait = throttle.wait(source_key)
        if wait == 0 and stored is not None and self.cache.is_cached(cp_id, password, stored):
            return None  # a charger that connected before is never kept waiting
        wait = max(wait, throttle.wait(id_key))
        if wait > 0:
            return Refusal(HTTPStatus.TOO_MANY_REQUESTS, "failed logins: backing off",
                           "too many failed logins, retry later", wait)
        if self._pending >= self.hub.config.auth_max_pending:
            return Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "too many logins being checked",
                           "busy, retry later", 1.0)
        throttle.fail(id_key)  # before the await: concurrent guesses at one id count at once
        # An unknown id costs the same scrypt run, against a hash no password matches.
        verified = await self._verify(cp_id, password, stored or dummy_hash())
        if stored is not None and not verified:
            verified = await self._pending_rotation(cp_id, password)
        if stored is None or not verified:
            throttle.fail(source_key)
            return unauthorized("wrong password" if stored is not None else
                                "unknown charge point")
        throttle.success(id_key)
        return None

    async def _pending_rotation(self, cp_id: str, password: str) -> bool:
        """A password rotation in flight: the new password works too, and using it settles it."""
        for pending in self.hub.registry.pending_password_hashes(cp_id):
            if await self._verify(cp_id, password, pending):
                self.hub.registry.settle_password_rotation(cp_id, pending, accepted=True)
                return True
        return False

    async def _verify(self, cp_id: str, password: str, stored: str) -> bool:
        # scrypt is slow on purpose: keep it off the event loop, a few at a time.
        self._pending += 1
        try:
            async with self._hashing:
                return await asyncio.to_thread(self.cache.verify, cp_id, password, stored)
        finally:
            self._pending -= 1

    async def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        remote = remote_address(conn, request, self.hub.config.trusted_proxies)
        source = source_host(conn, remote)
        refusal = await self.refusal(request, source, peer_common_name(conn))
        if refusal is None:
            return None
        held = self.rejections.admit(source or "?", time.monotonic())
        if held is not None:  # else counted, and said in the next row stored for that source
            more = f" (and {held} more refusals from this address not stored)" if held else ""
            self.hub.lake.connection_event(
                self.hub.clock.now(), charge_point_id(request.path) or None, None, "rejected",
                refusal.reason + more, remote=remote, http_status=refusal.status.value,
            )
        self._refusals.info("refused %s from %s: %d %s", charge_point_id(request.path) or "?",
                            remote or "?", refusal.status.value, refusal.reason)
        response = conn.respond(refusal.status, f"{refusal.public or refusal.reason}\n")
        if refusal.status == HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = 'Basic realm="OCPP", charset="UTF-8"'
        if refusal.retry_after is not None:
            response.headers["Retry-After"] = str(math.ceil(refusal.retry_after))
        return response

    def select_subprotocol(
        self, conn: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        for proto in self.hub.config.subprotocols:
            if proto in offered:
                return Subprotocol(proto)
        return None


def source_host(conn: ServerConnection, remote: str | None) -> str | None:
    """The client's address without the port (a new TCP connection has a new port)."""
    peer = conn.remote_address
    if remote is not None and peer and remote == f"{peer[0]}:{peer[1]}":
        return str(peer[0])
    return remote


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
