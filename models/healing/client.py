"""The CSMS HTTP API, as self-healing uses it (models talk to the CSMS only through it)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from models.errors import ModelError

COMMANDS = {
    "soft_reset": ("reset", {"type": "soft"}),
    "hard_reset": ("reset", {"type": "hard"}),
    "inoperative": ("change_availability", {"connector_id": 0, "available": False}),
    "restore": ("change_availability", {"connector_id": 0, "available": True}),
}
NO_COMMAND = {"ticket"}  # recorded as an outcome row only: a person must go


class ApiError(ModelError):
    """The CSMS API could not be reached or refused the request."""


class CsmsApi:
    def __init__(self, base_url: str, token: str, timeout_s: float = 30.0) -> None:
        self.base = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> CsmsApi:
        self._session = aiohttp.ClientSession(headers=self.headers, timeout=self.timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def chargers(self) -> list[dict[str, Any]]:
        data = await self._call("GET", "/api/v1/chargers")
        if not isinstance(data, list):
            raise ApiError(f"{self.base}/api/v1/chargers did not answer a list")
        return data

    async def act(self, cp_id: str, action: str, reason: dict[str, Any]) -> dict[str, Any]:
        command, params = COMMANDS[action]
        body = {
            "command": command,
            "params": params,
            "requested_by": "self_healing",
            "reason": json.dumps(reason, sort_keys=True),
        }
        result = await self._call(
            "POST", f"/api/v1/chargers/{cp_id}/commands", body, ok=(200, 409, 502, 504)
        )
        return result if isinstance(result, dict) else {}

    async def outcome(
        self, command_id: str, cp_id: str, result: str, detail: dict[str, Any]
    ) -> None:
        await self._call(
            "POST",
            f"/api/v1/commands/{command_id}/outcome",
            {
                "charge_point_id": cp_id,
                "result": result,
                "detail": detail,
                "requested_by": "self_healing",
            },
        )

    async def _call(
        self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200,)
    ) -> Any:
        assert self._session is not None, "use `async with CsmsApi(...)`"
        try:
            async with self._session.request(method, self.base + path, json=body) as r:
                data = await r.json(content_type=None)
                if r.status not in ok:
                    raise ApiError(f"{method} {path}: HTTP {r.status} {data}")
                return data
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ApiError(f"CSMS API {self.base} unreachable: {exc}") from exc
