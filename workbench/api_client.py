"""A small synchronous client of the CSMS HTTP API (stdlib only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from csms_lite.api.token import token_path
from csms_lite.errors import CsmsError


def resolve_token(token: str | None, data_dir: Path) -> str:
    if token:
        return token
    path = token_path(data_dir)
    if not path.is_file():
        raise CsmsError(f"no API token: pass --token or run the CSMS with --data-dir {data_dir}")
    return path.read_text().strip()


def request(
    base_url: str, token: str, method: str, path: str, body: Any = None, timeout: float = 60.0
) -> tuple[int, Any]:
    """(HTTP status, decoded JSON). Raises CsmsError when the API cannot be reached."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        base_url.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
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
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise CsmsError(f"cannot reach the CSMS API at {base_url}: {exc}") from None
