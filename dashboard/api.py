"""A small client of the CSMS HTTP API (stdlib only; ``Authorization: Bearer <token>``).

Only what the dashboard needs: the chargers' live state and sending a command by hand."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

COMMANDS = ("reset", "change_availability")


class ApiError(Exception):
    """The API could not be reached or refused the request; the message says why."""


def call(
    base_url: str,
    token: str | None,
    method: str,
    path: str,
    body: Any = None,
    timeout: float = 10.0,
) -> tuple[int, Any]:
    """(HTTP status, decoded JSON); raises ApiError when the API cannot be reached."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        base_url.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token or ''}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw or b"null")
        except json.JSONDecodeError:
            return exc.code, {"error": raw.decode(errors="replace")}
    except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
        raise ApiError(f"cannot reach the CSMS API at {base_url}: {exc}") from None


def chargers(base_url: str, token: str | None) -> list[dict[str, Any]]:
    status, body = call(base_url, token, "GET", "/api/v1/chargers")
    if status != 200 or not isinstance(body, list):
        raise ApiError(f"CSMS API answered {status}: {_message(body)}")
    return body


def send(
    base_url: str, token: str | None, cp_id: str, command: str, params: dict[str, Any], reason: str
) -> tuple[int, dict[str, Any]]:
    """Send a version-neutral command as the operator; (HTTP status, the command's record)."""
    if command not in COMMANDS:
        raise ApiError(f"unknown command {command!r}: use one of {', '.join(COMMANDS)}")
    body = {"command": command, "params": params, "requested_by": "operator", "reason": reason}
    path = f"/api/v1/chargers/{urllib.parse.quote(cp_id, safe='')}/commands"
    status, answer = call(base_url, token, "POST", path, body, timeout=60.0)
    return status, answer if isinstance(answer, dict) else {"error": str(answer)}


def live_counts(states: list[dict[str, Any]]) -> dict[str, int]:
    """Connected / faulted (a connector reporting Faulted) / offline among the chargers known."""
    out = {"online": 0, "faulted": 0, "offline": 0}
    for cp in states:
        if not cp.get("connected"):
            out["offline"] += 1
        elif any(
            (c or {}).get("status") == "Faulted" for c in (cp.get("connectors") or {}).values()
        ):
            out["faulted"] += 1
        else:
            out["online"] += 1
    return out


def _message(body: Any) -> str:
    return str(body.get("error")) if isinstance(body, dict) and "error" in body else str(body)
