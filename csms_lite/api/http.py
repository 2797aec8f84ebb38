"""HTTP API (aiohttp), all JSON, all behind ``Authorization: Bearer <token>`` but ``/healthz``;
https only with ``--api-tls-cert/--api-tls-key``. Each route needs a scope of the token
(:mod:`csms_lite.api.auth`): GETs ``read``, commands and outcomes ``command``, tokens ``admin``.

- ``GET  /healthz``                            ``{"status": "ok", "node_id"}`` while the node
  serves: for load balancers' health checks, no token
- ``GET  /api/v1/health``                      counts, lake writer and broker status
- ``GET  /api/v1/chargers``                    live state of every charger this node has seen
- ``GET  /api/v1/chargers/{id}``
- ``GET  /api/v1/chargers/{id}/variables``      a 2.0.1 station's reported device model
- ``GET  /api/v1/chargers/{id}/security-events`` its latest security events, certificate signing
- ``GET  /api/v1/transactions``                open transactions
- ``POST /api/v1/chargers/{id}/commands``      ``{"command": "reset", "params": {"type": "hard"}}``
  or ``{"action": "Reset", "payload": {...}}``; plus ``reason``, ``timeout`` (1-300 s, queue
  time included) and ``on_behalf_of`` (the person a tool acts for: the lake's
  ``requested_by`` is ``<token name>:<person>``, else the token name). Answers 200 with the
  charger's answer, 400 invalid, 409 offline, 429 reset budget spent, 502 CALLERROR or an
  answer that breaks the schema, 504 timeout. An identical command still in flight is not
  sent twice: its answer (``"coalesced": true``) goes to both callers. In a cluster, any
  node's API reaches the charger on whichever node holds it.
- ``POST /api/v1/commands/{command_id}/outcome``  ``{"charge_point_id", "result", "detail"}``:
  what the command achieved, found out later (a ``commands`` row, action ``Outcome``); only
  the token that sent the command may, for that command's charger.
- ``GET /files/firmware/{token}/{name}``, ``POST|PUT /files/uploads/{token}[/{name}]``: the
  chargers' firmware downloads and diagnostics uploads, behind the signed link in the URL
  instead of a bearer token (:mod:`csms_lite.files.routes`)
- ``GET /api/v1/tokens``, ``POST /api/v1/tokens`` ``{"name", "scopes"}``,
  ``POST /api/v1/tokens/{name}/rotate``, ``DELETE /api/v1/tokens/{name}``: token admin (a new
  secret is shown once, in the answer).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import orjson
from aiohttp import web

from csms_lite.api.auth import Authenticator
from csms_lite.api.callers import OutcomeRefused, caller_of, check_outcome
from csms_lite.api.token import bootstrap
from csms_lite.commands.request import CommandRequest, check_timeout
from csms_lite.config import CsmsConfig
from csms_lite.errors import InvalidCommand
from csms_lite.files.routes import FileRoutes
from csms_lite.registry.errors import InvalidValueError
from csms_lite.registry.tokens import ApiToken
from csms_lite.rpc.nesting import MAX_DEPTH, too_deep
from csms_lite.server.hub import Hub
from csms_lite.tls import server_context
from csms_lite.versions import Version

log = logging.getLogger(__name__)
PUBLIC_PATHS = frozenset({"/healthz"})
HTTP_STATUS = {"answered": 200, "invalid": 400, "offline": 409, "rate_limited": 429,
               "call_error": 502, "invalid_response": 502, "timeout": 504, "error": 500}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TOKEN = web.RequestKey("token", ApiToken)  # the caller's token, set by _auth


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


BAD_JSON = (f"body must be a JSON object (standard JSON: no NaN or Infinity, nested at most "
            f"{MAX_DEPTH} levels)")


async def _body(request: web.Request) -> Any:
    """The decoded JSON body, or ValueError. orjson, not ``request.json()``: the stdlib's
    parser recurses (a JSON bomb raised RecursionError, a 500) and accepts NaN and 1e999."""
    body = orjson.loads(await request.read())  # its JSONDecodeError is a ValueError
    if too_deep(body, MAX_DEPTH):
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return body


def _named(body: Any) -> str:
    """The command or action a refused request named, for its ``commands`` row."""
    named = body.get("command", body.get("action")) if isinstance(body, dict) else None
    return named if isinstance(named, str) else "(unreadable)"


class ApiServer:
    def __init__(self, hub: Hub, config: CsmsConfig) -> None:
        self.hub = hub
        self.config = config
        self.token = ""  # the bootstrap (operator) token's secret
        self.auth = Authenticator(hub.registry.tokens)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth], client_max_size=256 * 1024)
        self._scopes: dict[Handler, str] = {}
        routes: list[tuple[str, str, Handler, str]] = [
            ("GET", "/healthz", self.healthz, ""),
            ("GET", "/api/v1/health", self.health, "read"),
            ("GET", "/api/v1/chargers", self.chargers, "read"),
            ("GET", "/api/v1/chargers/{cp_id}", self.charger, "read"),
            ("GET", "/api/v1/chargers/{cp_id}/variables", self.variables, "read"),
            ("GET", "/api/v1/chargers/{cp_id}/security-events", self.security_events, "read"),
            ("GET", "/api/v1/transactions", self.transactions, "read"),
            ("POST", "/api/v1/chargers/{cp_id}/commands", self.command, "command"),
            ("POST", "/api/v1/commands/{command_id}/outcome", self.outcome, "command"),
            ("GET", "/api/v1/tokens", self.tokens, "admin"),
            ("POST", "/api/v1/tokens", self.create_token, "admin"),
            ("POST", "/api/v1/tokens/{name}/rotate", self.rotate_token, "admin"),
            ("DELETE", "/api/v1/tokens/{name}", self.revoke_token, "admin"),
        ]
        # Chargers' downloads and uploads: no token, the signed link in the URL is the credential.
        routes += [(method, path, handler, "") for method, path, handler in
                   FileRoutes(self.hub).routes()]
        for method, path, handler, scope in routes:
            app.router.add_route(method, path, handler)
            self._scopes[handler] = scope
        return app

    async def start(self) -> None:
        if self.config.api_port is None:
            return
        ssl = server_context(self.config.api_tls_cert, self.config.api_tls_key,
                             "--api-tls-cert and --api-tls-key")
        self.token = bootstrap(self.hub.registry, self.config.data_dir, self.config.api_token)
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.api_host, self.config.api_port,
                           ssl_context=ssl)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the real port when asked for 0
        self.hub.files.serving("https" if ssl else "http", self.config.api_host, self.port)
        log.info("CSMS API on %s://%s:%d", "https" if ssl else "http", self.config.api_host,
                 self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self.auth.flush()

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in PUBLIC_PATHS or self._scopes.get(request.match_info.handler) == "":
            return await handler(request)
        # An unknown path or method still needs a valid token (admin: refuse by default).
        scope = self._scopes.get(request.match_info.handler, "admin")
        checked = self.auth.check(request.headers.get("Authorization", ""), scope)
        if not isinstance(checked, ApiToken):
            return _error(*checked)
        request[TOKEN] = checked
        return await handler(request)

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "node_id": self.config.node_id})

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({
            "status": "ok", "node_id": self.config.node_id,
            "connected": len(self.hub.connections), "known": len(self.hub.chargers),
            "lake": asdict(self.hub.lake.writer.stats), "broker": self.hub.broker.status(),
        })

    async def chargers(self, request: web.Request) -> web.Response:
        return web.json_response([c.to_json() for c in self.hub.chargers.values()])

    async def charger(self, request: web.Request) -> web.Response:
        cp_id = request.match_info["cp_id"]
        state = self.hub.chargers.get(cp_id)
        if state is None or not state.connected:
            where = await self.hub.broker.locate(cp_id)
            if where is not None and where.node_id != self.config.node_id:
                return _error(404, f"that charge point is connected to node {where.node_id}: "
                                   "ask that node's API for its live state")
        if state is None:
            return _error(404, "this node has never seen that charge point")
        return web.json_response(state.to_json())

    async def variables(self, request: web.Request) -> web.Response:
        """A 2.0.1 station's device model as it last reported it (NotifyReport)."""
        cp_id = request.match_info["cp_id"]
        if not self._known(cp_id):
            return _error(404, f"unknown charge point {cp_id!r}")
        return web.json_response(self.hub.registry.variables.of(cp_id))

    async def security_events(self, request: web.Request) -> web.Response:
        """The charger's latest security events on this node (all of them: the lake's
        ocpp_messages, action SecurityEventNotification)."""
        state = self.hub.chargers.get(request.match_info["cp_id"])
        if state is None:
            return _error(404, "this node has never seen that charge point")
        return web.json_response(state.security.to_json())

    async def transactions(self, request: web.Request) -> web.Response:
        out = []
        for state in self.hub.chargers.values():
            for tx in state.to_json()["open_transactions"]:
                out.append({"charge_point_id": state.charge_point_id, **tx})
        return web.json_response(out)

    async def command(self, request: web.Request) -> web.Response:
        cp_id = request.match_info["cp_id"]
        if not self._known(cp_id):
            return _error(404, f"unknown charge point {cp_id!r}: add it with cpo chargers add")
        body: Any = None
        try:
            body = await _body(request)
            req = self._request(cp_id, body, await self.hub.version_of(cp_id),
                                caller_of(request[TOKEN], body))
        except (InvalidCommand, ValueError) as exc:
            why = str(exc) if isinstance(exc, InvalidCommand) else BAD_JSON
            self.hub.commands.invalid(cp_id, _named(body), request[TOKEN].name, why)
            return _error(400, why)
        result = await self.hub.send(req)
        return web.json_response(result.to_json(), status=HTTP_STATUS.get(result.outcome, 500))

    def _known(self, cp_id: str) -> bool:
        """In the registry, or connected (``--accept-unknown``), or possibly on another node."""
        return (cp_id in self.hub.chargers or self.config.accept_unknown
                or self.hub.registry.get_charge_point(cp_id) is not None)

    async def outcome(self, request: web.Request) -> web.Response:
        """Record what a command achieved: ``{"charge_point_id", "result", "detail"}``; written
        to the ``commands`` table as action ``Outcome``, by the command's own caller only."""
        command_id = request.match_info["command_id"]
        try:
            body = await _body(request)
            caller = caller_of(request[TOKEN], body)
            cp_id, result, detail = check_outcome(
                self.hub.registry, request[TOKEN].name, command_id, body)
        except OutcomeRefused as exc:
            return _error(exc.status, str(exc))
        except InvalidCommand as exc:
            return _error(400, str(exc))
        except ValueError:
            return _error(400, BAD_JSON)
        self.hub.record_outcome(command_id, cp_id, caller, result, detail)
        return web.json_response({"recorded": True})

    async def tokens(self, request: web.Request) -> web.Response:
        return web.json_response([
            {"name": t.name, "scopes": sorted(t.scopes), "created_at": t.created_at,
             "revoked_at": t.revoked_at, "last_used_at": t.last_used_at,
             "use_count": t.use_count} for t in self.hub.registry.tokens.list()])

    async def create_token(self, request: web.Request) -> web.Response:
        try:
            body = await _body(request)
            if not isinstance(body, dict) or not isinstance(body.get("scopes"), list):
                raise InvalidCommand('give {"name": ..., "scopes": ["read", ...]}')
            name, scopes = str(body.get("name", "")), frozenset(map(str, body["scopes"]))
            secret = self.hub.registry.tokens.create(name, scopes, time.time())
        except (InvalidCommand, InvalidValueError) as exc:
            return _error(400, str(exc))
        except ValueError:
            return _error(400, BAD_JSON)
        return web.json_response({"name": name, "token": secret})

    async def rotate_token(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        try:
            secret = self.hub.registry.tokens.rotate(name, time.time())
        except InvalidValueError as exc:
            return _error(404, str(exc))
        return web.json_response({"name": name, "token": secret})

    async def revoke_token(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not self.hub.registry.tokens.revoke(name, time.time()):
            return _error(404, f"no active token named {name!r}")
        return web.json_response({"name": name, "revoked": True})

    def _request(self, cp_id: str, body: Any, version: Version, requested_by: str
                 ) -> CommandRequest:
        if not isinstance(body, dict):
            raise InvalidCommand("body must be a JSON object")
        reason, timeout = body.get("reason"), check_timeout(body.get("timeout"))
        if "action" in body:
            payload = body.get("payload", {})
            if not isinstance(body["action"], str) or not isinstance(payload, dict):
                raise InvalidCommand("action must be text and payload a JSON object")
            return CommandRequest(cp_id, body["action"], payload, requested_by, reason, timeout)
        if "command" not in body:
            raise InvalidCommand('give either "command" (+ "params") or "action" + "payload"')
        params = body.get("params", {})
        if not isinstance(params, dict):
            raise InvalidCommand("params must be a JSON object")
        return self.hub.request_for(cp_id, body["command"], params, requested_by, reason,
                                    timeout, version)
