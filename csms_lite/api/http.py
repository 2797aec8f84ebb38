"""HTTP API (aiohttp), all JSON, all behind ``Authorization: Bearer <token>`` but ``/healthz``.

- ``GET  /healthz``                            ``{"status": "ok", "node_id"}`` while the node
  serves: for load balancers' health checks, no token
- ``GET  /api/v1/health``                      counts, lake writer and broker status
- ``GET  /api/v1/chargers``                    live state of every charger this node has seen
- ``GET  /api/v1/chargers/{id}``
- ``GET  /api/v1/transactions``                open transactions
- ``POST /api/v1/chargers/{id}/commands``      ``{"command": "reset", "params": {"type": "hard"}}``
  or ``{"action": "Reset", "payload": {...}}``; plus ``requested_by``, ``reason``, ``timeout``
  and ``on_behalf_of`` (a user name: recorded as ``requested_by`` ``operator:alice``).
  Answers 200 with the charger's answer, 400 invalid, 409 offline, 502 CALLERROR or an answer
  that breaks the schema, 504 timeout. In a cluster, any node's API reaches the charger on
  whichever node holds it.
- ``POST /api/v1/commands/{command_id}/outcome``  ``{"charge_point_id", "result", "detail",
  "requested_by"}``: what the command achieved, found out later (a ``commands`` row, action
  ``Outcome``).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import orjson
from aiohttp import web

from csms_lite.api.token import load_or_create
from csms_lite.commands.request import REQUESTERS, CommandRequest, requester
from csms_lite.config import CsmsConfig
from csms_lite.errors import InvalidCommand
from csms_lite.rpc.nesting import MAX_DEPTH, too_deep
from csms_lite.server.hub import Hub
from csms_lite.versions import Version

PUBLIC_PATHS = frozenset({"/healthz"})
HTTP_STATUS = {"answered": 200, "invalid": 400, "offline": 409, "call_error": 502,
               "invalid_response": 502, "timeout": 504, "error": 500}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _body(request: web.Request) -> Any:
    """The decoded JSON body, or ValueError. orjson, not ``request.json()``: the stdlib's
    parser recurses (a JSON bomb raised RecursionError, a 500) and accepts NaN and 1e999."""
    body = orjson.loads(await request.read())  # its JSONDecodeError is a ValueError
    if too_deep(body, MAX_DEPTH):
        raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
    return body


class ApiServer:
    def __init__(self, hub: Hub, config: CsmsConfig) -> None:
        self.hub = hub
        self.config = config
        self.token = ""
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth], client_max_size=256 * 1024)
        app.add_routes([
            web.get("/healthz", self.healthz),
            web.get("/api/v1/health", self.health),
            web.get("/api/v1/chargers", self.chargers),
            web.get("/api/v1/chargers/{cp_id}", self.charger),
            web.get("/api/v1/transactions", self.transactions),
            web.post("/api/v1/chargers/{cp_id}/commands", self.command),
            web.post("/api/v1/commands/{command_id}/outcome", self.outcome),
        ])
        return app

    async def start(self) -> None:
        if self.config.api_port is None:
            return
        self.token = load_or_create(self.config.data_dir, self.config.api_token)
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.api_host, self.config.api_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the real port when asked for 0

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in PUBLIC_PATHS:
            return await handler(request)
        given = request.headers.get("Authorization", "")
        expected = f"Bearer {self.token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return _error(401, "missing or wrong bearer token (see <data-dir>/api_token)")
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

    async def transactions(self, request: web.Request) -> web.Response:
        out = []
        for state in self.hub.chargers.values():
            for tx in state.to_json()["open_transactions"]:
                out.append({"charge_point_id": state.charge_point_id, **tx})
        return web.json_response(out)

    async def command(self, request: web.Request) -> web.Response:
        cp_id = request.match_info["cp_id"]
        try:
            body = await _body(request)
            req = self._request(cp_id, body, await self.hub.version_of(cp_id))
        except InvalidCommand as exc:
            return _error(400, str(exc))
        except ValueError:
            return _error(400, "body must be a JSON object")
        result = await self.hub.send(req)
        return web.json_response(result.to_json(), status=HTTP_STATUS.get(result.outcome, 500))

    async def outcome(self, request: web.Request) -> web.Response:
        """Record what a command achieved: ``{"charge_point_id", "result", "detail",
        "requested_by"}``; written to the ``commands`` table as action ``Outcome``."""
        try:
            body = await _body(request)
        except ValueError:
            return _error(400, "body must be a JSON object")
        if not isinstance(body, dict):
            return _error(400, "body must be a JSON object")
        cp_id, result = body.get("charge_point_id"), body.get("result")
        requested_by, detail = body.get("requested_by", "api"), body.get("detail", {})
        if not isinstance(cp_id, str) or not isinstance(result, str) or not result:
            return _error(400, "charge_point_id and result must be non-empty text")
        if requested_by not in REQUESTERS or not isinstance(detail, dict):
            return _error(400, f"requested_by one of {', '.join(REQUESTERS)}; detail an object")
        self.hub.record_outcome(request.match_info["command_id"], cp_id, requested_by, result,
                                detail)
        return web.json_response({"recorded": True})

    def _request(self, cp_id: str, body: Any, version: Version) -> CommandRequest:
        if not isinstance(body, dict):
            raise InvalidCommand("body must be a JSON object")
        requested_by = requester(body.get("requested_by", "api"), body.get("on_behalf_of"))
        reason, timeout = body.get("reason"), body.get("timeout")
        if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
            raise InvalidCommand("timeout must be a positive number of seconds")
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
